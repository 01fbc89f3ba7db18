//! The `x-bake` and `x-depot` extensions of a service's `build` section.

use bake_core::model::TargetDef;

use crate::loader::{error, LoadResult, Loader};
use crate::lower::{named_contexts, push_entries, push_unique};
use crate::yaml::Value;

impl Loader<'_> {
    pub(crate) fn lower_x_bake(
        &mut self,
        t: &mut TargetDef,
        v: &Value,
        service: &str,
    ) -> LoadResult<()> {
        let Value::Map(xb) = v else {
            if *v == Value::Null {
                return Ok(());
            }
            return Err(error(format!(
                "yaml: unmarshal errors:\n  cannot unmarshal {} into Go value of type bake.xbake",
                v.go_type()
            )));
        };
        let arr = |k: &str| -> LoadResult<Vec<String>> {
            match xb.get(k) {
                None | Some(Value::Null) => Ok(Vec::new()),
                Some(Value::Seq(items)) => Ok(items.iter().map(Value::sprint).collect()),
                Some(Value::Map(_)) => Err(error(format!(
                    "yaml: unmarshal errors:\n  cannot unmarshal !!map into string (x-bake.{k})"
                ))),
                Some(other) => Ok(other
                    .sprint()
                    .split_whitespace()
                    .map(str::to_string)
                    .collect()),
            }
        };
        let boolean = |k: &str| -> LoadResult<Option<bool>> {
            match xb.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Bool(b)) => Ok(Some(*b)),
                Some(other) => Err(error(format!(
                    "yaml: unmarshal errors:\n  cannot unmarshal {:?} into bool (x-bake.{k})",
                    other.sprint()
                ))),
            }
        };
        for k in xb.keys() {
            if ![
                "tags",
                "cache-from",
                "cache-to",
                "secret",
                "ssh",
                "platforms",
                "output",
                "pull",
                "no-cache",
                "no-cache-filter",
                "contexts",
            ]
            .contains(&k.as_str())
            {
                self.warnings.push(*error(format!(
                    "unknown x-bake key {k:?} in service {service:?} is ignored"
                )));
            }
        }
        let tags = arr("tags")?;
        if !tags.is_empty() {
            let mut all = t.tags.take().unwrap_or_default();
            all.extend(tags);
            let mut d = Vec::new();
            push_unique(&mut d, all);
            t.tags = Some(d);
        }
        let cf = arr("cache-from")?;
        if !cf.is_empty() {
            push_entries(&mut t.cache_from, cf);
        }
        let ct = arr("cache-to")?;
        if !ct.is_empty() {
            push_entries(&mut t.cache_to, ct);
        }
        let sec = arr("secret")?;
        if !sec.is_empty() {
            push_entries(&mut t.secret, sec);
        }
        let ssh = arr("ssh")?;
        if !ssh.is_empty() {
            push_entries(&mut t.ssh, ssh);
        }
        let pf = arr("platforms")?;
        if !pf.is_empty() {
            let mut all = t.platforms.take().unwrap_or_default();
            push_unique(&mut all, pf);
            t.platforms = Some(all);
        }
        let out = arr("output")?;
        if !out.is_empty() {
            push_entries(&mut t.output, out);
        }
        if let Some(b) = boolean("pull")? {
            t.pull = Some(b);
        }
        if let Some(b) = boolean("no-cache")? {
            t.no_cache = Some(b);
        }
        let ncf = arr("no-cache-filter")?;
        if !ncf.is_empty() {
            let mut all = t.no_cache_filter.take().unwrap_or_default();
            push_unique(&mut all, ncf);
            t.no_cache_filter = Some(all);
        }
        match xb.get("contexts") {
            Some(Value::Map(c)) if !c.is_empty() => {
                let mut all = t.contexts.take().unwrap_or_default();
                all.extend(named_contexts(c));
                t.contexts = Some(all);
            }
            None | Some(Value::Null | Value::Map(_)) => {}
            Some(other) => {
                return Err(error(format!(
                    "yaml: unmarshal errors:\n  cannot unmarshal {} into map (x-bake.contexts)",
                    other.go_type()
                )))
            }
        }
        Ok(())
    }

    pub(crate) fn lower_x_depot(&mut self, t: &mut TargetDef, v: &Value, service: &str) {
        let Value::Map(xd) = v else { return };
        for (k, val) in xd {
            if k == "project-id" || k == "project_id" {
                if *val != Value::Null {
                    t.project_id = Some(val.sprint());
                }
            } else {
                self.warnings.push(*error(format!(
                    "unknown x-depot key {k:?} in service {service:?} is ignored"
                )));
            }
        }
    }
}
