//! `--set`: the overrides given on the command line (and by flags), collected per target
//! as buildx's `newOverrides` does and applied as `Target.AddOverrides` does, each key
//! through the field table; `secret.ID`, `push` and `load` are handled here.

use std::collections::{BTreeMap, HashMap};

use indexmap::IndexMap;

use super::definitions::Definitions;
use crate::entries::{Entry, ExportEntry, SecretEntry};
use crate::error::ResolveError;
use crate::fields::{self, Draft, SetArgs, SetForm};
use crate::go::parse_bool;
use crate::source::Origin;
use crate::util::{did_you_mean, FxBuildHasher};

/// One `--set` key's accumulated value(s) for one target.
#[derive(Debug, Clone, Default)]
pub(super) struct Override {
    value: String,
    arr: Vec<String>,
    append: bool,
    text: String,
    /// The flag it stands for, when a flag made it.
    flag: Option<String>,
}

pub(super) type Overrides = HashMap<String, IndexMap<String, Override>, FxBuildHasher>;

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
/// The first bad value, as [`resolve`](super::resolve) would report it.
pub fn check_overrides(set: &[String]) -> Result<(), ResolveError> {
    for text in set {
        let SetText {
            lhs, append, keys, ..
        } = split_set(text)?;
        if !OVERRIDE_KEYS.contains(&keys[1]) {
            return Err(ResolveError::UnknownOverrideKey {
                key: keys[1].to_string(),
                help: did_you_mean(keys[1], OVERRIDE_KEYS),
            });
        }
        let form = form_of(keys[1]);
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

/// One `--set` value split as buildx's `newOverrides` splits it.
struct SetText<'t> {
    /// `TARGET.KEY[.NAME]`, with a trailing `+` when adding.
    lhs: &'t str,
    /// What follows `=`, if anything.
    value: Option<&'t str>,
    /// `+=`.
    append: bool,
    /// The target pattern, the key, and the name (`args.NAME`) when there is one.
    keys: Vec<&'t str>,
}

/// Splits `text`; a key without a target, or a value missing where one is needed, is an
/// error.
fn split_set(text: &str) -> Result<SetText<'_>, ResolveError> {
    let (lhs, value) = match text.split_once('=') {
        Some((l, v)) => (l, Some(v)),
        None => (text, None),
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
        return Err(ResolveError::OverrideValue {
            text: text.to_string(),
        });
    }
    Ok(SetText {
        lhs,
        value,
        append,
        keys,
    })
}

/// How `--set` collects key `key`: the field table's forms, plus the resolver's own keys.
fn form_of(key: &str) -> Option<SetForm> {
    match key {
        "secret" => Some(SetForm::Named),
        "push" | "load" => Some(SetForm::Value),
        k => fields::set_form(k),
    }
}

/// The `--print` key a `--set` key changes.
fn print_key(key: &str) -> &'static str {
    match key {
        "secret" => "secret",
        "push" | "load" => "output",
        k => fields::print_key_of(k).unwrap_or("unknown"),
    }
}

impl Definitions<'_> {
    /// `newOverrides`.
    pub(super) fn new_overrides(
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
            let SetText {
                lhs,
                value,
                append,
                keys,
            } = split_set(text)?;
            let names = self.expand_targets(keys[0])?;
            let okey = keys[1..].join(".");
            'names: for name in names {
                let t = m.entry(name).or_default();
                let mut o = t.get(&okey).cloned().unwrap_or_default();
                o.text = text.clone();
                o.flag = flag.cloned();
                let form = form_of(keys[1]);
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
    pub(super) fn add_overrides(
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
