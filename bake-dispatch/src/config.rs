//! The builder configuration: which builder each project uses (`bake.toml`).
//!
//! ```toml
//! [projects.abc123]
//! builder = "ci-amd64"                        # an existing buildx builder, or
//! docker-host = "unix:///run/docker-abc.sock" # a Docker engine's BuildKit, or
//! endpoint = "tcp://10.0.0.5:1234"            # a BuildKit daemon (buildx remote driver)
//! max-parallelism = 4
//! registry = "registry.example.com/abc123"    # where --save puts images
//! cache = "registry"                          # a cache shared through the registry
//! cache-ref = "registry.example.com/cache"    # its repository (default: registry)
//! ```
//!
//! A project may instead list several builders, its *nodes* (a fleet): each takes the keys
//! that reach a builder, its own `max-parallelism`, the `platforms` it builds natively and,
//! for a `tcp://` endpoint, mTLS files (relative to the configuration file):
//!
//! ```toml
//! [projects.abc123]
//! registry = "registry.example.com/abc123"
//! [[projects.abc123.nodes]]
//! docker-host = "ssh://builder-amd64-1"
//! platforms = ["linux/amd64"]
//! max-parallelism = 4
//! [[projects.abc123.nodes]]
//! endpoint = "tcp://arm-1:1234"
//! platforms = ["linux/arm64"]
//! cacert = "ca.pem"
//! cert = "cert.pem"
//! key = "key.pem"
//! ```
//!
//! Lookup order: `--config FILE`, `BAKE_CONFIG`, `./bake.toml`, then the user's config
//! directory (`$XDG_CONFIG_HOME/bake/config.toml`, else `~/.config/bake/config.toml`). With
//! no file, every project uses the local Docker's default builder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use miette::{NamedSource, SourceSpan};
use serde::Deserialize;

/// How one project builds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ProjectConfig {
    /// An existing buildx builder (`docker buildx build --builder NAME`).
    pub builder: Option<String>,
    /// A Docker engine whose `BuildKit` builds (`DOCKER_HOST` for the build).
    pub docker_host: Option<String>,
    /// A `BuildKit` daemon, reached through a buildx builder of the `remote` driver.
    pub endpoint: Option<String>,
    /// How many builds of this project may run at once (default: no limit).
    pub max_parallelism: Option<usize>,
    /// Where `--save` pushes images (`registry.example.com/abc123`).
    pub registry: Option<String>,
    /// The project's persistent cache: with `registry`, every build imports and exports a
    /// registry cache (`mode=max`), so a new builder starts warm.
    pub cache: Option<CacheMode>,
    /// The repository of the registry cache (default: `registry`).
    pub cache_ref: Option<String>,
    /// mTLS for a `tcp://` endpoint: the CA certificate (absolute once loaded).
    pub cacert: Option<String>,
    /// mTLS: the client certificate.
    pub cert: Option<String>,
    /// mTLS: the client key.
    pub key: Option<String>,
    /// mTLS: the server name the endpoint's certificate is for.
    pub servername: Option<String>,
    /// Several builders instead of one (a fleet); empty for a single builder.
    #[serde(default)]
    pub nodes: Vec<NodeConfig>,
}

/// One builder of a project's fleet.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct NodeConfig {
    /// An existing buildx builder.
    pub builder: Option<String>,
    /// A Docker engine whose `BuildKit` builds.
    pub docker_host: Option<String>,
    /// A `BuildKit` daemon, reached through a buildx builder of the `remote` driver.
    pub endpoint: Option<String>,
    /// How many builds may run on it at once (default: no limit).
    pub max_parallelism: Option<usize>,
    /// The platforms it builds natively (`linux/amd64`); empty: any.
    #[serde(default)]
    pub platforms: Vec<String>,
    /// mTLS for a `tcp://` endpoint: the CA certificate.
    pub cacert: Option<String>,
    /// mTLS: the client certificate.
    pub cert: Option<String>,
    /// mTLS: the client key.
    pub key: Option<String>,
    /// mTLS: the server name the endpoint's certificate is for.
    pub servername: Option<String>,
}

impl NodeConfig {
    /// The node as the settings of a single builder: how to reach it, its limit, and no
    /// registry or cache (those are the project's).
    #[must_use]
    pub fn as_builder(&self) -> ProjectConfig {
        ProjectConfig {
            builder: self.builder.clone(),
            docker_host: self.docker_host.clone(),
            endpoint: self.endpoint.clone(),
            max_parallelism: self.max_parallelism,
            cacert: self.cacert.clone(),
            cert: self.cert.clone(),
            key: self.key.clone(),
            servername: self.servername.clone(),
            ..ProjectConfig::default()
        }
    }

    /// The address that identifies it: two nodes may not share one.
    #[must_use]
    pub fn address(&self) -> String {
        crate::BuilderKey::of(&self.as_builder()).to_string()
    }
}

/// Operating systems and architectures of platforms, as `BuildKit` names them.
const PLATFORM_OS: &[&str] = &["linux", "windows", "darwin", "freebsd", "netbsd", "openbsd"];
const PLATFORM_ARCH: &[&str] = &[
    "amd64", "arm64", "arm", "386", "ppc64le", "ppc64", "s390x", "riscv64", "mips64le", "mips64",
    "mipsle", "mips", "loong64", "wasm",
];

/// Why `p` is not a platform (`os/arch[/variant]`), with the closest known one.
fn platform_problem(p: &str) -> Option<String> {
    let parts: Vec<&str> = p.split('/').collect();
    let known = || {
        PLATFORM_OS
            .iter()
            .flat_map(|os| PLATFORM_ARCH.iter().map(move |a| format!("{os}/{a}")))
            .collect::<Vec<_>>()
    };
    let ok = (2..=3).contains(&parts.len())
        && PLATFORM_OS.contains(&parts[0])
        && PLATFORM_ARCH.contains(&parts[1])
        && parts.get(2).is_none_or(|v| !v.is_empty());
    if ok {
        return None;
    }
    let all = known();
    let base = parts.iter().take(2).copied().collect::<Vec<_>>().join("/");
    Some(
        bake_core::api::frontend::did_you_mean(&base, all.iter().map(String::as_str))
            .unwrap_or_else(|| "a platform is os/arch[/variant], e.g. linux/amd64".into()),
    )
}

/// Where a project keeps its cache beyond its builders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CacheMode {
    /// In a registry, beside the project's images (or in `cache-ref`).
    Registry,
}

impl ProjectConfig {
    /// The repository of the project's registry cache, when it has one.
    #[must_use]
    pub fn cache_repository(&self) -> Option<&str> {
        match self.cache {
            Some(CacheMode::Registry) => self
                .cache_ref
                .as_deref()
                .or(self.registry.as_deref())
                .map(|r| r.trim_end_matches('/')),
            None => None,
        }
    }
}

/// The spans of each project's nodes (everything else ignored).
#[derive(Debug, Default, Deserialize)]
struct SpanConfig {
    #[serde(default)]
    projects: BTreeMap<String, SpanProject>,
}

#[derive(Debug, Default, Deserialize)]
struct SpanProject {
    #[serde(default)]
    nodes: Vec<toml::Spanned<toml::Value>>,
}

/// Builds a configuration error at a place: the message and the help.
type Bad<'a> = &'a dyn Fn(String, &str) -> Box<ConfigError>;

/// Checks the keys that reach one builder (`what`: a project or a node).
fn check_reach(what: &str, p: &ProjectConfig, bad: Bad<'_>) -> Result<(), Box<ConfigError>> {
    let kinds = [
        p.builder.is_some(),
        p.docker_host.is_some(),
        p.endpoint.is_some(),
    ];
    if kinds.iter().filter(|k| **k).count() > 1 {
        return Err(bad(
            format!("{what} names more than one of builder, docker-host and endpoint"),
            "keep exactly one way to reach the builder",
        ));
    }
    if p.max_parallelism == Some(0) {
        return Err(bad(
            format!("{what}: max-parallelism must be at least 1"),
            "leave max-parallelism out for no limit",
        ));
    }
    for (key, v) in [
        ("builder", &p.builder),
        ("docker-host", &p.docker_host),
        ("endpoint", &p.endpoint),
        ("registry", &p.registry),
        ("cache-ref", &p.cache_ref),
        ("cacert", &p.cacert),
        ("cert", &p.cert),
        ("key", &p.key),
        ("servername", &p.servername),
    ] {
        if v.as_deref() == Some("") {
            return Err(bad(
                format!("{what}: {key} is empty"),
                "give it a value or leave it out",
            ));
        }
    }
    let tls = p.cacert.is_some() || p.cert.is_some() || p.key.is_some() || p.servername.is_some();
    if tls
        && !p
            .endpoint
            .as_deref()
            .is_some_and(|e| e.starts_with("tcp://"))
    {
        return Err(bad(
            format!("{what}: cacert, cert, key and servername are for a tcp:// endpoint"),
            "set endpoint = \"tcp://HOST:PORT\", or remove the mTLS keys",
        ));
    }
    if p.cert.is_some() != p.key.is_some() {
        return Err(bad(
            format!("{what}: cert and key go together"),
            "give both the client certificate and its key",
        ));
    }
    Ok(())
}

/// Checks a project's own settings (its single builder, or its nodes).
fn check_project(id: &str, p: &ProjectConfig, bad: Bad<'_>) -> Result<(), Box<ConfigError>> {
    let what = format!("project {id}");
    check_reach(&what, p, bad)?;
    if !p.nodes.is_empty() {
        let single = p.builder.is_some()
            || p.docker_host.is_some()
            || p.endpoint.is_some()
            || p.max_parallelism.is_some()
            || p.cacert.is_some()
            || p.servername.is_some();
        if single {
            return Err(bad(
                format!("project {id} has nodes and also a builder of its own"),
                "move builder, docker-host, endpoint, max-parallelism and the mTLS keys into the nodes",
            ));
        }
    }
    if p.cache.is_some() && p.registry.is_none() && p.cache_ref.is_none() {
        return Err(bad(
            format!("project {id}: cache = \"registry\" needs a registry to keep it in"),
            "add registry = \"HOST/REPO\" (or cache-ref = \"HOST/REPO\") to the project",
        ));
    }
    if p.cache.is_none() && p.cache_ref.is_some() {
        return Err(bad(
            format!("project {id}: cache-ref is set but the project has no cache"),
            "add cache = \"registry\" to the project, or remove cache-ref",
        ));
    }
    Ok(())
}

/// Makes the mTLS files absolute against `dir` (the configuration's directory) and checks
/// that they exist; without a directory they stay as written.
fn resolve_tls(
    cacert: &mut Option<String>,
    cert: &mut Option<String>,
    key: &mut Option<String>,
    dir: Option<&Path>,
    what: &str,
    bad: Bad<'_>,
) -> Result<(), Box<ConfigError>> {
    let Some(dir) = dir else {
        return Ok(());
    };
    for (name, f) in [("cacert", cacert), ("cert", cert), ("key", key)] {
        let Some(v) = f.as_mut() else {
            continue;
        };
        let path = dir.join(&*v);
        if !path.is_file() {
            return Err(bad(
                format!("{what}: {name} {v} does not exist or is not a file"),
                "mTLS files are relative to the configuration file's directory",
            ));
        }
        *v = path.to_string_lossy().into_owned();
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    projects: BTreeMap<String, toml::Spanned<ProjectConfig>>,
}

/// The loaded configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BakeConfig {
    /// The file it came from; `None` when there is none.
    pub path: Option<PathBuf>,
    /// Per-project settings, by project id.
    pub projects: BTreeMap<String, ProjectConfig>,
}

/// A configuration file that could not be used.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
#[diagnostic(code(bake::config))]
pub struct ConfigError {
    /// What is wrong.
    pub message: String,
    /// The file's text, for the caret.
    #[source_code]
    pub src: Option<NamedSource<String>>,
    /// Where in the file.
    #[label("{}", label.as_deref().unwrap_or("here"))]
    pub span: Option<SourceSpan>,
    /// The label's text.
    pub label: Option<String>,
    /// How to fix it.
    #[help]
    pub help: Option<String>,
}

impl ConfigError {
    fn plain(message: impl Into<String>, help: Option<String>) -> Self {
        ConfigError {
            message: message.into(),
            src: None,
            span: None,
            label: None,
            help,
        }
    }
}

impl BakeConfig {
    /// Finds the configuration file: `explicit` (`--config`), `BAKE_CONFIG`, else `bake.toml`
    /// in `cwd` or the nearest parent directory that has one, looking no higher than the
    /// repository root (the first directory, `cwd` included, that contains `.git`) or the
    /// filesystem root outside a repository; then the user's config directory. `Ok(None)`
    /// when there is none.
    ///
    /// # Errors
    /// An explicitly named file (flag or variable) that does not exist.
    pub fn locate(
        explicit: Option<&str>,
        env: &BTreeMap<String, String>,
        cwd: &Path,
    ) -> Result<Option<PathBuf>, Box<ConfigError>> {
        let named = explicit.map(|p| (p, "--config")).or_else(|| {
            env.get("BAKE_CONFIG")
                .filter(|p| !p.is_empty())
                .map(|p| (p.as_str(), "BAKE_CONFIG"))
        });
        if let Some((p, via)) = named {
            let path = cwd.join(p);
            if !path.is_file() {
                return Err(Box::new(ConfigError::plain(
                    format!("config file {p} (from {via}) does not exist or is not a file"),
                    Some("name an existing TOML file, or leave it out to use ./bake.toml".into()),
                )));
            }
            return Ok(Some(path));
        }
        if let Some(local) = Self::find_upwards(cwd) {
            return Ok(Some(local));
        }
        let dir = env
            .get("XDG_CONFIG_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| env.get("HOME").map(|h| Path::new(h).join(".config")));
        if let Some(d) = dir {
            let user = d.join("bake").join("config.toml");
            if user.is_file() {
                return Ok(Some(user));
            }
        }
        Ok(None)
    }

    /// `bake.toml` in `cwd` or its nearest parent that has one, stopping after the first
    /// directory that contains `.git` (the repository root), as `git` finds its repository.
    fn find_upwards(cwd: &Path) -> Option<PathBuf> {
        for dir in cwd.ancestors() {
            let candidate = dir.join("bake.toml");
            if candidate.is_file() {
                return Some(candidate);
            }
            if dir.join(".git").exists() {
                break;
            }
        }
        None
    }

    /// Reads and checks the file at `path`; `display` is the name used in messages.
    ///
    /// # Errors
    /// An unreadable file, bad TOML, an unknown key, a wrong type, or a project that names more
    /// than one of `builder`, `docker-host` and `endpoint`.
    pub fn load(path: &Path, display: &str) -> Result<Self, Box<ConfigError>> {
        let text = bake_core::api::frontend::read_regular(path).map_err(|e| {
            Box::new(ConfigError::plain(
                format!("cannot read config file {display}: {e}"),
                None,
            ))
        })?;
        let mut cfg = Self::parse_in(&text, display, path.parent())?;
        cfg.path = Some(path.to_path_buf());
        Ok(cfg)
    }

    /// Parses configuration text; `name` is the file name used in messages.
    ///
    /// # Errors
    /// As [`BakeConfig::load`].
    pub fn parse(text: &str, name: &str) -> Result<Self, Box<ConfigError>> {
        Self::parse_in(text, name, None)
    }

    /// [`BakeConfig::parse`] of a file in directory `dir`, against which mTLS file paths are
    /// resolved (and checked to exist); with no directory they are kept as written.
    ///
    /// # Errors
    /// As [`BakeConfig::load`].
    pub fn parse_in(text: &str, name: &str, dir: Option<&Path>) -> Result<Self, Box<ConfigError>> {
        let src = || Some(NamedSource::new(name, text.to_string()));
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let help = if e.message().contains("unknown field") {
                Some(
                    "a project takes builder, docker-host, endpoint, max-parallelism and registry"
                        .to_string(),
                )
            } else {
                None
            };
            Box::new(ConfigError {
                message: format!("invalid config file {name}: {}", e.message().trim()),
                src: src(),
                span: e.span().map(|r| SourceSpan::from(r.start..r.end)),
                label: None,
                help,
            })
        })?;
        // The same text again, for the span of each node (the typed pass keeps none).
        let spans: SpanConfig = toml::from_str(text).unwrap_or_default();
        let mut projects = BTreeMap::new();
        for (id, spanned) in raw.projects {
            let span = spanned.span();
            let mut p = spanned.into_inner();
            let at = |span: std::ops::Range<usize>, label: String| {
                move |message: String, help: &str| {
                    Box::new(ConfigError {
                        message,
                        src: src(),
                        span: Some(SourceSpan::from(span.start..span.end)),
                        label: Some(label.clone()),
                        help: Some(help.to_string()),
                    })
                }
            };
            check_project(&id, &p, &at(span.clone(), format!("project {id}")))?;
            let node_spans = spans
                .projects
                .get(&id)
                .map(|s| s.nodes.iter().map(toml::Spanned::span).collect::<Vec<_>>())
                .unwrap_or_default();
            let mut seen: Vec<String> = Vec::new();
            for (k, node) in p.nodes.iter_mut().enumerate() {
                let nspan = node_spans.get(k).cloned().unwrap_or(span.clone());
                let bad = at(nspan, format!("node {} of project {id}", k + 1));
                check_reach(
                    &format!("node {} of project {id}", k + 1),
                    &node.as_builder(),
                    &bad,
                )?;
                if node.builder.is_none() && node.docker_host.is_none() && node.endpoint.is_none() {
                    return Err(bad(
                        format!("node {} of project {id} has no way to reach it", k + 1),
                        "give it one of builder = \"NAME\", docker-host = \"unix:///…\" or endpoint = \"tcp://HOST:PORT\"",
                    ));
                }
                for p in &node.platforms {
                    if let Some(help) = platform_problem(p) {
                        return Err(bad(
                            format!("node {} of project {id}: unknown platform {p:?}", k + 1),
                            &help,
                        ));
                    }
                }
                let address = node.address();
                if seen.contains(&address) {
                    return Err(bad(
                        format!(
                            "node {} of project {id} has the same address as another node: {address}",
                            k + 1
                        ),
                        "each node is one builder: remove the duplicate, or point it at another builder",
                    ));
                }
                seen.push(address);
                resolve_tls(
                    &mut node.cacert,
                    &mut node.cert,
                    &mut node.key,
                    dir,
                    &format!("node {} of project {id}", k + 1),
                    &bad,
                )?;
            }
            let bad = at(span.clone(), format!("project {id}"));
            resolve_tls(
                &mut p.cacert,
                &mut p.cert,
                &mut p.key,
                dir,
                &format!("project {id}"),
                &bad,
            )?;
            projects.insert(id, p);
        }
        Ok(BakeConfig {
            path: None,
            projects,
        })
    }

    /// The settings of project `id` (the defaults when it has no entry).
    #[must_use]
    pub fn project(&self, id: &str) -> ProjectConfig {
        self.projects.get(id).cloned().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh directory tree for one test.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("bake-config-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn bake_toml_is_found_in_parent_directories_up_to_the_repository_root() {
        let root = scratch("upwards");
        let repo = root.join("repo");
        let api = repo.join("services").join("api");
        std::fs::create_dir_all(&api).unwrap();
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        let no_env = BTreeMap::new();
        // Nothing in the repository: the search stops at its root, so a bake.toml above it
        // is not used.
        std::fs::write(root.join("bake.toml"), "").unwrap();
        assert_eq!(BakeConfig::locate(None, &no_env, &api).unwrap(), None);
        // The repository root's file, from two levels down.
        std::fs::write(repo.join("bake.toml"), "").unwrap();
        assert_eq!(
            BakeConfig::locate(None, &no_env, &api).unwrap(),
            Some(repo.join("bake.toml"))
        );
        // The nearest one wins.
        std::fs::write(repo.join("services").join("bake.toml"), "").unwrap();
        assert_eq!(
            BakeConfig::locate(None, &no_env, &api).unwrap(),
            Some(repo.join("services").join("bake.toml"))
        );
        std::fs::write(api.join("bake.toml"), "").unwrap();
        assert_eq!(
            BakeConfig::locate(None, &no_env, &api).unwrap(),
            Some(api.join("bake.toml"))
        );
        // A `.git` file (a worktree or submodule) marks a root too.
        let sub = root.join("sub");
        std::fs::create_dir_all(sub.join("inner")).unwrap();
        std::fs::write(sub.join(".git"), "gitdir: elsewhere\n").unwrap();
        assert_eq!(
            BakeConfig::locate(None, &no_env, &sub.join("inner")).unwrap(),
            None
        );
        // BAKE_CONFIG beats the search.
        let env = BTreeMap::from([("BAKE_CONFIG".to_string(), "../../../bake.toml".to_string())]);
        assert_eq!(
            BakeConfig::locate(None, &env, &api).unwrap(),
            Some(api.join("../../../bake.toml"))
        );
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn parses_projects() {
        let c = BakeConfig::parse(
            "[projects.abc]\nbuilder = \"b\"\nmax-parallelism = 2\n[projects.def]\nendpoint = \"tcp://x:1\"\nregistry = \"r/x\"\n",
            "bake.toml",
        )
        .unwrap();
        assert_eq!(c.project("abc").builder.as_deref(), Some("b"));
        assert_eq!(c.project("abc").max_parallelism, Some(2));
        assert_eq!(c.project("def").registry.as_deref(), Some("r/x"));
        assert_eq!(c.project("zzz"), ProjectConfig::default());
    }

    #[test]
    fn rejects_unknown_keys_and_types_with_spans() {
        let e = BakeConfig::parse("[projects.a]\nbuildr = \"x\"\n", "bake.toml").unwrap_err();
        assert!(
            e.message.contains("unknown field `buildr`"),
            "{}",
            e.message
        );
        assert!(e.span.is_some());
        let e =
            BakeConfig::parse("[projects.a]\nmax-parallelism = \"4\"\n", "bake.toml").unwrap_err();
        assert!(e.message.contains("invalid type"), "{}", e.message);
        let e = BakeConfig::parse("[projects.a]\nbuilder = \"x\"\nendpoint = \"y\"\n", "c")
            .unwrap_err();
        assert!(e.message.contains("more than one"));
        let e = BakeConfig::parse("[project.a]\n", "c").unwrap_err();
        assert!(
            e.message.contains("unknown field `project`"),
            "{}",
            e.message
        );
    }

    #[test]
    fn registry_cache_needs_a_registry_and_names_its_repository() {
        let c = BakeConfig::parse(
            "[projects.a]\nregistry = \"r/a/\"\ncache = \"registry\"\n[projects.b]\nregistry = \"r/b\"\ncache = \"registry\"\ncache-ref = \"r/cache\"\n[projects.c]\nregistry = \"r/c\"\n",
            "bake.toml",
        )
        .unwrap();
        assert_eq!(c.project("a").cache_repository(), Some("r/a"));
        assert_eq!(c.project("b").cache_repository(), Some("r/cache"));
        assert_eq!(c.project("c").cache_repository(), None);
        let e = BakeConfig::parse("[projects.a]\ncache = \"registry\"\n", "bake.toml").unwrap_err();
        assert!(e.message.contains("needs a registry"), "{}", e.message);
        assert!(e.span.is_some());
        let e = BakeConfig::parse(
            "[projects.a]\nregistry = \"r\"\ncache = \"regsitry\"\n",
            "bake.toml",
        )
        .unwrap_err();
        assert!(
            e.message.contains("unknown variant `regsitry`"),
            "{}",
            e.message
        );
        assert!(e.span.is_some());
        let e = BakeConfig::parse("[projects.a]\ncache-ref = \"r\"\n", "bake.toml").unwrap_err();
        assert!(e.message.contains("cache-ref is set"), "{}", e.message);
    }
}
