//! The services with a `build` section as bake targets (buildx `ParseCompose` after
//! `ModelToProject`).

use std::collections::BTreeMap;

use bake_core::go::parse_bool;
use bake_core::model::{Config, GroupDef, RawEntry, TargetDef};

use crate::environment::mapping_with_equals;
use crate::loader::{error, LoadResult, Loader};
use crate::units::{bytes_size, ram_in_bytes};
use crate::yaml::{Map, Value};

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

pub(crate) fn named_contexts(m: &Map) -> BTreeMap<String, String> {
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
pub(crate) fn push_unique(list: &mut Vec<String>, items: impl IntoIterator<Item = String>) {
    let mut seen: std::collections::HashSet<String> = list.iter().cloned().collect();
    for i in items {
        if seen.insert(i.clone()) {
            list.push(i);
        }
    }
}

pub(crate) fn push_entries(list: &mut Option<Vec<RawEntry>>, items: Vec<String>) {
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
    pub(crate) fn lower_services(
        &mut self,
        model: &Map,
        consistency: bool,
        first_file_dir: Option<&str>,
    ) -> LoadResult<Config> {
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
                    return Err(error(format!(
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
                                return Err(error(format!(
                                    "service {name:?} refers to undefined build secret {src}: invalid compose project"
                                )));
                            }
                        }
                    }
                    if b.get("dockerfile_inline")
                        .is_some_and(|v| !v.sprint().is_empty())
                        && b.get("dockerfile").is_some_and(|v| !v.sprint().is_empty())
                    {
                        return Err(error(format!(
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
            let env = self.service_environment(s)?;
            let Some(Value::Map(b)) = s.get("build") else {
                continue;
            };
            let tname = sanitize(name);
            if tname.is_empty()
                || !tname
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                return Err(error(format!(
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
                        Some(ram_in_bytes(s).ok_or_else(|| error(format!("invalid size: '{s}'")))?)
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
                        return Err(error(format!("invalid ulimit type: {n}")));
                    }
                    if soft > hard {
                        return Err(error(format!("invalid ulimit argument: {n}={soft}:{hard}")));
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
                                    error(format!("invalid additional host, missing IP: {s}"))
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
                    return Err(error(format!("bad host name '{h}'")));
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
                            return Err(error(format!("unsupported external secret {n}")));
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
                        .or_else(|| self.variables.get(&k).cloned()),
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
                    self.lower_x_bake(&mut t, v, name)?;
                } else if k == "x-depot" {
                    self.lower_x_depot(&mut t, v, name);
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
}
