//! The `--print` JSON, byte for byte as buildx prints it.

use std::collections::BTreeMap;

use crate::json::Json;
use crate::resolve::{Group, Resolved, Target};

/// buildx's `Target.MarshalJSON` escape: `${` → `$${`, `%{` → `%%{`.
fn esc(s: &str) -> String {
    s.replace("${", "$${").replace("%{", "%%{")
}

fn opt_map(m: &BTreeMap<String, Option<String>>, escape: bool) -> Json {
    Json::Obj(
        m.iter()
            .map(|(k, v)| {
                let v = match v {
                    Some(v) if escape => Json::Str(esc(v)),
                    Some(v) => Json::Str(v.clone()),
                    None => Json::Null,
                };
                (k.clone(), v)
            })
            .collect(),
    )
}

impl Group {
    /// The group's `--print` object.
    #[must_use]
    pub fn to_json(&self) -> Json {
        let mut f = Vec::new();
        if !self.description.is_empty() {
            f.push((
                "description".to_string(),
                Json::str(self.description.clone()),
            ));
        }
        f.push(("targets".to_string(), Json::strs(self.targets.clone())));
        Json::Obj(f)
    }
}

impl Target {
    /// The target's `--print` object: fields in buildx's order, empty ones left out,
    /// `project_id` last.
    #[must_use]
    pub fn to_json(&self) -> Json {
        let mut f: Vec<(String, Json)> = Vec::new();
        let mut put = |k: &str, v: Json| f.push((k.to_string(), v));
        if !self.description.is_empty() {
            put("description", Json::str(self.description.clone()));
        }
        if !self.annotations.is_empty() {
            put(
                "annotations",
                Json::strs(self.annotations.iter().map(|a| esc(a))),
            );
        }
        if !self.attest.is_empty() {
            put(
                "attest",
                Json::Arr(self.attest.iter().map(|a| a.to_json()).collect()),
            );
        }
        put("context", Json::str(self.context.clone()));
        if !self.contexts.is_empty() {
            put(
                "contexts",
                Json::Obj(
                    self.contexts
                        .iter()
                        .map(|(k, v)| (k.clone(), Json::str(v.clone())))
                        .collect(),
                ),
            );
        }
        put("dockerfile", Json::str(self.dockerfile.clone()));
        if let Some(d) = &self.dockerfile_inline {
            put("dockerfile-inline", Json::Str(esc(d)));
        }
        if !self.args.is_empty() {
            put("args", opt_map(&self.args, true));
        }
        if !self.labels.is_empty() {
            put("labels", opt_map(&self.labels, true));
        }
        if !self.tags.is_empty() {
            put("tags", Json::strs(self.tags.clone()));
        }
        if !self.cache_from.is_empty() {
            put(
                "cache-from",
                Json::Arr(self.cache_from.iter().map(|c| c.to_json()).collect()),
            );
        }
        if !self.cache_to.is_empty() {
            put(
                "cache-to",
                Json::Arr(self.cache_to.iter().map(|c| c.to_json()).collect()),
            );
        }
        if let Some(t) = &self.target {
            put("target", Json::str(t.clone()));
        }
        if !self.secret.is_empty() {
            put(
                "secret",
                Json::Arr(self.secret.iter().map(|s| s.to_json()).collect()),
            );
        }
        if !self.ssh.is_empty() {
            put(
                "ssh",
                Json::Arr(self.ssh.iter().map(|s| s.to_json()).collect()),
            );
        }
        if !self.platforms.is_empty() {
            put("platforms", Json::strs(self.platforms.clone()));
        }
        if !self.output.is_empty() {
            put(
                "output",
                Json::Arr(self.output.iter().map(|o| o.to_json()).collect()),
            );
        }
        if let Some(p) = self.pull {
            put("pull", Json::Bool(p));
        }
        if let Some(n) = self.no_cache {
            put("no-cache", Json::Bool(n));
        }
        if let Some(n) = &self.network {
            put("network", Json::str(n.clone()));
        }
        if !self.no_cache_filter.is_empty() {
            put("no-cache-filter", Json::strs(self.no_cache_filter.clone()));
        }
        if let Some(s) = &self.shm_size {
            put("shm-size", Json::str(s.clone()));
        }
        if !self.ulimits.is_empty() {
            put("ulimits", Json::strs(self.ulimits.clone()));
        }
        if let Some(r) = &self.resources {
            put("resources", r.to_json());
        }
        if let Some(c) = &self.call {
            put("call", Json::str(c.clone()));
        }
        if !self.entitlements.is_empty() {
            put("entitlements", Json::strs(self.entitlements.clone()));
        }
        if !self.extra_hosts.is_empty() {
            put("extra-hosts", opt_map(&self.extra_hosts, true));
        }
        if !self.policy.is_empty() {
            put(
                "policy",
                Json::Arr(self.policy.iter().map(|p| p.to_json()).collect()),
            );
        }
        if let Some(p) = &self.project_id {
            put("project_id", Json::str(p.clone()));
        }
        Json::Obj(f)
    }
}

impl Resolved {
    /// The whole `--print` document, ending with a newline.
    #[must_use]
    pub fn to_print_json(&self) -> String {
        let mut top = Vec::new();
        if !self.groups.is_empty() {
            top.push((
                "group".to_string(),
                Json::Obj(
                    self.groups
                        .iter()
                        .map(|(k, g)| (k.clone(), g.to_json()))
                        .collect(),
                ),
            ));
        }
        top.push((
            "target".to_string(),
            Json::Obj(
                self.targets
                    .iter()
                    .map(|(k, t)| (k.clone(), t.to_json()))
                    .collect(),
            ),
        ));
        let mut s = Json::Obj(top).to_pretty();
        s.push('\n');
        s
    }
}
