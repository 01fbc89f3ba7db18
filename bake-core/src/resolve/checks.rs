//! What buildx checks and rewrites on resolved targets before `--print` (`toBuildOpt`):
//! the context path is cleaned, and secrets, ssh, shm-size, ulimits and annotations must be
//! usable.

use super::ResolveOptions;
use crate::entries::SshEntry;
use crate::error::ResolveError;
use crate::fields::Target;
use crate::go::{clean_path, is_clean, is_git_ssh, is_remote_url};

/// What `toBuildOpt` checks and rewrites before `--print`: the context path is cleaned
/// (`cwd://` stripped), and secrets, ssh, shm-size, ulimits and annotations must be usable.
pub(super) fn check_build_options(
    t: &mut Target,
    opts: &ResolveOptions,
) -> Result<(), ResolveError> {
    if t.context == "-" {
        return Err(ResolveError::StdinNotAllowed {
            what: "context".to_string(),
        });
    }
    if t.dockerfile == "-" {
        return Err(ResolveError::StdinNotAllowed {
            what: "dockerfile".to_string(),
        });
    }
    if let Some(rest) = t.context.strip_prefix("cwd://") {
        t.context = clean_path(rest);
    } else if !is_remote_url(&t.context) && !is_clean(&t.context) {
        t.context = clean_path(&t.context);
    }
    let invalid = |field: &str, value: &str, reason: String| ResolveError::InvalidValue {
        target: t.name.clone(),
        field: field.to_string(),
        value: value.to_string(),
        reason,
    };
    if let Some(shm) = &t.shm_size {
        if !crate::validate::is_mem_bytes(shm) {
            return Err(invalid("shm-size", shm, "not a size".to_string()));
        }
    }
    for u in &t.ulimits {
        crate::validate::check_ulimit(u).map_err(|r| invalid("ulimits", u, r))?;
    }
    for a in &t.annotations {
        crate::validate::check_annotation(a).map_err(|r| invalid("annotations", a, r))?;
    }
    check_secrets(t, opts)?;
    check_ssh(t, opts)
}

const MAX_SECRET_SIZE: u64 = 500 * 1024;

/// `secretsprovider.NewStore`: an id-only secret reads the environment variable of that
/// name, else the file of that name; a file must exist.
fn check_secrets(t: &Target, opts: &ResolveOptions) -> Result<(), ResolveError> {
    for s in &t.secret {
        if s.id.is_empty() {
            return Err(ResolveError::SecretMissingId {
                target: t.name.clone(),
            });
        }
        let mut src = s.src.clone();
        if s.env.is_empty() && src.is_empty() {
            if opts.env.contains_key(&s.id) {
                continue;
            }
            src = s.id.clone();
        }
        if src.is_empty() {
            continue;
        }
        let path = opts.cwd.join(&src);
        match std::fs::metadata(&path) {
            Ok(md) if md.len() > MAX_SECRET_SIZE => {
                return Err(ResolveError::SecretFile {
                    id: s.id.clone(),
                    path: src,
                    reason: "secret too big, max size 500KB".to_string(),
                    help: None,
                })
            }
            Ok(_) => {}
            Err(e) => {
                let help = (s.src.is_empty()).then(|| {
                    format!(
                        "an id-only secret reads the environment variable `{}` or the file of that name",
                        s.id
                    )
                });
                return Err(ResolveError::SecretFile {
                    id: s.id.clone(),
                    path: src,
                    reason: io_reason(&e),
                    help,
                });
            }
        }
    }
    Ok(())
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        _ => e.to_string().to_lowercase(),
    }
}

/// `sshprovider.NewSSHAgentProvider`: each entry needs a socket or key file; no paths
/// means `SSH_AUTH_SOCK`.
fn check_ssh(t: &Target, opts: &ResolveOptions) -> Result<(), ResolveError> {
    let mut specs = t.ssh.clone();
    if specs.is_empty() && is_git_ssh(&t.context) {
        specs.push(SshEntry {
            id: "default".to_string(),
            paths: Vec::new(),
        });
    }
    let mut seen = std::collections::HashSet::new();
    for s in specs {
        let id = if s.id.is_empty() {
            "default".to_string()
        } else {
            s.id.clone()
        };
        let mut paths = s.paths.clone();
        if paths.is_empty() || (paths.len() == 1 && paths[0].is_empty()) {
            paths = vec![opts.env.get("SSH_AUTH_SOCK").cloned().unwrap_or_default()];
        }
        if paths[0].is_empty() {
            return Err(ResolveError::SshAgent { id });
        }
        if !seen.insert(id.clone()) {
            return Err(ResolveError::SshDuplicate { id });
        }
        for p in &paths {
            let full = opts.cwd.join(p);
            let md = std::fs::metadata(&full).map_err(|e| ResolveError::SshPath {
                id: id.clone(),
                path: p.clone(),
                reason: io_reason(&e),
            })?;
            if crate::validate::is_socket(&md) {
                continue;
            }
            // Only a regular file can hold a key: a FIFO or a device would block or never end.
            let text = if md.is_file() {
                crate::util::read_regular(&full).unwrap_or_default()
            } else {
                String::new()
            };
            if !text.contains("PRIVATE KEY") {
                return Err(ResolveError::SshPath {
                    id: id.clone(),
                    path: p.clone(),
                    reason: "not an ssh agent socket or a private key".to_string(),
                });
            }
        }
    }
    Ok(())
}
