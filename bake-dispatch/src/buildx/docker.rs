//! The Docker CLI side of the backend: finding `docker` ([`find_in_path`]), reading the
//! CLI's configuration ([`DockerCli`]: its engine and plugin directories), and finding the
//! buildx plugin and checking its version ([`check_buildx`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::read_json;

/// Finds `name` in the `PATH` of `env`, as `which` does.
#[must_use]
pub fn find_in_path(name: &str, env: &BTreeMap<String, String>) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = env.get("PATH")?;
    path.split(':').filter(|d| !d.is_empty()).find_map(|d| {
        let p = Path::new(d).join(name);
        let meta = std::fs::metadata(&p).ok()?;
        (meta.is_file() && meta.permissions().mode() & 0o111 != 0).then_some(p)
    })
}

/// The Docker CLI's configuration: its directory (`DOCKER_CONFIG`, else `~/.docker`) and
/// `config.json`, read once.
#[derive(Debug, Clone, Default)]
pub struct DockerCli {
    dir: Option<PathBuf>,
    config: serde_json::Value,
}

impl DockerCli {
    /// Reads the configuration the Docker CLI would use with the environment `env`.
    #[must_use]
    pub fn load(env: &BTreeMap<String, String>) -> DockerCli {
        let dir = env
            .get("DOCKER_CONFIG")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| env.get("HOME").map(|h| Path::new(h).join(".docker")));
        let config = dir
            .as_ref()
            .and_then(|d| read_json(&d.join("config.json")))
            .unwrap_or_default();
        DockerCli { dir, config }
    }

    /// The Docker engine the user's `docker` talks to: `DOCKER_HOST`, else the endpoint of
    /// the context `DOCKER_CONTEXT` or the configuration's `currentContext` names, else the
    /// default socket.
    #[must_use]
    pub fn local_host(&self, env: &BTreeMap<String, String>) -> String {
        const DEFAULT: &str = "unix:///var/run/docker.sock";
        if let Some(h) = env.get("DOCKER_HOST").filter(|h| !h.is_empty()) {
            return h.clone();
        }
        let context = env
            .get("DOCKER_CONTEXT")
            .filter(|c| !c.is_empty())
            .map(String::as_str)
            .or_else(|| self.config.get("currentContext")?.as_str());
        let (Some(dir), Some(name)) = (&self.dir, context.filter(|c| *c != "default")) else {
            return DEFAULT.into();
        };
        let hash: String = sha2::Digest::finalize(sha2::Digest::chain_update(
            <sha2::Sha256 as sha2::Digest>::new(),
            name.as_bytes(),
        ))
        .iter()
        .fold(String::new(), |mut s, b| {
            s.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
            s.push(char::from(b"0123456789abcdef"[usize::from(b & 0xF)]));
            s
        });
        read_json(
            &dir.join("contexts")
                .join("meta")
                .join(hash)
                .join("meta.json"),
        )
        .and_then(|m| {
            Some(
                m.get("Endpoints")?
                    .get("docker")?
                    .get("Host")?
                    .as_str()?
                    .to_string(),
            )
        })
        .unwrap_or_else(|| DEFAULT.into())
    }

    /// The plugin directories, in the CLI's order of lookup.
    fn plugin_dirs(&self) -> Vec<PathBuf> {
        let mut dirs: Vec<PathBuf> = self
            .config
            .get("cliPluginsExtraDirs")
            .and_then(serde_json::Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|d| d.as_str().map(PathBuf::from))
            .collect();
        dirs.extend(self.dir.as_ref().map(|d| d.join("cli-plugins")));
        dirs.extend(
            [
                "/usr/local/lib/docker/cli-plugins",
                "/usr/local/libexec/docker/cli-plugins",
                "/usr/lib/docker/cli-plugins",
                "/usr/libexec/docker/cli-plugins",
            ]
            .map(PathBuf::from),
        );
        dirs
    }
}

/// The oldest buildx bake can drive: target names on errors and one session for all
/// targets of a bake run (0.17), `--allow` and `entitlements` in bake, `--call`.
pub const MIN_BUILDX: (u32, u32, u32) = (0, 17, 0);

/// The buildx plugin is missing or too old.
#[derive(Debug, Clone, thiserror::Error, miette::Diagnostic)]
pub enum BuildxError {
    /// No `docker-buildx` in the Docker CLI's plugin directories.
    #[error("cannot build: the Docker CLI has no buildx plugin (looked in {})", looked.join(", "))]
    #[diagnostic(
        code(bake::dispatch::no_buildx),
        help("install Docker's buildx plugin, 0.17.0 or newer (Debian/Ubuntu: docker-buildx; or put the docker-buildx binary in ~/.docker/cli-plugins/); --print, --list, --explain, --graph and --dry-run need no engine")
    )]
    Missing {
        /// The directories searched.
        looked: Vec<String>,
    },
    /// A plugin older than [`MIN_BUILDX`].
    #[error("cannot build: buildx {found} ({path}) is too old; bake needs buildx 0.17.0 or newer")]
    #[diagnostic(
        code(bake::dispatch::old_buildx),
        help("upgrade Docker's buildx plugin (https://github.com/docker/buildx/releases)")
    )]
    TooOld {
        /// The version found.
        found: String,
        /// The plugin binary.
        path: String,
    },
}

/// `0.29.1+ds1`, `v0.36.1` → (0, 29, 1).
fn parse_version(v: &str) -> Option<(u32, u32, u32)> {
    let v = v.trim().trim_start_matches('v');
    let core = v.split(['+', '-', ' ']).next()?;
    let mut it = core.split('.').map(|p| p.parse::<u32>().ok());
    Some((
        it.next()??,
        it.next()?.unwrap_or(0),
        it.next().flatten().unwrap_or(0),
    ))
}

/// Finds the buildx plugin the Docker CLI would run (with the environment `env`) and checks
/// its version. The version is
/// asked of the plugin once per binary (keyed by path, size and modification time) and kept in
/// `cache_dir`, so a warm build pays a `stat`, not a process.
///
/// # Errors
/// No plugin, or one older than [`MIN_BUILDX`].
pub fn check_buildx(
    docker: &DockerCli,
    env: &BTreeMap<String, String>,
    cache_dir: Option<&Path>,
) -> Result<String, BuildxError> {
    let dirs = docker.plugin_dirs();
    let Some(path) = dirs.iter().map(|d| d.join("docker-buildx")).find(|p| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }) else {
        return Err(BuildxError::Missing {
            looked: dirs.iter().map(|d| d.display().to_string()).collect(),
        });
    };
    let meta = std::fs::metadata(&path).ok();
    let key = format!(
        "{}\t{}\t{}",
        path.display(),
        meta.as_ref().map_or(0, std::fs::Metadata::len),
        meta.and_then(|m| m.modified().ok())
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos())
    );
    let cache = cache_dir.map(|d| d.join("buildx-version"));
    let cached = cache
        .as_ref()
        .and_then(|c| bake_core::api::frontend::read_regular(c).ok())
        .and_then(|t| {
            let (k, v) = t.trim_end().rsplit_once('\t')?;
            (k == key).then(|| v.to_string())
        });
    let version = if let Some(v) = cached {
        v
    } else {
        let out = std::process::Command::new(&path)
            .arg("version")
            .env_clear()
            .envs(env)
            .stdin(std::process::Stdio::null())
            .output();
        let text = out
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        // `github.com/docker/buildx v0.36.1 <sha>` or `… 0.29.1+ds1 0.29.1+ds1-4`.
        let v = text.split_whitespace().nth(1).unwrap_or("").to_string();
        if let (Some(c), false) = (&cache, v.is_empty()) {
            if let Some(parent) = c.parent() {
                let _ = std::fs::create_dir_all(parent);
            }
            let _ = std::fs::write(c, format!("{key}\t{v}\n"));
        }
        v
    };
    match parse_version(&version) {
        Some(found) if found < MIN_BUILDX => Err(BuildxError::TooOld {
            found: version,
            path: path.display().to_string(),
        }),
        // A version that does not parse (a development build) is given the benefit of the
        // doubt.
        _ => Ok(version),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_version;

    #[test]
    fn parses_upstream_and_debian_versions() {
        assert_eq!(parse_version("v0.36.1"), Some((0, 36, 1)));
        assert_eq!(parse_version("0.29.1+ds1"), Some((0, 29, 1)));
        assert_eq!(parse_version("0.13.1-dev"), Some((0, 13, 1)));
        assert_eq!(parse_version("junk"), None);
    }
}
