//! `--explain` for Compose: where each target field was written, and the interpolations that
//! fed it.

use std::collections::BTreeMap;

use bake_core::model::Config;
use bake_core::source::{SourceId, SourceMap};

use crate::key_positions::KeyOffsets;
use crate::loader;
use crate::variables::VariableSources;

/// Where each target field comes from in the Compose files, by print key: the paths under
/// `services.NAME` that feed it, `x-bake` first.
const FIELD_PATHS: &[(&str, &[&str])] = &[
    ("context", &["build.x-bake.context", "build.context"]),
    (
        "dockerfile",
        &["build.x-bake.dockerfile", "build.dockerfile"],
    ),
    ("dockerfile-inline", &["build.dockerfile_inline"]),
    ("args", &["build.x-bake.args", "build.args"]),
    ("labels", &["build.x-bake.labels", "build.labels"]),
    ("tags", &["build.x-bake.tags", "build.tags", "image"]),
    ("platforms", &["build.x-bake.platforms", "build.platforms"]),
    (
        "cache-from",
        &["build.x-bake.cache-from", "build.cache_from"],
    ),
    ("cache-to", &["build.x-bake.cache-to", "build.cache_to"]),
    ("target", &["build.x-bake.target", "build.target"]),
    ("secret", &["build.x-bake.secret", "build.secrets"]),
    ("ssh", &["build.x-bake.ssh", "build.ssh"]),
    ("network", &["build.x-bake.network", "build.network"]),
    ("shm-size", &["build.x-bake.shm-size", "build.shm_size"]),
    ("ulimits", &["build.x-bake.ulimits", "build.ulimits"]),
    (
        "extra-hosts",
        &["build.x-bake.extra-hosts", "build.extra_hosts"],
    ),
    (
        "contexts",
        &["build.x-bake.contexts", "build.additional_contexts"],
    ),
    ("output", &["build.x-bake.output"]),
    ("pull", &["build.x-bake.pull", "build.pull"]),
    ("no-cache", &["build.x-bake.no-cache", "build.no_cache"]),
    ("no-cache-filter", &["build.x-bake.no-cache-filter"]),
    ("attest", &["build.x-bake.attest"]),
    (
        "entitlements",
        &["build.x-bake.entitlements", "build.entitlements"],
    ),
    ("project_id", &["build.x-depot.project-id"]),
];

/// Fills the origins of the targets' fields (the key in the last file that has it) and
/// places each interpolation at the field it fed. Linear: each file's keys are indexed once,
/// and the interpolations by service.
pub(crate) fn record_origins(
    sources: &SourceMap,
    ids: &[SourceId],
    config: &mut Config,
    interpolations: &[loader::RecordedInterpolation],
    env_sources: &VariableSources,
) -> Vec<bake_core::explain::Interpolation> {
    use bake_core::source::{Origin, Span};
    let indexes: Vec<(SourceId, &str, KeyOffsets)> = ids
        .iter()
        .map(|id| {
            let text: &str = &sources.get(*id).text;
            (*id, text, KeyOffsets::new(text))
        })
        .collect();
    let mut by_service: BTreeMap<&str, Vec<&loader::RecordedInterpolation>> = BTreeMap::new();
    for i in interpolations {
        if let [first, service, ..] = i.path.as_slice() {
            if first == "services" {
                by_service.entry(service.as_str()).or_default().push(i);
            }
        }
    }
    let mut out = Vec::new();
    let mut path = String::new();
    for t in &mut config.targets {
        for (key, paths) in FIELD_PATHS {
            if !t.is_set(key) {
                continue;
            }
            let found = paths.iter().find_map(|rel| {
                path.clear();
                path.push_str("services\n");
                path.push_str(&t.name);
                for seg in rel.split('.') {
                    path.push('\n');
                    path.push_str(seg);
                }
                indexes.iter().rev().find_map(|(id, text, index)| {
                    let off = index.get(&path)?;
                    let end = text[off..].find('\n').map_or(text.len(), |e| off + e);
                    Some((*id, off, end, *rel))
                })
            });
            let Some((id, start, end, rel)) = found else {
                continue;
            };
            let span = Span {
                source: id,
                start: u32::try_from(start).unwrap_or(u32::MAX),
                end: u32::try_from(end).unwrap_or(u32::MAX),
            };
            t.origins.insert(key, Origin::File(span));
            let Some(mine) = by_service.get(t.name.as_str()) else {
                continue;
            };
            for i in mine {
                // `services.NAME.` then the field's path.
                if !i.path[2..]
                    .iter()
                    .map(String::as_str)
                    .take(rel.split('.').count())
                    .eq(rel.split('.'))
                {
                    continue;
                }
                out.push(bake_core::explain::Interpolation {
                    span,
                    template: i.template.clone(),
                    lookups: i
                        .lookups
                        .iter()
                        .map(|(name, value)| bake_core::explain::Lookup {
                            name: name.clone(),
                            value: value.clone(),
                            from: match value {
                                Some(_) => env_sources.get(name).cloned().unwrap_or(
                                    bake_core::explain::VariableSource::Environment {
                                        name: name.clone(),
                                    },
                                ),
                                None => bake_core::explain::VariableSource::Unset,
                            },
                        })
                        .collect(),
                });
            }
        }
    }
    out
}
