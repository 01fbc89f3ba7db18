//! The keys of a service's `build` section, one row each.
//!
//! A row says what the compose-spec schema accepts for the key, how a later file's value
//! merges with an earlier one, how the value is normalized and which relative paths it
//! holds, what it is checked against in the rest of the project, the bake field it feeds
//! (by its `--print` key, set through [`TargetDef::field_mut`]) and how it converts, and
//! whether `--explain` names it as where that field came from. Validation, merging,
//! normalization, lowering and `--explain` all read these rows, so a Compose build key is
//! spelled once, here; a key whose conversion is special names a function of
//! [`crate::convert`].
//!
//! The stages visit the rows in order, so the order decides which error a service with
//! several bad keys reports first, and in which order keys that feed the same field add to
//! it (the two attestation keys).
//!
//! [`TargetDef::field_mut`]: bake_core::api::frontend::TargetDef::field_mut

use std::collections::BTreeMap;

use bake_core::api::frontend::DefType;
use bake_core::api::frontend::RawEntry;

use crate::convert::{self, Conversion};
use crate::extensions::{Extension, X_BAKE, X_DEPOT};
use crate::loader::LoadResult;
use crate::normalize;
use crate::validate::{self, KeyInProject};
use crate::yaml::Value;

/// One key of `services.NAME.build`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BuildKey {
    /// The key as a Compose file spells it.
    pub(crate) name: &'static str,
    /// What the compose-spec schema accepts.
    pub(crate) schema: Schema,
    /// How a later file's value merges with an earlier one (compose-go `override`).
    pub(crate) merge: Merge,
    /// Whether a list of `KEY=VALUE` entries keeps one entry per key after a merge
    /// (compose-go `unicity`).
    pub(crate) unique_entries: bool,
    /// How each file's value is brought to its canonical form (compose-go `canonical`).
    pub(crate) normalize: Normalize,
    /// The relative paths the value holds, resolved against the file's directory.
    pub(crate) paths: Paths,
    /// Whether `build: PATH` is short for this key.
    pub(crate) short_form: bool,
    /// What the value is checked against in the rest of the project (compose-go
    /// `checkConsistency`).
    pub(crate) check: Option<fn(&KeyInProject<'_>) -> LoadResult<()>>,
    /// The bake field it feeds, by its `--print` key.
    pub(crate) field: Option<&'static str>,
    /// How the value becomes the field's.
    pub(crate) convert: Convert,
    /// Where `--explain` looks for the field's origin.
    pub(crate) explains: Explains,
}

/// What the compose-spec schema accepts for a key (types by their JSON-schema names, as its
/// messages say them).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Schema {
    /// A value of one of these types.
    Types(&'static [&'static str]),
    /// A list of strings.
    StringList,
    /// A list of unique strings, or a mapping of scalars.
    ListOrDict,
    /// A string, or a list of strings (reported as a string).
    StringOrList,
    /// Checked by a function.
    Custom(fn(&Value, &str) -> LoadResult<()>),
    /// Anything (the `x-` extensions).
    Any,
}

/// How a later file's value of a key merges with an earlier one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Merge {
    /// compose-go's default: mappings merge by key, lists append, anything else is
    /// replaced.
    Deep,
    /// Both values as lists of `KEY=VALUE` entries (a mapping becomes sorted entries),
    /// appended.
    Entries,
    /// Both values as lists of entries, the later one's added where not already there.
    Union,
}

/// How each file's value of a key is brought to its canonical form. Every reshape runs
/// before any check.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Normalize {
    /// Kept as written.
    AsWritten,
    /// Rewritten (short forms to the long one); the path is the key's, for messages.
    Reshape(fn(&mut Value, &str) -> LoadResult<()>),
    /// Checked once every key is reshaped.
    Check(fn(&Value, &str) -> LoadResult<()>),
}

/// The relative paths a key's value holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Paths {
    /// None.
    None,
    /// A build context: a path, unless it is a URL or a `service:` reference.
    Context,
    /// A mapping of named build contexts.
    Contexts,
    /// A mapping of file paths.
    Files,
}

/// The function that converts a key's value (`None`: the field is left unset).
pub(crate) type ConvertFn<T> = fn(&Conversion<'_>) -> LoadResult<Option<T>>;

/// How a key's value becomes its bake field's. Keys that feed the same list field add to it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Convert {
    /// Not lowered.
    Nothing,
    /// By the field's type: text (unless empty), a list of strings or of entries (unless
    /// empty), a flag (set only when true).
    ByFieldType,
    /// By a function, to text.
    Text(ConvertFn<String>),
    /// By a function, to a list of strings.
    Strings(ConvertFn<Vec<String>>),
    /// By a function, to a mapping.
    Map(ConvertFn<BTreeMap<String, String>>),
    /// By a function, to a mapping whose values may be unset.
    NullableMap(ConvertFn<BTreeMap<String, Option<String>>>),
    /// By a function, to a list of entries.
    Entries(ConvertFn<Vec<RawEntry>>),
    /// An `x-` extension: sets its keys' fields, after every other key is lowered.
    Extension(&'static Extension),
}

/// Where `--explain` looks for the origin of the field a key feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Explains {
    /// At `x-bake`'s key named as the field, then at this key.
    KeyAfterXBake,
    /// At this key only.
    Key,
    /// At `x-bake`'s key named as the field only (this key's value is rewritten).
    XBakeOnly,
}

impl Convert {
    /// The type of field the conversion sets (`None` for one that sets none, or sets a field
    /// by its own type).
    pub(crate) fn def_type(self) -> Option<DefType> {
        match self {
            Convert::Nothing | Convert::ByFieldType | Convert::Extension(_) => None,
            Convert::Text(_) => Some(DefType::Text),
            Convert::Strings(_) => Some(DefType::Strings),
            Convert::Map(_) => Some(DefType::Map),
            Convert::NullableMap(_) => Some(DefType::NullableMap),
            Convert::Entries(_) => Some(DefType::Entries),
        }
    }
}

impl BuildKey {
    /// A key the schema checks, which nothing else reads.
    const fn new(name: &'static str, schema: Schema) -> Self {
        BuildKey {
            name,
            schema,
            merge: Merge::Deep,
            unique_entries: false,
            normalize: Normalize::AsWritten,
            paths: Paths::None,
            short_form: false,
            check: None,
            field: None,
            convert: Convert::Nothing,
            explains: Explains::KeyAfterXBake,
        }
    }

    /// An `x-` extension key.
    const fn extension(extension: &'static Extension) -> Self {
        BuildKey {
            convert: Convert::Extension(extension),
            ..BuildKey::new(extension.name, Schema::Any)
        }
    }

    /// Feeds bake field `field`, converted by `convert`.
    const fn feeds(mut self, field: &'static str, convert: Convert) -> Self {
        self.field = Some(field);
        self.convert = convert;
        self
    }

    const fn explained(mut self, explains: Explains) -> Self {
        self.explains = explains;
        self
    }

    const fn merged(mut self, merge: Merge) -> Self {
        self.merge = merge;
        self
    }

    const fn unique_entries(mut self) -> Self {
        self.unique_entries = true;
        self
    }

    const fn normalized(mut self, normalize: Normalize) -> Self {
        self.normalize = normalize;
        self
    }

    const fn holds(mut self, paths: Paths) -> Self {
        self.paths = paths;
        self
    }

    const fn short_form(mut self) -> Self {
        self.short_form = true;
        self
    }

    const fn checked(mut self, check: fn(&KeyInProject<'_>) -> LoadResult<()>) -> Self {
        self.check = Some(check);
        self
    }
}

const STRING: Schema = Schema::Types(&["string"]);
const BOOLEAN_OR_STRING: Schema = Schema::Types(&["boolean", "string"]);
const INTEGER_OR_STRING: Schema = Schema::Types(&["integer", "string"]);

/// The keys of a service's `build` section, in the order the stages visit them.
pub(crate) const BUILD_KEYS: &[BuildKey] = &[
    BuildKey::new("context", STRING)
        .feeds("context", Convert::ByFieldType)
        .holds(Paths::Context)
        .short_form(),
    BuildKey::new("dockerfile", STRING).feeds("dockerfile", Convert::ByFieldType),
    BuildKey::new("shm_size", INTEGER_OR_STRING)
        .feeds("shm-size", Convert::Text(convert::memory_size)),
    BuildKey::new("network", STRING).feeds("network", Convert::ByFieldType),
    BuildKey::new("ulimits", Schema::Custom(validate::check_ulimit_map))
        .normalized(Normalize::Check(normalize::check_ulimit_types))
        .feeds("ulimits", Convert::Strings(convert::ulimit_options)),
    BuildKey::new("extra_hosts", Schema::Custom(validate::check_hosts))
        .merged(Merge::Union)
        .feeds("extra-hosts", Convert::NullableMap(convert::host_addresses)),
    BuildKey::new("secrets", Schema::Custom(validate::check_build_secrets))
        .normalized(Normalize::Reshape(normalize::secrets_as_mappings))
        .checked(validate::secrets_are_defined)
        .feeds("secret", Convert::Entries(convert::secrets)),
    BuildKey::new("dockerfile_inline", STRING)
        .checked(validate::not_with_a_dockerfile)
        .feeds("dockerfile-inline", Convert::ByFieldType)
        .explained(Explains::Key),
    BuildKey::new("additional_contexts", Schema::ListOrDict)
        .merged(Merge::Entries)
        .unique_entries()
        .normalized(Normalize::Reshape(normalize::entries_as_mapping))
        .holds(Paths::Contexts)
        .feeds("contexts", Convert::Map(convert::named_contexts)),
    BuildKey::new("ssh", Schema::ListOrDict)
        .normalized(Normalize::Reshape(normalize::ssh_as_mapping))
        .holds(Paths::Files)
        .feeds("ssh", Convert::Entries(convert::ssh)),
    BuildKey::new("labels", Schema::ListOrDict)
        .merged(Merge::Entries)
        .unique_entries()
        .feeds("labels", Convert::NullableMap(convert::labels)),
    BuildKey::new("cache_from", Schema::StringList).feeds("cache-from", Convert::ByFieldType),
    BuildKey::new("cache_to", Schema::StringList).feeds("cache-to", Convert::ByFieldType),
    BuildKey::new("sbom", BOOLEAN_OR_STRING)
        .normalized(Normalize::Reshape(normalize::scalar_as_text))
        .feeds("attest", Convert::Entries(convert::attestation))
        .explained(Explains::XBakeOnly),
    BuildKey::new("provenance", BOOLEAN_OR_STRING)
        .normalized(Normalize::Reshape(normalize::scalar_as_text))
        .feeds("attest", Convert::Entries(convert::attestation))
        .explained(Explains::XBakeOnly),
    BuildKey::new("no_cache", BOOLEAN_OR_STRING).feeds("no-cache", Convert::ByFieldType),
    BuildKey::new("pull", BOOLEAN_OR_STRING).feeds("pull", Convert::ByFieldType),
    BuildKey::new("tags", Schema::StringList)
        .unique_entries()
        .feeds("tags", Convert::ByFieldType),
    BuildKey::new("platforms", Schema::StringList).feeds("platforms", Convert::ByFieldType),
    BuildKey::new("args", Schema::ListOrDict)
        .merged(Merge::Entries)
        .unique_entries()
        .feeds("args", Convert::NullableMap(convert::args)),
    BuildKey::new("target", STRING).feeds("target", Convert::ByFieldType),
    // Not lowered, but `--explain` names it as where its field came from.
    BuildKey::new("entitlements", Schema::StringList).feeds("entitlements", Convert::Nothing),
    BuildKey::new("no_cache_filter", Schema::StringOrList),
    BuildKey::new("isolation", STRING),
    BuildKey::new("privileged", BOOLEAN_OR_STRING),
    BuildKey::extension(&X_BAKE),
    BuildKey::extension(&X_DEPOT),
];

/// The key `build: PATH` is short for.
pub(crate) const SHORT_FORM_KEY: &str = {
    let mut i = 0;
    while !BUILD_KEYS[i].short_form {
        i += 1;
    }
    BUILD_KEYS[i].name
};

/// The row of build key `name`.
pub(crate) fn build_key(name: &str) -> Option<&'static BuildKey> {
    BUILD_KEYS.iter().find(|k| k.name == name)
}

/// The first row that feeds bake field `field`.
pub(crate) fn feeding(field: &str) -> Option<&'static BuildKey> {
    BUILD_KEYS.iter().find(|k| k.field == Some(field))
}

#[cfg(test)]
mod tests {
    use bake_core::api::frontend::TargetDef;

    use super::*;

    #[test]
    fn every_field_is_a_target_field_of_the_type_its_conversion_sets() {
        for key in BUILD_KEYS {
            let Some(field) = key.field else {
                assert!(
                    matches!(key.convert, Convert::Nothing | Convert::Extension(_)),
                    "{} converts but feeds no field",
                    key.name
                );
                continue;
            };
            let ty = TargetDef::field_type(field);
            assert!(ty.is_some(), "{}: no bake field {field}", key.name);
            match key.convert {
                Convert::ByFieldType => assert!(
                    matches!(
                        ty,
                        Some(DefType::Text | DefType::Strings | DefType::Entries | DefType::Flag)
                    ),
                    "{}: {field} is {ty:?}",
                    key.name
                ),
                convert => {
                    if let Some(want) = convert.def_type() {
                        assert_eq!(ty, Some(want), "{}: {field}", key.name);
                    }
                }
            }
        }
    }

    #[test]
    fn extensions_set_target_fields() {
        for extension in [&X_BAKE, &X_DEPOT] {
            for (key, field) in extension.keys {
                assert!(
                    TargetDef::field_type(field).is_some(),
                    "{}.{key}: no bake field {field}",
                    extension.name
                );
            }
        }
    }

    #[test]
    fn keys_are_unique_and_the_short_form_is_the_context() {
        for (i, key) in BUILD_KEYS.iter().enumerate() {
            assert!(
                BUILD_KEYS[..i].iter().all(|k| k.name != key.name),
                "{} twice",
                key.name
            );
        }
        assert_eq!(feeding("context").map(|k| k.name), Some(SHORT_FORM_KEY));
    }
}
