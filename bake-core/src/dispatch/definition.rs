//! The bake definition of a run: the JSON file `docker buildx bake -f -` reads.
//!
//! Each build of the run is its resolved target, printed as `--print` prints it (buildx reads
//! that back unchanged), with its `target:` contexts pointing at the run's own targets or at
//! hand-offs, and `project_id` left out. Strings are escaped for HCL's JSON syntax (`${` and
//! `%{` would be templates). What a run must export beyond the target's own outputs goes to a
//! copy of the target without its tags (buildx names every image exporter after a target's
//! tags, so an extra exporter on the target itself would push to them): the `--save` image
//! and the hand-off to other builders. BuildKit solves the copy and the target once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{BuildJob, Handoff, Link};
use crate::entries::ExportEntry;
use crate::resolve::{Resolved, Target};

/// What a target of the definition is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// The build itself, with its own outputs.
    Build,
    /// A copy exporting the `--save` image (or the build itself when it had no outputs).
    Save(String),
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
    /// `--allow` entries for bake's own private directory (hand-off layouts read and
    /// written), beside the user's.
    pub grants: Vec<String>,
}

impl Definition {
    /// The definition target named `name`.
    #[must_use]
    pub fn target(&self, name: &str) -> Option<&DefTarget> {
        self.targets.iter().find(|t| t.name == name)
    }
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
        Handoff::Registry(r) => export("image", "", &[("name", r), ("push", "true")]),
    }
}

fn save_output(r: &str) -> ExportEntry {
    export("image", "", &[("name", r), ("push", "true")])
}

/// Escapes a JSON text's strings for HCL's JSON syntax: `${` and `%{` start templates there.
#[must_use]
pub fn escape_templates(json: &str) -> String {
    json.replace("${", "$${").replace("%{", "%%{")
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

/// The definition of a run's builds (dependencies first). `work_dir` is bake's private
/// directory; with `load_locally`, `type=docker` outputs (`--load`) are written to archives
/// there instead, for bake to load into the local engine.
#[must_use]
pub fn definition(builds: &[BuildJob], work_dir: &Path, load_locally: bool) -> Definition {
    let mut taken: Vec<String> = builds.iter().map(|b| b.node.names[0].clone()).collect();
    let mut fresh = |base: &str, suffix: &str| {
        let mut name = format!("{base}-{suffix}");
        let mut k = 2;
        while taken.contains(&name) {
            name = format!("{base}-{suffix}{k}");
            k += 1;
        }
        taken.push(name.clone());
        name
    };
    let def_name: BTreeMap<usize, String> = builds
        .iter()
        .map(|b| (b.index, b.node.names[0].clone()))
        .collect();
    let mut targets: Vec<(DefTarget, Target)> = Vec::new();
    let mut reads = false;
    let mut writes = false;
    for b in builds {
        let mut t = b.node.target.clone();
        t.project_id = None;
        for (ctx, link) in &b.contexts {
            let value = match link {
                Link::InRun(d) => match def_name.get(d) {
                    Some(n) => format!("target:{n}"),
                    None => continue,
                },
                Link::Ref(r) => {
                    if r.starts_with("oci-layout://") {
                        reads = true;
                    }
                    r.clone()
                }
            };
            t.contexts.insert(ctx.clone(), value);
        }
        let name = b.node.names[0].clone();
        if b.context_only {
            t.output = vec![export("cacheonly", "", &[])];
            t.tags.clear();
            targets.push((
                DefTarget {
                    name,
                    node: b.index,
                    roles: vec![Role::Context],
                },
                t,
            ));
            continue;
        }
        let mut extras: Vec<Role> = Vec::new();
        if let Some(r) = &b.save_ref {
            extras.push(Role::Save(r.clone()));
        }
        if let Some(h) = &b.handoff {
            if matches!(h, Handoff::OciLayout(_)) {
                writes = true;
            }
            extras.push(Role::Handoff(h.clone()));
        }
        let mut roles = vec![Role::Build];
        if load_locally {
            let mut k = 0;
            for o in &mut t.output {
                if o.typ == "docker" && o.dest.is_empty() {
                    let tar = work_dir.join("load").join(format!("{}-{k}.tar", b.node.id));
                    k += 1;
                    let name = o.attrs.get("name").cloned();
                    let mut out = load_output(&b.node.target, &tar);
                    if let Some(n) = name {
                        out.attrs.insert("name".into(), n);
                    }
                    *o = out;
                    roles.push(Role::Load(tar));
                    writes = true;
                }
            }
        }
        // The build itself carries the first extra when it has nothing of its own to export:
        // a context-only build (its only output is `cacheonly`), or `--save` of a build
        // without outputs (saved builds go to the registry only).
        let in_place = match extras.first() {
            Some(Role::Save(_)) => t.output.is_empty() || only_cacheonly(&t),
            Some(Role::Handoff(_)) => only_cacheonly(&t),
            _ => false,
        };
        let mut copies: Vec<(DefTarget, Target)> = Vec::new();
        for (k, extra) in extras.into_iter().enumerate() {
            let out = match &extra {
                Role::Save(r) => save_output(r),
                Role::Handoff(h) => handoff_output(h),
                _ => continue,
            };
            if k == 0 && in_place {
                t.output = vec![out];
                t.tags.clear();
                roles.retain(|r| !matches!(r, Role::Build));
                roles.insert(0, extra);
                continue;
            }
            let mut c = t.clone();
            c.output = vec![out];
            c.tags.clear();
            let suffix = if matches!(extra, Role::Save(_)) {
                "save"
            } else {
                "handoff"
            };
            copies.push((
                DefTarget {
                    name: fresh(&name, suffix),
                    node: b.index,
                    roles: vec![extra],
                },
                c,
            ));
        }
        // Copies are made from the target before an in-place change, except that they keep
        // nothing of it but the build: their outputs and tags are their own.
        targets.push((
            DefTarget {
                name,
                node: b.index,
                roles,
            },
            t,
        ));
        targets.extend(copies);
    }
    let mut json = String::from("{\n  \"target\": {");
    for (k, (d, t)) in targets.iter().enumerate() {
        if k > 0 {
            json.push(',');
        }
        json.push_str("\n    ");
        json.push_str(&serde_json::to_string(&d.name).unwrap_or_default());
        json.push_str(": ");
        let obj = Resolved::to_print_object(t);
        json.push_str(&obj.replace('\n', "\n    "));
    }
    json.push_str("\n  }\n}\n");
    let mut grants = Vec::new();
    let dir = work_dir.to_string_lossy();
    if reads {
        grants.push(format!("fs.read={dir}"));
    }
    if writes {
        grants.push(format!("fs.write={dir}"));
    }
    Definition {
        json: escape_templates(&json),
        targets: targets.into_iter().map(|(d, _)| d).collect(),
        grants,
    }
}

/// Where a hand-off layout of node `id` goes.
#[must_use]
pub fn layout_dir(work_dir: &Path, id: &str) -> PathBuf {
    work_dir.join("handoff").join(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_templates() {
        assert_eq!(
            escape_templates(r#"{"a": "${X} %{if} $${Y} $x"}"#),
            r#"{"a": "$${X} %%{if} $$${Y} $x"}"#
        );
    }
}
