//! `--explain` for Compose: where each target field was written, and the interpolations that
//! fed it. Which keys may have set a field comes from the build key table.

use std::collections::BTreeMap;

use bake_core::api::frontend::{Config, TargetDef};
use bake_core::api::frontend::{Interpolation, Lookup, VariableSource};
use bake_core::api::frontend::{Origin, SourceId, SourceMap, Span};

use crate::build_keys::{Convert, Explains, BUILD_KEYS};
use crate::extensions::X_BAKE;
use crate::key_positions::KeyOffsets;
use crate::loader::RecordedInterpolation;
use crate::lower::IMAGE_FIELD;
use crate::variables::VariableSources;

/// The paths under `services.NAME` that may have set a field (`x-bake` first), by the
/// field's `--print` key.
type FieldPaths = Vec<(&'static str, Vec<String>)>;

/// The paths that may have set each field, from the build key table: a key's own path (and
/// before it `x-bake`'s key named as the field, as its row says), the keys of the `x-`
/// extensions, and `image` for the tags.
fn field_paths() -> FieldPaths {
    let mut fields: FieldPaths = Vec::new();
    let mut add = |field: &'static str, path: String| {
        let i = if let Some(i) = fields.iter().position(|(f, _)| *f == field) {
            i
        } else {
            fields.push((field, Vec::new()));
            fields.len() - 1
        };
        if !fields[i].1.contains(&path) {
            fields[i].1.push(path);
        }
    };
    let in_x_bake = |field: &str| format!("build.{}.{field}", X_BAKE.name);
    for key in BUILD_KEYS {
        if let Convert::Extension(extension) = key.convert {
            for (sub, field) in extension.keys {
                add(field, format!("build.{}.{sub}", key.name));
            }
            continue;
        }
        let Some(field) = key.field else {
            continue;
        };
        let own = format!("build.{}", key.name);
        match key.explains {
            Explains::KeyAfterXBake => {
                add(field, in_x_bake(field));
                add(field, own);
            }
            Explains::Key => add(field, own),
            Explains::XBakeOnly => add(field, in_x_bake(field)),
        }
    }
    add(IMAGE_FIELD, "image".to_string());
    fields
}

/// One Compose file, its keys indexed.
struct IndexedFile<'a> {
    id: SourceId,
    text: &'a str,
    keys: KeyOffsets,
}

/// Fills the origins of the targets' fields (the key in the last file that has it) and
/// places each interpolation at the field it fed. Linear: each file's keys are indexed once,
/// and the interpolations by service.
pub(crate) fn record_origins(
    sources: &SourceMap,
    ids: &[SourceId],
    config: &mut Config,
    interpolations: &[RecordedInterpolation],
    variable_sources: &VariableSources,
) -> Vec<Interpolation> {
    let files: Vec<IndexedFile<'_>> = ids
        .iter()
        .map(|id| {
            let text: &str = &sources.get(*id).text;
            IndexedFile {
                id: *id,
                text,
                keys: KeyOffsets::new(text),
            }
        })
        .collect();
    let mut by_service: BTreeMap<&str, Vec<&RecordedInterpolation>> = BTreeMap::new();
    for i in interpolations {
        if let [first, service, ..] = i.path.as_slice() {
            if first == "services" {
                by_service.entry(service.as_str()).or_default().push(i);
            }
        }
    }
    let fields = field_paths();
    let mut out = Vec::new();
    for t in &mut config.targets {
        for (field, paths) in &fields {
            if !t.is_set(field) {
                continue;
            }
            let Some((span, rel)) = find_origin(&files, t, paths) else {
                continue;
            };
            t.origins.insert(field, Origin::File(span));
            let Some(mine) = by_service.get(t.name.as_str()) else {
                continue;
            };
            for i in mine {
                // `services.NAME.` then the field's path.
                if i.path[2..]
                    .iter()
                    .map(String::as_str)
                    .take(rel.split('.').count())
                    .eq(rel.split('.'))
                {
                    out.push(interpolation_at(span, i, variable_sources));
                }
            }
        }
    }
    out
}

/// The line of the first of `paths` (under the target's service) that a file has, the last
/// file that has it; with the path.
fn find_origin<'p>(
    files: &[IndexedFile<'_>],
    target: &TargetDef,
    paths: &'p [String],
) -> Option<(Span, &'p str)> {
    let mut path = String::new();
    paths.iter().find_map(|rel| {
        path.clear();
        path.push_str("services\n");
        path.push_str(&target.name);
        for seg in rel.split('.') {
            path.push('\n');
            path.push_str(seg);
        }
        files.iter().rev().find_map(|file| {
            let start = file.keys.get(&path)?;
            let end = file.text[start..]
                .find('\n')
                .map_or(file.text.len(), |e| start + e);
            let span = Span {
                source: file.id,
                start: u32::try_from(start).unwrap_or(u32::MAX),
                end: u32::try_from(end).unwrap_or(u32::MAX),
            };
            Some((span, rel.as_str()))
        })
    })
}

/// An interpolation placed at `span`, each variable with where its value came from.
fn interpolation_at(
    span: Span,
    recorded: &RecordedInterpolation,
    variable_sources: &VariableSources,
) -> Interpolation {
    Interpolation {
        span,
        template: recorded.template.clone(),
        lookups: recorded
            .lookups
            .iter()
            .map(|(name, value)| Lookup {
                name: name.clone(),
                value: value.clone(),
                from: match value {
                    Some(_) => variable_sources
                        .get(name)
                        .cloned()
                        .unwrap_or(VariableSource::Environment { name: name.clone() }),
                    None => VariableSource::Unset,
                },
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::field_paths;
    use crate::build_keys::{feeding, Explains, BUILD_KEYS};
    use crate::extensions::{X_BAKE, X_DEPOT};
    use crate::lower::IMAGE_FIELD;

    fn paths_of(field: &str) -> Vec<String> {
        field_paths()
            .into_iter()
            .find(|(f, _)| *f == field)
            .map(|(_, p)| p)
            .unwrap_or_default()
    }

    #[test]
    fn x_bake_comes_first_and_image_last() {
        let tags = paths_of(IMAGE_FIELD);
        let own = feeding(IMAGE_FIELD).map(|k| format!("build.{}", k.name));
        assert_eq!(
            tags,
            [
                format!("build.{}.{IMAGE_FIELD}", X_BAKE.name),
                own.unwrap_or_default(),
                "image".to_string()
            ]
        );
    }

    #[test]
    fn every_field_a_key_explains_has_its_paths() {
        for key in BUILD_KEYS {
            let Some(field) = key.field else { continue };
            let paths = paths_of(field);
            let own = format!("build.{}", key.name);
            let x_bake = format!("build.{}.{field}", X_BAKE.name);
            match key.explains {
                Explains::KeyAfterXBake => {
                    assert_eq!(paths.first(), Some(&x_bake), "{}", key.name);
                    assert!(paths.contains(&own), "{}", key.name);
                }
                Explains::Key => assert_eq!(paths, [own], "{}", key.name),
                Explains::XBakeOnly => {
                    assert!(
                        paths.contains(&x_bake) && !paths.contains(&own),
                        "{}",
                        key.name
                    );
                }
            }
        }
        for extension in [&X_BAKE, &X_DEPOT] {
            for (key, field) in extension.keys {
                let path = format!("build.{}.{key}", extension.name);
                assert!(paths_of(field).contains(&path), "{path}");
            }
        }
    }
}
