//! The kinds of fields: how a field lowers from what a file wrote, merges, takes `--set`,
//! normalizes, resolves and prints. The table in the parent module gives each field its
//! kind.

use std::marker::PhantomData;

use crate::entries::{Entry, Resources};
use crate::error::ResolveError;
use crate::json::PrettyWriter;
use crate::map::SortedMap;
use crate::model::RawEntry;
use crate::util::remove_dupes_str;

/// How a field behaves.
pub(crate) trait Kind {
    /// Its value while merging.
    type Work: Clone + std::fmt::Debug;
    /// Its value as written.
    type Def;
    /// Its resolved value.
    type Out;
    /// Whether values merge (maps by key, lists append) rather than replace.
    const MERGES: bool;
    /// The value a file wrote, ready to merge (`base`: the directory paths are rebased onto,
    /// with `BUILDX_BAKE_FILE_RELATIVE_PATHS`).
    ///
    /// # Errors
    /// An entry buildx cannot parse.
    fn lower(key: &str, def: &Self::Def, base: Option<&str>) -> Result<Self::Work, ResolveError>;
    /// Whether [`Kind::lower`] would succeed, without keeping the result (entries buildx
    /// cannot parse fail a definition even when its target is not built).
    ///
    /// # Errors
    /// An entry buildx cannot parse.
    fn check(_key: &str, _def: &Self::Def) -> Result<(), ResolveError> {
        Ok(())
    }
    /// `--set` for this field (`Target.AddOverrides`), with the values buildx collected.
    ///
    /// # Errors
    /// A value that does not parse, or a map key given without its name.
    fn set(value: &mut Option<Self::Work>, set: &SetArgs<'_>) -> Result<(), ResolveError>;
    /// The field as written, by type, for frontends that set fields by key.
    fn def_field(value: &mut Option<Self::Def>) -> DefField<'_>;
    /// `Target.Merge` for this field: `from`, set by a later definition, onto `into`.
    fn merge(into: &mut Option<Self::Work>, from: Self::Work);
    /// `Target.normalize` for this field.
    fn normalize(_value: &mut Option<Self::Work>) {}
    /// The resolved value.
    fn finish(value: Option<Self::Work>) -> Self::Out;
    /// Whether `--print` shows it.
    fn shows(value: &Self::Out) -> bool;
    /// Writes it as `--print` does (only called when [`Kind::shows`]).
    fn write(value: &Self::Out, w: &mut PrettyWriter);
    /// Whether it is part of a build's identity (the build key): everything that decides
    /// what a build produces is; `description` is not.
    const IN_KEY: bool = true;
    /// Writes it into the build key (only called when [`Kind::shows`]). By default the key
    /// holds the `--print` form, so content ids stay what they have been; `links` gives the
    /// key of the build a `target:` context names.
    fn write_key(value: &Self::Out, w: &mut PrettyWriter, links: &dyn Fn(&str) -> Option<String>) {
        let _ = links;
        Self::write(value, w);
    }
}

/// A field of a [`TargetDef`](super::TargetDef) by the type a file writes it with, as
/// [`TargetDef::field_mut`](super::TargetDef::field_mut) gives it: frontends decode a value by this type and set it.
#[derive(Debug)]
pub enum DefField<'a> {
    /// A string.
    Text(&'a mut Option<String>),
    /// A boolean.
    Flag(&'a mut Option<bool>),
    /// A list of strings.
    Strings(&'a mut Option<Vec<String>>),
    /// A map of strings (`contexts`).
    Map(&'a mut Option<SortedMap<String>>),
    /// A map whose values may be `null` (`args`, `labels`, `extra-hosts`).
    NullableMap(&'a mut Option<SortedMap<Option<String>>>),
    /// A list of entries, each a CSV string or an object (`cache-from`, `output`, ...).
    Entries(&'a mut Option<Vec<RawEntry>>),
    /// One object (`resources`).
    Object(&'a mut Option<RawEntry>),
}

impl DefField<'_> {
    /// The type, without the field.
    #[must_use]
    pub fn ty(&self) -> DefType {
        match self {
            DefField::Text(_) => DefType::Text,
            DefField::Flag(_) => DefType::Flag,
            DefField::Strings(_) => DefType::Strings,
            DefField::Map(_) => DefType::Map,
            DefField::NullableMap(_) => DefType::NullableMap,
            DefField::Entries(_) => DefType::Entries,
            DefField::Object(_) => DefType::Object,
        }
    }
}

/// The types of [`DefField`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DefType {
    /// A string.
    Text,
    /// A boolean.
    Flag,
    /// A list of strings.
    Strings,
    /// A map of strings.
    Map,
    /// A map whose values may be `null`.
    NullableMap,
    /// A list of entries.
    Entries,
    /// One object.
    Object,
}

/// How `--set` collects the values of a key (buildx's `newOverrides`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetForm {
    /// `T.KEY=VALUE`: the last value wins.
    Value,
    /// `T.KEY=V`, repeatable; `T.KEY+=V` adds to what the file has.
    List,
    /// As [`SetForm::List`], always added to what the file has.
    ListAdds,
    /// `T.KEY.NAME=VALUE`, without `+=`.
    Named,
    /// `T.KEY.NAME=VALUE`, or `T.KEY.NAME` alone for the value of the environment variable
    /// `NAME`.
    NamedFromEnv,
}

/// What `--set` collected for one key of one target.
#[derive(Debug)]
pub(crate) struct SetArgs<'a> {
    /// The key as `--set` names it (`platform`, `args`, ...).
    pub key: &'a str,
    /// The part after the key (`args.NAME`), for map keys.
    pub name: Option<&'a str>,
    /// The last value ([`SetForm::Value`] and the named forms).
    pub value: &'a str,
    /// Every value, in order (the list forms).
    pub arr: &'a [String],
    /// Whether the values are added (`+=`, or [`SetForm::ListAdds`]).
    pub append: bool,
}

impl SetArgs<'_> {
    /// The map key (`args.NAME`), required.
    pub(crate) fn need_name(&self) -> Result<&str, ResolveError> {
        self.name.ok_or_else(|| ResolveError::OverrideFormat {
            field: self.key.to_string(),
            expected: format!("{}.<name>=<value>", self.key),
        })
    }
}

fn set_list<T>(into: &mut Option<Vec<T>>, from: Vec<T>, append: bool) {
    match into {
        Some(v) if append => v.extend(from),
        _ => *into = Some(from),
    }
}

/// Text a later definition replaces (`target`, `network`, `call`, ...); with `TEMPLATE`,
/// printed with buildx's template escape ([`Template`]).
#[derive(Debug)]
pub(crate) struct Text<const TEMPLATE: bool = false>;

/// [`Text`] printed with buildx's template escape (`dockerfile-inline`).
pub(crate) type Template = Text<true>;

impl<const TEMPLATE: bool> Kind for Text<TEMPLATE> {
    type Work = String;
    type Def = String;
    type Out = Option<String>;
    const MERGES: bool = false;
    fn def_field(v: &mut Option<String>) -> DefField<'_> {
        DefField::Text(v)
    }
    fn lower(_: &str, d: &String, _: Option<&str>) -> Result<String, ResolveError> {
        Ok(d.clone())
    }
    fn merge(into: &mut Option<String>, from: String) {
        *into = Some(from);
    }
    fn set(v: &mut Option<String>, set: &SetArgs<'_>) -> Result<(), ResolveError> {
        *v = Some(set.value.to_string());
        Ok(())
    }
    fn finish(v: Option<String>) -> Option<String> {
        v
    }
    fn shows(v: &Option<String>) -> bool {
        v.is_some()
    }
    fn write(v: &Option<String>, w: &mut PrettyWriter) {
        let v = v.as_deref().unwrap_or_default();
        if TEMPLATE {
            w.str_tpl(v);
        } else {
            w.str(v);
        }
    }
}

/// Text that is always shown, defaulted by the resolver (`dockerfile`); with `REBASE`, a
/// path rebased onto the file's directory (`context`).
#[derive(Debug)]
pub(crate) struct Required<const REBASE: bool>;

impl<const REBASE: bool> Kind for Required<REBASE> {
    type Work = String;
    type Def = String;
    type Out = String;
    const MERGES: bool = false;
    fn def_field(v: &mut Option<String>) -> DefField<'_> {
        DefField::Text(v)
    }
    fn lower(_: &str, d: &String, base: Option<&str>) -> Result<String, ResolveError> {
        Ok(match base {
            Some(b) if REBASE => crate::resolve::rebase(b, d),
            _ => d.clone(),
        })
    }
    fn merge(into: &mut Option<String>, from: String) {
        *into = Some(from);
    }
    fn set(v: &mut Option<String>, set: &SetArgs<'_>) -> Result<(), ResolveError> {
        *v = Some(set.value.to_string());
        Ok(())
    }
    fn finish(v: Option<String>) -> String {
        v.unwrap_or_default()
    }
    fn shows(_: &String) -> bool {
        true
    }
    fn write(v: &String, w: &mut PrettyWriter) {
        w.str(v);
    }
}

/// `description`: an empty string does not replace an earlier one.
#[derive(Debug)]
pub(crate) struct Description;

impl Kind for Description {
    const IN_KEY: bool = false;
    type Work = String;
    type Def = String;
    type Out = String;
    const MERGES: bool = false;
    fn def_field(v: &mut Option<String>) -> DefField<'_> {
        DefField::Text(v)
    }
    fn lower(_: &str, d: &String, _: Option<&str>) -> Result<String, ResolveError> {
        Ok(d.clone())
    }
    fn merge(into: &mut Option<String>, from: String) {
        if !from.is_empty() {
            *into = Some(from);
        }
    }
    fn set(v: &mut Option<String>, set: &SetArgs<'_>) -> Result<(), ResolveError> {
        *v = Some(set.value.to_string());
        Ok(())
    }
    fn finish(v: Option<String>) -> String {
        v.unwrap_or_default()
    }
    fn shows(v: &String) -> bool {
        !v.is_empty()
    }
    fn write(v: &String, w: &mut PrettyWriter) {
        w.str(v);
    }
}

/// A flag a later definition replaces (`pull`, `no-cache`).
#[derive(Debug)]
pub(crate) struct Flag;

impl Kind for Flag {
    type Work = bool;
    type Def = bool;
    type Out = Option<bool>;
    const MERGES: bool = false;
    fn def_field(v: &mut Option<bool>) -> DefField<'_> {
        DefField::Flag(v)
    }
    fn lower(_: &str, d: &bool, _: Option<&str>) -> Result<bool, ResolveError> {
        Ok(*d)
    }
    fn merge(into: &mut Option<bool>, from: bool) {
        *into = Some(from);
    }
    fn set(v: &mut Option<bool>, set: &SetArgs<'_>) -> Result<(), ResolveError> {
        *v = Some(
            crate::go::parse_bool(set.value).ok_or_else(|| ResolveError::InvalidBool {
                key: set.key.to_string(),
                value: set.value.to_string(),
            })?,
        );
        Ok(())
    }
    fn finish(v: Option<bool>) -> Option<bool> {
        v
    }
    fn shows(v: &Option<bool>) -> bool {
        v.is_some()
    }
    fn write(v: &Option<bool>, w: &mut PrettyWriter) {
        w.bool(v.unwrap_or_default());
    }
}

/// A list of strings, deduplicated when resolved; with `APPEND` later definitions add to it
/// (else replace it), with `TEMPLATE` printed with the template escape (`annotations`).
#[derive(Debug)]
pub(crate) struct Strings<const APPEND: bool, const TEMPLATE: bool>;

impl<const APPEND: bool, const TEMPLATE: bool> Kind for Strings<APPEND, TEMPLATE> {
    type Work = Vec<String>;
    type Def = Vec<String>;
    type Out = Vec<String>;
    const MERGES: bool = APPEND;
    fn def_field(v: &mut Option<Vec<String>>) -> DefField<'_> {
        DefField::Strings(v)
    }
    fn lower(_: &str, d: &Vec<String>, _: Option<&str>) -> Result<Vec<String>, ResolveError> {
        Ok(d.clone())
    }
    fn merge(into: &mut Option<Vec<String>>, from: Vec<String>) {
        match into {
            Some(v) if APPEND => v.extend(from),
            _ => *into = Some(from),
        }
    }
    fn normalize(v: &mut Option<Vec<String>>) {
        *v = v.take().map(remove_dupes_str);
    }
    fn set(v: &mut Option<Vec<String>>, set: &SetArgs<'_>) -> Result<(), ResolveError> {
        set_list(v, set.arr.to_vec(), set.append);
        Ok(())
    }
    fn finish(v: Option<Vec<String>>) -> Vec<String> {
        v.unwrap_or_default()
    }
    fn shows(v: &Vec<String>) -> bool {
        !v.is_empty()
    }
    fn write(v: &Vec<String>, w: &mut PrettyWriter) {
        if TEMPLATE {
            w.open('[');
            for a in v {
                w.elem();
                w.str_tpl(a);
            }
            w.close(']');
        } else {
            w.strs(v);
        }
    }
}

/// A map whose `null` values never override (`args`, `labels`, `extra-hosts`).
#[derive(Debug)]
pub(crate) struct NullableMap;

type OptMap = SortedMap<Option<String>>;

impl Kind for NullableMap {
    type Work = OptMap;
    type Def = OptMap;
    type Out = OptMap;
    const MERGES: bool = true;
    fn def_field(v: &mut Option<OptMap>) -> DefField<'_> {
        DefField::NullableMap(v)
    }
    fn lower(_: &str, d: &OptMap, _: Option<&str>) -> Result<OptMap, ResolveError> {
        Ok(d.clone())
    }
    fn merge(into: &mut Option<OptMap>, from: OptMap) {
        if into.is_none() && !from.is_empty() && from.values().all(Option::is_some) {
            *into = Some(from);
            return;
        }
        for (k, v) in from {
            if v.is_some() {
                into.get_or_insert_with(SortedMap::new).insert(k, v);
            }
        }
    }
    fn set(v: &mut Option<OptMap>, set: &SetArgs<'_>) -> Result<(), ResolveError> {
        let name = set.need_name()?;
        v.get_or_insert_with(SortedMap::new)
            .insert(name.to_string(), Some(set.value.to_string()));
        Ok(())
    }
    fn finish(v: Option<OptMap>) -> OptMap {
        v.unwrap_or_default()
    }
    fn shows(v: &OptMap) -> bool {
        !v.is_empty()
    }
    fn write(v: &OptMap, w: &mut PrettyWriter) {
        w.open('{');
        for (k, v) in v {
            w.key(k);
            match v {
                Some(v) => w.str_tpl(v),
                None => w.null(),
            }
        }
        w.close('}');
    }
}

/// `contexts`: merged by name, paths rebased onto the file's directory, empty values
/// dropped when resolved.
#[derive(Debug)]
pub(crate) struct Contexts;

type StrMap = SortedMap<String>;

impl Kind for Contexts {
    type Work = StrMap;
    type Def = StrMap;
    type Out = StrMap;
    const MERGES: bool = true;
    fn def_field(v: &mut Option<StrMap>) -> DefField<'_> {
        DefField::Map(v)
    }
    fn lower(_: &str, d: &StrMap, base: Option<&str>) -> Result<StrMap, ResolveError> {
        Ok(match base {
            Some(b) => d
                .iter()
                .map(|(k, v)| (k.clone(), crate::resolve::rebase(b, v)))
                .collect(),
            None => d.clone(),
        })
    }
    fn merge(into: &mut Option<StrMap>, from: StrMap) {
        match into {
            Some(m) => m.extend(from),
            None => *into = Some(from),
        }
    }
    fn normalize(v: &mut Option<StrMap>) {
        if let Some(cs) = v {
            cs.retain(|_, v| !v.is_empty());
            if cs.is_empty() {
                *v = None;
            }
        }
    }
    fn set(v: &mut Option<StrMap>, set: &SetArgs<'_>) -> Result<(), ResolveError> {
        let name = set.need_name()?;
        v.get_or_insert_with(SortedMap::new)
            .insert(name.to_string(), set.value.to_string());
        Ok(())
    }
    fn finish(v: Option<StrMap>) -> StrMap {
        v.unwrap_or_default()
    }
    fn shows(v: &StrMap) -> bool {
        !v.is_empty()
    }
    fn write(v: &StrMap, w: &mut PrettyWriter) {
        w.open('{');
        for (k, v) in v {
            w.key(k);
            w.str(v);
        }
        w.close('}');
    }
    fn write_key(v: &StrMap, w: &mut PrettyWriter, links: &dyn Fn(&str) -> Option<String>) {
        w.open('{');
        for (k, v) in v {
            w.key(k);
            match v.strip_prefix("target:").and_then(links) {
                Some(h) => {
                    w.out.push_str("\"target:#");
                    w.out.push_str(&h);
                    w.out.push('"');
                }
                None => w.str(v),
            }
        }
        w.close('}');
    }
}

/// A list of entries of type `E`, combined with a later definition's list as `M` says:
/// [`MERGE`] (buildflags' `Merge`: appended, then normalized: `attest`, `cache-from`,
/// `secret`, `ssh`), [`REPLACE`] (`cache-to`, `output`) or [`APPEND`] (as they are, never
/// normalized: `policy`).
#[derive(Debug)]
pub(crate) struct Entries<E, const M: u8>(PhantomData<E>);

/// [`Entries`] combined with buildflags' `Merge`.
pub(crate) const MERGE: u8 = 0;
/// [`Entries`] replaced by a later definition.
pub(crate) const REPLACE: u8 = 1;
/// [`Entries`] appended to.
pub(crate) const APPEND: u8 = 2;

impl<E: Entry, const M: u8> Kind for Entries<E, M> {
    type Work = Vec<E>;
    type Def = Vec<RawEntry>;
    type Out = Vec<E>;
    const MERGES: bool = M != REPLACE;
    fn def_field(v: &mut Option<Vec<RawEntry>>) -> DefField<'_> {
        DefField::Entries(v)
    }
    fn lower(key: &str, d: &Vec<RawEntry>, _: Option<&str>) -> Result<Vec<E>, ResolveError> {
        E::from_raw(key, d)
    }
    fn check(key: &str, d: &Vec<RawEntry>) -> Result<(), ResolveError> {
        E::from_raw(key, d).map(drop)
    }
    fn merge(into: &mut Option<Vec<E>>, from: Vec<E>) {
        match M {
            REPLACE => *into = Some(from),
            APPEND => match into {
                Some(v) => v.extend(from),
                None => *into = Some(from),
            },
            _ => *into = E::merge(into.take(), Some(from)),
        }
    }
    fn normalize(v: &mut Option<Vec<E>>) {
        if M != APPEND {
            *v = v.take().and_then(E::normalize);
        }
    }
    fn set(v: &mut Option<Vec<E>>, set: &SetArgs<'_>) -> Result<(), ResolveError> {
        let parsed = E::parse_list(set.arr)?;
        if M == APPEND {
            set_list(v, parsed, set.append);
        } else if set.append {
            *v = E::merge(v.take(), Some(parsed));
        } else {
            *v = Some(parsed);
        }
        Ok(())
    }
    fn finish(v: Option<Vec<E>>) -> Vec<E> {
        v.unwrap_or_default()
    }
    fn shows(v: &Vec<E>) -> bool {
        !v.is_empty()
    }
    fn write(v: &Vec<E>, w: &mut PrettyWriter) {
        w.open('[');
        for e in v {
            w.elem();
            e.write(w);
        }
        w.close(']');
    }
}

/// `resources`: merged field by field.
#[derive(Debug)]
pub(crate) struct ResourceLimits;

impl Kind for ResourceLimits {
    type Work = Resources;
    type Def = RawEntry;
    type Out = Option<Resources>;
    const MERGES: bool = true;
    fn def_field(v: &mut Option<RawEntry>) -> DefField<'_> {
        DefField::Object(v)
    }
    fn lower(_: &str, d: &RawEntry, _: Option<&str>) -> Result<Resources, ResolveError> {
        Resources::from_raw(d)
    }
    fn check(_: &str, d: &RawEntry) -> Result<(), ResolveError> {
        Resources::from_raw(d).map(drop)
    }
    fn merge(into: &mut Option<Resources>, from: Resources) {
        *into = Some(Resources::merge(into.as_ref(), &from));
    }
    fn set(v: &mut Option<Resources>, set: &SetArgs<'_>) -> Result<(), ResolveError> {
        let name = set.need_name()?;
        v.get_or_insert_with(Resources::default)
            .set_field(name, set.value)
    }
    fn finish(v: Option<Resources>) -> Option<Resources> {
        v
    }
    fn shows(v: &Option<Resources>) -> bool {
        v.is_some()
    }
    fn write(v: &Option<Resources>, w: &mut PrettyWriter) {
        if let Some(r) = v {
            w.value(&r.to_json());
        }
    }
}
