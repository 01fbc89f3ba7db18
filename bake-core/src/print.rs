//! The `--print` JSON, byte for byte as buildx prints it.

use std::collections::BTreeMap;

use crate::entries::{Attest, CacheEntry, PolicyEntry, SecretEntry, SshEntry};
use crate::json::{Json, PrettyWriter};
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

fn write_opt_map(w: &mut PrettyWriter, m: &BTreeMap<String, Option<String>>) {
    w.open('{');
    for (k, v) in m {
        w.key(k);
        match v {
            Some(v) => w.str_tpl(v),
            None => w.null(),
        }
    }
    w.close('}');
}

fn write_values<T>(w: &mut PrettyWriter, items: &[T], to_json: impl Fn(&T) -> Json) {
    w.open('[');
    for item in items {
        w.elem();
        w.value(&to_json(item));
    }
    w.close(']');
}

impl Group {
    fn write_json(&self, w: &mut PrettyWriter) {
        w.open('{');
        if !self.description.is_empty() {
            w.raw_key("description");
            w.str(&self.description);
        }
        w.raw_key("targets");
        w.strs(&self.targets);
        w.close('}');
    }
}

impl Target {
    /// Writes what [`Target::to_json`] builds, without building it.
    pub fn write_json(&self, w: &mut PrettyWriter) {
        w.open('{');
        for key in PRINT_FIELDS {
            if self.shows(key) {
                w.raw_key(key);
                self.write_shown_value(key, w);
            }
        }
        w.close('}');
    }

    /// Whether the `--print` object has `key` (empty fields are left out).
    #[must_use]
    pub fn shows(&self, key: &str) -> bool {
        match key {
            "description" => !self.description.is_empty(),
            "annotations" => !self.annotations.is_empty(),
            "attest" => !self.attest.is_empty(),
            "context" | "dockerfile" => true,
            "contexts" => !self.contexts.is_empty(),
            "dockerfile-inline" => self.dockerfile_inline.is_some(),
            "args" => !self.args.is_empty(),
            "labels" => !self.labels.is_empty(),
            "tags" => !self.tags.is_empty(),
            "cache-from" => !self.cache_from.is_empty(),
            "cache-to" => !self.cache_to.is_empty(),
            "target" => self.target.is_some(),
            "secret" => !self.secret.is_empty(),
            "ssh" => !self.ssh.is_empty(),
            "platforms" => !self.platforms.is_empty(),
            "output" => !self.output.is_empty(),
            "pull" => self.pull.is_some(),
            "no-cache" => self.no_cache.is_some(),
            "network" => self.network.is_some(),
            "no-cache-filter" => !self.no_cache_filter.is_empty(),
            "shm-size" => self.shm_size.is_some(),
            "ulimits" => !self.ulimits.is_empty(),
            "resources" => self.resources.is_some(),
            "call" => self.call.is_some(),
            "entitlements" => !self.entitlements.is_empty(),
            "extra-hosts" => !self.extra_hosts.is_empty(),
            "policy" => !self.policy.is_empty(),
            "project_id" => self.project_id.is_some(),
            _ => false,
        }
    }

    /// Writes the value `--print` shows for `key`, `null` when it shows none.
    pub fn write_print_value(&self, key: &str, w: &mut PrettyWriter) {
        if self.shows(key) {
            self.write_shown_value(key, w);
        } else {
            w.null();
        }
    }

    /// [`Target::write_print_value`] for a key the caller knows [`Target::shows`].
    pub(crate) fn write_shown_value(&self, key: &str, w: &mut PrettyWriter) {
        let opt = |w: &mut PrettyWriter, v: &Option<String>| match v {
            Some(v) => w.str(v),
            None => w.null(),
        };
        match key {
            "description" => w.str(&self.description),
            "annotations" => {
                w.open('[');
                for a in &self.annotations {
                    w.elem();
                    w.str_tpl(a);
                }
                w.close(']');
            }
            "attest" => write_values(w, &self.attest, Attest::to_json),
            "context" => w.str(&self.context),
            "contexts" => {
                w.open('{');
                for (k, v) in &self.contexts {
                    w.key(k);
                    w.str(v);
                }
                w.close('}');
            }
            "dockerfile" => w.str(&self.dockerfile),
            "dockerfile-inline" => match &self.dockerfile_inline {
                Some(d) => w.str_tpl(d),
                None => w.null(),
            },
            "args" => write_opt_map(w, &self.args),
            "labels" => write_opt_map(w, &self.labels),
            "tags" => w.strs(&self.tags),
            "cache-from" => write_values(w, &self.cache_from, CacheEntry::to_json),
            "cache-to" => write_values(w, &self.cache_to, CacheEntry::to_json),
            "target" => opt(w, &self.target),
            "secret" => write_values(w, &self.secret, SecretEntry::to_json),
            "ssh" => write_values(w, &self.ssh, SshEntry::to_json),
            "platforms" => w.strs(&self.platforms),
            "output" => {
                w.open('[');
                for o in &self.output {
                    w.elem();
                    o.write_json(w);
                }
                w.close(']');
            }
            "pull" | "no-cache" => match if key == "pull" {
                self.pull
            } else {
                self.no_cache
            } {
                Some(b) => w.bool(b),
                None => w.null(),
            },
            "network" => opt(w, &self.network),
            "no-cache-filter" => w.strs(&self.no_cache_filter),
            "shm-size" => opt(w, &self.shm_size),
            "ulimits" => w.strs(&self.ulimits),
            "resources" => match &self.resources {
                Some(r) => w.value(&r.to_json()),
                None => w.null(),
            },
            "call" => opt(w, &self.call),
            "entitlements" => w.strs(&self.entitlements),
            "extra-hosts" => write_opt_map(w, &self.extra_hosts),
            "policy" => write_values(w, &self.policy, PolicyEntry::to_json),
            "project_id" => opt(w, &self.project_id),
            _ => w.null(),
        }
    }
}

/// The fields of a target's `--print` object, in the order it shows them.
pub const PRINT_FIELDS: [&str; 29] = [
    "description",
    "annotations",
    "attest",
    "context",
    "contexts",
    "dockerfile",
    "dockerfile-inline",
    "args",
    "labels",
    "tags",
    "cache-from",
    "cache-to",
    "target",
    "secret",
    "ssh",
    "platforms",
    "output",
    "pull",
    "no-cache",
    "network",
    "no-cache-filter",
    "shm-size",
    "ulimits",
    "resources",
    "call",
    "entitlements",
    "extra-hosts",
    "policy",
    "project_id",
];

impl Resolved {
    /// The whole `--print` document, ending with a newline. Written straight into one
    /// string; byte for byte what [`Group::to_json`] and [`Target::to_json`] pretty-print.
    #[must_use]
    pub fn to_print_json(&self) -> String {
        let mut w = PrettyWriter::with_capacity(256 + 768 * self.targets.len());
        w.open('{');
        if !self.groups.is_empty() {
            w.raw_key("group");
            w.open('{');
            for (k, g) in &self.groups {
                w.key(k);
                g.write_json(&mut w);
            }
            w.close('}');
        }
        w.raw_key("target");
        w.open('{');
        for (k, t) in &self.targets {
            w.key(k);
            t.write_json(&mut w);
        }
        w.close('}');
        w.close('}');
        w.out.push('\n');
        w.out
    }

    /// The target's `--print` object as text (what [`Target::to_json`] renders).
    #[must_use]
    pub fn to_print_object(t: &Target) -> String {
        let mut w = PrettyWriter::with_capacity(768);
        t.write_json(&mut w);
        w.out
    }

    /// The `--print` document built as a [`Json`] tree (the reference for
    /// [`Resolved::to_print_json`]).
    #[must_use]
    pub fn to_json(&self) -> Json {
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
        Json::Obj(top)
    }
}

/// Serializes as the target's `--print` object (the same value; byte-exact output with Go's
/// escaping comes from [`Resolved::to_print_json`]).
impl serde::Serialize for Target {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().into_serde().serialize(s)
    }
}

/// Serializes as the group's `--print` object.
impl serde::Serialize for Group {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().into_serde().serialize(s)
    }
}

/// Serializes as the whole `--print` document (`{"group": …, "target": …}`).
impl serde::Serialize for Resolved {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().into_serde().serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entries::{ExportEntry, Resources};

    fn s(v: &str) -> String {
        v.to_string()
    }

    fn attrs(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (s(k), s(v))).collect()
    }

    /// Strings that exercise every escape, both template escapes and their neighbours.
    const TRICKY: &str =
        "a${b}%{c}$$%%{$ %<>&\"\\\n\r\t\u{1}\u{8}\u{c}\u{1f}\u{2028}\u{2029}\u{2027}é€😀$";

    fn rich(name: &str) -> Target {
        let opt = |pairs: &[(&str, Option<&str>)]| -> BTreeMap<String, Option<String>> {
            pairs.iter().map(|(k, v)| (s(k), v.map(s))).collect()
        };
        Target {
            name: s(name),
            description: s(TRICKY),
            annotations: vec![s(TRICKY), s("index:a=b")],
            attest: vec![Attest {
                typ: s("sbom"),
                disabled: true,
                attrs: attrs(&[("generator", "x"), ("a", TRICKY)]),
            }],
            context: s(TRICKY),
            contexts: attrs(&[("base", "target:x"), (TRICKY, TRICKY)]),
            dockerfile: s("Dockerfile"),
            dockerfile_inline: Some(s(TRICKY)),
            args: opt(&[("A", Some(TRICKY)), ("B", None), ("C", Some(""))]),
            labels: opt(&[(TRICKY, Some("${x}")), ("n", None)]),
            tags: vec![s("a"), s(TRICKY)],
            cache_from: vec![CacheEntry {
                typ: s("registry"),
                attrs: attrs(&[("ref", "x"), ("mode", "max")]),
            }],
            cache_to: vec![CacheEntry {
                typ: s("local"),
                attrs: BTreeMap::new(),
            }],
            target: Some(s(TRICKY)),
            secret: vec![
                SecretEntry {
                    id: s("id"),
                    src: s("src"),
                    env: s(""),
                },
                SecretEntry::default(),
            ],
            ssh: vec![
                SshEntry {
                    id: s("default"),
                    paths: vec![s("a"), s("b")],
                },
                SshEntry::default(),
            ],
            platforms: vec![s("linux/amd64"), s("linux/arm64")],
            output: vec![
                ExportEntry {
                    typ: s("cacheonly"),
                    ..Default::default()
                },
                ExportEntry {
                    typ: s("image"),
                    attrs: attrs(&[("a", "1"), ("dest", "x"), ("push", "true"), ("z", "2")]),
                    dest: s("out"),
                },
                ExportEntry {
                    typ: s("local"),
                    attrs: attrs(&[("compression", "zstd"), ("type", "y"), ("u", "")]),
                    dest: String::new(),
                },
            ],
            pull: Some(false),
            no_cache: Some(true),
            network: Some(s("host")),
            no_cache_filter: vec![s("x")],
            shm_size: Some(s("2g")),
            ulimits: vec![s("nofile=1024:1024")],
            resources: Some(Resources {
                memory: Some(s("1g")),
                cpu_shares: Some(512),
                ..Default::default()
            }),
            call: Some(s("lint")),
            entitlements: vec![s("network.host")],
            extra_hosts: opt(&[("h", Some("1.2.3.4")), ("n", None)]),
            policy: vec![PolicyEntry {
                files: vec![s("p.rego")],
                reset: true,
                disabled: false,
                strict: Some(true),
                log_level: None,
            }],
            project_id: Some(s("p")),
            linked: false,
            origins: BTreeMap::new(),
        }
    }

    fn check(r: &Resolved) {
        let mut want = r.to_json().to_pretty();
        want.push('\n');
        assert_eq!(r.to_print_json(), want);
        // serde gives the same value as the printed document.
        let printed: serde_json::Value =
            serde_json::from_str(&r.to_print_json()).expect("print output is JSON");
        assert_eq!(serde_json::to_value(r).expect("serializes"), printed);
    }

    #[test]
    fn writer_matches_tree() {
        let mut r = Resolved::default();
        check(&r);
        r.targets.insert(s("plain"), Target::default());
        check(&r);
        r.targets.insert(s(TRICKY), rich(TRICKY));
        r.targets.insert(s("rich"), rich("rich"));
        r.groups.insert(
            s("default"),
            Group {
                name: s("default"),
                description: String::new(),
                targets: vec![s("rich"), s(TRICKY)],
            },
        );
        r.groups.insert(
            s(TRICKY),
            Group {
                name: s(TRICKY),
                description: s(TRICKY),
                targets: Vec::new(),
            },
        );
        check(&r);
    }
}
