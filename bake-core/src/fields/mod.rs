//! The one table of a target's fields. Each row names a field, its `--print` key, its *kind*
//! and its types as written ([`TargetDef`]) and resolved ([`Target`]); from it come both
//! structs, the working form the resolver merges (`Draft`), the single merge (by value),
//! normalization, the resolved form, `--print`'s order and visibility, and which fields
//! merge rather than replace (`--explain`). Adding a buildx attribute is one row here (plus
//! a kind, if none behaves like it, and the frontends' spelling of it).
//!
//! A kind ([`Kind`]) says how a field lowers from what a file wrote, merges (`Target.Merge`),
//! normalizes, defaults and prints.

mod kinds;

use std::collections::BTreeMap;

pub use kinds::*;

use crate::entries::{
    Attest, CacheEntry, ExportEntry, PolicyEntry, Resources, SecretEntry, SshEntry,
};
use crate::error::ResolveError;
use crate::json::PrettyWriter;
use crate::map::SortedMap;
use crate::model::RawEntry;
use crate::source::Origin;

macro_rules! target_fields {
    ($(
        $(#[doc = $doc:literal])*
        $field:ident $key:literal : $kind:ty, $def:ty => $out:ty
            $(, set $skey:literal as $form:ident)?;
    )*) => {
        /// A target as written in one file; `None` means "not set here".
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct TargetDef {
            /// The target's name (its block label, or the matrix-expanded name).
            pub name: String,
            /// `inherits`: the targets whose fields this one starts from, merged in order
            /// before its own.
            pub inherits: Option<Vec<String>>,
            $( $(#[doc = $doc])* pub $field: Option<$def>, )*
            /// The directory of the file that defined the target, relative to the working
            /// directory (`BUILDX_BAKE_FILE_RELATIVE_PATHS=1` rebases paths onto it); `None`
            /// for stdin.
            pub file_dir: Option<String>,
            /// Where each field that was set came from, by print key (`"tags"`, `"args"`,
            /// ...). Empty unless the frontend records origins; costs nothing when unused.
            pub origins: BTreeMap<&'static str, Origin>,
        }

        impl TargetDef {
            /// The field `key` names (its `--print` key, or `inherits`), for frontends that
            /// set fields by key; `None` for a key buildx does not know.
            pub fn field_mut(&mut self, key: &str) -> Option<DefField<'_>> {
                match key {
                    "inherits" => Some(DefField::Strings(&mut self.inherits)),
                    $( $key => Some(<$kind as Kind>::def_field(&mut self.$field)), )*
                    _ => None,
                }
            }

            /// The type of field `key` ([`TargetDef::field_mut`]).
            #[must_use]
            pub fn field_type(key: &str) -> Option<DefType> {
                TargetDef::default().field_mut(key).map(|f| f.ty())
            }

            /// Whether the field `key` names is set.
            #[must_use]
            pub fn is_set(&self, key: &str) -> bool {
                match key {
                    "inherits" => self.inherits.is_some(),
                    $( $key => self.$field.is_some(), )*
                    _ => false,
                }
            }
        }

        /// A resolved target: defaults applied, entries typed, ready to print or build.
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct Target {
            /// The target's name.
            pub name: String,
            $( $(#[doc = $doc])* pub $field: $out, )*
            /// Pulled in only through a `target:` context of a requested target.
            pub linked: bool,
            /// Where fields came from, by print key; `Origin::Set` for fields changed by
            /// `--set`.
            pub origins: BTreeMap<&'static str, Origin>,
        }

        /// A target while its definitions, parents and overrides are merged, mirroring
        /// buildx's `Target` (unset and empty differ).
        #[derive(Debug, Clone, Default)]
        pub(crate) struct Draft {
            $( pub(crate) $field: Option<<$kind as Kind>::Work>, )*
            pub(crate) inherits: Vec<String>,
            /// `Some(base)` when the definition came from a file (with file-relative paths
            /// on): `Some(Some(dir))` when its context defaults to that directory.
            pub(crate) default_base: Option<Option<String>>,
            pub(crate) linked: bool,
            pub(crate) origins: BTreeMap<&'static str, Origin>,
        }

        impl Draft {
            /// One definition, its entries parsed and (with `frel`) its paths rebased.
            pub(crate) fn lower(d: &TargetDef, frel: bool) -> Result<Draft, ResolveError> {
                let base = if frel { d.file_dir.as_deref() } else { None };
                Ok(Draft {
                    $( $field: match &d.$field {
                        Some(v) => Some(<$kind as Kind>::lower($key, v, base)?),
                        None => None,
                    }, )*
                    inherits: d.inherits.clone().unwrap_or_default(),
                    default_base: base.map(|b| d.context.is_none().then(|| b.to_string())),
                    linked: false,
                    origins: d.origins.clone(),
                })
            }

            /// Fails as [`Draft::lower`] would, without lowering.
            pub(crate) fn check(d: &TargetDef) -> Result<(), ResolveError> {
                $( if let Some(v) = &d.$field {
                    <$kind as Kind>::check($key, v)?;
                } )*
                Ok(())
            }

            /// `Target.Merge`: `o` on top of `self`.
            pub(crate) fn merge(&mut self, o: Draft) {
                $( if let Some(v) = o.$field {
                    <$kind as Kind>::merge(&mut self.$field, v);
                } )*
                if o.default_base.is_some() {
                    self.default_base = o.default_base;
                }
                self.inherits.extend(o.inherits);
                if self.origins.is_empty() {
                    self.origins = o.origins;
                } else {
                    self.origins.extend(o.origins);
                }
            }

            /// `Target.normalize`, field by field.
            pub(crate) fn normalize_fields(&mut self) {
                $( <$kind as Kind>::normalize(&mut self.$field); )*
            }

            /// The resolved target.
            pub(crate) fn finish(self, name: String) -> Target {
                Target {
                    name,
                    $( $field: <$kind as Kind>::finish(self.$field), )*
                    linked: self.linked,
                    origins: self.origins,
                }
            }
        }

        /// The fields of a target's `--print` object, in the order it shows them.
        pub const PRINT_FIELDS: [&str; [$($key),*].len()] = [$($key),*];

        /// Whether field `key` merges (maps by key, lists append) rather than replaces,
        /// through `inherits` and across files.
        #[must_use]
        pub(crate) fn merges(key: &str) -> bool {
            match key {
                $( $key => <$kind as Kind>::MERGES, )*
                _ => false,
            }
        }

        /// How `--set` collects the values of `key` (the keys of fields only; `secret.ID`,
        /// `push` and `load` are the resolver's), `None` for a key it does not know.
        #[must_use]
        pub(crate) fn set_form(key: &str) -> Option<SetForm> {
            match key {
                $($( $skey => Some(SetForm::$form), )?)*
                _ => None,
            }
        }

        /// The `--print` key of `--set` key `key` (`platform` → `platforms`).
        #[must_use]
        pub(crate) fn print_key_of(key: &str) -> Option<&'static str> {
            match key {
                $($( $skey => Some($key), )?)*
                _ => None,
            }
        }

        /// The `--set` keys of fields, in the table's order.
        pub(crate) const SET_KEYS: &[&str] = &[$($($skey,)?)*];

        impl Draft {
            /// Applies `--set` to the field of `set.key`; `None` for a key that is not a
            /// field's.
            pub(crate) fn set(&mut self, set: &SetArgs<'_>) -> Option<Result<(), ResolveError>> {
                match set.key {
                    $($( $skey => Some(<$kind as Kind>::set(&mut self.$field, set)), )?)*
                    _ => None,
                }
            }
        }

        impl Target {
            /// Writes the members of the `--print` object: each field that shows, in
            /// `--print`'s order (straight from the table: no lookup by key).
            pub(crate) fn write_print_fields(&self, w: &mut PrettyWriter) {
                $( if <$kind as Kind>::shows(&self.$field) {
                    w.raw_key($key);
                    <$kind as Kind>::write(&self.$field, w);
                } )*
            }

            /// Writes the build key: every field that decides what the build produces, in
            /// the table's order, as compact JSON (`links` gives the key of the build a
            /// `target:` context names). The build graph hashes it into the content id.
            pub fn write_build_key(
                &self,
                w: &mut PrettyWriter,
                links: &dyn Fn(&str) -> Option<String>,
            ) {
                w.open('{');
                $( if <$kind as Kind>::IN_KEY && <$kind as Kind>::shows(&self.$field) {
                    w.raw_key($key);
                    <$kind as Kind>::write_key(&self.$field, w, links);
                } )*
                w.close('}');
            }

            /// Whether the `--print` object has `key` (empty fields are left out).
            #[must_use]
            pub fn shows(&self, key: &str) -> bool {
                match key {
                    $( $key => <$kind as Kind>::shows(&self.$field), )*
                    _ => false,
                }
            }

            /// Writes the value `--print` shows for `key`, `null` when it shows none.
            pub(crate) fn write_print_value(&self, key: &str, w: &mut PrettyWriter) {
                match key {
                    $( $key if <$kind as Kind>::shows(&self.$field) => {
                        <$kind as Kind>::write(&self.$field, w);
                    } )*
                    _ => w.null(),
                }
            }
        }
    };
}

target_fields! {
    /// `description`: free text shown by `--list`; an empty string does not replace an
    /// earlier one.
    description "description": Description, String => String;
    /// `annotations`: image annotations (`KEY=VALUE`, optionally prefixed `manifest:`);
    /// appended on merge, duplicates removed.
    annotations "annotations": Strings<true, true>, Vec<String> => Vec<String>, set "annotations" as ListAdds;
    /// `attest`: attestations (`type=sbom`, `type=provenance,mode=max`); a later entry of
    /// the same type replaces the earlier one.
    attest "attest": Entries<Attest, MERGE>, Vec<RawEntry> => Vec<Attest>, set "attest" as ListAdds;
    /// `context`: the build context (a path, URL, `cwd://`, ...); defaults to `.`, cleaned
    /// when resolved.
    context "context": Required<true>, String => String, set "context" as Value;
    /// `contexts`: named contexts (`name` → path, image, URL or `target:NAME`); merged by
    /// name, empty values dropped.
    contexts "contexts": Contexts, SortedMap<String> => SortedMap<String>, set "contexts" as NamedFromEnv;
    /// `dockerfile`: the Dockerfile path, relative to the context; defaults to
    /// `Dockerfile`.
    dockerfile "dockerfile": Required<false>, String => String, set "dockerfile" as Value;
    /// `dockerfile-inline`: the Dockerfile's text, used instead of `dockerfile`.
    dockerfile_inline "dockerfile-inline": Template, String => Option<String>;
    /// `args`: build arguments; merged by name. `None` values are args written as `null`
    /// (they do not override an inherited value, and print as `null`).
    args "args": NullableMap, SortedMap<Option<String>> => SortedMap<Option<String>>, set "args" as NamedFromEnv;
    /// `labels`: image labels; merged by name, `None` values (`null`) do not override.
    labels "labels": NullableMap, SortedMap<Option<String>> => SortedMap<Option<String>>, set "labels" as Value;
    /// `tags`: image references to tag the result with; a later definition replaces the
    /// list.
    tags "tags": Strings<false, false>, Vec<String> => Vec<String>, set "tags" as List;
    /// `cache-from`: cache import sources; appended (and deduplicated) on merge.
    cache_from "cache-from": Entries<CacheEntry, MERGE>, Vec<RawEntry> => Vec<CacheEntry>, set "cache-from" as List;
    /// `cache-to`: cache export destinations; a later definition replaces the list.
    cache_to "cache-to": Entries<CacheEntry, REPLACE>, Vec<RawEntry> => Vec<CacheEntry>, set "cache-to" as List;
    /// `target`: the Dockerfile stage to build; `None` builds the last stage.
    target "target": Text, String => Option<String>, set "target" as Value;
    /// `secret`: build secrets (`id=...,src=...` / `env=...`); merged by id.
    secret "secret": Entries<SecretEntry, MERGE>, Vec<RawEntry> => Vec<SecretEntry>, set "secrets" as List;
    /// `ssh`: SSH agent sockets or keys to forward (`default`, `id=path,...`); merged by id.
    ssh "ssh": Entries<SshEntry, MERGE>, Vec<RawEntry> => Vec<SshEntry>, set "ssh" as List;
    /// `platforms`: target platforms (`linux/amd64`); a later definition replaces the
    /// list; empty means the builder's platform.
    platforms "platforms": Strings<false, false>, Vec<String> => Vec<String>, set "platform" as List;
    /// `output`: exporters (`type=image,push=true`, `type=local,dest=out`, a bare path); a
    /// later definition replaces the list. Resolved, after the `push` / `load` overrides; a
    /// target pulled in only through a `target:` context gets a single `cacheonly` output.
    output "output": Entries<ExportEntry, REPLACE>, Vec<RawEntry> => Vec<ExportEntry>, set "output" as List;
    /// `pull`: always pull referenced images; `None` leaves buildx's default.
    pull "pull": Flag, bool => Option<bool>, set "pull" as Value;
    /// `no-cache`: build without the cache; `None` leaves buildx's default.
    no_cache "no-cache": Flag, bool => Option<bool>, set "no-cache" as Value;
    /// `network`: the network mode for `RUN` steps (`default`, `none`, `host`).
    network "network": Text, String => Option<String>, set "network" as List;
    /// `no-cache-filter`: the stages to build without the cache; appended on merge.
    no_cache_filter "no-cache-filter": Strings<true, false>, Vec<String> => Vec<String>, set "no-cache-filter" as Value;
    /// `shm-size`: the size of `/dev/shm` for `RUN` steps (`128m`), validated when resolved.
    shm_size "shm-size": Text, String => Option<String>, set "shm-size" as Value;
    /// `ulimits`: ulimit options for `RUN` steps (`nofile=1024:1024`); appended on merge,
    /// validated when resolved.
    ulimits "ulimits": Strings<true, false>, Vec<String> => Vec<String>, set "ulimits" as Value;
    /// `resources`: cgroup limits for `RUN` steps, an object ([`RawEntry::Map`]; a string is
    /// rejected when resolving); merged field by field.
    resources "resources": ResourceLimits, RawEntry => Option<Resources>, set "resources" as Named;
    /// `call`: the frontend method to call instead of building (`check`, `outline`,
    /// `targets`); resolved, the method from `--call` / `--check` or the file.
    call "call": Text, String => Option<String>, set "call" as Value;
    /// `entitlements`: extra privileges the build may use (`network.host`,
    /// `security.insecure`); appended on merge. Resolved, includes `network.host` when
    /// `network = "host"` and the entitlements of linked targets.
    entitlements "entitlements": Strings<true, false>, Vec<String> => Vec<String>, set "entitlements" as ListAdds;
    /// `extra-hosts`: host-to-IP mappings added to `/etc/hosts`; merged by host, `None`
    /// values (`null`) do not override.
    extra_hosts "extra-hosts": NullableMap, SortedMap<Option<String>> => SortedMap<Option<String>>, set "extra-hosts" as Value;
    /// `policy`: build policy entries (`filename=...,strict=true`); appended on merge.
    policy "policy": Entries<PolicyEntry, APPEND>, Vec<RawEntry> => Vec<PolicyEntry>, set "policy" as List;
    /// Depot extension: the project this target builds in.
    project_id "project_id": Text, String => Option<String>;
}
