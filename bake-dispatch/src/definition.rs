//! The bake definition of a run: the JSON file `docker buildx bake -f -` reads.
//!
//! Each build of the run is its resolved target, printed as `--print` prints it (buildx reads
//! that back unchanged), with its `target:` contexts pointing at the run's own targets or at
//! hand-offs, and `project_id` left out. Every string and key is escaped once for HCL's JSON
//! syntax (`${` and `%{` would be templates there). What a run must export beyond the target's own outputs goes to a
//! copy of the target without its tags (buildx names every image exporter after a target's
//! tags, so an extra exporter on the target itself would push to them): the `--save` image
//! and the hand-off to other builders. `BuildKit` solves the copy and the target once.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::{BuildJob, Handoff, Link};
use bake_core::api::{CacheEntry, ExportEntry};
use bake_core::api::{Resolved, Target};

/// What a target of the definition is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// The build itself, with its own outputs.
    Build,
    /// A copy exporting the `--save` images, one push under several names (or the build
    /// itself when it had no outputs).
    Save(Vec<String>),
    /// A copy (or the context-only build itself) exporting the hand-off.
    Handoff(Handoff),
    /// A finished build in the run only as a context of others.
    Context,
    /// The build's `--load` goes to this archive, which bake loads into the local engine
    /// afterwards (the builder is another engine's).
    Load(PathBuf),
}

/// One target of the definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefTarget {
    /// Its name in the definition.
    pub name: String,
    /// The node it builds.
    pub node: usize,
    /// What it is for.
    pub roles: Vec<Role>,
}

/// A run's definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    /// The JSON text.
    pub json: String,
    /// Its targets, in the order they are requested.
    pub targets: Vec<DefTarget>,
    /// `--allow` entries for bake's own private directory (hand-off layouts and load archives
    /// written there), beside the user's.
    pub grants: Vec<String>,
}

fn only_cacheonly(t: &Target) -> bool {
    !t.output.is_empty() && t.output.iter().all(|o| o.typ == "cacheonly")
}

fn export(typ: &str, dest: &str, attrs: &[(&str, &str)]) -> ExportEntry {
    ExportEntry {
        typ: typ.to_string(),
        dest: dest.to_string(),
        attrs: attrs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect(),
    }
}

/// The output that carries a hand-off.
fn handoff_output(h: &Handoff) -> ExportEntry {
    match h {
        Handoff::OciLayout(dir) => export("oci", &dir.to_string_lossy(), &[("tar", "false")]),
        Handoff::Registry { repo, tag } => save_output(&format!("{repo}:{tag}")),
    }
}

fn save_output(r: &str) -> ExportEntry {
    export("image", "", &[("name", r), ("push", "true")])
}

/// The archive output that replaces a `type=docker` load on another engine's builder: a
/// Docker archive for one platform, an OCI one for several or with attestations (the docker
/// exporter writes no manifest lists).
fn load_output(t: &Target, tar: &Path) -> ExportEntry {
    let typ = if t.platforms.len() > 1 || !t.attest.is_empty() {
        "oci"
    } else {
        "docker"
    };
    export(typ, &tar.to_string_lossy(), &[])
}

/// The output that exports `extra` (a [`Role::Save`] or [`Role::Handoff`]).
fn extra_output(extra: &Role) -> Option<ExportEntry> {
    match extra {
        Role::Save(refs) => Some(save_output(&refs.join(","))),
        Role::Handoff(h) => Some(handoff_output(h)),
        _ => None,
    }
}

/// The definition of a run's builds (dependencies first). `work_dir` is bake's private
/// directory; with `load_locally`, `type=docker` outputs (`--load`) are written to archives
/// there instead, for bake to load into the local engine.
#[must_use]
pub fn definition(builds: &[BuildJob], work_dir: &Path, load_locally: bool) -> Definition {
    let mut names = Names::of(builds);
    let mut targets: Vec<(DefTarget, Target)> = Vec::new();
    let mut writes = false;
    for b in builds {
        let mut t = linked_target(b, &names.def_name);
        if b.context_only {
            t.output = vec![export("cacheonly", "", &[])];
            t.tags.clear();
            let d = DefTarget {
                name: b.node.names[0].clone(),
                node: b.index,
                roles: vec![Role::Context],
            };
            targets.push((d, t));
            continue;
        }
        let mut roles = vec![Role::Build];
        if load_locally {
            let loads = load_to_archives(b, &mut t, work_dir);
            writes |= !loads.is_empty();
            roles.extend(loads);
        }
        writes |= matches!(b.handoff, Some(Handoff::OciLayout(_)));
        let first = targets.len();
        targets.extend(with_extras(b, t, roles, &mut names));
        if let Some(r) = &b.cache_ref {
            add_project_cache(&mut targets[first].1, r);
        }
    }
    // buildx before 0.21 checks entitlements under `rawjson` too: writing hand-off layouts and
    // load archives into bake's own directory must not need the user's `--allow`.
    let grants = if writes {
        vec![format!("fs.write={}", work_dir.to_string_lossy())]
    } else {
        Vec::new()
    };
    Definition {
        json: render(&targets),
        targets: targets.into_iter().map(|(d, _)| d).collect(),
        grants,
    }
}

/// The names of a definition's targets: each build under its first name, and fresh names
/// for the copies.
struct Names<'a> {
    /// The definition name of each build (by node index).
    def_name: BTreeMap<usize, &'a str>,
    /// Every name given so far.
    taken: BTreeSet<String>,
}

impl<'a> Names<'a> {
    fn of(builds: &'a [BuildJob]) -> Names<'a> {
        let def_name: BTreeMap<usize, &str> = builds
            .iter()
            .map(|b| (b.index, b.node.names[0].as_str()))
            .collect();
        let taken: BTreeSet<String> = def_name.values().map(|n| (*n).to_string()).collect();
        Names { def_name, taken }
    }

    /// `base-suffix`, or `base-suffix2`, `base-suffix3`… when taken.
    fn fresh(&mut self, base: &str, suffix: &str) -> String {
        let mut name = format!("{base}-{suffix}");
        let mut k = 2;
        while self.taken.contains(&name) {
            name = format!("{base}-{suffix}{k}");
            k += 1;
        }
        self.taken.insert(name.clone());
        name
    }
}

/// The target of build `b` as the definition has it: without `project_id`, its `target:`
/// contexts pointing at the run's targets (by their names in `def_name`) or at hand-offs.
fn linked_target(b: &BuildJob, def_name: &BTreeMap<usize, &str>) -> Target {
    let mut t = b.node.target.clone();
    t.project_id = None;
    for (ctx, link) in &b.contexts {
        let value = match link {
            Link::InRun(d) => match def_name.get(d) {
                Some(n) => format!("target:{n}"),
                None => continue,
            },
            Link::Ref(r) => r.clone(),
        };
        t.contexts.insert(ctx.clone(), value);
    }
    t
}

/// Turns the `type=docker` loads of `t` (build `b`'s target) into archives under `work_dir`,
/// and returns a [`Role::Load`] for each.
fn load_to_archives(b: &BuildJob, t: &mut Target, work_dir: &Path) -> Vec<Role> {
    let mut roles = Vec::new();
    let loads = t
        .output
        .iter_mut()
        .filter(|o| o.typ == "docker" && o.dest.is_empty());
    for (k, o) in loads.enumerate() {
        let tar = work_dir.join("load").join(format!("{}-{k}.tar", b.node.id));
        let mut out = load_output(&b.node.target, &tar);
        if let Some(n) = o.attrs.get("name") {
            out.attrs.insert("name".into(), n.clone());
        }
        *o = out;
        roles.push(Role::Load(tar));
    }
    roles
}

/// Build `b` (its target `t`, with `roles`) and the tagless copies that export its extras:
/// the `--save` image and the hand-off.
fn with_extras(
    b: &BuildJob,
    mut t: Target,
    mut roles: Vec<Role>,
    names: &mut Names<'_>,
) -> Vec<(DefTarget, Target)> {
    let name = b.node.names[0].clone();
    let mut extras: Vec<Role> = Vec::new();
    if !b.save_refs.is_empty() {
        extras.push(Role::Save(b.save_refs.clone()));
    }
    if let Some(h) = &b.handoff {
        extras.push(Role::Handoff(h.clone()));
    }
    // The build itself carries the first extra when it has nothing of its own to export:
    // a context-only build (its only output is `cacheonly`), or `--save` of a build
    // without outputs (saved builds go to the registry only).
    let in_place = match extras.first() {
        Some(Role::Save(_)) => t.output.is_empty() || only_cacheonly(&t),
        Some(Role::Handoff(_)) => only_cacheonly(&t),
        _ => false,
    };
    if in_place {
        let extra = extras.remove(0);
        t.output = extra_output(&extra).into_iter().collect();
        t.tags.clear();
        roles = vec![extra];
    }
    let copies: Vec<(DefTarget, Target)> = extras
        .into_iter()
        .map(|extra| {
            let mut c = t.clone();
            c.output = extra_output(&extra).into_iter().collect();
            c.tags.clear();
            // The same build: the build itself exports its cache (one writer per ref).
            c.cache_to.clear();
            let suffix = if matches!(extra, Role::Save(_)) {
                "save"
            } else {
                "handoff"
            };
            let d = DefTarget {
                name: names.fresh(&name, suffix),
                node: b.index,
                roles: vec![extra],
            };
            (d, c)
        })
        .collect();
    let mut out = vec![(
        DefTarget {
            name,
            node: b.index,
            roles,
        },
        t,
    )];
    out.extend(copies);
    out
}

/// Adds the project's registry cache `reference` to `t`, beside its own: imported (unless the
/// build does not use the cache, `no-cache`), and exported with every layer (`mode=max`)
/// when the build succeeds; a cache that cannot be written does not fail the build.
fn add_project_cache(t: &mut Target, reference: &str) {
    let entry = |attrs: &[(&str, &str)]| CacheEntry {
        typ: "registry".into(),
        attrs: attrs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect(),
    };
    if t.no_cache != Some(true) {
        t.cache_from.push(entry(&[("ref", reference)]));
    }
    t.cache_to.push(entry(&[
        ("ref", reference),
        ("mode", "max"),
        ("ignore-error", "true"),
    ]));
}

/// The JSON text of the definition: `{"target": {name: target, …}}`.
fn render(targets: &[(DefTarget, Target)]) -> String {
    Resolved::definition_json(targets.iter().map(|(d, t)| (d.name.as_str(), t)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bake_core::api::BuildNode;
    use bake_core::api::{ProjectSource, TargetProject};

    fn job(index: usize, name: &str, target: Target) -> BuildJob {
        BuildJob {
            index,
            node: BuildNode {
                id: format!("{index:0>12}"),
                names: vec![name.into()],
                target,
                project: TargetProject {
                    id: "p".into(),
                    source: ProjectSource::Target,
                },
                deps: Vec::new(),
                requested: true,
            },
            project: crate::config::ProjectConfig::default(),
            contexts: BTreeMap::new(),
            handoff: None,
            save_refs: Vec::new(),
            cache_ref: None,
            split: Vec::new(),
            context_only: false,
        }
    }

    #[test]
    fn templates_are_escaped_once_in_every_string() {
        let mut t = Target {
            context: ".".into(),
            dockerfile: "Dockerfile".into(),
            dockerfile_inline: Some("FROM x\nRUN echo ${A} %{b}".into()),
            tags: vec!["img:${T}".into()],
            ..Target::default()
        };
        t.args.insert("K${k}".into(), Some("v${V}".into()));
        let d = definition(&[job(0, "app", t)], Path::new("/w"), false);
        let v: serde_json::Value = serde_json::from_str(&d.json).expect("JSON");
        let app = &v["target"]["app"];
        assert_eq!(app["dockerfile-inline"], "FROM x\nRUN echo $${A} %%{b}");
        assert_eq!(app["tags"][0], "img:$${T}");
        assert_eq!(app["args"]["K$${k}"], "v$${V}");
    }

    #[test]
    fn save_and_handoff_go_to_tagless_copies() {
        let mut t = Target {
            context: ".".into(),
            dockerfile: "Dockerfile".into(),
            tags: vec!["prod/app:1".into()],
            ..Target::default()
        };
        t.output.push(export("docker", "", &[]));
        let mut j = job(0, "app", t);
        j.save_refs = vec!["reg/p:s-app".into(), "reg/p:t-app".into()];
        j.handoff = Some(Handoff::Registry {
            repo: "reg/p/app".into(),
            tag: "bake-handoff-1".into(),
        });
        let d = definition(&[j], Path::new("/w"), false);
        let names: Vec<&str> = d.targets.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["app", "app-save", "app-handoff"]);
        let v: serde_json::Value = serde_json::from_str(&d.json).expect("JSON");
        assert_eq!(v["target"]["app"]["tags"][0], "prod/app:1");
        for copy in ["app-save", "app-handoff"] {
            assert!(v["target"][copy].get("tags").is_none(), "{copy}: {v}");
            assert_eq!(v["target"][copy]["output"][0]["type"], "image");
        }
        assert_eq!(
            v["target"]["app-save"]["output"][0]["name"],
            "reg/p:s-app,reg/p:t-app"
        );
        assert!(d.grants.is_empty());
    }

    #[test]
    fn the_project_cache_goes_to_the_build_only_and_is_not_imported_without_cache() {
        let t = Target {
            context: ".".into(),
            dockerfile: "Dockerfile".into(),
            ..Target::default()
        };
        let mut j = job(0, "app", t);
        j.cache_ref = Some("reg/p:bake-cache-0-app".into());
        j.save_refs = vec!["reg/p:s-app".into()];
        let mut t2 = j.node.target.clone();
        t2.output.push(export("docker", "", &[]));
        j.node.target = t2;
        let d = definition(std::slice::from_ref(&j), Path::new("/w"), false);
        let v: serde_json::Value = serde_json::from_str(&d.json).expect("JSON");
        let app = &v["target"]["app"];
        assert_eq!(app["cache-from"][0]["ref"], "reg/p:bake-cache-0-app");
        assert_eq!(app["cache-to"][0]["ref"], "reg/p:bake-cache-0-app");
        assert_eq!(app["cache-to"][0]["mode"], "max");
        assert_eq!(app["cache-to"][0]["ignore-error"], "true");
        // The --save copy is the same build: it exports no cache of its own.
        assert!(v["target"]["app-save"].get("cache-to").is_none(), "{v}");
        j.node.target.no_cache = Some(true);
        let d = definition(&[j], Path::new("/w"), false);
        let v: serde_json::Value = serde_json::from_str(&d.json).expect("JSON");
        assert!(v["target"]["app"].get("cache-from").is_none(), "{v}");
        assert_eq!(
            v["target"]["app"]["cache-to"][0]["ref"],
            "reg/p:bake-cache-0-app"
        );
    }

    #[test]
    fn cache_refs_are_one_per_target_and_platforms_and_fit_a_tag() {
        let project = crate::ProjectConfig {
            registry: Some("reg/p/".into()),
            cache: Some(crate::CacheMode::Registry),
            ..crate::ProjectConfig::default()
        };
        let mut options = crate::DispatchOptions::default();
        let t = Target {
            platforms: vec!["linux/amd64".into(), "linux/arm64/v8".into()],
            ..Target::default()
        };
        let j = job(0, "api", t);
        assert_eq!(
            options.cache_ref(&project, &j.node).as_deref(),
            Some("reg/p:bake-cache-EPOCH-api-linux_amd64-linux_arm64_v8")
        );
        options.cache_epochs = Some(BTreeMap::from([("reg/p".into(), "8a197eea7081".into())]));
        assert_eq!(
            options
                .cache_ref(&project, &job(0, "web", Target::default()).node)
                .as_deref(),
            Some("reg/p:bake-cache-8a197eea7081-web")
        );
        let long = job(0, &"x".repeat(200), Target::default());
        let r = options.cache_ref(&project, &long.node).unwrap_or_default();
        let tag = r.rsplit_once(':').map(|(_, t)| t).unwrap_or_default();
        assert_eq!(tag.len(), 127, "{tag}");
        // A registry that did not answer: no cache.
        options.cache_epochs = Some(BTreeMap::new());
        assert_eq!(options.cache_ref(&project, &j.node), None);
        assert_eq!(
            options.cache_ref(&crate::ProjectConfig::default(), &j.node),
            None
        );
    }
}
