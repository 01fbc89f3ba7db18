//! The `resources` object (cgroup limits for `RUN` steps).

use super::invalid;
use crate::error::ResolveError;
use crate::json::Json;
use crate::model::RawEntry;

/// The `resources` object (cgroup limits for `RUN` steps).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Resources {
    /// `memory`: the memory limit (`512m`).
    pub memory: Option<String>,
    /// `memory-swap`: memory plus swap limit (`1g`, `-1` for unlimited).
    pub memory_swap: Option<String>,
    /// `cpu-shares`: the relative CPU weight.
    pub cpu_shares: Option<i64>,
    /// `cpu-period`: the CFS period in microseconds.
    pub cpu_period: Option<i64>,
    /// `cpu-quota`: the CFS quota in microseconds per period.
    pub cpu_quota: Option<i64>,
    /// `cpuset-cpus`: the CPUs allowed (`0-3`, `0,1`).
    pub cpuset_cpus: Option<String>,
    /// `cpuset-mems`: the memory nodes allowed.
    pub cpuset_mems: Option<String>,
}

/// The keys of the `resources` object.
pub(super) const RESOURCES_KEYS: [&str; 7] = [
    "memory",
    "memory-swap",
    "cpu-shares",
    "cpu-period",
    "cpu-quota",
    "cpuset-cpus",
    "cpuset-mems",
];

fn parse_int(key: &str, value: &str) -> Result<i64, ResolveError> {
    let bad = || ResolveError::InvalidInt {
        key: format!("resources.{key}"),
        value: value.to_string(),
    };
    if let Ok(n) = value.trim().parse::<i64>() {
        return Ok(n);
    }
    // A number written as a float that is whole (a cty number converted to a string).
    match value.trim().parse::<f64>() {
        Ok(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Ok(f as i64),
        _ => Err(bad()),
    }
}

impl Resources {
    /// `ResourcesConfig.SetField` (used by `--set T.resources.KEY=VALUE`).
    pub fn set_field(&mut self, name: &str, value: &str) -> Result<(), ResolveError> {
        match name {
            "memory" => self.memory = Some(value.to_string()),
            "memory-swap" => self.memory_swap = Some(value.to_string()),
            "cpu-shares" | "cpu-period" | "cpu-quota" => {
                let n = value.parse::<i64>().map_err(|_| ResolveError::InvalidInt {
                    key: format!("resources.{name}"),
                    value: value.to_string(),
                })?;
                match name {
                    "cpu-shares" => self.cpu_shares = Some(n),
                    "cpu-period" => self.cpu_period = Some(n),
                    _ => self.cpu_quota = Some(n),
                }
            }
            "cpuset-cpus" => self.cpuset_cpus = Some(value.to_string()),
            "cpuset-mems" => self.cpuset_mems = Some(value.to_string()),
            _ => {
                return Err(ResolveError::UnknownResourcesKey {
                    key: name.to_string(),
                    help: crate::util::did_you_mean(name, RESOURCES_KEYS),
                })
            }
        }
        Ok(())
    }

    /// Parses the bake file's `resources` object (numbers arrive as decimal strings).
    pub fn from_raw(raw: &RawEntry) -> Result<Self, ResolveError> {
        let m = match raw {
            RawEntry::Map(m) => m,
            RawEntry::Str(s) => {
                return Err(invalid("resources", s, "an object is required"));
            }
        };
        let mut r = Resources::default();
        for (k, v) in m {
            match k.as_str() {
                "cpu-shares" => r.cpu_shares = Some(parse_int(k, v)?),
                "cpu-period" => r.cpu_period = Some(parse_int(k, v)?),
                "cpu-quota" => r.cpu_quota = Some(parse_int(k, v)?),
                _ => r.set_field(k, v)?,
            }
        }
        Ok(r)
    }

    /// `ResourcesConfig.Merge`: fields set in `other` win.
    #[must_use]
    pub fn merge(a: Option<&Self>, other: &Self) -> Self {
        let mut m = a.cloned().unwrap_or_default();
        macro_rules! take {
            ($($f:ident),*) => {$( if other.$f.is_some() { m.$f = other.$f.clone(); } )*};
        }
        take!(
            memory,
            memory_swap,
            cpu_shares,
            cpu_period,
            cpu_quota,
            cpuset_cpus,
            cpuset_mems
        );
        m
    }

    /// The `--print` form, fields in buildx's struct order.
    #[must_use]
    pub fn to_json(&self) -> Json {
        let mut f = Vec::new();
        let s = |v: &Option<String>| v.clone().map(Json::Str);
        let i = |v: &Option<i64>| v.map(Json::Int);
        for (k, v) in [
            ("memory", s(&self.memory)),
            ("memory-swap", s(&self.memory_swap)),
            ("cpu-shares", i(&self.cpu_shares)),
            ("cpu-period", i(&self.cpu_period)),
            ("cpu-quota", i(&self.cpu_quota)),
            ("cpuset-cpus", s(&self.cpuset_cpus)),
            ("cpuset-mems", s(&self.cpuset_mems)),
        ] {
            if let Some(v) = v {
                f.push((k.to_string(), v));
            }
        }
        Json::Obj(f)
    }
}
