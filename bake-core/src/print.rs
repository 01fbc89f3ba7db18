//! The `--print` JSON, byte for byte as buildx prints it.

use std::collections::BTreeMap;

use crate::json::{Json, PrettyWriter};
use crate::resolve::{Group, Resolved, Target};

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
    /// The target's `--print` object: fields in buildx's order, empty ones left out,
    /// `project_id` last (the value `--print` writes).
    #[must_use]
    pub fn to_json(&self) -> Json {
        let mut w = PrettyWriter::serde_style(512, true);
        self.write_json(&mut w);
        Json::from_serde(serde_json::from_str(&w.out).expect("the writer writes JSON"))
    }

    /// Writes the target's `--print` object.
    pub(crate) fn write_json(&self, w: &mut PrettyWriter) {
        w.open('{');
        self.write_print_fields(w);
        w.close('}');
    }
}

pub(crate) use crate::fields::PRINT_FIELDS;

impl Resolved {
    /// The whole `--print` document, ending with a newline. Written straight into one
    /// string; byte for byte what [`Group::to_json`] and [`Target::to_json`] pretty-print.
    #[must_use]
    pub fn to_print_json(&self) -> String {
        let mut w = PrettyWriter::with_capacity(256 + 768 * self.targets.len());
        self.write_print(&mut w, &mut |_| Ok(()))
            .expect("writing into a string does not fail");
        w.out
    }

    /// Writes the `--print` document (what [`Resolved::to_print_json`] returns) to `out` a
    /// piece at a time, never holding the whole text: a large file's output is as large as
    /// everything else the command keeps.
    ///
    /// # Errors
    /// The first error writing to `out`.
    pub fn write_print_json(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        const CHUNK: usize = 64 << 10;
        let mut w = PrettyWriter::with_capacity(CHUNK + 4096);
        self.write_print(&mut w, &mut |w| {
            if w.out.len() >= CHUNK {
                out.write_all(w.out.as_bytes())?;
                w.out.clear();
            }
            Ok(())
        })?;
        out.write_all(w.out.as_bytes())
    }

    /// Writes the document into `w`, calling `drain` after each group and target (where
    /// the text so far may be taken out of `w.out`).
    fn write_print(
        &self,
        w: &mut PrettyWriter,
        drain: &mut dyn FnMut(&mut PrettyWriter) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        w.open('{');
        Resolved::write_groups(&self.groups, w, drain)?;
        w.raw_key("target");
        w.open('{');
        for (k, t) in &self.targets {
            w.key(k);
            t.write_json(w);
            drain(w)?;
        }
        w.close('}');
        w.close('}');
        w.out.push('\n');
        Ok(())
    }

    /// Writes the document's `group` member (none when there are no groups).
    pub(crate) fn write_groups(
        groups: &BTreeMap<String, Group>,
        w: &mut PrettyWriter,
        drain: &mut dyn FnMut(&mut PrettyWriter) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        if !groups.is_empty() {
            w.raw_key("group");
            w.open('{');
            for (k, g) in groups {
                w.key(k);
                g.write_json(w);
                drain(w)?;
            }
            w.close('}');
        }
        Ok(())
    }

    /// The target's `--print` object as text (what [`Target::to_json`] renders).
    #[must_use]
    pub fn to_print_object(t: &Target) -> String {
        let mut w = PrettyWriter::with_capacity(768);
        t.write_json(&mut w);
        w.out
    }

    /// A bake definition for buildx to read back (`docker buildx bake -f -`):
    /// `{"target": {name: target, …}}` in `--print`'s form, with buildx's `${` / `%{` escape on
    /// every string and key (buildx reads them as templates), ending with a newline.
    #[must_use]
    pub fn definition_json<'a>(
        targets: impl ExactSizeIterator<Item = (&'a str, &'a Target)>,
    ) -> String {
        let mut w = PrettyWriter::for_definition(1024 * targets.len());
        w.open('{');
        w.raw_key("target");
        w.open('{');
        for (name, t) in targets {
            w.key(name);
            t.write_json(&mut w);
        }
        w.close('}');
        w.close('}');
        w.out.push('\n');
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
    use crate::entries::{
        Attest, CacheEntry, ExportEntry, PolicyEntry, Resources, SecretEntry, SshEntry,
    };
    use crate::map::SortedMap;
    use std::collections::BTreeMap;

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
        let opt = |pairs: &[(&str, Option<&str>)]| -> SortedMap<Option<String>> {
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
            contexts: attrs(&[("base", "target:x"), (TRICKY, TRICKY)]).into(),
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
            ..Target::default()
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
        r.targets.insert(s("plain"), Box::default());
        check(&r);
        r.targets.insert(s(TRICKY), Box::new(rich(TRICKY)));
        r.targets.insert(s("rich"), Box::new(rich("rich")));
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
