//! From a [`Config`] to resolved targets, as buildx's `ReadTargets` + `TargetsToBuildOpt` do
//! for `--print`: merging of same-name definitions, target selection (glob patterns, groups),
//! `inherits`, `--set` overrides, normalization, `target:` context links, `SOURCE_DATE_EPOCH`,
//! context path cleaning and the secret/ssh checks buildx runs before printing.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::rc::Rc;

use indexmap::IndexMap;

use crate::entries::ExportEntry;
use crate::error::{ResolveError, Warning};
use crate::fields::Draft;
use crate::go::{is_remote_url, join_path};
use crate::limits::MAX_NESTING;
use crate::map::SortedMap;
use crate::model::{Config, TargetDef};
use crate::util::{dedup, did_you_mean, FxBuildHasher};

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

mod checks;
mod definitions;
mod flags;
mod overrides;
mod stream;
#[cfg(test)]
mod tests;

pub use flags::{parse_call_func, Flags};
pub use overrides::{check_overrides, OVERRIDE_KEYS};
pub use stream::{print, Printed};

use checks::check_build_options;
use definitions::Definitions;
use overrides::Overrides;

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
    /// through `target:` contexts ([`Target::linked`]), by name. Boxed: a target is large,
    /// and a map node holds eleven of them, about half of them unused when filled in order.
    pub targets: BTreeMap<String, Box<Target>>,
    /// Things buildx accepts silently that deserve a note (an `inherits` cycle).
    pub warnings: Vec<Warning>,
}

/// A target's definitions in the configuration: one, lowered when its target is resolved
/// (most targets have one definition, and most files are resolved for a few targets), or
/// several, merged in file order.
pub(super) enum Definition<'a> {
    One(&'a TargetDef),
    Merged(Box<Draft>),
}

impl Definition<'_> {
    fn inherits(&self) -> &[String] {
        match self {
            Definition::One(d) => d.inherits.as_deref().unwrap_or_default(),
            Definition::Merged(t) => &t.inherits,
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

/// The resolver's maps by target name.
type ByName<T> = IndexMap<String, T, FxBuildHasher>;

/// A parent as [`Resolver::target_rec`] returns it: the resolved target (`None` when an
/// `inherits` cycle cut it off) and whether a cycle was cut anywhere below it.
type Parent = (Option<Rc<Draft>>, bool);

/// `ResolveTarget` for the targets of one [`resolve`] call. A resolved target whose walk
/// cut no `inherits` cycle depends only on its name and the overrides (fixed for the call),
/// so it is memoized and shared: a parent inherited by thousands of targets is resolved
/// once. Results that met a cycle depend on where the walk started and are not memoized
/// (their warnings are emitted by every walk that meets them, as before).
struct Resolver<'c> {
    cfg: &'c Definitions<'c>,
    ov: &'c Overrides,
    done: HashMap<&'c str, Rc<Draft>, FxBuildHasher>,
    /// One walk's targets: `None` while being resolved, then the result and its cycle flag.
    visited: HashMap<&'c str, Option<(Rc<Draft>, bool)>, FxBuildHasher>,
    /// How many parents deep the walk is ([`MAX_NESTING`]).
    depth: usize,
}

impl<'c> Resolver<'c> {
    fn new(cfg: &'c Definitions<'c>, ov: &'c Overrides) -> Self {
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
        warnings: &mut Vec<Warning>,
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
        own: &'c Definition<'c>,
        warnings: &mut Vec<Warning>,
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
            Definition::One(d) => m.merge(Draft::lower(d, self.cfg.frel)?),
            Definition::Merged(t) => m.merge(Draft::clone(t)),
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
        warnings: &mut Vec<Warning>,
    ) -> Result<Parent, ResolveError> {
        if let Some(v) = self.visited.get(name) {
            let Some((t, cut)) = v else {
                let w = if child == name {
                    format!("target `{name}` inherits from itself; ignored")
                } else {
                    format!(
                        "`inherits` cycle: target `{child}` inherits from `{name}`, which is still being resolved; ignored"
                    )
                };
                let w = Warning::note(w);
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
        warnings: &mut Vec<Warning>,
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
            let ents = m[li].entitlements.clone().unwrap_or_default();
            add_entitlements(&mut m[idx].entitlements, &ents);
            let plat = m[idx].platforms.as_deref().unwrap_or_default();
            let lplat = m[li].platforms.as_deref().unwrap_or_default();
            if !platforms_fit(plat, lplat) {
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

/// What every resolution starts from: the merged definitions, the requested names (patterns
/// matched), the overrides, each name's targets and groups, and the groups as printed.
struct Setup<'c> {
    cfg: Definitions<'c>,
    ov: Overrides,
    /// The targets and groups each requested name expands to, in request order.
    expanded: Vec<(Vec<String>, Vec<String>)>,
    groups: BTreeMap<String, Group>,
}

impl<'c> Setup<'c> {
    fn new(config: &'c Config, opts: &ResolveOptions) -> Result<Self, ResolveError> {
        let cfg = Definitions::build(config, opts.file_relative_paths)?;
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
        let expanded: Vec<(Vec<String>, Vec<String>)> = names
            .iter()
            .map(|name| cfg.resolve_group(name))
            .collect::<Result<_, _>>()?;
        let groups = groups_of(&cfg, &expanded, &names);
        Ok(Setup {
            cfg,
            ov,
            expanded,
            groups,
        })
    }
}

/// The groups the requested `names` went through, plus the `default` group listing them.
fn groups_of(
    cfg: &Definitions<'_>,
    expanded: &[(Vec<String>, Vec<String>)],
    names: &[String],
) -> BTreeMap<String, Group> {
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    for g in expanded.iter().flat_map(|(_, gs)| gs) {
        if let Some(def) = cfg.group(g) {
            groups.insert(
                g.clone(),
                Group {
                    name: g.clone(),
                    description: def.description.clone().unwrap_or_default(),
                    targets: def.targets.clone(),
                },
            );
        }
    }
    for name in names {
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
        // No two are equal any more: the unstable sort gives the same order, faster.
        g.targets.sort_unstable();
    }
    groups
}

/// Adds `SOURCE_DATE_EPOCH` from the environment to a target's args (buildx does, for
/// every target).
fn add_source_date_epoch(t: &mut Draft, opts: &ResolveOptions) {
    if let Some(epoch) = opts.env.get("SOURCE_DATE_EPOCH").filter(|v| !v.is_empty()) {
        let args = t.args.get_or_insert_with(SortedMap::new);
        args.get_or_insert_with("SOURCE_DATE_EPOCH", || Some(epoch.clone()));
    }
}

/// Adds the entitlements of a target used through a `target:` context to those of the
/// target using it (`loadLinks`): each one not there yet, in order.
fn add_entitlements(list: &mut Option<Vec<String>>, linked: &[String]) {
    if linked.is_empty() {
        return;
    }
    let list = list.get_or_insert_with(Vec::new);
    for e in linked {
        if !list.contains(e) {
            list.push(e.clone());
        }
    }
}

/// Whether a target built for `platforms` can use, through a `target:` context, one built for
/// `linked` (`loadLinks`: when both have several, the linked one must build every platform).
fn platforms_fit(platforms: &[String], linked: &[String]) -> bool {
    platforms.len() <= 1 || linked.len() <= 1 || platforms.iter().all(|p| linked.contains(p))
}

/// Resolves the requested targets of `config` as `docker buildx bake --print` does.
pub fn resolve(config: &Config, opts: &ResolveOptions) -> Result<Resolved, ResolveError> {
    let Setup {
        cfg,
        ov,
        expanded,
        groups,
    } = Setup::new(config, opts)?;
    let mut warnings = Vec::new();
    let mut resolver = Resolver::new(&cfg, &ov);
    // By first resolution; sorted by name below, where the order matters.
    // Boxed: a resolved target is large, and one block of thousands of them is fresh memory
    // for every call.
    let mut targets: ByName<Box<Draft>> =
        ByName::with_capacity_and_hasher(cfg.targets.len(), FxBuildHasher::default());
    for (ts, _) in expanded {
        for tname in ts {
            let t = resolver.resolve_target(&tname, &mut warnings)?;
            targets.insert(tname, Box::new(t));
        }
    }

    let mut top: Vec<usize> = (0..targets.len()).collect();
    let key = |i: usize| targets.get_index(i).map(|(n, _)| n);
    top.sort_unstable_by(|&a, &b| key(a).cmp(&key(b)));
    let mut stack = Vec::new();
    for idx in top {
        resolver.load_links(idx, &mut targets, &mut stack, &mut warnings)?;
    }

    for t in targets.values_mut() {
        add_source_date_epoch(t, opts);
    }

    let mut entries: Vec<(String, Box<Draft>)> = targets.into_iter().collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    // Inserted in ascending order: no intermediate block of (large) targets.
    let mut out = BTreeMap::new();
    for (name, t) in entries {
        let mut t = t.finish(name.clone());
        check_build_options(&mut t, opts)?;
        out.insert(name, Box::new(t));
    }
    Ok(Resolved {
        groups,
        targets: out,
        warnings,
    })
}
