//! The bake model as the frontends produce it: groups and targets with every field optional,
//! exactly as written in one file (before merge, inherits, overrides and defaults).
//!
//! This is the contract between the frontends (`bake-hcl`, `bake-compose`) and the engine.

use std::collections::BTreeMap;

use crate::source::Origin;

/// A string-or-object entry as written in a bake file for the compound fields (`cache-from`,
/// `cache-to`, `output`, `secret`, `ssh`, `attest`, `policy`, `resources`): either the CSV
/// string form (`type=registry,ref=x`) or an object whose values were converted to strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawEntry {
    /// `"type=registry,ref=user/app"`
    Str(String),
    /// `{ type = "registry", ref = "user/app" }` (values converted to strings; null values
    /// are left out)
    Map(BTreeMap<String, String>),
}

/// A group as written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupDef {
    /// The group's name (its block label).
    pub name: String,
    /// `description`
    pub description: Option<String>,
    /// `targets`
    pub targets: Vec<String>,
}

/// A target as written in one file; `None` means "not set here".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TargetDef {
    /// The target's name (its block label, or the matrix-expanded name).
    pub name: String,
    /// `description`: free text shown by `--list`; an empty string does not replace an earlier one.
    pub description: Option<String>,
    /// `inherits`: the targets whose fields this one starts from, merged in order before its own.
    pub inherits: Option<Vec<String>>,
    /// `annotations`: image annotations (`KEY=VALUE`, optionally prefixed `manifest:` etc.);
    /// appended on merge.
    pub annotations: Option<Vec<String>>,
    /// `attest`: attestations (`type=sbom`, `type=provenance,mode=max`); a later entry of the same
    /// type replaces the earlier one.
    pub attest: Option<Vec<RawEntry>>,
    /// `context`: the build context (a path, URL, `cwd://`, ...); `None` defaults to `.`.
    pub context: Option<String>,
    /// `contexts`: additional named contexts (`name` → path, image, URL or `target:NAME`); merged
    /// by name.
    pub contexts: Option<BTreeMap<String, String>>,
    /// `dockerfile`: the Dockerfile path, relative to the context; `None` defaults to `Dockerfile`.
    pub dockerfile: Option<String>,
    /// `dockerfile-inline`: the Dockerfile's text, used instead of `dockerfile`.
    pub dockerfile_inline: Option<String>,
    /// `args`: build arguments; merged by name. `None` values are args written as `null`
    /// (they do not override an inherited value).
    pub args: Option<BTreeMap<String, Option<String>>>,
    /// `labels`: image labels; merged by name, `None` values (`null`) do not override.
    pub labels: Option<BTreeMap<String, Option<String>>>,
    /// `tags`: image references to tag the result with; a later definition replaces the list.
    pub tags: Option<Vec<String>>,
    /// `cache-from`: cache import sources; appended (and deduplicated) on merge.
    pub cache_from: Option<Vec<RawEntry>>,
    /// `cache-to`: cache export destinations; a later definition replaces the list.
    pub cache_to: Option<Vec<RawEntry>>,
    /// `target`: the Dockerfile stage to build; `None` builds the last stage.
    pub target: Option<String>,
    /// `secret`: build secrets (`id=...,src=...` / `env=...`); merged by id.
    pub secret: Option<Vec<RawEntry>>,
    /// `ssh`: SSH agent sockets or keys to forward (`default`, `id=path,...`); merged by id.
    pub ssh: Option<Vec<RawEntry>>,
    /// `platforms`: target platforms (`linux/amd64`); a later definition replaces the list.
    pub platforms: Option<Vec<String>>,
    /// `output`: exporters (`type=image,push=true`, `type=local,dest=out`, a bare path); a later
    /// definition replaces the list.
    pub output: Option<Vec<RawEntry>>,
    /// `pull`: always pull referenced images; `None` leaves buildx's default.
    pub pull: Option<bool>,
    /// `no-cache`: build without the cache; `None` leaves buildx's default.
    pub no_cache: Option<bool>,
    /// `network`: the network mode for `RUN` steps (`default`, `none`, `host`).
    pub network: Option<String>,
    /// `no-cache-filter`: the stages to build without the cache; appended on merge.
    pub no_cache_filter: Option<Vec<String>>,
    /// `shm-size`: the size of `/dev/shm` for `RUN` steps (`128m`).
    pub shm_size: Option<String>,
    /// `ulimits`: ulimit options for `RUN` steps (`nofile=1024:1024`); appended on merge.
    pub ulimits: Option<Vec<String>>,
    /// `resources`: cgroup limits for `RUN` steps, an object ([`RawEntry::Map`]; a string is
    /// rejected when resolving); merged field by field.
    pub resources: Option<RawEntry>,
    /// `call`: the frontend method to call instead of building (`check`, `outline`, `targets`).
    pub call: Option<String>,
    /// `entitlements`: extra privileges the build may use (`network.host`,
    /// `security.insecure`); appended on merge.
    pub entitlements: Option<Vec<String>>,
    /// `extra-hosts`: host-to-IP mappings added to `/etc/hosts`; merged by host, `None` values
    /// (`null`) do not override.
    pub extra_hosts: Option<BTreeMap<String, Option<String>>>,
    /// `policy`: build policy entries (`filename=...,strict=true`); appended on merge.
    pub policy: Option<Vec<RawEntry>>,
    /// Depot extension: the project this target builds in.
    pub project_id: Option<String>,
    /// The directory of the file that defined the target, relative to the working directory
    /// (`BUILDX_BAKE_FILE_RELATIVE_PATHS=1` rebases paths onto it); `None` for stdin.
    pub file_dir: Option<String>,
    /// Where each field that was set came from, by print key (`"tags"`, `"args"`, ...).
    /// Empty unless the frontend records origins; costs nothing when unused.
    pub origins: BTreeMap<&'static str, Origin>,
}

/// Everything the frontends read from all files, in file order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// The groups in file order; a later group of the same name replaces an earlier one.
    pub groups: Vec<GroupDef>,
    /// The target definitions in file order; definitions of the same name are merged in order.
    pub targets: Vec<TargetDef>,
}
