//! The services with a `build` section as bake targets (buildx `ParseCompose` after
//! `ModelToProject`), each build key lowered as its row of the build key table says and set
//! through [`TargetDef::field_mut`].

use bake_core::api::frontend::DefField;
use bake_core::api::frontend::{Config, GroupDef, RawEntry, TargetDef};

use crate::build_keys::{build_key, BuildKey, Convert, BUILD_KEYS};
use crate::convert::{is_true, string_list, target_name, text_value, Conversion};
use crate::loader::{error, LoadResult, Loader};
use crate::validate::check_consistency;
use crate::yaml::{Map, Value};

/// The field a service's `image` sets when its build section sets no tags.
pub(crate) const IMAGE_FIELD: &str = "tags";

impl Loader<'_> {
    /// The services with `build` as targets, in the `default` group (`consistency`: check
    /// the project first, as the combined load does; `first_file_dir`: the targets'
    /// [`TargetDef::file_dir`]).
    pub(crate) fn lower_services(
        &mut self,
        model: &Map,
        consistency: bool,
        first_file_dir: Option<&str>,
    ) -> LoadResult<Config> {
        let empty = Map::new();
        let section = |key: &str| match model.get(key) {
            Some(Value::Map(m)) => m,
            _ => &empty,
        };
        let services = section("services");
        let secrets = section("secrets");
        if consistency {
            check_consistency(services, secrets)?;
        }
        let mut config = Config::default();
        if services.is_empty() {
            return Ok(config);
        }
        let mut group = GroupDef {
            name: "default".into(),
            ..GroupDef::default()
        };
        for (name, service) in services {
            let Value::Map(service) = service else {
                continue;
            };
            let Some(mut target) = self.lower_service(name, service, secrets)? else {
                continue;
            };
            if let Some(d) = first_file_dir {
                target.file_dir = Some(d.to_string());
            }
            group.targets.push(target.name.clone());
            config.targets.push(target);
        }
        config.groups.push(group);
        Ok(config)
    }

    /// Service `name` as a target; `None` without a build section.
    fn lower_service(
        &mut self,
        name: &str,
        service: &Map,
        secrets: &Map,
    ) -> LoadResult<Option<TargetDef>> {
        let environment = self.service_environment(service)?;
        let Some(Value::Map(build)) = service.get("build") else {
            return Ok(None);
        };
        let mut target = TargetDef {
            name: checked_target_name(name)?,
            ..TargetDef::default()
        };
        for key in BUILD_KEYS {
            let conversion = Conversion {
                key: key.name,
                value: build.get(key.name),
                environment: &environment,
                variables: &self.variables,
                secrets,
            };
            lower_key(&mut target, key, &conversion)?;
        }
        // The extensions last, in the file's order, over what the keys set.
        for (k, v) in build {
            if let Some(Convert::Extension(extension)) = build_key(k).map(|key| key.convert) {
                (extension.lower)(extension, &mut target, v, name, &mut self.warnings)?;
            }
        }
        tag_with_image(&mut target, service);
        Ok(Some(target))
    }
}

/// The name of service `name`'s target, which buildx restricts.
fn checked_target_name(name: &str) -> LoadResult<String> {
    let target = target_name(name);
    if target.is_empty()
        || !target
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(error(format!(
            "invalid service name {target:?}: only \"[a-zA-Z0-9_-]+\" are allowed"
        )));
    }
    Ok(target)
}

/// Sets the field `key` feeds from its value, as its row says.
fn lower_key(target: &mut TargetDef, key: &BuildKey, input: &Conversion<'_>) -> LoadResult<()> {
    let Some(field) = key.field else {
        return Ok(());
    };
    let Some(slot) = target.field_mut(field) else {
        unreachable!(
            "build key {}: no bake field {field} (see the build_keys tests)",
            key.name
        );
    };
    match (key.convert, slot) {
        (Convert::Nothing | Convert::Extension(_), _) => {}
        (Convert::ByFieldType, slot) => set_by_field_type(key, slot, input.value),
        (Convert::Text(convert), DefField::Text(slot)) => {
            if let Some(v) = convert(input)? {
                *slot = Some(v);
            }
        }
        (Convert::Strings(convert), DefField::Strings(slot)) => {
            if let Some(v) = convert(input)? {
                slot.get_or_insert_with(Vec::new).extend(v);
            }
        }
        (Convert::Map(convert), DefField::Map(slot)) => {
            if let Some(v) = convert(input)? {
                *slot = Some(v.into());
            }
        }
        (Convert::NullableMap(convert), DefField::NullableMap(slot)) => {
            if let Some(v) = convert(input)? {
                *slot = Some(v.into());
            }
        }
        (Convert::Entries(convert), DefField::Entries(slot)) => {
            if let Some(v) = convert(input)? {
                slot.get_or_insert_with(Vec::new).extend(v);
            }
        }
        (convert, slot) => unreachable!(
            "build key {} converts to {:?}, but bake field {field} is {:?} (see the build_keys \
             tests)",
            key.name,
            convert.def_type(),
            slot.ty()
        ),
    }
    Ok(())
}

/// Sets a field from a value by the field's type: text (unless empty), a list of strings or
/// of entries (unless empty), a flag (only when true).
fn set_by_field_type(key: &BuildKey, slot: DefField<'_>, value: Option<&Value>) {
    match slot {
        DefField::Text(slot) => {
            if let Some(v) = text_value(value) {
                *slot = Some(v);
            }
        }
        DefField::Flag(slot) => {
            if is_true(value) {
                *slot = Some(true);
            }
        }
        DefField::Strings(slot) => {
            let items = string_list(value);
            if !items.is_empty() {
                slot.get_or_insert_with(Vec::new).extend(items);
            }
        }
        DefField::Entries(slot) => {
            let items = string_list(value);
            if !items.is_empty() {
                slot.get_or_insert_with(Vec::new)
                    .extend(items.into_iter().map(RawEntry::Str));
            }
        }
        slot => unreachable!(
            "build key {}: a {:?} field has no conversion by type (see the build_keys tests)",
            key.name,
            slot.ty()
        ),
    }
}

/// A service's `image` tags its target when the build section sets no tags.
fn tag_with_image(target: &mut TargetDef, service: &Map) {
    let Some(DefField::Strings(tags)) = target.field_mut(IMAGE_FIELD) else {
        return;
    };
    if tags.as_ref().is_none_or(Vec::is_empty) {
        if let Some(img) = service
            .get("image")
            .map(Value::sprint)
            .filter(|s| !s.is_empty())
        {
            *tags = Some(vec![img]);
        }
    }
}
