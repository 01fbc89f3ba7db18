//! Entitlements: what a bake file asks for beyond what `--allow` grants, checked as
//! `docker buildx bake` checks it before building.
//!
//! buildx skips this check when its progress is `rawjson` (which is how bake drives it), so
//! bake makes it itself, over every target it is about to build, with buildx's rules: the
//! working directory may be read and written; any other path a build reads (its context,
//! Dockerfile, named contexts, `cache-from` of type `local`, secret files, ssh keys) or writes
//! (local, tar, oci and docker output destinations, `cache-to` of type `local`) needs
//! `fs.read=` / `fs.write=` (or `fs=`) covering it; a path that does not exist yet is judged by
//! its nearest existing parent; symlinks are followed. `network.host`, `security.insecure`,
//! devices, the default SSH agent and deleting stale local output files need their own grant.
//! `BUILDX_BAKE_ENTITLEMENTS_FS=0` turns the path checks off, as in buildx.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use bake_core::api::Target;

/// What `--allow` grants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grants {
    network_host: bool,
    security_insecure: bool,
    devices_all: bool,
    devices: BTreeSet<String>,
    ssh: bool,
    local_delete: bool,
    fs_read: Vec<String>,
    fs_write: Vec<String>,
}

/// An `--allow` value buildx does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
#[diagnostic(
    code(bake::entitlements::unknown),
    help(
        "--allow takes network.host, security.insecure, ssh, device[=NAME], fs=PATH, fs.read=PATH, fs.write=PATH, image=REF, image.push=REF, image.load=REF, buildx-local-delete"
    )
)]
pub struct BadAllow {
    /// What is wrong, in buildx's words.
    pub message: String,
}

impl Grants {
    /// Parses `--allow` values as buildx does.
    ///
    /// # Errors
    /// An unknown key (`unknown entitlement key "x"`), or a value where none is taken.
    pub fn parse(allow: &[String]) -> Result<Grants, BadAllow> {
        let mut g = Grants::default();
        for e in allow {
            match e.as_str() {
                "network.host" => g.network_host = true,
                "security.insecure" => g.security_insecure = true,
                "ssh" => g.ssh = true,
                "buildx-local-delete" => g.local_delete = true,
                _ => {
                    let (k, v) = e.split_once('=').unwrap_or((e.as_str(), ""));
                    match k {
                        "device" if v.is_empty() => g.devices_all = true,
                        "device" => {
                            let first = bake_core::api::go::csv_fields(v)
                                .ok()
                                .and_then(|f| f.into_iter().next())
                                .unwrap_or_default();
                            g.devices.insert(first);
                        }
                        "fs.read" => g.fs_read.push(v.to_string()),
                        "fs.write" => g.fs_write.push(v.to_string()),
                        "fs" => {
                            g.fs_read.push(v.to_string());
                            g.fs_write.push(v.to_string());
                        }
                        "image.push" | "image.load" | "image" => {}
                        "buildx-local-delete" => {
                            return Err(BadAllow {
                                message: "buildx-local-delete does not accept a value".into(),
                            })
                        }
                        _ => {
                            return Err(BadAllow {
                                message: format!("unknown entitlement key {k:?}"),
                            })
                        }
                    }
                }
            }
        }
        Ok(g)
    }
}

/// What the targets ask for beyond the grants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Missing {
    /// `network.host`.
    pub network_host: bool,
    /// `security.insecure`.
    pub security_insecure: bool,
    /// Every device (`device`).
    pub devices_all: bool,
    /// Named devices (`device=NAME`).
    pub devices: BTreeSet<String>,
    /// The default SSH agent (`ssh`).
    pub ssh: bool,
    /// Deleting stale files from local outputs (`buildx-local-delete`).
    pub local_delete: bool,
    /// Paths to read (absolute, symlinks resolved), sorted.
    pub fs_read: Vec<PathBuf>,
    /// Paths to write, sorted.
    pub fs_write: Vec<PathBuf>,
}

/// Whether `s` names a remote context (`urlutil.IsRemoteURL`), a target or an image.
fn local_path(s: &str) -> Option<&str> {
    if bake_core::api::go::is_remote_url(s)
        || s.starts_with("target:")
        || s.starts_with("docker-image:")
    {
        None
    } else {
        Some(s.strip_prefix("cwd://").unwrap_or(s))
    }
}

/// A target's context and Dockerfile paths as buildx's `toBuildOpt` places them: cleaned,
/// `cwd://` stripped, the Dockerfile joined to a local context.
pub(crate) struct Inputs {
    /// The context (`.`, a path, a URL, `target:…`).
    pub context: String,
    /// The Dockerfile path (relative to the working directory when local).
    pub dockerfile: String,
    /// Whether the main context is another target's result.
    pub context_is_target: bool,
}

impl Inputs {
    pub(crate) fn of(t: &Target) -> Inputs {
        let mut context = if t.context.is_empty() {
            ".".to_string()
        } else {
            t.context.clone()
        };
        if !context.starts_with("cwd://") && !bake_core::api::go::is_remote_url(&context) {
            context = bake_core::api::go::clean_path(&context);
        }
        let mut dockerfile = if t.dockerfile.is_empty() {
            "Dockerfile".to_string()
        } else {
            t.dockerfile.clone()
        };
        if !dockerfile.starts_with("cwd://") {
            dockerfile = bake_core::api::go::clean_path(&dockerfile);
        }
        let context_is_target = context.starts_with("target:");
        if let Some(v) = dockerfile.strip_prefix("cwd://") {
            dockerfile = bake_core::api::go::clean_path(v);
        }
        if let Some(v) = context.strip_prefix("cwd://") {
            context = bake_core::api::go::clean_path(v);
        }
        if !bake_core::api::go::is_remote_url(&context)
            && !context_is_target
            && !Path::new(&dockerfile).is_absolute()
        {
            dockerfile = bake_core::api::go::clean_path(&format!("{context}/{dockerfile}"));
        }
        Inputs {
            context,
            dockerfile,
            context_is_target,
        }
    }
}

/// The paths a target reads and writes, as buildx collects them (relative to the working
/// directory).
fn target_paths(t: &Target) -> (Vec<String>, Vec<String>) {
    let mut ro = Vec::new();
    let mut rw = Vec::new();
    let inputs = Inputs::of(t);
    if !inputs.context_is_target {
        ro.extend(local_path(&inputs.context).map(str::to_string));
        ro.extend(local_path(&inputs.dockerfile).map(str::to_string));
    }
    for v in t.contexts.values() {
        ro.extend(local_path(v).map(str::to_string));
    }
    for c in &t.cache_from {
        if c.typ == "local" {
            if let Some(src) = c.attrs.get("src") {
                ro.push(src.clone());
            }
        }
    }
    for c in &t.cache_to {
        if c.typ == "local" {
            if let Some(dest) = c.attrs.get("dest") {
                rw.push(dest.clone());
            }
        }
    }
    for s in &t.secret {
        if !s.src.is_empty() {
            ro.push(s.src.clone());
        }
    }
    for s in &t.ssh {
        ro.extend(s.paths.iter().cloned());
    }
    for o in &t.output {
        let tar = o
            .attrs
            .get("tar")
            .is_none_or(|v| bake_core::api::go::parse_bool(v) != Some(false));
        let (file, dir) = match o.typ.as_str() {
            "local" => (false, true),
            "tar" => (true, false),
            "oci" | "docker" => (tar, !tar),
            _ => (false, false),
        };
        if (file || dir) && !o.dest.is_empty() && o.dest != "-" {
            rw.push(o.dest.clone());
        }
    }
    (ro, rw)
}

/// The absolute, lexically cleaned form of `p` against `cwd`.
fn absolute(p: &str, cwd: &Path) -> PathBuf {
    let joined = if Path::new(p).is_absolute() {
        PathBuf::from(p)
    } else {
        cwd.join(p)
    };
    let mut out = PathBuf::from("/");
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(n) => out.push(n),
            _ => {}
        }
    }
    out
}

/// The nearest existing ancestor of `p` (itself included), symlinks resolved, and the rest.
fn existing(p: &Path) -> (PathBuf, PathBuf) {
    let mut base = p.to_path_buf();
    let mut rest: Vec<std::ffi::OsString> = Vec::new();
    loop {
        if let Ok(c) = std::fs::canonicalize(&base) {
            let mut r = PathBuf::new();
            for part in rest.iter().rev() {
                r.push(part);
            }
            return (c, r);
        }
        match (
            base.file_name().map(std::ffi::OsStr::to_os_string),
            base.parent(),
        ) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                base = parent.to_path_buf();
            }
            _ => return (PathBuf::from("/"), PathBuf::new()),
        }
    }
}

fn covered(p: &Path, by: &Path) -> bool {
    p == by || by == Path::new("/") || p.starts_with(by)
}

/// The requested paths no grant covers, buildx's `findMissingPaths`.
fn missing_paths(grants: &[String], requested: &[String], cwd: &Path) -> Vec<PathBuf> {
    if grants.iter().any(|g| g == "*") {
        return Vec::new();
    }
    let allowed: Vec<PathBuf> = grants
        .iter()
        .map(|g| {
            let (base, rest) = existing(&absolute(g, cwd));
            base.join(rest)
        })
        .collect();
    let mut paths: Vec<PathBuf> = requested
        .iter()
        .map(|p| existing(&absolute(p, cwd)).0)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    // Keep the outermost of nested paths.
    paths.sort_by_key(|p| p.as_os_str().len());
    let mut kept: Vec<PathBuf> = Vec::new();
    for p in paths {
        if !kept.iter().any(|k| p != *k && p.starts_with(k)) {
            kept.push(p);
        }
    }
    let mut out: Vec<PathBuf> = kept
        .into_iter()
        .filter(|p| !allowed.iter().any(|a| covered(p, a)))
        .collect();
    out.sort();
    out
}

/// What `targets` ask for that `grants` (plus the working directory `cwd`) do not give.
#[must_use]
pub fn missing<'a>(
    targets: impl IntoIterator<Item = &'a Target>,
    grants: &Grants,
    cwd: &Path,
) -> Missing {
    let mut m = Missing::default();
    let mut ro: Vec<String> = Vec::new();
    let mut rw: Vec<String> = Vec::new();
    for t in targets {
        for e in &t.entitlements {
            match e.as_str() {
                "network.host" => m.network_host |= !grants.network_host,
                "security.insecure" => m.security_insecure |= !grants.security_insecure,
                "device" => m.devices_all |= !grants.devices_all,
                _ => {
                    if let Some(d) = e.strip_prefix("device=") {
                        let first = bake_core::api::go::csv_fields(d)
                            .ok()
                            .and_then(|f| f.into_iter().next());
                        if let Some(first) = first {
                            if !grants.devices_all && !grants.devices.contains(&first) {
                                m.devices.insert(first);
                            }
                        }
                    }
                }
            }
        }
        for s in &t.ssh {
            if s.paths.is_empty() && !grants.ssh {
                m.ssh = true;
            }
        }
        for o in &t.output {
            if o.typ == "local" && o.attrs.get("mode").map(String::as_str) == Some("delete") {
                m.local_delete |= !grants.local_delete;
            }
        }
        let (r, w) = target_paths(t);
        ro.extend(r);
        rw.extend(w);
    }
    let cwd_s = cwd.to_string_lossy().to_string();
    let mut read = grants.fs_read.clone();
    read.push(cwd_s.clone());
    let mut write = grants.fs_write.clone();
    write.push(cwd_s);
    m.fs_read = missing_paths(&read, &ro, cwd);
    m.fs_write = missing_paths(&write, &rw, cwd);
    m
}

/// `filepath.Rel(wd, p)`, kept absolute when it climbs more than one level.
fn shown(p: &Path, wd: &Path) -> String {
    let pc: Vec<Component> = p.components().collect();
    let wc: Vec<Component> = wd.components().collect();
    let common = pc.iter().zip(&wc).take_while(|(a, b)| a == b).count();
    let ups = wc.len() - common;
    if ups >= 2 {
        return p.to_string_lossy().into_owned();
    }
    let mut parts: Vec<String> = vec!["..".to_string(); ups];
    parts.extend(
        pc[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

impl Missing {
    /// Whether nothing is missing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        !self.blocks(true)
    }

    /// The message lines and the `--allow` values, in buildx's order; path checks only when
    /// `fs` is on.
    fn lines(&self, wd: &Path, fs: bool) -> (Vec<String>, Vec<String>) {
        let mut msgs = Vec::new();
        let mut flags = Vec::new();
        if self.network_host {
            msgs.push(" - Running build containers that can access host network".to_string());
            flags.push("network.host".to_string());
        }
        if self.security_insecure {
            msgs.push(" - Running privileged containers that can make system changes".to_string());
            flags.push("security.insecure".to_string());
        }
        if self.devices_all {
            msgs.push(" - Access to CDI devices".to_string());
            flags.push("device".to_string());
        } else {
            for d in &self.devices {
                msgs.push(format!(" - Access to device {d}"));
                flags.push(format!("device={d}"));
            }
        }
        if self.local_delete {
            msgs.push(" - Deleting stale files from local output destinations".to_string());
            flags.push("buildx-local-delete".to_string());
        }
        if fs {
            if self.ssh {
                msgs.push(" - Forwarding default SSH agent socket".to_string());
                flags.push("ssh".to_string());
            }
            let common: Vec<&PathBuf> = self
                .fs_read
                .iter()
                .filter(|p| self.fs_write.contains(p))
                .collect();
            for p in &common {
                let s = shown(p, wd);
                msgs.push(format!(" - Read and write access to path {s}"));
                flags.push(format!("fs={s}"));
            }
            for p in self.fs_read.iter().filter(|p| !common.contains(p)) {
                let s = shown(p, wd);
                msgs.push(format!(" - Read access to path {s}"));
                flags.push(format!("fs.read={s}"));
            }
            for p in self.fs_write.iter().filter(|p| !common.contains(p)) {
                let s = shown(p, wd);
                msgs.push(format!(" - Write access to path {s}"));
                flags.push(format!("fs.write={s}"));
            }
        }
        (
            msgs,
            flags.into_iter().map(|f| format!("--allow={f}")).collect(),
        )
    }

    /// The `--allow` flags that grant what is missing (`--allow=fs.read=/etc/shadow`).
    #[must_use]
    pub fn allow_flags(&self, wd: &Path, fs: bool) -> Vec<String> {
        self.lines(wd, fs).1
    }

    /// Whether anything is missing once path checks are on (`fs`) or off.
    #[must_use]
    pub fn blocks(&self, fs: bool) -> bool {
        !self.lines(Path::new("/"), fs).0.is_empty()
    }

    /// buildx's message, up to (not including) the question or the error: what is asked
    /// for, the flags that grant it, the full command with them (`program` then `args`),
    /// and the hint about `BUILDX_BAKE_ENTITLEMENTS_FS` when `fs_env_set` is false.
    #[must_use]
    pub fn message(
        &self,
        wd: &Path,
        fs: bool,
        fs_env_set: bool,
        terminal: bool,
        program: &str,
        args: &[String],
    ) -> String {
        let (msgs, flags) = self.lines(wd, fs);
        let mut out = String::from(
            "Your build is requesting privileges for following possibly insecure capabilities:\n\n",
        );
        for m in &msgs {
            out.push_str(m);
            out.push('\n');
        }
        let joined = flags.join(" ");
        if terminal {
            out.push_str(&format!(
                "\nIn order to not see this message in the future pass {joined:?} to grant requested privileges.\n"
            ));
        } else {
            out.push_str(&format!(
                "\nPass {joined:?} to grant requested privileges.\n"
            ));
        }
        out.push_str("\nYour full command with requested privileges:\n\n");
        out.push_str(&format!("{program} {joined} {}\n\n", args.join(" ")));
        let fs_msgs = self.ssh || !self.fs_read.is_empty() || !self.fs_write.is_empty();
        if fs && !fs_env_set && fs_msgs {
            out.push_str(
                "To disable filesystem entitlements checks, you can set BUILDX_BAKE_ENTITLEMENTS_FS=0 .\n\n",
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bake_core::api::SecretEntry;

    fn target() -> Target {
        Target {
            context: ".".into(),
            dockerfile: "Dockerfile".into(),
            ..Target::default()
        }
    }

    #[test]
    fn secret_outside_the_working_directory_is_missing() {
        let dir = std::env::temp_dir();
        let mut t = target();
        t.secret.push(SecretEntry {
            id: "s".into(),
            src: "/etc/hostname".into(),
            env: String::new(),
        });
        let m = missing([&t], &Grants::default(), &dir);
        assert_eq!(m.fs_read, vec![PathBuf::from("/etc/hostname")]);
        assert_eq!(
            m.allow_flags(Path::new("/work/x"), true),
            vec!["--allow=fs.read=/etc/hostname"]
        );
        assert_eq!(
            m.allow_flags(Path::new("/tmp"), true),
            vec!["--allow=fs.read=../etc/hostname"]
        );
        let g = Grants::parse(&["fs.read=/etc".into()]).unwrap();
        assert!(missing([&t], &g, &dir).is_empty());
        let g = Grants::parse(&["fs.read=*".into()]).unwrap();
        assert!(missing([&t], &g, &dir).is_empty());
    }

    #[test]
    fn network_and_insecure_need_their_grants() {
        let mut t = target();
        t.entitlements = vec!["network.host".into(), "security.insecure".into()];
        let m = missing([&t], &Grants::default(), Path::new("/"));
        assert!(m.network_host && m.security_insecure);
        let g = Grants::parse(&["network.host".into(), "security.insecure".into()]).unwrap();
        assert!(missing([&t], &g, Path::new("/")).is_empty());
        assert!(Grants::parse(&["bogus".into()])
            .unwrap_err()
            .message
            .contains("unknown entitlement key \"bogus\""));
    }

    #[test]
    fn shows_paths_relative_up_to_one_level() {
        assert_eq!(shown(Path::new("/a/b/c"), Path::new("/a/b")), "c");
        assert_eq!(shown(Path::new("/a/x"), Path::new("/a/b")), "../x");
        assert_eq!(shown(Path::new("/x"), Path::new("/a/b")), "/x");
    }
}
