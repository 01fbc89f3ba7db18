//! The Compose loader: files → one merged model (interpolation, `include`, `extends`,
//! `!reset`/`!override`, multi-file merge), then the build subset → bake targets, as buildx
//! does it (`bake/compose.go` over compose-go).

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use bake_core::go::{join_path, parse_bool};
use bake_core::model::{Config, GroupDef, RawEntry, TargetDef};
use bake_core::util::did_you_mean;

use crate::yaml::{self, Map, Value};
use crate::{dotenv, interp, ComposeError};

/// A file to load: its display name, its text and its directory relative to the directory of
/// the configuration that loads it ("" for the working directory).
pub(crate) struct FileIn {
    pub name: String,
    pub text: String,
    /// Directory used to resolve relative paths written in this file (relative to `base`).
    pub workdir: String,
    /// Directory, relative to the process working directory, that `workdir` is relative to.
    pub base: String,
    /// Index in the source map (for error snippets), if the file came from the CLI.
    pub source: Option<usize>,
}

pub(crate) struct Loader<'a> {
    pub env: BTreeMap<String, String>,
    pub cwd: &'a Path,
    pub warnings: Vec<ComposeError>,
    pub warn: bool,
    /// Record interpolations (for `--explain`).
    pub record: bool,
    pub interps: Vec<Interp>,
}

/// One interpolated string: where it is, the template, and the variables it looked up.
#[derive(Debug, Clone)]
pub(crate) struct Interp {
    pub path: Vec<String>,
    pub template: String,
    pub lookups: Vec<(String, Option<String>)>,
}

pub(crate) type Res<T> = Result<T, Box<ComposeError>>;

fn err(msg: impl Into<String>) -> Box<ComposeError> {
    Box::new(ComposeError::new(msg))
}

// ---------------------------------------------------------------------------------------
// paths

fn matches(path: &[String], pattern: &str) -> bool {
    let parts: Vec<&str> = pattern.split('.').collect();
    parts.len() == path.len() && parts.iter().zip(path).all(|(p, s)| *p == "*" || p == s)
}

fn next(path: &[String], k: &str) -> Vec<String> {
    let mut p = path.to_vec();
    p.push(k.to_string());
    p
}

impl Loader<'_> {
    fn lookup(&self, k: &str) -> Option<String> {
        self.env.get(k).cloned()
    }

    fn read(&self, rel: &str) -> std::io::Result<String> {
        let p = if Path::new(rel).is_absolute() {
            Path::new(rel).to_path_buf()
        } else {
            self.cwd.join(rel)
        };
        bake_core::util::read_regular(&p)
    }

    fn expand_user(&self, p: &str) -> String {
        if p == "~" || p.starts_with("~/") {
            if let Some(home) = self.env.get("HOME") {
                return format!("{home}{}", &p[1..]);
            }
        }
        p.to_string()
    }

    // -----------------------------------------------------------------------------------
    // interpolation

    fn interpolate(
        &mut self,
        v: Value,
        path: &[String],
        errs: &mut Vec<(Vec<String>, String)>,
    ) -> Value {
        match v {
            Value::Str(s) => {
                let mut unset = Vec::new();
                let seen = std::cell::RefCell::new(Vec::<(String, Option<String>)>::new());
                let r = interp::substitute(
                    &s,
                    &|k| {
                        let v = self.lookup(k);
                        if self.record {
                            seen.borrow_mut().push((k.to_string(), v.clone()));
                        }
                        v
                    },
                    &mut |n| {
                        unset.push(n.to_string());
                    },
                );
                let lookups = seen.into_inner();
                if !lookups.is_empty() {
                    self.interps.push(Interp {
                        path: path.to_vec(),
                        template: s.clone(),
                        lookups,
                    });
                }
                for n in unset {
                    if self.warn {
                        self.warnings.push(*err(format!(
                            "The {n:?} variable is not set. Defaulting to a blank string."
                        )));
                    }
                }
                match r {
                    Ok(s) => cast(path, s),
                    Err(interp::TemplateError::Invalid(t)) => {
                        errs.push((
                            path.to_vec(),
                            format!(
                                "invalid interpolation format for {}.\nYou may need to escape any $ with another $.\n{t}",
                                path.join(".")
                            ),
                        ));
                        Value::Str(s)
                    }
                    Err(e) => {
                        errs.push((
                            path.to_vec(),
                            format!("error while interpolating {}: {e}", path.join(".")),
                        ));
                        Value::Str(s)
                    }
                }
            }
            Value::Map(m) => Value::Map(
                m.into_iter()
                    .map(|(k, v)| {
                        let p = next(path, &k);
                        let v = self.interpolate(v, &p, errs);
                        (k, v)
                    })
                    .collect(),
            ),
            Value::Seq(items) => {
                let p = next(path, "[]");
                Value::Seq(
                    items
                        .into_iter()
                        .map(|v| self.interpolate(v, &p, errs))
                        .collect(),
                )
            }
            other => other,
        }
    }

    fn interpolate_root(&mut self, cfg: Map) -> Res<Map> {
        let mut errs = Vec::new();
        let mut out = Map::new();
        for (k, v) in cfg {
            let p = vec![k.clone()];
            let v = self.interpolate(v, &p, &mut errs);
            out.insert(k, v);
        }
        if errs.is_empty() {
            Ok(out)
        } else {
            errs.sort_by(|a, b| a.0.cmp(&b.0));
            let first = errs.first().map(|e| e.0.join(".")).unwrap_or_default();
            let msgs: Vec<String> = errs.into_iter().map(|e| e.1).collect();
            Err(Box::new(err(msgs.join("\n")).with_path(first)))
        }
    }

    // -----------------------------------------------------------------------------------
    // loading

    /// Loads `files` into one model (compose-go `loadYamlModel`).
    pub(crate) fn load_model(&mut self, files: &[FileIn], included: &mut Vec<String>) -> Res<Map> {
        let mut dict = Map::new();
        let workdir = files.first().map(|f| f.workdir.clone()).unwrap_or_default();
        for f in files {
            let docs = yaml::parse(&f.text).map_err(|e| {
                let what = if f.name.is_empty() {
                    "compose file"
                } else {
                    f.name.as_str()
                };
                let mut ce = err(format!("failed to parse {what}: {}", e.message));
                if let (Some(src), Some(off)) = (f.source, e.offset) {
                    ce = Box::new(ce.at(src, off));
                }
                ce
            })?;
            for doc in docs {
                let Value::Map(cfg) = doc.root else {
                    return Err(err("top-level object must be a mapping"));
                };
                // buildx ignores top-level keys it does not know; we accept them too, but say so.
                const TOP: &[&str] = &[
                    "version", "name", "include", "services", "networks", "volumes", "secrets",
                    "configs", "models",
                ];
                for k in cfg.keys() {
                    if !k.starts_with("x-") && !TOP.contains(&k.as_str()) {
                        let near = did_you_mean(k, TOP.iter().copied());
                        let mut w = *err(format!(
                            "unknown top-level key `{k}` in {} is ignored",
                            if f.name.is_empty() {
                                "the compose file"
                            } else {
                                f.name.as_str()
                            }
                        ));
                        w.help = near.or_else(|| Some("extension keys start with `x-`".into()));
                        self.warnings.push(w);
                    }
                }
                let mut cfg = self.interpolate_root(cfg)?;
                included.push(join_path(&f.base, &f.name));
                self.apply_include(&mut cfg, f, included)?;
                apply_reset(&mut dict, &doc.reset_paths);
                self.apply_extends(&mut cfg, f, &doc.reset_paths)?;
                dict = match merge_yaml(Value::Map(dict), Value::Map(cfg), &[])? {
                    Value::Map(m) => m,
                    _ => Map::new(),
                };
                unicity(&mut dict);
                dict.shift_remove("version");
                canonical(&mut dict)?;
            }
        }
        resolve_paths(self, &mut dict, &workdir);
        Ok(dict)
    }

    fn apply_include(&mut self, cfg: &mut Map, f: &FileIn, included: &mut [String]) -> Res<()> {
        let Some(inc) = cfg.shift_remove("include") else {
            return Ok(());
        };
        let Value::Seq(items) = inc else {
            if inc == Value::Null {
                return Ok(());
            }
            return Err(err(format!(
                "`include` must be a list, got {}",
                inc.sprint()
            )));
        };
        for item in items {
            let (paths, project_dir) = match item {
                Value::Str(s) => (vec![s], None),
                Value::Map(m) => {
                    let paths = match m.get("path") {
                        Some(Value::Str(s)) => vec![s.clone()],
                        Some(Value::Seq(v)) => v.iter().map(Value::sprint).collect(),
                        _ => return Err(err("include: path is required")),
                    };
                    let pd = match m.get("project_directory") {
                        Some(Value::Str(s)) => Some(s.clone()),
                        _ => None,
                    };
                    (paths, pd)
                }
                other => return Err(err(format!("invalid include entry {}", other.sprint()))),
            };
            // paths relative to the including file's directory
            let here = join_path(&f.base, &f.workdir);
            let first = paths.first().cloned().unwrap_or_default();
            let rel_dir = match &project_dir {
                Some(pd) => pd.clone(),
                None => {
                    let d = Path::new(&first)
                        .parent()
                        .map(|p| p.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    if d.is_empty() {
                        ".".into()
                    } else {
                        d
                    }
                }
            };
            let mut files = Vec::new();
            for p in &paths {
                let full = join_path(&here, p);
                if included.contains(&full) {
                    let mut chain = included.to_vec();
                    chain.push(full);
                    return Err(err(format!(
                        "include cycle detected:\n{}\n include {}",
                        chain[0],
                        chain[1..].join("\n include ")
                    )));
                }
                let text = self
                    .read(&full)
                    .map_err(|e| err(format!("open {full}: {}", io_msg(&e))))?;
                files.push(FileIn {
                    name: full.clone(),
                    text,
                    workdir: rel_dir.clone(),
                    base: here.clone(),
                    source: None,
                });
            }
            let imported = self.load_model(&files, &mut included.to_vec())?;
            for key in [
                "services", "volumes", "networks", "secrets", "configs", "models",
            ] {
                let Some(Value::Map(from)) = imported.get(key) else {
                    continue;
                };
                let to = cfg
                    .entry(key.to_string())
                    .or_insert_with(|| Value::Map(Map::new()));
                if *to == Value::Null {
                    *to = Value::Map(Map::new());
                }
                let Value::Map(to) = to else { continue };
                for (name, a) in from {
                    match to.get(name).cloned() {
                        None => {
                            to.insert(name.clone(), a.clone());
                        }
                        Some(existing) => {
                            let merged =
                                merge_yaml(a.clone(), existing, &[key.to_string(), name.clone()])?;
                            to.insert(name.clone(), merged);
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn apply_extends(&mut self, cfg: &mut Map, f: &FileIn, resets: &[String]) -> Res<()> {
        let Some(Value::Map(services)) = cfg.get("services") else {
            return Ok(());
        };
        let mut services = services.clone();
        let names: Vec<String> = services.keys().cloned().collect();
        for name in names {
            let mut stack = Vec::new();
            self.extend_service(&name, &mut services, f, resets, &mut stack)?;
        }
        cfg.insert("services".into(), Value::Map(services));
        Ok(())
    }

    fn extend_service(
        &mut self,
        name: &str,
        services: &mut Map,
        f: &FileIn,
        resets: &[String],
        stack: &mut Vec<String>,
    ) -> Res<Option<Value>> {
        let Some(s) = services.get(name).cloned() else {
            return Ok(None);
        };
        let Value::Map(service) = s else {
            if s == Value::Null {
                return Ok(None);
            }
            return Err(err(format!("services.{name} must be a mapping")));
        };
        let Some(ext) = service.get("extends").cloned() else {
            return Ok(Some(Value::Map(service)));
        };
        let (reference, file) = match ext {
            Value::Str(s) => (s, None),
            Value::Map(m) => {
                let Some(Value::Str(r)) = m.get("service") else {
                    return Err(err(format!("extends.{name}.service is required")));
                };
                let file = match m.get("file") {
                    Some(Value::Str(s)) => Some(s.clone()),
                    _ => None,
                };
                (r.clone(), file)
            }
            _ => return Ok(Some(Value::Map(service))),
        };
        if stack.iter().any(|s| s == name) {
            return Err(err(format!(
                "Circular reference with extends: {} -> {name}",
                stack.join(" -> ")
            )));
        }
        stack.push(name.to_string());
        let base = if let Some(file) = file {
            let here = join_path(&f.base, &f.workdir);
            let full = join_path(&here, &file);
            let text = self
                .read(&full)
                .map_err(|e| err(format!("open {full}: {}", io_msg(&e))))?;
            let docs = yaml::parse(&text)
                .map_err(|e| err(format!("failed to parse {full}: {}", e.message)))?;
            let mut other = Map::new();
            for d in docs {
                if let Value::Map(m) = d.root {
                    other = self.interpolate_root(m)?;
                }
            }
            let Some(Value::Map(mut osvc)) = other.shift_remove("services") else {
                return Err(err(format!(
                    "cannot extend service {name:?} in {}: service {reference:?} not found in {full}",
                    f.name
                )));
            };
            let dir = Path::new(&file)
                .parent()
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default();
            let sub = FileIn {
                name: full.clone(),
                text: String::new(),
                workdir: dir.clone(),
                base: here.clone(),
                source: None,
            };
            let b = self.extend_service(&reference, &mut osvc, &sub, &[], &mut Vec::new())?;
            let Some(mut b) = b else {
                return Err(err(format!(
                    "cannot extend service {name:?} in {}: service {reference:?} not found in {full}",
                    f.name
                )));
            };
            // paths of the base are relative to its own file
            let mut wrapper = Map::new();
            let mut svcs = Map::new();
            svcs.insert(reference.clone(), b.clone());
            wrapper.insert("services".into(), Value::Map(svcs));
            canonical(&mut wrapper)?;
            resolve_paths(self, &mut wrapper, &dir);
            if let Some(Value::Map(s)) = wrapper.get("services") {
                if let Some(v) = s.get(&reference) {
                    b = v.clone();
                }
            }
            Some(b)
        } else {
            if !services.contains_key(&reference) {
                return Err(err(format!(
                    "cannot extend service {name:?} in {}: service {reference:?} not found",
                    f.name
                )));
            }
            self.extend_service(&reference, services, f, resets, stack)?
        };
        stack.pop();
        let Some(base) = base else {
            return Ok(Some(Value::Map(service)));
        };
        let mut wrapper = Map::new();
        let mut svcs = Map::new();
        svcs.insert(name.to_string(), base);
        wrapper.insert("services".into(), Value::Map(svcs));
        apply_reset(&mut wrapper, resets);
        let base = match wrapper.get("services") {
            Some(Value::Map(s)) => s.get(name).cloned().unwrap_or(Value::Null),
            _ => Value::Null,
        };
        let base = if base == Value::Null {
            Value::Map(Map::new())
        } else {
            base
        };
        let merged = merge_yaml(
            base,
            Value::Map(service),
            &["services".to_string(), "x".to_string()],
        )?;
        let merged = match merged {
            Value::Map(mut m) => {
                m.shift_remove("extends");
                Value::Map(m)
            }
            other => other,
        };
        services.insert(name.to_string(), merged.clone());
        Ok(Some(merged))
    }
}

fn io_msg(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        // `read_regular`'s refusals (not a regular file, too large), a symlink loop, ...
        _ => e.to_string(),
    }
}

/// The interpolation casts that matter for the build subset.
fn cast(path: &[String], s: String) -> Value {
    let p = |pat: &str| matches(path, pat);
    if p("services.*.ulimits.*") || p("services.*.ulimits.*.hard") || p("services.*.ulimits.*.soft")
    {
        if let Ok(i) = s.parse::<i64>() {
            return Value::Int(i);
        }
    }
    if p("services.*.privileged")
        || p("services.*.init")
        || p("services.*.read_only")
        || p("services.*.tty")
        || p("services.*.stdin_open")
        || p("secrets.*.external")
    {
        match s.to_ascii_lowercase().as_str() {
            "y" | "yes" | "true" | "on" => return Value::Bool(true),
            "n" | "no" | "false" | "off" => return Value::Bool(false),
            _ => {}
        }
    }
    Value::Str(s)
}

// ---------------------------------------------------------------------------------------
// !reset / !override

fn apply_reset(dict: &mut Map, paths: &[String]) {
    if paths.is_empty() {
        return;
    }
    let pats: Vec<Vec<&str>> = paths.iter().map(|p| p.split('.').collect()).collect();
    reset_walk(dict, &mut Vec::new(), &pats);
}

fn reset_walk(m: &mut Map, path: &mut Vec<String>, pats: &[Vec<&str>]) {
    let keys: Vec<String> = m.keys().cloned().collect();
    for k in keys {
        path.push(k.clone());
        let hit = pats
            .iter()
            .any(|p| p.len() == path.len() && p.iter().zip(path.iter()).all(|(a, b)| a == b));
        if hit {
            m.shift_remove(&k);
        } else if let Some(Value::Map(child)) = m.get_mut(&k) {
            reset_walk(child, path, pats);
        }
        path.pop();
    }
}

// ---------------------------------------------------------------------------------------
// merge (compose-go override.MergeYaml)

fn to_sequence(v: Value) -> Vec<Value> {
    match v {
        Value::Map(m) => {
            let mut seq: Vec<String> = Vec::new();
            for (k, val) in m {
                match val {
                    Value::Null => seq.push(k),
                    Value::Seq(items) => {
                        for it in items {
                            seq.push(format!("{k}={}", it.sprint()));
                        }
                    }
                    other => seq.push(format!("{k}={}", other.sprint())),
                }
            }
            seq.sort();
            seq.into_iter().map(Value::Str).collect()
        }
        Value::Seq(v) => v,
        Value::Str(s) => vec![Value::Str(s)],
        _ => Vec::new(),
    }
}

fn to_mapping(v: Value) -> Map {
    match v {
        Value::Map(m) => m,
        Value::Seq(items) => items
            .into_iter()
            .map(|i| (i.sprint(), Value::Null))
            .collect(),
        _ => Map::new(),
    }
}

fn merge_yaml(e: Value, o: Value, p: &[String]) -> Res<Value> {
    let m = |pat: &str| matches(p, pat);
    if m("services.*.build") {
        let to_build = |v: Value| match v {
            Value::Str(s) => {
                let mut m = Map::new();
                m.insert("context".into(), Value::Str(s));
                m
            }
            Value::Map(m) => m,
            _ => Map::new(),
        };
        return merge_mappings(to_build(e), to_build(o), p).map(Value::Map);
    }
    if [
        "services.*.build.args",
        "services.*.build.additional_contexts",
        "services.*.build.labels",
        "services.*.annotations",
        "services.*.dns",
        "services.*.dns_opt",
        "services.*.dns_search",
        "services.*.env_file",
        "services.*.label_file",
        "services.*.environment",
        "services.*.labels",
        "services.*.deploy.labels",
        "services.*.sysctls",
        "services.*.tmpfs",
        "networks.*.labels",
        "volumes.*.labels",
    ]
    .iter()
    .any(|pat| m(pat))
    {
        let mut a = to_sequence(e);
        a.extend(to_sequence(o));
        return Ok(Value::Seq(a));
    }
    if m("services.*.build.extra_hosts") || m("services.*.extra_hosts") {
        let mut right = to_sequence(e);
        for v in to_sequence(o) {
            if !right.contains(&v) {
                right.push(v);
            }
        }
        return Ok(Value::Seq(right));
    }
    if m("services.*.command") || m("services.*.entrypoint") || m("services.*.healthcheck.test") {
        return Ok(o);
    }
    if m("services.*.networks") || m("services.*.models") || m("services.*.depends_on") {
        return merge_mappings(to_mapping(e), to_mapping(o), p).map(Value::Map);
    }
    if m("services.*.ulimits.*") {
        return Ok(o);
    }
    if o == Value::Null {
        return Ok(e);
    }
    match e {
        Value::Map(a) => match o {
            Value::Map(b) => merge_mappings(a, b, p).map(Value::Map),
            _ => Err(err(format!("cannot override {}", p.join(".")))),
        },
        Value::Seq(mut a) => match o {
            Value::Seq(b) => {
                a.extend(b);
                Ok(Value::Seq(a))
            }
            _ => Err(err(format!("cannot override {}", p.join(".")))),
        },
        _ => Ok(o),
    }
}

fn merge_mappings(mut a: Map, b: Map, p: &[String]) -> Res<Map> {
    for (k, v) in b {
        match a.get_mut(&k) {
            None => {
                a.insert(k, v);
            }
            Some(slot) => {
                let e = std::mem::replace(slot, Value::Null);
                *slot = merge_yaml(e, v, &next(p, &k))?;
            }
        }
    }
    Ok(a)
}

// ---------------------------------------------------------------------------------------
// unicity and canonical forms

fn unicity(dict: &mut Map) {
    let Some(Value::Map(services)) = dict.get_mut("services") else {
        return;
    };
    for (_, s) in services.iter_mut() {
        let Value::Map(s) = s else { continue };
        for key in [
            "environment",
            "labels",
            "annotations",
            "dns",
            "cap_add",
            "cap_drop",
        ] {
            if let Some(Value::Seq(v)) = s.get_mut(key) {
                dedupe_kv(v);
            }
        }
        if let Some(Value::Map(b)) = s.get_mut("build") {
            for key in ["args", "additional_contexts", "tags", "labels"] {
                if let Some(Value::Seq(v)) = b.get_mut(key) {
                    dedupe_kv(v);
                }
            }
        }
    }
}

fn dedupe_kv(v: &mut Vec<Value>) {
    let mut out: Vec<Value> = Vec::new();
    let mut keys: BTreeMap<String, usize> = BTreeMap::new();
    for e in v.drain(..) {
        let s = e.sprint();
        let key = s.split_once('=').map_or(s.as_str(), |(k, _)| k).to_string();
        if let Some(&j) = keys.get(&key) {
            out[j] = e;
        } else {
            keys.insert(key, out.len());
            out.push(e);
        }
    }
    *v = out;
}

fn canonical(dict: &mut Map) -> Res<()> {
    if let Some(Value::Map(services)) = dict.get_mut("services") {
        for (name, s) in services.iter_mut() {
            let Value::Map(s) = s else { continue };
            let p = format!("services.{name}");
            if let Some(b) = s.get_mut("build") {
                if let Value::Str(ctx) = b {
                    let mut m = Map::new();
                    m.insert("context".into(), Value::Str(std::mem::take(ctx)));
                    *b = Value::Map(m);
                }
                if let Value::Map(b) = b {
                    canonical_build(b, &format!("{p}.build"))?;
                }
            }
            if let Some(ef) = s.get_mut("env_file") {
                let items = match std::mem::replace(ef, Value::Null) {
                    Value::Str(s) => vec![Value::Str(s)],
                    Value::Seq(v) => v,
                    other => vec![other],
                };
                let mut out = Vec::new();
                for it in items {
                    match it {
                        Value::Str(s) => {
                            let mut m = Map::new();
                            m.insert("path".into(), Value::Str(s));
                            m.insert("required".into(), Value::Bool(true));
                            out.push(Value::Map(m));
                        }
                        Value::Map(mut m) => {
                            if !m.contains_key("required") {
                                m.insert("required".into(), Value::Bool(true));
                            }
                            out.push(Value::Map(m));
                        }
                        other => out.push(other),
                    }
                }
                *ef = Value::Seq(out);
            }
            if let Some(Value::Str(e)) = s.get("extends").cloned().as_ref() {
                let mut m = Map::new();
                m.insert("service".into(), Value::Str(e.clone()));
                s.insert("extends".into(), Value::Map(m));
            }
        }
    }
    Ok(())
}

fn canonical_build(b: &mut Map, p: &str) -> Res<()> {
    if let Some(Value::Seq(secrets)) = b.get_mut("secrets") {
        for (i, s) in secrets.iter_mut().enumerate() {
            match s {
                Value::Str(src) => {
                    let mut m = Map::new();
                    m.insert("source".into(), Value::Str(std::mem::take(src)));
                    *s = Value::Map(m);
                }
                Value::Map(_) => {}
                other => {
                    return Err(err(format!(
                        "{p}.secrets.{i}: unsupported type {}",
                        go_type(other)
                    )))
                }
            }
        }
    }
    for key in ["provenance", "sbom"] {
        if let Some(v) = b.get_mut(key) {
            if !matches!(v, Value::Str(_)) {
                *v = Value::Str(v.sprint());
            }
        }
    }
    if let Some(ac) = b.get_mut("additional_contexts") {
        if let Value::Seq(items) = ac {
            let mut m = Map::new();
            for it in items.iter() {
                let s = it.sprint();
                let Some((k, v)) = s.split_once('=') else {
                    return Err(err(format!(
                        "{p}.additional_contexts: invalid value {s}, expected key=value"
                    )));
                };
                m.insert(k.to_string(), Value::Str(v.to_string()));
            }
            *ac = Value::Map(m);
        }
    }
    if let Some(ssh) = b.get_mut("ssh") {
        match ssh {
            Value::Map(_) => {}
            Value::Seq(items) => {
                let mut m = Map::new();
                for it in items.iter() {
                    let Value::Str(s) = it else {
                        return Err(err(format!("invalid ssh key type {}", go_type(it))));
                    };
                    match s.split_once('=') {
                        Some((id, path)) => {
                            m.insert(id.to_string(), Value::Str(path.to_string()));
                        }
                        None if s == "default" => {
                            m.insert(s.clone(), Value::Null);
                        }
                        None => return Err(err(format!("invalid ssh key {s:?}"))),
                    }
                }
                *ssh = Value::Map(m);
            }
            other => {
                return Err(err(format!(
                    "{p}.ssh: invalid type {} for ssh",
                    go_type(other)
                )))
            }
        }
    }
    if let Some(Value::Map(ul)) = b.get("ulimits") {
        for (k, v) in ul {
            if !matches!(v, Value::Map(_) | Value::Int(_)) {
                return Err(err(format!(
                    "{p}.ulimits.{k}: invalid type {} for external",
                    go_type(v)
                )));
            }
        }
    }
    Ok(())
}

fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int",
        Value::Float(_) => "float64",
        Value::Str(_) => "string",
        Value::Seq(_) => "[]interface {}",
        Value::Map(_) => "map[string]interface {}",
    }
}

// ---------------------------------------------------------------------------------------
// relative paths (workingDir "" = the process working directory, only cleaned)

fn is_remote_context(v: &str) -> bool {
    [
        "https://",
        "http://",
        "git://",
        "ssh://",
        "github.com/",
        "git@",
    ]
    .iter()
    .any(|p| v.starts_with(p))
}

fn resolve_paths(l: &Loader<'_>, dict: &mut Map, wd: &str) {
    let abs = |v: &str| -> String {
        let v = l.expand_user(v);
        if v.starts_with('/') || v.is_empty() {
            v
        } else {
            join_path(wd, &v)
        }
    };
    let ctx = |v: &str| -> String {
        if v.contains("://") || v.starts_with("service:") || is_remote_context(v) {
            v.to_string()
        } else {
            abs(v)
        }
    };
    if let Some(Value::Map(services)) = dict.get_mut("services") {
        for (_, s) in services.iter_mut() {
            let Value::Map(s) = s else { continue };
            if let Some(Value::Map(b)) = s.get_mut("build") {
                if let Some(Value::Str(c)) = b.get_mut("context") {
                    *c = ctx(c);
                }
                if let Some(Value::Map(ac)) = b.get_mut("additional_contexts") {
                    for (_, v) in ac.iter_mut() {
                        if let Value::Str(c) = v {
                            *c = ctx(c);
                        }
                    }
                }
                if let Some(Value::Map(ssh)) = b.get_mut("ssh") {
                    for (_, v) in ssh.iter_mut() {
                        if let Value::Str(c) = v {
                            *c = abs(c);
                        }
                    }
                }
            }
            if let Some(Value::Seq(ef)) = s.get_mut("env_file") {
                for e in ef.iter_mut() {
                    if let Value::Map(m) = e {
                        if let Some(Value::Str(p)) = m.get_mut("path") {
                            *p = abs(p);
                        }
                    }
                }
            }
            if let Some(Value::Map(ext)) = s.get_mut("extends") {
                if let Some(Value::Str(p)) = ext.get_mut("file") {
                    *p = abs(p);
                }
            }
        }
    }
    if let Some(Value::Map(secrets)) = dict.get_mut("secrets") {
        for (_, s) in secrets.iter_mut() {
            if let Value::Map(m) = s {
                if let Some(Value::Str(p)) = m.get_mut("file") {
                    *p = abs(p);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// the filtered model, its validation and the targets

/// Keeps what buildx keeps: `services.*.{image,build,environment,env_file}` and `secrets`.
pub(crate) fn filter(raw: &Map) -> Map {
    let mut out = Map::new();
    if let Some(Value::Map(services)) = raw.get("services") {
        {
            let mut fs = Map::new();
            for (name, svc) in services {
                match svc {
                    Value::Null => {
                        fs.insert(name.clone(), Value::Map(Map::new()));
                    }
                    Value::Map(m) => {
                        let mut f = Map::new();
                        for k in ["image", "build", "environment", "env_file"] {
                            if let Some(v) = m.get(k) {
                                f.insert(k.to_string(), v.clone());
                            }
                        }
                        fs.insert(name.clone(), Value::Map(f));
                    }
                    _ => {}
                }
            }
            out.insert("services".into(), Value::Map(fs));
        }
    }
    if let Some(v) = raw.get("secrets") {
        out.insert("secrets".into(), v.clone());
    }
    out
}

fn type_err(path: &str, want: &[&str]) -> Box<ComposeError> {
    let mut w: Vec<&str> = want
        .iter()
        .map(|t| if *t == "object" { "mapping" } else { t })
        .collect();
    if w.len() == 1 {
        return Box::new(err(format!("{path} must be a {}", w[0])).with_path(path));
    }
    w.sort_unstable();
    let last = w.pop().unwrap_or_default();
    Box::new(err(format!("{path} must be a {} or {last}", w.join(", "))).with_path(path))
}

fn is_type(v: &Value, t: &str) -> bool {
    matches!(
        (v, t),
        (Value::Str(_), "string")
            | (Value::Bool(_), "boolean")
            | (Value::Int(_), "integer" | "number")
            | (Value::Float(_), "number")
            | (Value::Null, "null")
            | (Value::Seq(_), "array")
            | (Value::Map(_), "object")
    )
}

fn want(v: &Value, path: &str, types: &[&str]) -> Res<()> {
    if types.iter().any(|t| is_type(v, t)) {
        Ok(())
    } else {
        Err(type_err(path, types))
    }
}

fn additional(m: &Map, path: &str, allowed: &[&str]) -> Res<()> {
    let extra: Vec<String> = m
        .keys()
        .filter(|k| !k.starts_with("x-") && !allowed.contains(&k.as_str()))
        .map(|k| format!("'{k}'"))
        .collect();
    if extra.is_empty() {
        Ok(())
    } else if extra.len() == 1 {
        Err(err(format!(
            "{path} additional properties {} not allowed",
            extra[0]
        )))
    } else {
        Err(err(format!(
            "{path} additional properties {} not allowed",
            extra.join(", ")
        )))
    }
}

fn list_or_dict(v: &Value, path: &str) -> Res<()> {
    match v {
        Value::Map(m) => {
            for (k, e) in m {
                want(
                    e,
                    &format!("{path}.{k}"),
                    &["string", "number", "boolean", "null"],
                )?;
            }
            Ok(())
        }
        Value::Seq(items) => {
            for (i, e) in items.iter().enumerate() {
                want(e, &format!("{path}.{i}"), &["string"])?;
            }
            let mut seen = HashSet::new();
            for e in items {
                if !seen.insert(e.sprint()) {
                    return Err(err(format!("{path} items must be unique")));
                }
            }
            Ok(())
        }
        _ => Err(type_err(path, &["object"])),
    }
}

fn string_list(v: &Value, path: &str) -> Res<()> {
    let Value::Seq(items) = v else {
        return Err(type_err(path, &["array"]));
    };
    for (i, e) in items.iter().enumerate() {
        want(e, &format!("{path}.{i}"), &["string"])?;
    }
    Ok(())
}

const BUILD_KEYS: &[&str] = &[
    "context",
    "dockerfile",
    "dockerfile_inline",
    "entitlements",
    "args",
    "ssh",
    "labels",
    "cache_from",
    "cache_to",
    "no_cache",
    "no_cache_filter",
    "additional_contexts",
    "network",
    "provenance",
    "sbom",
    "pull",
    "target",
    "shm_size",
    "extra_hosts",
    "isolation",
    "privileged",
    "secrets",
    "tags",
    "ulimits",
    "platforms",
];

/// The compose schema, for the filtered subset.
pub(crate) fn validate(f: &Map) -> Res<()> {
    if let Some(services) = f.get("services") {
        let Value::Map(services) = services else {
            return Err(type_err("services", &["object"]));
        };
        for (name, s) in services {
            let p = format!("services.{name}");
            if !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
                || name.is_empty()
            {
                return Err(err(format!(
                    "services additional properties '{name}' not allowed"
                )));
            }
            let Value::Map(s) = s else {
                return Err(type_err(&p, &["object"]));
            };
            if let Some(v) = s.get("image") {
                want(v, &format!("{p}.image"), &["string"])?;
            }
            if let Some(v) = s.get("environment") {
                list_or_dict(v, &format!("{p}.environment"))?;
            }
            if let Some(b) = s.get("build") {
                validate_build(b, &format!("{p}.build"))?;
            }
        }
    }
    if let Some(secrets) = f.get("secrets") {
        let Value::Map(secrets) = secrets else {
            return Err(type_err("secrets", &["object"]));
        };
        for (name, s) in secrets {
            let p = format!("secrets.{name}");
            let Value::Map(m) = s else {
                return Err(type_err(&p, &["object"]));
            };
            additional(
                m,
                &p,
                &[
                    "name",
                    "environment",
                    "file",
                    "external",
                    "labels",
                    "driver",
                    "driver_opts",
                    "template_driver",
                ],
            )?;
            for k in ["name", "environment", "file", "driver", "template_driver"] {
                if let Some(v) = m.get(k) {
                    want(v, &format!("{p}.{k}"), &["string"])?;
                }
            }
        }
    }
    Ok(())
}

fn validate_build(b: &Value, p: &str) -> Res<()> {
    let m = match b {
        Value::Str(_) => return Ok(()),
        Value::Map(m) => m,
        _ => return Err(type_err(p, &["string"])),
    };
    additional(m, p, BUILD_KEYS)?;
    for (k, v) in m {
        let kp = format!("{p}.{k}");
        match k.as_str() {
            "context" | "dockerfile" | "dockerfile_inline" | "network" | "target" | "isolation" => {
                want(v, &kp, &["string"])?;
            }
            "entitlements" | "cache_from" | "cache_to" | "tags" | "platforms" => {
                string_list(v, &kp)?;
            }
            "args" | "ssh" | "labels" | "additional_contexts" => list_or_dict(v, &kp)?,
            "no_cache" | "pull" | "privileged" => want(v, &kp, &["boolean", "string"])?,
            "provenance" | "sbom" => want(v, &kp, &["string", "boolean"])?,
            "shm_size" => want(v, &kp, &["integer", "string"])?,
            "no_cache_filter" => match v {
                Value::Str(_) => {}
                _ => string_list(v, &kp).map_err(|_| type_err(&kp, &["string"]))?,
            },
            "extra_hosts" => match v {
                Value::Map(hm) => {
                    for (h, e) in hm {
                        if !matches!(e, Value::Str(_) | Value::Seq(_)) {
                            return Err(type_err(&format!("{kp}.{h}"), &["string"]));
                        }
                    }
                }
                Value::Seq(_) => string_list(v, &kp)?,
                _ => return Err(type_err(&kp, &["object"])),
            },
            "secrets" => {
                let Value::Seq(items) = v else {
                    return Err(type_err(&kp, &["array"]));
                };
                for (i, it) in items.iter().enumerate() {
                    let ip = format!("{kp}.{i}");
                    match it {
                        Value::Str(_) => {}
                        Value::Map(sm) => {
                            additional(sm, &ip, &["source", "target", "uid", "gid", "mode"])?;
                        }
                        _ => return Err(type_err(&ip, &["string"])),
                    }
                }
            }
            "ulimits" => {
                let Value::Map(um) = v else {
                    return Err(type_err(&kp, &["object"]));
                };
                for (n, u) in um {
                    let up = format!("{kp}.{n}");
                    match u {
                        Value::Int(_) | Value::Str(_) => {}
                        Value::Map(lim) => {
                            additional(lim, &up, &["soft", "hard"])?;
                            for r in ["soft", "hard"] {
                                match lim.get(r) {
                                    None => {
                                        return Err(err(format!("{up} missing property '{r}'")))
                                    }
                                    Some(x) => {
                                        want(x, &format!("{up}.{r}"), &["integer", "string"])?
                                    }
                                }
                            }
                        }
                        _ => return Err(type_err(&up, &["integer", "string"])),
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// `KEY=VALUE` entries or a mapping, as compose-go's `MappingWithEquals` (None: no value).
fn mapping_with_equals(v: Option<&Value>) -> Res<Vec<(String, Option<String>)>> {
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    let mut put = |k: String, v: Option<String>| {
        if let Some(slot) = out.iter_mut().find(|(ek, _)| *ek == k) {
            slot.1 = v;
        } else {
            out.push((k, v));
        }
    };
    match v {
        None | Some(Value::Null) => {}
        Some(Value::Map(m)) => {
            for (k, e) in m {
                let val = match e {
                    Value::Null => None,
                    other => Some(other.sprint()),
                };
                put(k.clone(), val);
            }
        }
        Some(Value::Seq(items)) => {
            for it in items {
                let s = it.sprint();
                match s.split_once('=') {
                    Some((k, v)) => {
                        if k.ends_with(char::is_whitespace) {
                            return Err(err(format!(
                                "environment variable {k} is declared with a trailing space"
                            )));
                        }
                        put(k.to_string(), Some(v.to_string()));
                    }
                    None => {
                        if s.ends_with(char::is_whitespace) {
                            return Err(err(format!(
                                "environment variable {s} is declared with a trailing space"
                            )));
                        }
                        put(s, None);
                    }
                }
            }
        }
        Some(other) => {
            return Err(err(format!(
                "unexpected value type {} for mapping",
                go_type(other)
            )))
        }
    }
    Ok(out)
}

fn labels(v: Option<&Value>) -> BTreeMap<String, Option<String>> {
    let mut out = BTreeMap::new();
    match v {
        Some(Value::Map(m)) => {
            for (k, e) in m {
                let val = match e {
                    Value::Null => String::new(),
                    other => other.sprint(),
                };
                out.insert(k.clone(), Some(val));
            }
        }
        Some(Value::Seq(items)) => {
            for it in items {
                let s = it.sprint();
                let (k, v) = s.split_once('=').unwrap_or((s.as_str(), ""));
                out.insert(k.to_string(), Some(v.to_string()));
            }
        }
        _ => {}
    }
    out
}

fn str_list(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Seq(items)) => items.iter().map(Value::sprint).collect(),
        Some(Value::Str(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

fn truthy(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::Str(s)) => parse_bool(s) == Some(true),
        _ => false,
    }
}

/// go-units `RAMInBytes`.
fn ram_in_bytes(s: &str) -> Option<i64> {
    let s = s.trim();
    let num_end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (num, mut unit) = s.split_at(num_end);
    if num.is_empty() {
        return None;
    }
    let n: f64 = num.parse().ok()?;
    unit = unit.strip_prefix(' ').unwrap_or(unit);
    let lower = unit.to_ascii_lowercase();
    let mut u = lower.as_str();
    u = u.strip_suffix('b').unwrap_or(u);
    u = u.strip_suffix('i').unwrap_or(u);
    let mult: f64 = match u {
        "" => 1.0,
        "k" => 1024.0,
        "m" => 1024.0 * 1024.0,
        "g" => 1024.0 * 1024.0 * 1024.0,
        "t" => 1024f64.powi(4),
        "p" => 1024f64.powi(5),
        _ => return None,
    };
    #[allow(clippy::cast_possible_truncation)]
    Some((n * mult) as i64)
}

/// go-units `BytesSize` (`%.4g` with binary units).
fn bytes_size(n: i64) -> String {
    const UNITS: [&str; 9] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"];
    #[allow(clippy::cast_precision_loss)]
    let mut size = n as f64;
    let mut i = 0;
    while size >= 1024.0 && i < UNITS.len() - 1 {
        size /= 1024.0;
        i += 1;
    }
    format!("{}{}", go_g4(size), UNITS[i])
}

/// Go's `%.4g`.
fn go_g4(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let exp = v.abs().log10().floor();
    #[allow(clippy::cast_possible_truncation)]
    let exp = exp as i32;
    if !(-4..4).contains(&exp) {
        let s = format!("{v:.3e}");
        let (mant, e) = s.split_once('e').unwrap_or((&s, "0"));
        let mant = trim_zeros(mant);
        let e: i32 = e.parse().unwrap_or(0);
        return format!("{mant}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
    }
    let decimals = usize::try_from(3 - exp).unwrap_or(0);
    trim_zeros(&format!("{v:.decimals$}"))
}

fn trim_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

const ULIMIT_NAMES: &[&str] = &[
    "core",
    "cpu",
    "data",
    "fsize",
    "locks",
    "memlock",
    "msgqueue",
    "nice",
    "nofile",
    "nproc",
    "rss",
    "rtprio",
    "rttime",
    "sigpending",
    "stack",
];

fn as_int(v: Option<&Value>) -> i64 {
    match v {
        Some(Value::Int(i)) => *i,
        Some(Value::Str(s)) => s.parse().unwrap_or(0),
        _ => 0,
    }
}

fn sanitize(name: &str) -> String {
    name.replace('.', "_")
}

fn named_contexts(m: &Map) -> BTreeMap<String, String> {
    m.iter()
        .map(|(k, v)| {
            let mut v = v.sprint();
            if v.starts_with("service:") || v.starts_with("target:") {
                if let Some((_, name)) = v.split_once(':') {
                    v = format!("target:{}", sanitize(name));
                }
            }
            (k.clone(), v)
        })
        .collect()
}

// Both keep a set of what the list holds: a long list from a file would make repeated
// `contains` quadratic.
fn push_unique(list: &mut Vec<String>, items: impl IntoIterator<Item = String>) {
    let mut seen: std::collections::HashSet<String> = list.iter().cloned().collect();
    for i in items {
        if seen.insert(i.clone()) {
            list.push(i);
        }
    }
}

fn push_entries(list: &mut Option<Vec<RawEntry>>, items: Vec<String>) {
    let l = list.get_or_insert_with(Vec::new);
    let mut seen: std::collections::HashSet<String> = l
        .iter()
        .filter_map(|e| match e {
            RawEntry::Str(s) => Some(s.clone()),
            RawEntry::Map(_) => None,
        })
        .collect();
    for i in items {
        if seen.insert(i.clone()) {
            l.push(RawEntry::Str(i));
        }
    }
}

impl Loader<'_> {
    /// The services with `build` as targets (buildx `ParseCompose` after `ModelToProject`).
    pub(crate) fn build_config(
        &mut self,
        model: &Map,
        consistency: bool,
        first_file_dir: Option<&str>,
    ) -> Res<Config> {
        let empty = Map::new();
        let services = match model.get("services") {
            Some(Value::Map(m)) => m,
            _ => &empty,
        };
        let secrets = match model.get("secrets") {
            Some(Value::Map(m)) => m,
            _ => &empty,
        };
        if consistency {
            for (name, s) in services {
                let Value::Map(s) = s else { continue };
                if !s.contains_key("build") && !s.contains_key("image") {
                    return Err(err(format!(
                        "service {name:?} has neither an image nor a build context specified: invalid compose project"
                    )));
                }
                if let Some(Value::Map(b)) = s.get("build") {
                    if let Some(Value::Seq(sec)) = b.get("secrets") {
                        for it in sec {
                            let src = match it {
                                Value::Map(m) => {
                                    m.get("source").map(Value::sprint).unwrap_or_default()
                                }
                                other => other.sprint(),
                            };
                            if !secrets.contains_key(&src) {
                                return Err(err(format!(
                                    "service {name:?} refers to undefined build secret {src}: invalid compose project"
                                )));
                            }
                        }
                    }
                    if b.get("dockerfile_inline")
                        .is_some_and(|v| !v.sprint().is_empty())
                        && b.get("dockerfile").is_some_and(|v| !v.sprint().is_empty())
                    {
                        return Err(err(format!(
                            "service {name:?} declares mutualy exclusive dockerfile and dockerfile_inline: invalid compose project"
                        )));
                    }
                }
            }
        }
        let mut config = Config::default();
        if services.is_empty() {
            return Ok(config);
        }
        let mut group = GroupDef {
            name: "default".into(),
            ..GroupDef::default()
        };
        for (name, s) in services {
            let Value::Map(s) = s else { continue };
            // resolve the service environment (env_file, then environment)
            let env = self.service_env(s)?;
            let Some(Value::Map(b)) = s.get("build") else {
                continue;
            };
            let tname = sanitize(name);
            if tname.is_empty()
                || !tname
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                return Err(err(format!(
                    "invalid service name {tname:?}: only \"[a-zA-Z0-9_-]+\" are allowed"
                )));
            }
            let mut t = TargetDef {
                name: tname.clone(),
                ..TargetDef::default()
            };
            let s_str = |k: &str| match b.get(k) {
                Some(Value::Null) | None => None,
                Some(v) => Some(v.sprint()).filter(|s| !s.is_empty()),
            };
            t.context = s_str("context");
            t.dockerfile = s_str("dockerfile");
            t.dockerfile_inline = s_str("dockerfile_inline");
            if let Some(Value::Map(ac)) = b.get("additional_contexts") {
                t.contexts = Some(named_contexts(ac));
            }
            if let Some(v) = b.get("shm_size") {
                let n = match v {
                    Value::Int(i) => Some(*i),
                    Value::Str(s) => {
                        Some(ram_in_bytes(s).ok_or_else(|| err(format!("invalid size: '{s}'")))?)
                    }
                    _ => None,
                };
                if let Some(n) = n.filter(|n| *n > 0) {
                    t.shm_size = Some(bytes_size(n));
                }
            }
            t.network = s_str("network");
            if let Some(Value::Map(ul)) = b.get("ulimits") {
                let mut out = Vec::new();
                for (n, u) in ul {
                    let (soft, hard) = match u {
                        Value::Map(m) => (as_int(m.get("soft")), as_int(m.get("hard"))),
                        _ => (0, 0),
                    };
                    if !ULIMIT_NAMES.contains(&n.as_str()) {
                        return Err(err(format!("invalid ulimit type: {n}")));
                    }
                    if soft > hard {
                        return Err(err(format!("invalid ulimit argument: {n}={soft}:{hard}")));
                    }
                    out.push(format!("{n}={soft}:{hard}"));
                }
                out.sort();
                t.ulimits = Some(out);
            }
            let mut hosts = BTreeMap::new();
            match b.get("extra_hosts") {
                Some(Value::Map(m)) => {
                    for (h, v) in m {
                        let ips: Vec<String> = match v {
                            Value::Seq(items) => items.iter().map(Value::sprint).collect(),
                            Value::Null => vec![String::new()],
                            other => vec![other.sprint()],
                        };
                        hosts.insert(h.clone(), ips);
                    }
                }
                Some(Value::Seq(items)) => {
                    for it in items {
                        let s = it.sprint();
                        let (h, ip) =
                            s.split_once('=')
                                .or_else(|| s.split_once(':'))
                                .ok_or_else(|| {
                                    err(format!("invalid additional host, missing IP: {s}"))
                                })?;
                        hosts
                            .entry(h.to_string())
                            .or_insert_with(Vec::new)
                            .push(ip.to_string());
                    }
                }
                _ => {}
            }
            let mut eh = BTreeMap::new();
            for (h, ips) in hosts {
                if h.is_empty() || h.contains([':', '=']) {
                    return Err(err(format!("bad host name '{h}'")));
                }
                let ips: Vec<String> = ips
                    .into_iter()
                    .map(|ip| {
                        if ip.len() > 2 && ip.starts_with('[') && ip.ends_with(']') {
                            ip[1..ip.len() - 1].to_string()
                        } else {
                            ip
                        }
                    })
                    .collect();
                eh.insert(h, Some(ips.join(",")));
            }
            t.extra_hosts = Some(eh);
            if let Some(Value::Map(ssh)) = b.get("ssh") {
                let mut keys: Vec<(String, Option<String>)> = ssh
                    .iter()
                    .map(|(k, v)| {
                        let p = match v {
                            Value::Null => None,
                            other => Some(other.sprint()).filter(|s| !s.is_empty()),
                        };
                        (k.clone(), p)
                    })
                    .collect();
                keys.sort();
                t.ssh = Some(
                    keys.into_iter()
                        .map(|(id, p)| {
                            RawEntry::Str(match p {
                                Some(p) => format!("{id}={p}"),
                                None => id,
                            })
                        })
                        .collect(),
                );
            }
            if let Some(Value::Seq(sec)) = b.get("secrets") {
                let mut out = Vec::new();
                for it in sec {
                    let src = match it {
                        Value::Map(m) => m.get("source").map(Value::sprint).unwrap_or_default(),
                        other => other.sprint(),
                    };
                    let mut e = BTreeMap::new();
                    if !src.is_empty() {
                        e.insert("id".to_string(), src.clone());
                    }
                    if let Some(Value::Map(top)) = secrets.get(&src) {
                        if truthy(top.get("external"))
                            || matches!(top.get("external"), Some(Value::Map(_)))
                        {
                            let n = top.get("name").map(Value::sprint).unwrap_or_default();
                            return Err(err(format!("unsupported external secret {n}")));
                        }
                        if let Some(f) =
                            top.get("file").map(Value::sprint).filter(|s| !s.is_empty())
                        {
                            e.insert("src".to_string(), f);
                        }
                        if let Some(v) = top
                            .get("environment")
                            .map(Value::sprint)
                            .filter(|s| !s.is_empty())
                        {
                            e.insert("env".to_string(), v);
                        }
                    }
                    out.push(RawEntry::Map(e));
                }
                t.secret = Some(out);
            }
            let l = labels(b.get("labels"));
            t.labels = Some(l);
            let cf = str_list(b.get("cache_from"));
            if !cf.is_empty() {
                t.cache_from = Some(cf.into_iter().map(RawEntry::Str).collect());
            }
            let ct = str_list(b.get("cache_to"));
            if !ct.is_empty() {
                t.cache_to = Some(ct.into_iter().map(RawEntry::Str).collect());
            }
            let mut attest = Vec::new();
            for (key, ty) in [("sbom", "sbom"), ("provenance", "provenance")] {
                if let Some(v) = s_str(key) {
                    let a = match parse_bool(&v) {
                        Some(true) => format!("type={ty},disabled=false"),
                        Some(false) => format!("type={ty},disabled=true"),
                        None => format!("type={ty},{v}"),
                    };
                    attest.push(RawEntry::Str(a));
                }
            }
            if !attest.is_empty() {
                t.attest = Some(attest);
            }
            if truthy(b.get("no_cache")) {
                t.no_cache = Some(true);
            }
            if truthy(b.get("pull")) {
                t.pull = Some(true);
            }
            let tags = str_list(b.get("tags"));
            if !tags.is_empty() {
                t.tags = Some(tags);
            }
            let platforms = str_list(b.get("platforms"));
            if !platforms.is_empty() {
                t.platforms = Some(platforms);
            }
            // args: key-only entries read the service environment, then the project's
            let mut args = BTreeMap::new();
            for (k, v) in mapping_with_equals(b.get("args"))? {
                let v = match v {
                    Some(v) => Some(v),
                    None => env
                        .iter()
                        .find(|(ek, ev)| *ek == k && ev.is_some())
                        .and_then(|(_, v)| v.clone())
                        .or_else(|| self.env.get(&k).cloned()),
                };
                if let Some(v) = v {
                    args.insert(k, Some(v));
                }
            }
            if !args.is_empty() {
                t.args = Some(args);
            }
            for (k, v) in b {
                if k == "x-bake" {
                    self.x_bake(&mut t, v, name)?;
                } else if k == "x-depot" {
                    self.x_depot(&mut t, v, name);
                }
            }
            t.target = s_str("target");
            if t.tags.as_ref().is_none_or(Vec::is_empty) {
                if let Some(img) = s.get("image").map(Value::sprint).filter(|s| !s.is_empty()) {
                    t.tags = Some(vec![img]);
                }
            }
            if let Some(d) = first_file_dir {
                t.file_dir = Some(d.to_string());
            }
            group.targets.push(tname);
            config.targets.push(t);
        }
        config.groups.push(group);
        Ok(config)
    }

    fn x_bake(&mut self, t: &mut TargetDef, v: &Value, service: &str) -> Res<()> {
        let Value::Map(xb) = v else {
            if *v == Value::Null {
                return Ok(());
            }
            return Err(err(format!(
                "yaml: unmarshal errors:\n  cannot unmarshal {} into Go value of type bake.xbake",
                go_type(v)
            )));
        };
        let arr = |k: &str| -> Res<Vec<String>> {
            match xb.get(k) {
                None | Some(Value::Null) => Ok(Vec::new()),
                Some(Value::Seq(items)) => Ok(items.iter().map(Value::sprint).collect()),
                Some(Value::Map(_)) => Err(err(format!(
                    "yaml: unmarshal errors:\n  cannot unmarshal !!map into string (x-bake.{k})"
                ))),
                Some(other) => Ok(other
                    .sprint()
                    .split_whitespace()
                    .map(str::to_string)
                    .collect()),
            }
        };
        let boolean = |k: &str| -> Res<Option<bool>> {
            match xb.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Bool(b)) => Ok(Some(*b)),
                Some(other) => Err(err(format!(
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
                self.warnings.push(*err(format!(
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
                return Err(err(format!(
                    "yaml: unmarshal errors:\n  cannot unmarshal {} into map (x-bake.contexts)",
                    go_type(other)
                )))
            }
        }
        Ok(())
    }

    fn x_depot(&mut self, t: &mut TargetDef, v: &Value, service: &str) {
        let Value::Map(xd) = v else { return };
        for (k, val) in xd {
            if k == "project-id" || k == "project_id" {
                if *val != Value::Null {
                    t.project_id = Some(val.sprint());
                }
            } else {
                self.warnings.push(*err(format!(
                    "unknown x-depot key {k:?} in service {service:?} is ignored"
                )));
            }
        }
    }

    /// The service environment after `env_file` (compose-go `WithServicesEnvironmentResolved`).
    fn service_env(&mut self, s: &Map) -> Res<Vec<(String, Option<String>)>> {
        let mut environment = mapping_with_equals(s.get("environment"))?;
        for (k, v) in &mut environment {
            if v.is_none() {
                *v = self.env.get(k).cloned();
            }
        }
        let Some(Value::Seq(files)) = s.get("env_file") else {
            return Ok(environment);
        };
        let mut from_files: BTreeMap<String, String> = BTreeMap::new();
        for f in files {
            let Value::Map(m) = f else { continue };
            let path = m.get("path").map(Value::sprint).unwrap_or_default();
            let required = !matches!(m.get("required"), Some(Value::Bool(false)));
            let text = match self.read(&path) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    if required {
                        let abs = self.cwd.join(&path);
                        return Err(err(format!(
                            "env file {} not found: stat {}: no such file or directory",
                            abs.display(),
                            abs.display()
                        )));
                    }
                    continue;
                }
                Err(e) => return Err(err(format!("failed to read {path}: {e}"))),
            };
            let env = &self.env;
            let envv = &environment;
            let acc = from_files.clone();
            let vars = dotenv::parse(&text, &|k| {
                env.get(k)
                    .cloned()
                    .or_else(|| {
                        envv.iter()
                            .find(|(ek, ev)| ek == k && ev.is_some())
                            .and_then(|(_, v)| v.clone())
                    })
                    .or_else(|| acc.get(k).cloned())
            })
            .map_err(|e| err(format!("failed to read {path}: {e}")))?;
            for (k, v) in vars {
                from_files.insert(k, v);
            }
        }
        let mut out: Vec<(String, Option<String>)> =
            from_files.into_iter().map(|(k, v)| (k, Some(v))).collect();
        for (k, v) in environment {
            if let Some(slot) = out.iter_mut().find(|(ek, _)| *ek == k) {
                slot.1 = v;
            } else {
                out.push((k, v));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(ram_in_bytes("256m"), Some(256 * 1024 * 1024));
        assert_eq!(bytes_size(256 * 1024 * 1024), "256MiB");
        assert_eq!(bytes_size(2 * 1024 * 1024 * 1024), "2GiB");
        assert_eq!(bytes_size(1536), "1.5KiB");
        assert_eq!(bytes_size(100), "100B");
    }
}
