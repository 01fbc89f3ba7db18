//! Checks buildx runs on resolved targets before printing (`toBuildOpt`): sizes, ulimits and
//! annotations must parse.

/// `units.RAMInBytes` accepts the value (`128m`, `2g`, `1.5GiB`, `256MiB`, `1024`).
#[must_use]
pub(crate) fn is_mem_bytes(s: &str) -> bool {
    let Some(sep) = s.rfind(|c: char| c.is_ascii_digit() || c == '.' || c == ' ') else {
        return false;
    };
    let (num, sfx) = if s.as_bytes()[sep] == b' ' {
        (&s[..sep], &s[sep + 1..])
    } else {
        (&s[..=sep], &s[sep + 1..])
    };
    match num.parse::<f64>() {
        Ok(n) if n >= 0.0 => {}
        _ => return false,
    }
    if sfx.is_empty() {
        return true;
    }
    if sfx.len() > 3 {
        return false;
    }
    let sfx = sfx.to_lowercase();
    let b = sfx.as_bytes();
    if b[0] == b'b' {
        return b.len() == 1;
    }
    if !matches!(b[0], b'k' | b'm' | b'g' | b't' | b'p') {
        return false;
    }
    match b.len() {
        2 => b[1] == b'b',
        3 => &sfx[1..] == "ib",
        _ => true,
    }
}

/// The ulimit names buildx knows (`units.ParseUlimit`).
pub const ULIMIT_NAMES: [&str; 15] = [
    "core",
    "cpu",
    "data",
    "fsize",
    "locks",
    "memlock",
    "msgqueue",
    "nice",
    "nofile",
    "nproc",
    "rss",
    "rtprio",
    "rttime",
    "sigpending",
    "stack",
];

/// `units.ParseUlimit`: `name=soft[:hard]`.
pub(crate) fn check_ulimit(s: &str) -> Result<(), String> {
    let Some((name, limits)) = s.split_once('=') else {
        return Err("expected `name=soft[:hard]`".to_string());
    };
    if !ULIMIT_NAMES.contains(&name) {
        return Err(format!("invalid ulimit type `{name}`"));
    }
    let parts: Vec<&str> = limits.split(':').collect();
    let num = |v: &str| {
        v.parse::<i64>()
            .map_err(|_| format!("`{v}` is not an integer"))
    };
    let (soft, hard) = match parts.as_slice() {
        [soft] => {
            let s = num(soft)?;
            (s, s)
        }
        [soft, hard] => (num(soft)?, num(hard)?),
        _ => return Err("too many limit values, can only have `soft[:hard]`".to_string()),
    };
    if hard != -1 && soft > hard {
        return Err(format!(
            "soft limit must be less than or equal to hard limit: {soft} > {hard}"
        ));
    }
    Ok(())
}

/// `buildflags.ParseAnnotations` for one entry: `[type[platform],...:]key=value`.
pub(crate) fn check_annotation(s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Ok(());
    }
    let Some((k, _)) = s.split_once('=') else {
        return Err("expected key=value".to_string());
    };
    let Some((types, _)) = k.split_once(':') else {
        return Ok(());
    };
    for tp in types.split(',') {
        let (typ, platform) = match tp.split_once('[') {
            Some((t, rest)) => match rest.strip_suffix(']') {
                Some(p) => (t, Some(p)),
                None => return Err(format!("invalid annotation type `{tp}`")),
            },
            None => (tp, None),
        };
        let typ_ok = !typ.is_empty() && typ.chars().all(|c| c.is_ascii_lowercase() || c == '-');
        let plat_ok = platform.is_none_or(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '/' || c == '-')
        });
        if !typ_ok || !plat_ok {
            return Err(format!(
                "invalid annotation type `{tp}`, expected type and optional platform in square brackets"
            ));
        }
        if !matches!(
            typ,
            "index" | "index-descriptor" | "manifest" | "manifest-descriptor"
        ) {
            return Err(format!("unknown annotation type `{typ}`"));
        }
    }
    Ok(())
}

/// Whether the file is a Unix socket.
#[must_use]
pub(crate) fn is_socket(md: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        md.file_type().is_socket()
    }
    #[cfg(not(unix))]
    {
        let _ = md;
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        for ok in ["128m", "2g", "256MiB", "1024", "1.5GB", "10 k", "1b"] {
            assert!(is_mem_bytes(ok), "{ok}");
        }
        for bad in ["", "abc", "-1m", "1x", "1kbb", "1mx"] {
            assert!(!is_mem_bytes(bad), "{bad}");
        }
    }

    #[test]
    fn ulimits() {
        assert!(check_ulimit("nofile=1024:2048").is_ok());
        assert!(check_ulimit("nproc=512").is_ok());
        assert!(check_ulimit("nofile=10:-1").is_ok());
        assert!(check_ulimit("bogus=1").is_err());
        assert!(check_ulimit("nofile=2:1").is_err());
        assert!(check_ulimit("nofile").is_err());
        assert!(check_ulimit("nofile=1:2:3").is_err());
    }

    #[test]
    fn annotations() {
        assert!(check_annotation("org.opencontainers.image.authors=dev@example.com").is_ok());
        assert!(check_annotation("index:org.opencontainers.image.description=multi").is_ok());
        assert!(check_annotation("manifest[linux/amd64],index:k=v").is_ok());
        assert!(check_annotation("novalue").is_err());
        assert!(check_annotation("bogus:k=v").is_err());
    }
}
