//! CIDR math (go-cty-funcs `cidr`), paths and `homedir` (buildx), `semvercmp`
//! (Masterminds semver constraints) and `convert` (HCL's typeexpr).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use bake_core::api::go::clean_path;
use num_bigint::BigUint;

use super::typeexpr::parse_type_expr;
use super::util::{arg_err, def, err, hex, nullable_param, param, str_arg, str_value, to_int};
use super::{FnEnv, FnError, FuncDef};
use crate::value::{convert, Type, Value};

// ---- CIDR ----

/// A network in CIDR notation: its address, the address's width in bits (32 or 128) and
/// the prefix length.
struct Cidr {
    addr: BigUint,
    bits: u32,
    prefix: u32,
}

fn parse_cidr(x: &str) -> Result<Cidr, String> {
    let bad = || format!("invalid CIDR expression: invalid CIDR address: {x}");
    let (ip, pre) = x.split_once('/').ok_or_else(bad)?;
    if pre.is_empty() || pre.len() > 3 || !pre.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let prefix: u32 = pre.parse().map_err(|_| bad())?;
    let (addr, bits) = if ip.contains(':') {
        let a: Ipv6Addr = ip.parse().map_err(|_| bad())?;
        (BigUint::from_bytes_be(&a.octets()), 128)
    } else {
        if ip.split('.').any(|o| o.len() > 1 && o.starts_with('0')) {
            return Err(bad());
        }
        let a: Ipv4Addr = ip.parse().map_err(|_| bad())?;
        (BigUint::from_bytes_be(&a.octets()), 32)
    };
    if prefix > bits {
        return Err(bad());
    }
    let mask = mask_of(bits, prefix);
    Ok(Cidr {
        addr: addr & mask,
        bits,
        prefix,
    })
}

fn mask_of(bits: u32, prefix: u32) -> BigUint {
    let all = (BigUint::from(1u32) << bits) - 1u32;
    let host = (BigUint::from(1u32) << (bits - prefix)) - 1u32;
    all ^ host
}

fn ip_string(a: &BigUint, bits: u32) -> String {
    let mut b = a.to_bytes_be();
    let want = (bits / 8) as usize;
    while b.len() < want {
        b.insert(0, 0);
    }
    if bits == 32 {
        IpAddr::from([b[0], b[1], b[2], b[3]]).to_string()
    } else {
        let mut o = [0u8; 16];
        o.copy_from_slice(&b[b.len() - 16..]);
        let v6 = Ipv6Addr::from(o);
        // Go prints IPv4-mapped addresses in dotted form.
        match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => v6.to_string(),
        }
    }
}

fn cidrhost(a: &[Value]) -> Result<Value, FnError> {
    let host = to_int(&a[1]).map_err(FnError::msg)?;
    let n = parse_cidr(str_arg(&a[0])).map_err(FnError::msg)?;
    let size = BigUint::from(1u32) << (n.bits - n.prefix);
    let off = BigUint::from(host.unsigned_abs());
    let pfx = format!("{}/{}", ip_string(&n.addr, n.bits), n.prefix);
    if (host >= 0 && off >= size) || (host < 0 && off > size) {
        return err(format!(
            "prefix of {pfx} does not accommodate a host numbered {host}"
        ));
    }
    let addr = if host >= 0 {
        &n.addr + off
    } else {
        &n.addr + size - off
    };
    Ok(str_value(ip_string(&addr, n.bits)))
}

fn cidrnetmask(a: &[Value]) -> Result<Value, FnError> {
    let n = parse_cidr(str_arg(&a[0])).map_err(FnError::msg)?;
    let m = mask_of(n.bits, n.prefix);
    if n.bits == 128 {
        // Go prints a 16-byte mask as hex digits.
        let mut b = m.to_bytes_be();
        while b.len() < 16 {
            b.insert(0, 0);
        }
        return Ok(str_value(hex(&b)));
    }
    Ok(str_value(ip_string(&m, 32)))
}

fn subnet(n: &Cidr, newbits: i64, num: i64) -> Result<String, String> {
    let np = i64::from(n.prefix) + newbits;
    if newbits < 0 || np > i64::from(n.bits) {
        return Err(format!(
            "insufficient address space to extend prefix of {} by {newbits}",
            n.prefix
        ));
    }
    let np = np as u32;
    let max = BigUint::from(1u32) << newbits as u32;
    if num < 0 || BigUint::from(num as u64) >= max {
        return Err(format!(
            "prefix extension of {newbits} does not accommodate a subnet numbered {num}"
        ));
    }
    let addr = &n.addr | (BigUint::from(num as u64) << (n.bits - np));
    Ok(format!("{}/{np}", ip_string(&addr, n.bits)))
}

fn cidrsubnet(a: &[Value]) -> Result<Value, FnError> {
    let newbits = to_int(&a[1]).map_err(FnError::msg)?;
    let num = to_int(&a[2]).map_err(FnError::msg)?;
    let n = parse_cidr(str_arg(&a[0])).map_err(FnError::msg)?;
    if newbits > 32 {
        return err("may not extend prefix by more than 32 bits");
    }
    subnet(&n, newbits, num)
        .map(str_value)
        .map_err(FnError::msg)
}

fn cidrsubnets(a: &[Value]) -> Result<Value, FnError> {
    let n = parse_cidr(str_arg(&a[0])).map_err(|e| FnError::arg(0, e))?;
    let mut out = Vec::new();
    // next free address (absolute)
    let mut next = n.addr.clone();
    let end = &n.addr + (BigUint::from(1u32) << (n.bits - n.prefix));
    for (i, v) in a[1..].iter().enumerate() {
        let l = to_int(v).map_err(|e| FnError::arg(i + 1, e))?;
        if l < 1 {
            return arg_err(i + 1, "must extend prefix by at least one bit");
        }
        if l > 32 {
            return arg_err(i + 1, "may not extend prefix by more than 32 bits");
        }
        let len = l + i64::from(n.prefix);
        if len > i64::from(n.bits) {
            let proto = if n.bits == 32 { "IPv4" } else { "IPv6" };
            return arg_err(
                i + 1,
                format!(
                    "would extend prefix to {len} bits, which is too long for an {proto} address"
                ),
            );
        }
        let size = BigUint::from(1u32) << (n.bits - len as u32);
        // align up to the subnet size
        let rem = &next % &size;
        let start = if rem == BigUint::from(0u32) {
            next.clone()
        } else {
            &next + (&size - rem)
        };
        if &start + &size > end {
            let prev = out
                .last()
                .cloned()
                .unwrap_or_else(|| format!("{}/{len}", ip_string(&n.addr, n.bits)));
            return arg_err(
                i + 1,
                format!("not enough remaining address space for a subnet with a prefix of {len} bits after {prev}"),
            );
        }
        out.push(format!("{}/{len}", ip_string(&start, n.bits)));
        next = start + size;
    }
    Ok(Value::list(out.into_iter().map(str_value).collect()))
}

// ---- paths ----

fn basename(x: &str) -> String {
    if x.is_empty() {
        return ".".into();
    }
    let t = x.trim_end_matches('/');
    if t.is_empty() {
        return "/".into();
    }
    t.rsplit('/').next().unwrap_or(t).to_string()
}

fn dirname(x: &str) -> String {
    let dir = match x.rfind('/') {
        Some(i) => &x[..=i],
        None => "",
    };
    clean_path(dir)
}

// ---- semver (Masterminds/semver v3) ----

/// A semantic version, as Masterminds semver reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct SemVer {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
}

fn parse_ver(x: &str) -> Option<SemVer> {
    let x = x.strip_prefix('v').unwrap_or(x);
    let (core, meta) = match x.split_once('+') {
        Some((c, m)) => (c, Some(m)),
        None => (x, None),
    };
    if let Some(m) = meta {
        if m.is_empty()
            || !m
                .split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        {
            return None;
        }
    }
    let (nums, pre) = match core.split_once('-') {
        Some((n, p)) => (n, p.to_string()),
        None => (core, String::new()),
    };
    if !pre.is_empty()
        && !pre
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    {
        return None;
    }
    if core.contains('-') && pre.is_empty() {
        return None;
    }
    let parts: Vec<&str> = nums.split('.').collect();
    if parts.is_empty() || parts.len() > 3 {
        return None;
    }
    let mut v = [0u64; 3];
    for (i, p) in parts.iter().enumerate() {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        v[i] = p.parse().ok()?;
    }
    Some(SemVer {
        major: v[0],
        minor: v[1],
        patch: v[2],
        pre,
    })
}

fn cmp_pre(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    let (pa, pb): (Vec<&str>, Vec<&str>) = (a.split('.').collect(), b.split('.').collect());
    for (x, y) in pa.iter().zip(pb.iter()) {
        let o = match (x.parse::<u64>(), y.parse::<u64>()) {
            (Ok(i), Ok(j)) => i.cmp(&j),
            (Ok(_), Err(_)) => Ordering::Less,
            (Err(_), Ok(_)) => Ordering::Greater,
            _ => x.cmp(y),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    pa.len().cmp(&pb.len())
}

fn cmp_ver(a: &SemVer, b: &SemVer) -> std::cmp::Ordering {
    (a.major, a.minor, a.patch)
        .cmp(&(b.major, b.minor, b.patch))
        .then_with(|| cmp_pre(&a.pre, &b.pre))
}

/// One constraint term: operator, version, and which parts were wildcards/missing.
struct ConstraintTerm {
    op: String,
    version: SemVer,
    /// number of specified numeric parts (1..=3); wildcard parts count as missing
    given: usize,
}

fn parse_term(t: &str) -> Option<ConstraintTerm> {
    let t = t.trim();
    let op_len = t
        .find(|c: char| c.is_ascii_alphanumeric() || c == '*')
        .unwrap_or(t.len());
    let op = t[..op_len].trim().to_string();
    if !matches!(
        op.as_str(),
        "" | "=" | "!=" | ">" | "<" | ">=" | "=>" | "<=" | "=<" | "~" | "~>" | "^"
    ) {
        return None;
    }
    let ver = t[op_len..].trim();
    let ver_nov = ver.strip_prefix('v').unwrap_or(ver);
    let (core, rest) = match ver_nov.find(['-', '+']) {
        Some(i) => (&ver_nov[..i], &ver_nov[i..]),
        None => (ver_nov, ""),
    };
    let mut given = 0;
    let mut nums = Vec::new();
    for p in core.split('.') {
        if matches!(p, "x" | "X" | "*") {
            break;
        }
        nums.push(p);
        given += 1;
    }
    if core.split('.').count() > 3 {
        return None;
    }
    let mut filled: Vec<String> = nums.iter().map(std::string::ToString::to_string).collect();
    while filled.len() < 3 {
        filled.push("0".into());
    }
    let v = parse_ver(&format!("{}{rest}", filled.join(".")))?;
    let op = match op.as_str() {
        "=>" => ">=".to_string(),
        "=<" => "<=".to_string(),
        "~>" => "~".to_string(),
        "" => "=".to_string(),
        o => o.to_string(),
    };
    Some(ConstraintTerm {
        op,
        version: v,
        given,
    })
}

fn term_check(t: &ConstraintTerm, v: &SemVer) -> bool {
    use std::cmp::Ordering::{Equal, Greater, Less};
    // Masterminds: a prerelease version only satisfies terms that carry a prerelease on
    // the same major.minor.patch.
    if !v.pre.is_empty()
        && (t.version.pre.is_empty()
            || (t.version.major, t.version.minor, t.version.patch) != (v.major, v.minor, v.patch))
    {
        return false;
    }
    let c = cmp_ver(v, &t.version);
    let bump = |level: usize| -> SemVer {
        let mut u = t.version.clone();
        u.pre.clear();
        match level {
            0 => {
                u.major += 1;
                u.minor = 0;
                u.patch = 0;
            }
            1 => {
                u.minor += 1;
                u.patch = 0;
            }
            _ => u.patch += 1,
        }
        u
    };
    match t.op.as_str() {
        "=" => match t.given {
            0 => true,
            1 => v.major == t.version.major,
            2 => v.major == t.version.major && v.minor == t.version.minor,
            _ => c == Equal,
        },
        "!=" => match t.given {
            0 => false,
            1 => v.major != t.version.major,
            2 => !(v.major == t.version.major && v.minor == t.version.minor),
            _ => c != Equal,
        },
        ">" => match t.given {
            0 => false,
            1 => v.major > t.version.major,
            2 => (v.major, v.minor) > (t.version.major, t.version.minor),
            _ => c == Greater,
        },
        ">=" => c != Less,
        "<" => c == Less,
        "<=" => match t.given {
            0 => true,
            1 => v.major <= t.version.major,
            2 => (v.major, v.minor) <= (t.version.major, t.version.minor),
            _ => c != Greater,
        },
        "~" => {
            if c == Less {
                return false;
            }
            let upper = if t.given <= 1 { bump(0) } else { bump(1) };
            cmp_ver(v, &upper) == Less
        }
        "^" => {
            if c == Less {
                return false;
            }
            let upper = if t.version.major > 0 || t.given <= 1 {
                bump(0)
            } else if t.version.minor > 0 || t.given == 2 {
                bump(1)
            } else {
                bump(2)
            };
            cmp_ver(v, &upper) == Less
        }
        _ => false,
    }
}

fn semvercmp(a: &[Value]) -> Result<Value, FnError> {
    let v = parse_ver(str_arg(&a[0])).ok_or_else(|| FnError::msg("Invalid Semantic Version"))?;
    let cons = str_arg(&a[1]);
    let mut any_ok = false;
    for alt in cons.split("||") {
        let alt = alt.trim();
        // hyphen ranges "a - b"
        let mut terms = Vec::new();
        let toks: Vec<String> = {
            let norm = alt.replace(',', " ");
            let raw: Vec<&str> = norm.split_whitespace().collect();
            let mut merged = Vec::new();
            let mut i = 0;
            while i < raw.len() {
                let r = raw[i];
                if matches!(
                    r,
                    "=" | "!=" | ">" | "<" | ">=" | "=>" | "<=" | "=<" | "~" | "~>" | "^"
                ) && i + 1 < raw.len()
                {
                    merged.push(format!("{r}{}", raw[i + 1]));
                    i += 2;
                } else {
                    merged.push(r.to_string());
                    i += 1;
                }
            }
            merged
        };
        let mut i = 0;
        while i < toks.len() {
            if i + 2 < toks.len() && toks[i + 1] == "-" {
                let lo = parse_term(&format!(">={}", toks[i]));
                let hi = parse_term(&format!("<={}", toks[i + 2]));
                match (lo, hi) {
                    (Some(l), Some(h)) => {
                        terms.push(l);
                        terms.push(h);
                    }
                    _ => return err(format!("improper constraint: {cons}")),
                }
                i += 3;
                continue;
            }
            match parse_term(&toks[i]) {
                Some(t) => terms.push(t),
                None => return err(format!("improper constraint: {cons}")),
            }
            i += 1;
        }
        if terms.is_empty() {
            return err(format!("improper constraint: {cons}"));
        }
        if terms.iter().all(|t| term_check(t, &v)) {
            any_ok = true;
        }
    }
    Ok(Value::Bool(any_ok))
}

// ---- convert ----

fn convert_fn(a: &[Value]) -> Result<Value, FnError> {
    let Some(text) = a[1].as_str() else {
        return arg_err(1, "a type expression is required");
    };
    let Some(ty) = parse_type_expr(text) else {
        return arg_err(1, format!("invalid type expression {text:?}"));
    };
    convert(&a[0], &ty).map_err(|e| FnError::arg(0, e.0))
}

/// The CIDR, path, `homedir`, `semvercmp` and `convert` builtins: one table entry each
/// (name, parameters, variadic parameter, body).
pub(super) fn all() -> Vec<FuncDef> {
    vec![
        def(
            "cidrhost",
            vec![
                param("prefix", Type::String),
                param("hostnum", Type::Number),
            ],
            None,
            |_: &FnEnv, a: &[Value]| cidrhost(a),
        ),
        def(
            "cidrnetmask",
            vec![param("prefix", Type::String)],
            None,
            |_: &FnEnv, a: &[Value]| cidrnetmask(a),
        ),
        def(
            "cidrsubnet",
            vec![
                param("prefix", Type::String),
                param("newbits", Type::Number),
                param("netnum", Type::Number),
            ],
            None,
            |_: &FnEnv, a: &[Value]| cidrsubnet(a),
        ),
        def(
            "cidrsubnets",
            vec![param("prefix", Type::String)],
            Some(param("newbits", Type::Number)),
            |_: &FnEnv, a: &[Value]| cidrsubnets(a),
        ),
        def(
            "basename",
            vec![param("path", Type::String)],
            None,
            |_: &FnEnv, a: &[Value]| Ok(str_value(basename(str_arg(&a[0])))),
        ),
        def(
            "dirname",
            vec![param("path", Type::String)],
            None,
            |_: &FnEnv, a: &[Value]| Ok(str_value(dirname(str_arg(&a[0])))),
        ),
        def("homedir", vec![], None, |e: &FnEnv, _: &[Value]| {
            match &e.home {
                Some(h) => Ok(str_value(h.as_str())),
                None => err("the home directory is not known"),
            }
        }),
        def(
            "semvercmp",
            vec![
                param("version", Type::String),
                param("contraint", Type::String),
            ],
            None,
            |_: &FnEnv, a: &[Value]| semvercmp(a),
        ),
        def(
            "convert",
            vec![
                nullable_param("value", Type::Dynamic),
                param("type", Type::Dynamic),
            ],
            None,
            |_: &FnEnv, a: &[Value]| convert_fn(a),
        ),
    ]
}
