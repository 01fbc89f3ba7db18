//! Remote definitions: `bake https://github.com/org/repo.git#ref [TARGET...]` reads its bake
//! files from a Git repository or an HTTP URL, fetched through `BuildKit` as buildx does
//! (`bake.ReadRemoteFiles`), never with the host's own `git` or credentials.
//!
//! The source is fetched by a `docker buildx build` whose only output is a local directory:
//! a Git repository or an HTTP archive is the build context (`COPY . /`), a single HTTP file
//! is `ADD`ed. The files are then read from that directory: the names given (every one must
//! exist), else buildx's default names that exist. When building, the targets' relative
//! contexts then point into the same source ([`RemoteInput::rebase`], buildx's
//! `updateContext`).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use bake_core::api::go::{clean_path, is_remote_url};
use bake_core::api::{Resolved, SecretEntry};

use crate::buildx::find_in_path;

/// The Dockerfile that copies a whole context to the output.
const COPY_ALL: &str = "FROM scratch\nCOPY . /\n";

/// buildx refuses a single-file definition over 2 MB (`maxBakeDefinitionSize`).
const MAX_DEFINITION_SIZE: u64 = 2 * 1024 * 1024;

/// The positional arguments of `bake` split as buildx's `bakeArgs` splits them: a first
/// argument that is a remote URL is the definition's source, a second one the command
/// context (`BAKE_CMD_CONTEXT`, else `cwd://`); the rest are targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BakeArgs {
    /// The remote definition's URL.
    pub url: Option<String>,
    /// `BAKE_CMD_CONTEXT`.
    pub cmd_context: String,
    /// The targets.
    pub targets: Vec<String>,
}

impl BakeArgs {
    /// Splits `args`.
    #[must_use]
    pub fn split(args: &[String]) -> BakeArgs {
        let mut rest = args;
        let mut take = || match rest.first() {
            Some(a) if is_remote_url(a) => {
                rest = &rest[1..];
                Some(a.clone())
            }
            _ => None,
        };
        let url = take();
        let cmd_context = if url.is_some() { take() } else { None };
        BakeArgs {
            url,
            cmd_context: cmd_context.unwrap_or_else(|| "cwd://".to_string()),
            targets: rest.to_vec(),
        }
    }
}

/// What kind of source a remote definition is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoteKind {
    /// A Git repository (`https://…/x.git#ref:subdir`, `git@host:x.git`, `github.com/…`).
    Git,
    /// An HTTP(S) archive (tar, gzip, bzip2, xz): unpacked, it is the source.
    Archive,
    /// A single HTTP(S) file: the definition itself; contexts stay local.
    File,
}

/// A fetched remote definition: its files, and how targets' contexts follow it.
#[derive(Debug, Clone)]
pub struct RemoteDefinition {
    /// The files read, as (name in the source, text), in the order asked for.
    pub files: Vec<(String, String)>,
    /// Where the targets' relative contexts point when building.
    pub input: RemoteInput,
}

/// The source targets' relative contexts are rebased into (buildx's `bake.Input`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteInput {
    /// The URL given.
    pub url: String,
    /// Its kind.
    pub kind: RemoteKind,
}

/// A remote definition that could not be read.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
pub struct RemoteError {
    message: String,
    #[help]
    help: Option<String>,
}

fn remote_error(message: impl Into<String>, help: Option<String>) -> RemoteError {
    RemoteError {
        message: message.into(),
        help,
    }
}

/// `dfgitutil.ParseGitRef` as far as telling Git from HTTP goes: `github.com/…`, `git://`,
/// `ssh://` and `user@host:path` are Git; an HTTP(S) URL is Git only when its path ends in
/// `.git`.
#[must_use]
pub fn is_git_url(url: &str) -> bool {
    if url.starts_with("http://") || url.starts_with("https://") {
        let path = url.split(['#', '?']).next().unwrap_or(url);
        let after_host = path.split_once("://").map_or(path, |(_, r)| r);
        let path = after_host.split_once('/').map_or("", |(_, p)| p);
        // Case-sensitive, as buildx's `strings.HasSuffix(remote.Path, ".git")`.
        #[allow(clippy::case_sensitive_file_extension_comparisons)]
        return path.ends_with(".git");
    }
    is_remote_url(url)
}

/// buildx's `gitAuthHostFromURL` (`gitutil.ParseURL`): the host (with its port) of a URL
/// with a scheme or of an scp-like `user@host:path`; `None` for `github.com/…` and others.
fn git_host(url: &str) -> Option<String> {
    let host = if let Some((_, rest)) = url.split_once("://") {
        let authority = rest.split(['/', '#', '?']).next().unwrap_or("");
        authority.rsplit_once('@').map_or(authority, |(_, h)| h)
    } else if bake_core::api::go::is_git_ssh(url) {
        let (before, _) = url.split_once(':')?;
        before.rsplit_once('@').map_or(before, |(_, h)| h)
    } else {
        return None;
    };
    (!host.is_empty()).then(|| host.to_string())
}

/// buildx's `gitAuthSecretsFromEnv`: `BUILDX_BAKE_GIT_AUTH_TOKEN` and
/// `BUILDX_BAKE_GIT_AUTH_HEADER` (names matched without regard to case) as the secrets
/// `GIT_AUTH_TOKEN.<host>` and `GIT_AUTH_HEADER.<host>` that the Git source of `BuildKit` reads.
fn git_auth_secrets(url: &str, env: &BTreeMap<String, String>) -> Vec<(String, String)> {
    let Some(host) = git_host(url) else {
        return Vec::new();
    };
    [
        ("GIT_AUTH_TOKEN", "BUILDX_BAKE_GIT_AUTH_TOKEN"),
        ("GIT_AUTH_HEADER", "BUILDX_BAKE_GIT_AUTH_HEADER"),
    ]
    .iter()
    .filter_map(|(id, var)| {
        let key = env.keys().find(|k| k.eq_ignore_ascii_case(var))?;
        Some((format!("{id}.{host}"), key.clone()))
    })
    .collect()
}

impl RemoteInput {
    /// buildx's `updateContext`: a target's context `.` becomes the URL; another relative
    /// context becomes the URL with that subdirectory (Git) — named contexts alike, except
    /// `cwd://`, `target:`, `docker-image:` and remote ones, which stay. A single-file
    /// definition changes nothing (its contexts are local).
    ///
    /// A target whose context is then on the definition's Git host gets the Git
    /// credentials of `env` as secrets, as buildx attaches them
    /// (`BUILDX_BAKE_GIT_AUTH_TOKEN`, `BUILDX_BAKE_GIT_AUTH_HEADER`).
    ///
    /// # Errors
    /// A context inside an HTTP archive other than its root, which a URL cannot name.
    pub fn rebase(
        &self,
        resolved: &mut Resolved,
        env: &BTreeMap<String, String>,
    ) -> Result<(), RemoteError> {
        if self.kind == RemoteKind::File {
            return Ok(());
        }
        let auth = git_auth_secrets(&self.url, env);
        let host = git_host(&self.url);
        for (name, t) in &mut resolved.targets {
            if let Some(c) = self.rebased(&t.context, name)? {
                t.context = c;
            }
            let same_host = is_remote_url(&t.context)
                && host
                    .as_deref()
                    .zip(git_host(&t.context))
                    .is_some_and(|(a, b)| a.eq_ignore_ascii_case(&b));
            if same_host {
                for (id, var) in &auth {
                    if !t.secret.iter().any(|s| &s.id == id) {
                        t.secret.push(SecretEntry {
                            id: id.clone(),
                            src: String::new(),
                            env: var.clone(),
                        });
                    }
                }
            }
            // Named contexts alike, except links to targets and images (`rebased` leaves
            // `cwd://` and remote ones).
            for (k, v) in &mut t.contexts {
                if v.starts_with("target:") || v.starts_with("docker-image:") {
                    continue;
                }
                if let Some(c) = self.rebased(v, &format!("{name} (context {k})"))? {
                    *v = c;
                }
            }
        }
        Ok(())
    }

    fn rebased(&self, path: &str, what: &str) -> Result<Option<String>, RemoteError> {
        if path.starts_with("cwd://") || is_remote_url(path) {
            return Ok(None);
        }
        let sub = clean_path(path);
        if sub == "." {
            return Ok(Some(self.url.clone()));
        }
        match self.kind {
            RemoteKind::Git => Ok(Some(url_with_subdir(&self.url, &sub))),
            RemoteKind::Archive => Err(remote_error(
                format!(
                    "target {what}: context {path:?} is inside the remote archive {}, which bake cannot pass to buildx by URL",
                    self.url
                ),
                Some("use a Git URL for the definition, or set the context to \".\" or a cwd:// path".into()),
            )),
            RemoteKind::File => Ok(None),
        }
    }
}

/// buildx's `remoteURLWithSubdir`: the Git URL with `subdir` (joined to its own) in the
/// fragment (`#ref:subdir`), or in a `subdir=` query parameter when the URL has one and no
/// fragment.
#[must_use]
pub fn url_with_subdir(url: &str, subdir: &str) -> String {
    let mut subdir = clean_path(subdir);
    if subdir == "." {
        return url.to_string();
    }
    let (base, frag) = url
        .split_once('#')
        .map_or((url, None), |(b, f)| (b, Some(f)));
    let (git_ref, own_sub) = frag.map_or(("", ""), |f| f.split_once(':').unwrap_or((f, "")));
    if !own_sub.is_empty() {
        subdir = clean_path(&format!("{own_sub}/{subdir}"));
    }
    if frag.is_none() {
        if let Some((head, query)) = base.split_once('?') {
            let mut found = false;
            let params: Vec<String> = query
                .split('&')
                .map(|p| {
                    if p == "subdir" || p.starts_with("subdir=") {
                        found = true;
                        format!("subdir={subdir}")
                    } else {
                        p.to_string()
                    }
                })
                .collect();
            if found {
                return format!("{head}?{}", params.join("&"));
            }
        }
    }
    format!("{base}#{git_ref}:{subdir}")
}

/// Reads a remote definition: fetches `url` through the builder `builder` (the current one
/// when `None`) into `dest` (a private directory the caller removes) and reads `names` from
/// it, or the default names that exist when `names` is empty.
///
/// # Errors
/// No `docker`, a fetch that fails (with buildx's output), a named file missing from the
/// source, or a single-file definition over 2 MB.
pub fn fetch(
    url: &str,
    names: &[String],
    builder: Option<&str>,
    env: &BTreeMap<String, String>,
    cwd: &Path,
    dest: &Path,
) -> Result<RemoteDefinition, RemoteError> {
    let docker = find_in_path("docker", env).ok_or_else(|| {
        remote_error(
            format!("reading the remote definition {url} needs docker with the buildx plugin, and docker is not in PATH"),
            Some("install Docker, or use local bake files".into()),
        )
    })?;
    let run = |context: &str, dockerfile: &str, secrets: &[(String, String)], out: &Path| {
        export(
            &docker, builder, env, cwd, context, dockerfile, secrets, out,
        )
    };
    let out = dest.join("source");
    let kind = if is_git_url(url) {
        run(url, COPY_ALL, &git_auth_secrets(url, env), &out)?;
        RemoteKind::Git
    } else {
        // A single file or an archive: fetch the bytes first, then unpack an archive by
        // using the URL as a context (BuildKit unpacks it), as buildx does.
        let empty = dest.join("empty");
        std::fs::create_dir_all(&empty).map_err(|e| io_error(&empty, &e))?;
        let file_dir = dest.join("file");
        run(
            &empty.display().to_string(),
            &add_dockerfile(url),
            &[],
            &file_dir,
        )?;
        let file = file_dir.join("definition");
        if is_archive(&file) {
            run(url, COPY_ALL, &[], &out)?;
            RemoteKind::Archive
        } else {
            let size = std::fs::metadata(&file)
                .map_err(|e| io_error(&file, &e))?
                .len();
            if size > MAX_DEFINITION_SIZE {
                return Err(remote_error(
                    "non-archive definition URL bigger than maximum allowed size (2MiB)",
                    None,
                ));
            }
            let text = read_text(&file, url)?;
            return Ok(RemoteDefinition {
                files: vec![(url.to_string(), text)],
                input: RemoteInput {
                    url: url.to_string(),
                    kind: RemoteKind::File,
                },
            });
        }
    };
    let (names, defaults): (Vec<String>, bool) = if names.is_empty() {
        (
            bake_core::api::DEFAULT_FILES
                .iter()
                .map(|s| (*s).to_string())
                .collect(),
            true,
        )
    } else {
        (names.to_vec(), false)
    };
    let mut files = Vec::new();
    for name in names {
        let path = out.join(clean_path(&name).trim_start_matches('/'));
        if !path.is_file() {
            if defaults {
                continue;
            }
            return Err(remote_error(
                format!("{name}: not found in the remote definition {url}"),
                Some(
                    "name a file of that repository with -f, or a local one with -f cwd://PATH"
                        .into(),
                ),
            ));
        }
        files.push((name.clone(), read_text(&path, &name)?));
    }
    Ok(RemoteDefinition {
        files,
        input: RemoteInput {
            url: url.to_string(),
            kind,
        },
    })
}

/// Runs `docker buildx build` with `dockerfile` (from standard input) over `context`, with
/// the secrets `(id, environment variable)`, exporting the result to the local directory
/// `out`. A Git context over SSH gets the `default` SSH agent, as buildx gives it.
#[allow(clippy::too_many_arguments)] // each is one flag of the command
fn export(
    docker: &Path,
    builder: Option<&str>,
    env: &BTreeMap<String, String>,
    cwd: &Path,
    context: &str,
    dockerfile: &str,
    secrets: &[(String, String)],
    out: &Path,
) -> Result<(), RemoteError> {
    let mut cmd = Command::new(docker);
    cmd.arg("buildx");
    if let Some(b) = builder {
        cmd.args(["--builder", b]);
    }
    cmd.args(["build", "--progress=plain", "--provenance=false", "-f", "-"]);
    for (id, var) in secrets {
        cmd.arg("--secret").arg(format!("id={id},env={var}"));
    }
    if bake_core::api::go::is_git_ssh(context) {
        match env.get("BUILDX_BAKE_GIT_SSH").filter(|p| !p.is_empty()) {
            Some(paths) => cmd.arg("--ssh").arg(format!("default={paths}")),
            None => cmd.arg("--ssh").arg("default"),
        };
    }
    cmd.arg("--output")
        .arg(format!("type=local,dest={}", out.display()))
        .arg(context)
        .env_clear()
        .envs(env)
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| remote_error(format!("cannot run {}: {e}", docker.display()), None))?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(dockerfile.as_bytes());
    }
    let output = child
        .wait_with_output()
        .map_err(|e| remote_error(format!("cannot run {}: {e}", docker.display()), None))?;
    if output.status.success() {
        return Ok(());
    }
    let log = String::from_utf8_lossy(&output.stderr);
    let tail: Vec<&str> = log.lines().rev().take(12).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    Err(remote_error(
        format!("failed to read the remote definition {context}"),
        Some(format!("docker buildx build said:\n{}", tail.join("\n"))),
    ))
}

/// A Dockerfile that downloads `url` to `/definition` (`ADD` in its JSON form, so no
/// character of the URL is taken for Dockerfile syntax).
fn add_dockerfile(url: &str) -> String {
    let src = serde_json::to_string(url).unwrap_or_default();
    format!("FROM scratch\nADD [{src}, \"/definition\"]\n")
}

/// buildx's `isArchive`: bzip2, gzip or xz magic, or a readable tar header.
fn is_archive(path: &Path) -> bool {
    let Ok(bytes) = std::fs::read(path) else {
        return false;
    };
    let head = &bytes[..bytes.len().min(1024)];
    for magic in [
        &[0x42u8, 0x5A, 0x68][..],
        &[0x1F, 0x8B, 0x08],
        &[0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00],
    ] {
        if head.starts_with(magic) {
            return true;
        }
    }
    // A tar header: 512 bytes whose checksum field matches, and "ustar" at 257 for the
    // formats Go's archive/tar accepts here.
    head.len() >= 512 && tar_checksum_ok(&head[..512])
}

fn tar_checksum_ok(h: &[u8]) -> bool {
    let field = &h[148..156];
    let text: String = field
        .iter()
        .take_while(|b| **b != 0 && **b != b' ')
        .map(|b| char::from(*b))
        .collect();
    let Ok(want) = u32::from_str_radix(text.trim(), 8) else {
        return false;
    };
    let sum: u32 = h
        .iter()
        .enumerate()
        .map(|(i, b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u32::from(*b)
            }
        })
        .sum();
    sum == want
}

fn read_text(path: &Path, name: &str) -> Result<String, RemoteError> {
    let bytes = std::fs::read(path).map_err(|e| io_error(path, &e))?;
    String::from_utf8(bytes)
        .map_err(|_| remote_error(format!("{name}: the remote file is not UTF-8 text"), None))
}

fn io_error(path: &Path, e: &std::io::Error) -> RemoteError {
    remote_error(format!("{}: {e}", path.display()), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> BakeArgs {
        BakeArgs::split(&a.iter().map(ToString::to_string).collect::<Vec<_>>())
    }

    #[test]
    fn bake_args_split_as_buildx() {
        assert_eq!(
            args(&["app", "web"]),
            BakeArgs {
                url: None,
                cmd_context: "cwd://".into(),
                targets: vec!["app".into(), "web".into()]
            }
        );
        let a = args(&["https://github.com/o/r.git#v1", "app"]);
        assert_eq!(a.url.as_deref(), Some("https://github.com/o/r.git#v1"));
        assert_eq!(a.cmd_context, "cwd://");
        assert_eq!(a.targets, ["app"]);
        let a = args(&[
            "https://github.com/o/r.git",
            "https://github.com/o/c.git",
            "x",
        ]);
        assert_eq!(a.cmd_context, "https://github.com/o/c.git");
        assert_eq!(a.targets, ["x"]);
        // A URL after a target is a target name, as in buildx.
        assert_eq!(args(&["app", "git@github.com:o/r.git"]).url, None);
    }

    #[test]
    fn git_or_http() {
        assert!(is_git_url("https://github.com/o/r.git#main:sub"));
        assert!(is_git_url("http://127.0.0.1:9418/r.git"));
        assert!(is_git_url("git@github.com:o/r.git"));
        assert!(is_git_url("git://127.0.0.1/r.git"));
        assert!(is_git_url("github.com/o/r"));
        assert!(!is_git_url("https://example.com/docker-bake.hcl"));
        assert!(!is_git_url("https://example.com/x.git.tar.gz"));
        assert!(!is_git_url("https://example.com.git/def.hcl"));
    }

    #[test]
    fn subdir_as_buildx_writes_it() {
        let u = "https://github.com/o/r.git";
        assert_eq!(url_with_subdir(u, "."), u);
        assert_eq!(
            url_with_subdir(u, "./app/"),
            "https://github.com/o/r.git#:app"
        );
        assert_eq!(
            url_with_subdir("https://github.com/o/r.git#v1", "app"),
            "https://github.com/o/r.git#v1:app"
        );
        assert_eq!(
            url_with_subdir("https://github.com/o/r.git#v1:base", "app"),
            "https://github.com/o/r.git#v1:base/app"
        );
        assert_eq!(
            url_with_subdir("https://github.com/o/r.git?ref=v1&subdir=x", "app"),
            "https://github.com/o/r.git?ref=v1&subdir=app"
        );
    }

    #[test]
    fn git_credentials_as_buildx_names_them() {
        let env: BTreeMap<String, String> = [
            ("buildx_bake_git_auth_token".to_string(), "t".to_string()),
            ("PATH".to_string(), "/bin".to_string()),
        ]
        .into();
        assert_eq!(
            git_auth_secrets("https://git.example.com:8443/o/r.git#main", &env),
            [(
                "GIT_AUTH_TOKEN.git.example.com:8443".to_string(),
                "buildx_bake_git_auth_token".to_string()
            )]
        );
        assert_eq!(
            git_host("git@github.com:o/r.git").as_deref(),
            Some("github.com")
        );
        assert_eq!(git_host("github.com/o/r"), None);
        assert!(git_auth_secrets("https://h/o/r.git", &BTreeMap::new()).is_empty());
    }

    #[test]
    fn rebase_points_relative_contexts_into_the_repository() {
        let input = RemoteInput {
            url: "https://git.example.com/o/r.git#v1".into(),
            kind: RemoteKind::Git,
        };
        let mut t = bake_core::api::Target {
            context: "app".into(),
            ..bake_core::api::Target::default()
        };
        for (k, v) in [
            ("a", "."),
            ("b", "target:x"),
            ("c", "cwd://loc"),
            ("d", "./sub/"),
        ] {
            t.contexts.insert(k.into(), v.into());
        }
        let mut r = Resolved::default();
        r.targets.insert("app".into(), Box::new(t));
        let env = [("BUILDX_BAKE_GIT_AUTH_TOKEN".to_string(), "t".to_string())].into();
        input.rebase(&mut r, &env).unwrap();
        let t = &r.targets["app"];
        assert_eq!(t.context, "https://git.example.com/o/r.git#v1:app");
        let got: Vec<&str> = t.contexts.values().map(String::as_str).collect();
        assert_eq!(
            got,
            [
                "https://git.example.com/o/r.git#v1",
                "target:x",
                "cwd://loc",
                "https://git.example.com/o/r.git#v1:sub"
            ]
        );
        assert_eq!(t.secret.len(), 1);
        assert_eq!(t.secret[0].id, "GIT_AUTH_TOKEN.git.example.com");
        assert_eq!(t.secret[0].env, "BUILDX_BAKE_GIT_AUTH_TOKEN");
        // A subdirectory of an archive cannot be named by URL.
        let archive = RemoteInput {
            url: "https://h/defs.tar.gz".into(),
            kind: RemoteKind::Archive,
        };
        let mut r2 = Resolved::default();
        r2.targets.insert(
            "app".into(),
            Box::new(bake_core::api::Target {
                context: "app".into(),
                ..bake_core::api::Target::default()
            }),
        );
        let err = archive.rebase(&mut r2, &BTreeMap::new()).unwrap_err();
        assert!(
            err.to_string().contains("inside the remote archive"),
            "{err}"
        );
    }

    #[test]
    fn archive_magic() {
        let dir = std::env::temp_dir().join(format!("bake-remote-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let gz = dir.join("a.gz");
        std::fs::write(&gz, [0x1F, 0x8B, 0x08, 0, 0]).unwrap();
        assert!(is_archive(&gz));
        let hcl = dir.join("d.hcl");
        std::fs::write(&hcl, "target \"app\" {}\n").unwrap();
        assert!(!is_archive(&hcl));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn add_source_is_quoted() {
        assert_eq!(
            add_dockerfile("https://h/a \"b\".hcl"),
            "FROM scratch\nADD [\"https://h/a \\\"b\\\".hcl\", \"/definition\"]\n"
        );
    }
}
