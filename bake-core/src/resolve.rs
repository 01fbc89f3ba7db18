//! From a [`Config`] to resolved targets, as buildx's `ReadTargets` + `TargetsToBuildOpt` do
//! for `--print`: merging of same-name definitions, target selection (glob patterns, groups),
//! `inherits`, `--set` overrides, normalization, `target:` context links, `SOURCE_DATE_EPOCH`,
//! context path cleaning and the secret/ssh checks buildx runs before printing.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::rc::Rc;

use indexmap::IndexMap;

use crate::entries::{Attest, ExportEntry, SecretEntry, SshEntry};
use crate::error::ResolveError;
use crate::fields::{self, Draft, SetArgs, SetForm};
use crate::go::{
    clean_path, csv_fields, is_clean, is_git_ssh, is_remote_url, join_path, parse_bool,
};
use crate::limits::MAX_NESTING;
use crate::model::{Config, GroupDef, TargetDef};
use crate::pathmatch::path_match;
use crate::source::Origin;
use crate::util::{dedup, dedup_owned, did_you_mean, FxBuildHasher};

/// What to resolve and the process context (injected, never read from the real process).
#[derive(Debug, Clone)]
pub struct ResolveOptions<'a> {
    /// Target names or patterns as given on the command line; empty means `default`.
    pub targets: Vec<String>,
    /// `--set` values in order (for flag-derived ones, see `flag_overrides`).
    pub overrides: Vec<String>,
    /// The overrides flags stand for, applied after `overrides`: the override and the flag
    /// as given ([`Flags::to_flag_overrides`]); `--explain` names the flag.
    pub flag_overrides: Vec<(String, String)>,
    /// The process environment.
    pub env: &'a BTreeMap<String, String>,
    /// The working directory, for secret `src` and ssh path checks.
    pub cwd: PathBuf,
    /// `BUILDX_BAKE_FILE_RELATIVE_PATHS=1`: rebase paths onto each file's directory.
    pub file_relative_paths: bool,
}

/// The build flags that turn into `*.key=value` overrides (as `commands/bake.go` does).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flags {
    /// `--load`: adds `*.load=true` (load the result into Docker).
    pub load: bool,
    /// `--push`: adds `*.push=true` (push the images to their registry).
    pub push: bool,
    /// `--pull`: adds `*.pull=...`; `None` when the flag was not given.
    pub pull: Option<bool>,
    /// `--no-cache`: adds `*.no-cache=...`; `None` when the flag was not given.
    pub no_cache: Option<bool>,
    /// `--provenance`: adds a `type=provenance` attestation (`false` disables it).
    pub provenance: Option<String>,
    /// `--sbom`: adds a `type=sbom` attestation (`false` disables it).
    pub sbom: Option<String>,
    /// `--call`: adds `*.call=...` (`check` becomes `lint`, `build` adds nothing).
    pub call: Option<String>,
    /// `--check`: shorthand for `--call=check`; takes precedence over [`Flags::call`].
    pub check: bool,
}

/// `buildflags.ParseCallFunc`: the call name a `--call` value selects (`check` → `lint`,
/// `build` → none).
pub fn parse_call_func(value: &str) -> Result<Option<String>, ResolveError> {
    if value.is_empty() {
        return Ok(None);
    }
    let bad = |reason: String| ResolveError::CallValue {
        value: value.to_string(),
        reason,
    };
    let fields = csv_fields(value).map_err(bad)?;
    let mut name = String::new();
    for field in fields {
        match field.split_once('=') {
            Some(("format", _)) => {}
            Some(("ignorestatus", v)) => {
                if parse_bool(v).is_none() {
                    return Err(bad(format!("invalid ignorestatus value `{v}`")));
                }
            }
            Some(_) => return Err(bad(format!("invalid field `{field}`"))),
            None => {
                if !name.is_empty() {
                    return Err(bad("more than one call name".to_string()));
                }
                name = field;
            }
        }
    }
    if name == "check" {
        name = "lint".to_string();
    }
    if name == "build" {
        return Ok(None);
    }
    Ok(Some(name))
}

impl Flags {
    /// The overrides the flags stand for, in buildx's order.
    #[must_use]
    pub fn to_overrides(&self) -> Vec<String> {
        self.to_flag_overrides()
            .into_iter()
            .map(|(o, _)| o)
            .collect()
    }

    /// [`Flags::to_overrides`], each with the flag it comes from (`--push`, `--sbom=true`).
    #[must_use]
    pub fn to_flag_overrides(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if self.push {
            out.push(("*.push=true".to_string(), "--push".to_string()));
        }
        if self.load {
            out.push(("*.load=true".to_string(), "--load".to_string()));
        }
        let call = if self.check {
            Some("check")
        } else {
            self.call.as_deref()
        };
        if let Some(Ok(Some(name))) = call.map(parse_call_func) {
            let flag = if self.check {
                "--check".to_string()
            } else {
                format!("--call={}", self.call.as_deref().unwrap_or_default())
            };
            out.push((format!("*.call={name}"), flag));
        }
        if let Some(v) = self.no_cache {
            out.push((format!("*.no-cache={v}"), format!("--no-cache={v}")));
        }
        if let Some(v) = self.pull {
            out.push((format!("*.pull={v}"), format!("--pull={v}")));
        }
        if let Some(v) = self.sbom.as_deref().filter(|v| !v.is_empty()) {
            out.push((
                format!("*.attest={}", Attest::canonicalize("sbom", v)),
                format!("--sbom={v}"),
            ));
        }
        if let Some(v) = self.provenance.as_deref().filter(|v| !v.is_empty()) {
            out.push((
                format!("*.attest={}", Attest::canonicalize("provenance", v)),
                format!("--provenance={v}"),
            ));
        }
        out
    }
}

/// A group as printed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Group {
    /// The group's name.
    pub name: String,
    /// `description`, empty when unset.
    pub description: String,
    /// The members (targets or groups) as written, duplicates removed. The `default` group's
    /// list also holds the other names requested, and is sorted.
    pub targets: Vec<String>,
}

pub use crate::fields::Target;

/// The result of [`resolve`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Resolved {
    /// The groups the requested names went through, by name, plus a `default` group listing
    /// the requested names.
    pub groups: BTreeMap<String, Group>,
    /// The targets the requested names expand to (through groups), plus those they use
    /// through `target:` contexts ([`Target::linked`]), by name.
    pub targets: BTreeMap<String, Target>,
    /// Things buildx accepts silently that deserve a note (an `inherits` cycle).
    pub warnings: Vec<String>,
}

/// A target's definitions in the configuration: one, lowered when its target is resolved
/// (most targets have one definition, and most files are resolved for a few targets), or
/// several, merged in file order.
enum Def<'a> {
    One(&'a TargetDef),
    Merged(Box<Draft>),
}

impl Def<'_> {
    fn inherits(&self) -> &[String] {
        match self {
            Def::One(d) => d.inherits.as_deref().unwrap_or_default(),
            Def::Merged(t) => &t.inherits,
        }
    }
}

fn is_special_context(p: &str) -> bool {
    p.starts_with("cwd://")
        || p.starts_with("target:")
        || p.starts_with("docker-image:")
        || p.starts_with("oci-layout://")
        || is_remote_url(p)
}

/// `rebaseContextPath`.
pub(crate) fn rebase(base: &str, p: &str) -> String {
    if base.is_empty() || p.is_empty() || is_special_context(p) || p.starts_with('/') {
        return p.to_string();
    }
    join_path(base, p)
}

impl Draft {
    /// `Target.normalize`: the fields' own normalization, after `network = "host"` adds
    /// its entitlement.
    fn normalize(&mut self) {
        if self.network.as_deref() == Some("host") {
            self.entitlements
                .get_or_insert_with(Vec::new)
                .push("network.host".to_string());
        }
        self.normalize_fields();
    }
}

/// One `--set` key's accumulated value(s) for one target.
#[derive(Debug, Clone, Default)]
struct Override {
    value: String,
    arr: Vec<String>,
    append: bool,
    text: String,
    /// The flag it stands for, when a flag made it.
    flag: Option<String>,
}

type Overrides = HashMap<String, IndexMap<String, Override>, FxBuildHasher>;

/// The resolver's maps by target name.
type ByName<T> = IndexMap<String, T, FxBuildHasher>;

/// The keys `--set` accepts: the field table's, plus `secret` (`secret.ID=...` changes a
/// declared secret), `push` and `load`.
pub const OVERRIDE_KEYS: [&str; fields::SET_KEYS.len() + 3] = {
    let mut keys = [""; fields::SET_KEYS.len() + 3];
    let mut i = 0;
    while i < fields::SET_KEYS.len() {
        keys[i] = fields::SET_KEYS[i];
        i += 1;
    }
    keys[i] = "secret";
    keys[i + 1] = "push";
    keys[i + 2] = "load";
    keys
};

/// Checks what can be checked of `--set` values without the files: the `TARGET.KEY` shape,
/// a value where one is needed, a key buildx knows, a name where the key needs one, and no
/// `+=` where it cannot add. A command line with a bad `--set` fails before any file is
/// read. The targets each value names are checked when resolving.
///
/// # Errors
/// The first bad value, as [`resolve`] would report it.
pub fn check_overrides(set: &[String]) -> Result<(), ResolveError> {
    for text in set {
        let (lhs, value) = match text.split_once('=') {
            Some((l, v)) => (l, Some(v)),
            None => (text.as_str(), None),
        };
        let append = lhs.ends_with('+');
        let skey = lhs.strip_suffix('+').unwrap_or(lhs);
        let keys: Vec<&str> = skey.splitn(3, '.').collect();
        if keys.len() < 2 {
            return Err(ResolveError::OverrideKey {
                key: skey.to_string(),
            });
        }
        if value.is_none() && keys[1] != "args" {
            return Err(ResolveError::OverrideValue { text: text.clone() });
        }
        if !OVERRIDE_KEYS.contains(&keys[1]) {
            return Err(ResolveError::UnknownOverrideKey {
                key: keys[1].to_string(),
                help: did_you_mean(keys[1], OVERRIDE_KEYS),
            });
        }
        let form = match keys[1] {
            "secret" => Some(SetForm::Named),
            k => fields::set_form(k),
        };
        if matches!(form, Some(SetForm::Named | SetForm::NamedFromEnv)) && keys.len() != 3 {
            return Err(ResolveError::OverrideNeedsName {
                key: lhs.to_string(),
                field: keys[1].to_string(),
            });
        }
        if form == Some(SetForm::Named) && append {
            return Err(ResolveError::OverrideNoAppend {
                key: lhs.to_string(),
                field: keys[1].to_string(),
            });
        }
    }
    Ok(())
}

/// The `--print` key a `--set` key changes.
fn print_key(key: &str) -> &'static str {
    match key {
        "secret" => "secret",
        "push" | "load" => "output",
        k => fields::print_key_of(k).unwrap_or("unknown"),
    }
}

/// The merged configuration: one group per name (last definition), one target per name
/// (definitions merged in order).
struct Cfg<'a> {
    groups: ByName<GroupDef>,
    targets: IndexMap<&'a str, Def<'a>, FxBuildHasher>,
    /// Paths are relative to each definition's file (`BUILDX_BAKE_FILE_RELATIVE_PATHS`).
    frel: bool,
}

impl<'a> Cfg<'a> {
    fn build(config: &'a Config, frel: bool) -> Result<Self, ResolveError> {
        // Indexed by name: lookups must stay O(1) for files with thousands of targets.
        let mut groups = ByName::with_capacity_and_hasher(config.groups.len(), Default::default());
        for g in &config.groups {
            let g2 = GroupDef {
                name: g.name.clone(),
                description: g.description.clone(),
                targets: dedup(&g.targets),
            };
            groups.insert(g.name.clone(), g2);
        }
        let mut targets: IndexMap<&'a str, Def<'a>, FxBuildHasher> =
            IndexMap::with_capacity_and_hasher(config.targets.len(), Default::default());
        for d in &config.targets {
            Draft::check(d)?;
            if let Some(existing) = targets.get_mut(d.name.as_str()) {
                let mut t = match std::mem::replace(existing, Def::Merged(Box::default())) {
                    Def::One(first) => Box::new(Draft::lower(first, frel)?),
                    Def::Merged(t) => t,
                };
                t.merge(Draft::lower(d, frel)?);
                *existing = Def::Merged(t);
            } else {
                targets.insert(d.name.as_str(), Def::One(d));
            }
        }
        Ok(Cfg {
            groups,
            targets,
            frel,
        })
    }

    fn group(&self, name: &str) -> Option<&GroupDef> {
        self.groups.get(name)
    }

    fn has_target(&self, name: &str) -> bool {
        self.targets.contains_key(name)
    }

    fn all_names(&self) -> impl Iterator<Item = &str> {
        self.groups
            .keys()
            .map(String::as_str)
            .chain(self.targets.keys().copied())
    }

    /// `matchNames`: a name without glob characters is taken as is.
    fn match_names(&self, pattern: &str) -> Result<Vec<String>, ResolveError> {
        if !pattern.contains(['*', '?', '[', ']']) {
            return Ok(vec![pattern.to_string()]);
        }
        let names: Vec<String> = self
            .all_names()
            .filter(|n| path_match(pattern, n) == Ok(true))
            .map(str::to_string)
            .collect();
        if names.is_empty() {
            if path_match(pattern, "").is_err() {
                return Err(ResolveError::BadPattern {
                    pattern: pattern.to_string(),
                });
            }
            return Err(ResolveError::NoMatch {
                pattern: pattern.to_string(),
                help: None,
            });
        }
        Ok(names)
    }

    /// `expandTargets`: `--set` patterns match targets only.
    fn expand_targets(&self, pattern: &str) -> Result<Vec<String>, ResolveError> {
        if self.has_target(pattern) {
            return Ok(vec![pattern.to_string()]);
        }
        let mut names = Vec::new();
        for (n, _) in &self.targets {
            match path_match(pattern, n) {
                Err(_) => {
                    return Err(ResolveError::BadPattern {
                        pattern: pattern.to_string(),
                    })
                }
                Ok(true) => names.push((*n).to_string()),
                Ok(false) => {}
            }
        }
        if names.is_empty() {
            let help = if self.group(pattern).is_some() {
                Some(format!(
                    "`{pattern}` is a group; `--set` patterns match target names only"
                ))
            } else {
                did_you_mean(pattern, self.targets.keys().copied())
            };
            return Err(ResolveError::NoMatch {
                pattern: pattern.to_string(),
                help,
            });
        }
        Ok(names)
    }

    /// `newOverrides`.
    fn new_overrides(
        &self,
        set: &[String],
        flags: &[(String, String)],
        env: &BTreeMap<String, String>,
    ) -> Result<Overrides, ResolveError> {
        let list = set
            .iter()
            .map(|t| (t, None))
            .chain(flags.iter().map(|(t, f)| (t, Some(f))));
        let lookup_allowed = !env
            .get("BUILDX_BAKE_DISABLE_VARS_ENV_LOOKUP")
            .and_then(|v| parse_bool(v))
            .unwrap_or(false);
        let mut m = Overrides::default();
        for (text, flag) in list {
            let (lhs, value) = match text.split_once('=') {
                Some((l, v)) => (l, Some(v)),
                None => (text.as_str(), None),
            };
            let append = lhs.ends_with('+');
            let skey = lhs.strip_suffix('+').unwrap_or(lhs);
            let keys: Vec<&str> = skey.splitn(3, '.').collect();
            if keys.len() < 2 {
                return Err(ResolveError::OverrideKey {
                    key: skey.to_string(),
                });
            }
            if value.is_none() && keys[1] != "args" {
                return Err(ResolveError::OverrideValue { text: text.clone() });
            }
            let names = self.expand_targets(keys[0])?;
            let okey = keys[1..].join(".");
            'names: for name in names {
                let t = m.entry(name).or_default();
                let mut o = t.get(&okey).cloned().unwrap_or_default();
                o.text = text.clone();
                o.flag = flag.cloned();
                let form = match keys[1] {
                    "secret" => Some(SetForm::Named),
                    "push" | "load" => Some(SetForm::Value),
                    k => fields::set_form(k),
                };
                match form {
                    Some(SetForm::List | SetForm::ListAdds) => {
                        if let Some(v) = value {
                            o.append = append;
                            o.arr.push(v.to_string());
                        }
                    }
                    Some(SetForm::Named | SetForm::NamedFromEnv) if keys.len() != 3 => {
                        return Err(ResolveError::OverrideNeedsName {
                            key: lhs.to_string(),
                            field: keys[1].to_string(),
                        });
                    }
                    Some(SetForm::Named) => {
                        if append {
                            return Err(ResolveError::OverrideNoAppend {
                                key: lhs.to_string(),
                                field: keys[1].to_string(),
                            });
                        }
                        o.value = value.unwrap_or_default().to_string();
                    }
                    Some(SetForm::NamedFromEnv) => match value {
                        Some(v) => o.value = v.to_string(),
                        None if lookup_allowed => match env.get(keys[2]) {
                            Some(v) => o.value = v.clone(),
                            None => continue 'names,
                        },
                        None => {}
                    },
                    Some(SetForm::Value) | None => {
                        if let Some(v) = value {
                            o.value = v.to_string();
                        }
                    }
                }
                t.insert(okey.clone(), o);
            }
        }
        Ok(m)
    }

    /// `ResolveGroup`: the targets and groups a name expands to.
    fn resolve_group(&self, name: &str) -> Result<(Vec<String>, Vec<String>), ResolveError> {
        let mut visited = HashMap::new();
        let (t, g) = self.group_rec(name, &mut visited, 0)?;
        Ok((dedup_owned(t), dedup_owned(g)))
    }

    fn group_rec(
        &self,
        name: &str,
        visited: &mut HashMap<String, (Vec<String>, Vec<String>)>,
        depth: usize,
    ) -> Result<(Vec<String>, Vec<String>), ResolveError> {
        if let Some(v) = visited.get(name) {
            return Ok(v.clone());
        }
        let Some(g) = self.group(name) else {
            return Ok((vec![name.to_string()], Vec::new()));
        };
        if depth >= MAX_NESTING {
            return Err(ResolveError::TooDeep {
                what: "groups",
                name: name.to_string(),
                limit: MAX_NESTING,
            });
        }
        visited.insert(name.to_string(), (Vec::new(), Vec::new()));
        let mut targets = Vec::new();
        let mut groups = vec![name.to_string()];
        for t in &g.targets {
            if self.group(t).is_none() {
                // What `group_rec` returns for a target (groups alone are `visited`).
                targets.push(t.clone());
                continue;
            }
            let (tt, tg) = self.group_rec(t, visited, depth + 1)?;
            if tt.is_empty() {
                targets.push(t.clone());
            } else {
                targets.extend(tt);
            }
            groups.extend(tg);
        }
        visited.insert(name.to_string(), (targets.clone(), groups.clone()));
        Ok((targets, groups))
    }

    fn not_found(&self, name: &str, context: Option<String>) -> ResolveError {
        let help = if self.group(name).is_some() {
            Some(format!(
                "`{name}` is a group that is empty or contains itself (a group cycle)"
            ))
        } else {
            context.or_else(|| did_you_mean(name, self.all_names()))
        };
        ResolveError::TargetNotFound {
            name: name.to_string(),
            help,
        }
    }
}

/// A parent as [`Resolver::target_rec`] returns it: the resolved target (`None` when an
/// `inherits` cycle cut it off) and whether a cycle was cut anywhere below it.
type Rec = (Option<Rc<Draft>>, bool);

/// `ResolveTarget` for the targets of one [`resolve`] call. A resolved target whose walk
/// cut no `inherits` cycle depends only on its name and the overrides (fixed for the call),
/// so it is memoized and shared: a parent inherited by thousands of targets is resolved
/// once. Results that met a cycle depend on where the walk started and are not memoized
/// (their warnings are emitted by every walk that meets them, as before).
struct Resolver<'c> {
    cfg: &'c Cfg<'c>,
    ov: &'c Overrides,
    done: HashMap<&'c str, Rc<Draft>, FxBuildHasher>,
    /// One walk's targets: `None` while being resolved, then the result and its cycle flag.
    visited: HashMap<&'c str, Option<(Rc<Draft>, bool)>, FxBuildHasher>,
    /// How many parents deep the walk is ([`MAX_NESTING`]).
    depth: usize,
}

impl<'c> Resolver<'c> {
    fn new(cfg: &'c Cfg<'c>, ov: &'c Overrides) -> Self {
        Resolver {
            cfg,
            ov,
            done: HashMap::default(),
            visited: HashMap::default(),
            depth: 0,
        }
    }

    /// `ResolveTarget`: inherits, overrides and normalization, then the defaults.
    fn resolve_target(
        &mut self,
        name: &str,
        warnings: &mut Vec<String>,
    ) -> Result<Draft, ResolveError> {
        self.visited.clear();
        let mut t = if let Some(t) = self.done.get(name) {
            Draft::clone(t)
        } else {
            let cfg = self.cfg;
            let Some((key, own)) = cfg.targets.get_key_value(name) else {
                return Err(cfg.not_found(name, None));
            };
            self.visited.insert(key, None);
            self.build(key, own, warnings)?.0
        };
        t.inherits.clear();
        if t.context.is_none() {
            t.context = Some(match &t.default_base {
                Some(Some(base)) => rebase(base, "."),
                _ => ".".to_string(),
            });
        }
        if t.dockerfile.as_deref().is_none_or(str::is_empty) {
            t.dockerfile = Some("Dockerfile".to_string());
        }
        Ok(t)
    }

    /// The parents merged in order, then the target itself, its overrides, normalized; and
    /// whether an `inherits` cycle was cut on the way.
    fn build(
        &mut self,
        name: &'c str,
        own: &'c Def<'c>,
        warnings: &mut Vec<String>,
    ) -> Result<(Draft, bool), ResolveError> {
        let mut cut = false;
        // buildx merges the parents into `tt`, then `tt` and the target into an empty `m`.
        // Merging a merge result into an empty target reproduces it exactly (values are
        // copied, maps hold no null values, lists stay as they are, cache entries are
        // already normalized), so the parents are merged straight into `m`.
        let mut m = Draft::default();
        for parent in own.inherits() {
            let (p, c) = self.target_rec(parent, name, warnings)?;
            cut |= c;
            if let Some(p) = p {
                m.merge(Draft::clone(&p));
            }
        }
        match own {
            Def::One(d) => m.merge(Draft::lower(d, self.cfg.frel)?),
            Def::Merged(t) => m.merge(Draft::clone(t)),
        }
        if let Some(o) = self.ov.get(name) {
            m.add_overrides(o)?;
        }
        m.normalize();
        Ok((m, cut))
    }

    fn target_rec(
        &mut self,
        name: &str,
        child: &str,
        warnings: &mut Vec<String>,
    ) -> Result<Rec, ResolveError> {
        if let Some(v) = self.visited.get(name) {
            let Some((t, cut)) = v else {
                let w = if child == name {
                    format!("target `{name}` inherits from itself; ignored")
                } else {
                    format!(
                        "`inherits` cycle: target `{child}` inherits from `{name}`, which is still being resolved; ignored"
                    )
                };
                if !warnings.contains(&w) {
                    warnings.push(w);
                }
                return Ok((None, true));
            };
            return Ok((Some(Rc::clone(t)), *cut));
        }
        if let Some(t) = self.done.get(name) {
            return Ok((Some(Rc::clone(t)), false));
        }
        let cfg = self.cfg;
        let Some((key, own)) = cfg.targets.get_key_value(name) else {
            return Err(ResolveError::ParentNotFound {
                target: child.to_string(),
                parent: name.to_string(),
                help: if cfg.group(name).is_some() {
                    Some(format!(
                        "`{name}` is a group; a target can only inherit from targets"
                    ))
                } else {
                    did_you_mean(name, cfg.targets.keys().copied())
                },
            });
        };
        if self.depth >= MAX_NESTING {
            return Err(ResolveError::TooDeep {
                what: "`inherits` chains",
                name: name.to_string(),
                limit: MAX_NESTING,
            });
        }
        self.visited.insert(key, None);
        self.depth += 1;
        let built = self.build(key, own, warnings);
        self.depth -= 1;
        let (m, cut) = built?;
        let m = Rc::new(m);
        if !cut {
            self.done.insert(key, Rc::clone(&m));
        }
        self.visited.insert(key, Some((Rc::clone(&m), cut)));
        Ok((Some(m), cut))
    }

    /// `loadLinks`: resolves the targets named by `target:` contexts of `m[idx]`; `stack`
    /// holds the targets whose links are being loaded (by index in `m`).
    fn load_links(
        &mut self,
        idx: usize,
        m: &mut ByName<Box<Draft>>,
        stack: &mut Vec<usize>,
        warnings: &mut Vec<String>,
    ) -> Result<(), ResolveError> {
        if stack.len() >= MAX_NESTING {
            // Invariant: `idx` is an index of `m` (callers pass one; entries are only added).
            let (name, _) = m
                .get_index(idx)
                .expect("`idx` indexes `m`: callers pass an index of it");
            return Err(ResolveError::TooDeep {
                what: "`target:` contexts",
                name: name.clone(),
                limit: MAX_NESTING,
            });
        }
        stack.push(idx);
        // Invariant: `idx` is an index of `m` (callers pass one; entries are only added).
        let name = |m: &ByName<Box<Draft>>| {
            m.get_index(idx)
                .expect("`idx` indexes `m`: callers pass an index of it")
                .0
                .clone()
        };
        // The `target:` contexts in order, each looked up again (no copy of the list): the
        // loop only adds targets to `m` and changes entitlements.
        let mut j = 0;
        loop {
            let (known, missing) =
                {
                    let Some(link) = m[idx].contexts.as_ref().and_then(|cs| {
                        cs.values().filter_map(|v| v.strip_prefix("target:")).nth(j)
                    }) else {
                        break;
                    };
                    j += 1;
                    if m.get_index(idx).is_some_and(|(n, _)| n == link) {
                        return Err(ResolveError::LinkSelf {
                            target: link.to_string(),
                        });
                    }
                    match m.get_index_of(link) {
                        Some(li) if stack.contains(&li) => {
                            return Err(ResolveError::LinkLoop {
                                from: name(m),
                                to: link.to_string(),
                            });
                        }
                        Some(li) => (li, None),
                        None => (0, Some(link.to_string())),
                    }
                };
            let li = match missing {
                None => known,
                Some(link) => {
                    if !self.cfg.has_target(&link) {
                        let from = name(m);
                        return Err(self.cfg.not_found(
                            &link,
                            Some(format!(
                                "target `{from}` uses it as a context (`target:{link}`)"
                            )),
                        ));
                    }
                    let mut t2 = self.resolve_target(&link, warnings)?;
                    t2.output = Some(vec![ExportEntry {
                        typ: "cacheonly".to_string(),
                        ..Default::default()
                    }]);
                    t2.linked = true;
                    m.insert_full(link, Box::new(t2)).0
                }
            };
            self.load_links(li, m, stack, warnings)?;
            if let Some(ents) = m[li].entitlements.as_ref().filter(|e| !e.is_empty()) {
                let ents = ents.clone();
                let list = m[idx].entitlements.get_or_insert_with(Vec::new);
                for e in ents {
                    if !list.contains(&e) {
                        list.push(e);
                    }
                }
            }
            let plat = m[idx].platforms.as_deref().unwrap_or_default();
            let lplat = m[li].platforms.as_deref().unwrap_or_default();
            if plat.len() > 1 && lplat.len() > 1 && !plat.iter().all(|p| lplat.contains(p)) {
                return Err(ResolveError::LinkPlatforms {
                    target: name(m),
                    platforms: plat.to_vec(),
                    linked_platforms: lplat.to_vec(),
                    // Invariant: `li` came from `m` (found in it or just inserted).
                    linked: m
                        .get_index(li)
                        .expect("`li` indexes `m`: it was found in or inserted into `m`")
                        .0
                        .clone(),
                });
            }
        }
        stack.pop();
        Ok(())
    }
}

fn parse_bool_key(key: &str, value: &str) -> Result<bool, ResolveError> {
    parse_bool(value).ok_or_else(|| ResolveError::InvalidBool {
        key: key.to_string(),
        value: value.to_string(),
    })
}

/// `setPushOverride`.
fn set_push(mut outputs: Vec<ExportEntry>, push: bool) -> Vec<ExportEntry> {
    if !push {
        let mut i = 0;
        while i < outputs.len() {
            match outputs[i].typ.as_str() {
                "registry" => {
                    let last = outputs.len() - 1;
                    outputs.swap(i, last);
                    outputs.truncate(last);
                    continue;
                }
                "image" => {
                    outputs[i]
                        .attrs
                        .insert("push".to_string(), "false".to_string());
                }
                _ => {}
            }
            i += 1;
        }
        return outputs;
    }
    let mut add = true;
    for o in &mut outputs {
        if o.typ != "docker" {
            add = false;
        }
        if o.typ == "image" {
            o.attrs.insert("push".to_string(), "true".to_string());
        }
    }
    if add {
        outputs.push(ExportEntry {
            typ: "image".to_string(),
            attrs: BTreeMap::from([("push".to_string(), "true".to_string())]),
            dest: String::new(),
        });
    }
    outputs
}

/// `setLoadOverride`.
fn set_load(mut outputs: Vec<ExportEntry>, load: bool) -> Vec<ExportEntry> {
    if !load {
        return outputs;
    }
    for o in &outputs {
        match o.typ.as_str() {
            "docker" => {
                if o.dest.is_empty() {
                    return outputs;
                }
            }
            "image" | "registry" | "oci" => {}
            _ => return outputs,
        }
    }
    outputs.push(ExportEntry {
        typ: "docker".to_string(),
        ..Default::default()
    });
    outputs
}

impl Draft {
    /// `Target.AddOverrides`, in the order the keys were first given: `secret.ID`, `push`
    /// and `load` here, every field's key through the field table.
    fn add_overrides(
        &mut self,
        overrides: &IndexMap<String, Override>,
    ) -> Result<(), ResolveError> {
        let mut secret_overrides: Vec<(String, &str)> = Vec::new();
        for (key, o) in overrides {
            let (k, name) = match key.split_once('.') {
                Some((k, n)) => (k, Some(n)),
                None => (key.as_str(), None),
            };
            match k {
                "secret" => {
                    let args = SetArgs {
                        key: k,
                        name,
                        value: "",
                        arr: &[],
                        append: false,
                    };
                    secret_overrides.push((args.need_name()?.to_string(), &o.value));
                }
                "push" => {
                    let push = parse_bool_key("push", &o.value)?;
                    self.output = Some(set_push(self.output.take().unwrap_or_default(), push));
                }
                "load" => {
                    let load = parse_bool_key("load", &o.value)?;
                    self.output = Some(set_load(self.output.take().unwrap_or_default(), load));
                }
                _ => {
                    let set = SetArgs {
                        key: k,
                        name,
                        value: &o.value,
                        arr: &o.arr,
                        append: o.append || fields::set_form(k) == Some(SetForm::ListAdds),
                    };
                    match self.set(&set) {
                        Some(r) => r?,
                        None => {
                            return Err(ResolveError::UnknownOverrideKey {
                                key: k.to_string(),
                                help: did_you_mean(k, OVERRIDE_KEYS),
                            })
                        }
                    }
                }
            }
            self.origins.insert(
                print_key(k),
                match &o.flag {
                    Some(f) => Origin::Flag(f.clone()),
                    None => Origin::Set(o.text.clone()),
                },
            );
        }
        for (id, value) in secret_overrides {
            self.update_secret(&id, value)?;
        }
        Ok(())
    }

    /// `Target.updateSecret`.
    fn update_secret(&mut self, id: &str, value: &str) -> Result<(), ResolveError> {
        if id.is_empty() {
            return Err(ResolveError::OverrideFormat {
                field: "secret".to_string(),
                expected: "secret.<id>=<value>".to_string(),
            });
        }
        if let Some(s) = self.secret.iter_mut().flatten().find(|s| s.id == id) {
            let next = SecretEntry::parse_text(value)?;
            if !next.id.is_empty() && next.id != id {
                return Err(ResolveError::SecretIdMismatch {
                    given: next.id,
                    id: id.to_string(),
                });
            }
            s.env = next.env;
            s.src = next.src;
            return Ok(());
        }
        let ids: Vec<&str> = self
            .secret
            .iter()
            .flatten()
            .map(|s| s.id.as_str())
            .collect();
        Err(ResolveError::SecretNotDeclared {
            id: id.to_string(),
            help: did_you_mean(id, ids.iter().copied()).or_else(|| {
                Some(format!(
                    "declare it in the target first (`secret = [\"id={id},...\"]`) or use `--set TARGET.secrets=id={id},...`"
                ))
            }),
        })
    }
}

/// Resolves the requested targets of `config` as `docker buildx bake --print` does.
pub fn resolve(config: &Config, opts: &ResolveOptions) -> Result<Resolved, ResolveError> {
    let cfg = Cfg::build(config, opts.file_relative_paths)?;
    let requested = if opts.targets.is_empty() {
        vec!["default".to_string()]
    } else {
        opts.targets.clone()
    };
    let mut names = Vec::new();
    for t in &requested {
        names.extend(cfg.match_names(&t.replace('.', "_"))?);
    }
    let names = dedup(&names);
    let ov = cfg.new_overrides(&opts.overrides, &opts.flag_overrides, opts.env)?;

    let mut warnings = Vec::new();
    let expanded: Vec<(Vec<String>, Vec<String>)> = names
        .iter()
        .map(|name| cfg.resolve_group(name))
        .collect::<Result<_, _>>()?;
    let mut resolver = Resolver::new(&cfg, &ov);
    // By first resolution; sorted by name below, where the order matters.
    // Boxed: a resolved target is large, and one block of thousands of them is fresh memory
    // for every call.
    let mut targets: ByName<Box<Draft>> =
        ByName::with_capacity_and_hasher(cfg.targets.len(), Default::default());
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    for (ts, gs) in expanded {
        for tname in ts {
            let t = resolver.resolve_target(&tname, &mut warnings)?;
            targets.insert(tname, Box::new(t));
        }
        for g in gs {
            if let Some(def) = cfg.group(&g) {
                groups.insert(
                    g.clone(),
                    Group {
                        name: g,
                        description: def.description.clone().unwrap_or_default(),
                        targets: def.targets.clone(),
                    },
                );
            }
        }
    }
    for name in &names {
        if name == "default" && groups.contains_key("default") {
            continue;
        }
        groups
            .entry("default".to_string())
            .or_insert_with(|| Group {
                name: "default".to_string(),
                ..Default::default()
            })
            .targets
            .push(name.clone());
    }
    if let Some(g) = groups.get_mut("default") {
        g.targets = dedup(&g.targets);
        g.targets.sort();
    }

    let mut top: Vec<usize> = (0..targets.len()).collect();
    let key = |i: usize| targets.get_index(i).map(|(n, _)| n);
    top.sort_unstable_by(|&a, &b| key(a).cmp(&key(b)));
    let mut stack = Vec::new();
    for idx in top {
        resolver.load_links(idx, &mut targets, &mut stack, &mut warnings)?;
    }

    // SOURCE_DATE_EPOCH from the environment goes into every target's args.
    if let Some(epoch) = opts.env.get("SOURCE_DATE_EPOCH").filter(|v| !v.is_empty()) {
        for t in targets.values_mut() {
            let args = t.args.get_or_insert_with(BTreeMap::new);
            args.entry("SOURCE_DATE_EPOCH".to_string())
                .or_insert_with(|| Some(epoch.clone()));
        }
    }

    let mut entries: Vec<(String, Box<Draft>)> = targets.into_iter().collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    // Inserted in ascending order: no intermediate block of (large) targets.
    let mut out = BTreeMap::new();
    for (name, t) in entries {
        let mut t = t.finish(name.clone());
        check_build_options(&mut t, opts)?;
        out.insert(name, t);
    }
    Ok(Resolved {
        groups,
        targets: out,
        warnings,
    })
}

/// What `toBuildOpt` checks and rewrites before `--print`: the context path is cleaned
/// (`cwd://` stripped), and secrets, ssh, shm-size, ulimits and annotations must be usable.
fn check_build_options(t: &mut Target, opts: &ResolveOptions) -> Result<(), ResolveError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entries::{CacheEntry, PolicyEntry, Resources};

    fn map(pairs: &[(&str, Option<&str>)]) -> Option<BTreeMap<String, Option<String>>> {
        Some(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_string(), v.map(str::to_string)))
                .collect(),
        )
    }

    fn strs(v: &[&str]) -> Option<Vec<String>> {
        Some(v.iter().map(|s| (*s).to_string()).collect())
    }

    /// Targets covering set / unset / empty / null-valued forms of every merged field.
    fn samples() -> Vec<Draft> {
        let cache = |r: &str| CacheEntry {
            typ: "registry".into(),
            attrs: BTreeMap::from([("ref".to_string(), r.to_string())]),
        };
        let full = Draft {
            description: Some("d".into()),
            inherits: vec!["p".into()],
            annotations: strs(&["a=1", "a=1"]),
            attest: Some(vec![Attest {
                typ: "sbom".into(),
                ..Default::default()
            }]),
            context: Some("ctx".into()),
            contexts: Some(BTreeMap::from([("x".to_string(), "target:y".to_string())])),
            dockerfile: Some("D".into()),
            dockerfile_inline: Some("FROM x".into()),
            args: map(&[("A", Some("1")), ("N", None)]),
            labels: map(&[("L", Some("v"))]),
            tags: strs(&["t"]),
            cache_from: Some(vec![cache("a"), cache("a"), cache("b")]),
            cache_to: Some(vec![cache("c")]),
            target: Some("stage".into()),
            secret: Some(vec![SecretEntry {
                id: "s".into(),
                ..Default::default()
            }]),
            ssh: Some(vec![SshEntry::default()]),
            platforms: strs(&["linux/amd64"]),
            output: Some(vec![ExportEntry {
                typ: "docker".into(),
                ..Default::default()
            }]),
            pull: Some(true),
            no_cache: Some(false),
            network: Some("host".into()),
            no_cache_filter: strs(&["x"]),
            ulimits: strs(&["nofile=1:1"]),
            resources: Some(Resources {
                memory: Some("1g".into()),
                ..Default::default()
            }),
            call: Some("lint".into()),
            entitlements: strs(&["e"]),
            extra_hosts: map(&[("h", Some("1.2.3.4"))]),
            policy: Some(vec![PolicyEntry::default()]),
            project_id: Some("p".into()),
            default_base: Some(Some("dir".into())),
            linked: true,
            origins: BTreeMap::from([("tags", Origin::Default)]),
            ..Default::default()
        };
        let empties = Draft {
            annotations: strs(&[]),
            args: map(&[]),
            labels: map(&[("N", None)]),
            contexts: Some(BTreeMap::new()),
            cache_from: Some(Vec::new()),
            attest: Some(Vec::new()),
            secret: Some(Vec::new()),
            ssh: Some(Vec::new()),
            output: Some(Vec::new()),
            default_base: Some(None),
            ..Default::default()
        };
        let other = Draft {
            description: Some("e".into()),
            inherits: vec!["q".into()],
            args: map(&[("A", Some("2")), ("B", Some("3"))]),
            labels: map(&[("N", None), ("M", Some("m"))]),
            contexts: Some(BTreeMap::from([("z".to_string(), "ctx".to_string())])),
            cache_from: Some(vec![cache("b"), cache("d")]),
            secret: Some(vec![
                SecretEntry {
                    id: "s".into(),
                    src: "f".into(),
                    ..Default::default()
                },
                SecretEntry {
                    id: "t".into(),
                    ..Default::default()
                },
            ]),
            platforms: strs(&["linux/arm64"]),
            resources: Some(Resources {
                cpu_shares: Some(2),
                ..Default::default()
            }),
            origins: BTreeMap::from([("args", Origin::Default)]),
            ..Default::default()
        };
        vec![Draft::default(), full, empties, other]
    }

    /// The second of buildx's merges (`tt` into an empty target) changes nothing, so the
    /// resolver merges parents straight into the result.
    #[test]
    fn merging_a_merge_result_into_empty_is_identity() {
        for a in samples() {
            for b in samples() {
                let mut tt = Draft::default();
                tt.merge(a.clone());
                tt.merge(b.clone());
                let mut m = Draft::default();
                m.merge(tt.clone());
                assert_eq!(format!("{m:?}"), format!("{tt:?}"));
            }
        }
    }
}
