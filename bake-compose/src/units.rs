//! Sizes as go-units reads and prints them.

/// go-units `RAMInBytes`.
pub(crate) fn ram_in_bytes(s: &str) -> Option<i64> {
    let s = s.trim();
    let num_end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (num, mut unit) = s.split_at(num_end);
    if num.is_empty() {
        return None;
    }
    let n: f64 = num.parse().ok()?;
    unit = unit.strip_prefix(' ').unwrap_or(unit);
    let lower = unit.to_ascii_lowercase();
    let mut u = lower.as_str();
    u = u.strip_suffix('b').unwrap_or(u);
    u = u.strip_suffix('i').unwrap_or(u);
    let mult: f64 = match u {
        "" => 1.0,
        "k" => 1024.0,
        "m" => 1024.0 * 1024.0,
        "g" => 1024.0 * 1024.0 * 1024.0,
        "t" => 1024f64.powi(4),
        "p" => 1024f64.powi(5),
        _ => return None,
    };
    #[allow(clippy::cast_possible_truncation)]
    Some((n * mult) as i64)
}

/// go-units `BytesSize` (`%.4g` with binary units).
pub(crate) fn bytes_size(n: i64) -> String {
    const UNITS: [&str; 9] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"];
    #[allow(clippy::cast_precision_loss)]
    let mut size = n as f64;
    let mut i = 0;
    while size >= 1024.0 && i < UNITS.len() - 1 {
        size /= 1024.0;
        i += 1;
    }
    format!("{}{}", go_g4(size), UNITS[i])
}

/// Go's `%.4g`.
fn go_g4(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let exp = v.abs().log10().floor();
    #[allow(clippy::cast_possible_truncation)]
    let exp = exp as i32;
    if !(-4..4).contains(&exp) {
        let s = format!("{v:.3e}");
        let (mant, e) = s.split_once('e').unwrap_or((&s, "0"));
        let mant = trim_zeros(mant);
        let e: i32 = e.parse().unwrap_or(0);
        return format!("{mant}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
    }
    let decimals = usize::try_from(3 - exp).unwrap_or(0);
    trim_zeros(&format!("{v:.decimals$}"))
}

fn trim_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(ram_in_bytes("256m"), Some(256 * 1024 * 1024));
        assert_eq!(bytes_size(256 * 1024 * 1024), "256MiB");
        assert_eq!(bytes_size(2 * 1024 * 1024 * 1024), "2GiB");
        assert_eq!(bytes_size(1536), "1.5KiB");
        assert_eq!(bytes_size(100), "100B");
    }
}
