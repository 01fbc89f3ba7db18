//! The keys of a service's `build` section, one row each.
//!
//! A row says what the compose-spec schema accepts for the key, how a later file's value
//! merges with an earlier one, and how the value is normalized and which relative paths it
//! holds. Validation, merging and normalization read these rows.
//!
//! The stages visit the rows in order, so the order decides which error a service with
//! several bad keys reports first.

use crate::loader::LoadResult;
use crate::normalize;
use crate::validate;
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
        }
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
}

const STRING: Schema = Schema::Types(&["string"]);
const BOOLEAN_OR_STRING: Schema = Schema::Types(&["boolean", "string"]);
const INTEGER_OR_STRING: Schema = Schema::Types(&["integer", "string"]);

/// The keys of a service's `build` section, in the order the stages visit them.
pub(crate) const BUILD_KEYS: &[BuildKey] = &[
    BuildKey::new("context", STRING)
        .holds(Paths::Context)
        .short_form(),
    BuildKey::new("dockerfile", STRING),
    BuildKey::new("shm_size", INTEGER_OR_STRING),
    BuildKey::new("network", STRING),
    BuildKey::new("ulimits", Schema::Custom(validate::check_ulimits))
        .normalized(Normalize::Check(normalize::check_ulimit_types)),
    BuildKey::new("extra_hosts", Schema::Custom(validate::check_extra_hosts)).merged(Merge::Union),
    BuildKey::new("secrets", Schema::Custom(validate::check_build_secrets))
        .normalized(Normalize::Reshape(normalize::secrets_as_mappings)),
    BuildKey::new("dockerfile_inline", STRING),
    BuildKey::new("additional_contexts", Schema::ListOrDict)
        .merged(Merge::Entries)
        .unique_entries()
        .normalized(Normalize::Reshape(normalize::entries_as_mapping))
        .holds(Paths::Contexts),
    BuildKey::new("ssh", Schema::ListOrDict)
        .normalized(Normalize::Reshape(normalize::ssh_as_mapping))
        .holds(Paths::Files),
    BuildKey::new("labels", Schema::ListOrDict)
        .merged(Merge::Entries)
        .unique_entries(),
    BuildKey::new("cache_from", Schema::StringList),
    BuildKey::new("cache_to", Schema::StringList),
    BuildKey::new("sbom", BOOLEAN_OR_STRING)
        .normalized(Normalize::Reshape(normalize::scalar_as_text)),
    BuildKey::new("provenance", BOOLEAN_OR_STRING)
        .normalized(Normalize::Reshape(normalize::scalar_as_text)),
    BuildKey::new("no_cache", BOOLEAN_OR_STRING),
    BuildKey::new("pull", BOOLEAN_OR_STRING),
    BuildKey::new("tags", Schema::StringList).unique_entries(),
    BuildKey::new("platforms", Schema::StringList),
    BuildKey::new("args", Schema::ListOrDict)
        .merged(Merge::Entries)
        .unique_entries(),
    BuildKey::new("target", STRING),
    BuildKey::new("entitlements", Schema::StringList),
    BuildKey::new("no_cache_filter", Schema::StringOrList),
    BuildKey::new("isolation", STRING),
    BuildKey::new("privileged", BOOLEAN_OR_STRING),
    BuildKey::new("x-bake", Schema::Any),
    BuildKey::new("x-depot", Schema::Any),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_the_short_form_is_the_context() {
        for (i, key) in BUILD_KEYS.iter().enumerate() {
            assert!(
                BUILD_KEYS[..i].iter().all(|k| k.name != key.name),
                "{} twice",
                key.name
            );
        }
        assert_eq!(SHORT_FORM_KEY, "context");
    }
}
