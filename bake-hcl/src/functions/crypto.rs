//! Hashes, bcrypt, RSA decryption and UUIDs (go-cty-funcs `crypto`, `uuid`).

use bake_core::api::go;
use md5::Md5;
use num_bigint::BigUint;
use sha1::{Digest, Sha1};
use sha2::{Sha256, Sha512};

use super::encoding::go_b64_decode;
use super::util::{def, err, hex, param, str_arg, str_value, to_int};
use super::{FnEnv, FnError, FuncDef};
use crate::value::{Type, Value};

/// A deterministic byte stream from the injected seed (splitmix64).
pub(super) fn seeded_bytes(seed: u64, salt: u64, n: usize) -> Vec<u8> {
    let mut x = seed ^ salt.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        out.extend_from_slice(&z.to_le_bytes());
    }
    out.truncate(n);
    out
}

fn bcrypt_fn(env: &FnEnv, a: &[Value]) -> Result<Value, FnError> {
    let mut cost = 10i64;
    if a.len() > 1 {
        cost = to_int(&a[1]).map_err(FnError::msg)?;
    }
    if a.len() > 2 {
        return err("bcrypt() takes no more than two arguments");
    }
    let input = str_arg(&a[0]);
    if input.len() > 72 {
        return err("error occured generating password bcrypt: password length exceeds 72 bytes");
    }
    if !(4..=31).contains(&cost) {
        return err(format!(
            "error occured generating password crypto/bcrypt: cost {cost} is outside allowed inclusive range 4..31"
        ));
    }
    if cost > crate::limits::MAX_BCRYPT_COST {
        // Each step of the cost doubles the time: 31 would run for days.
        return err(format!(
            "cost {cost} exceeds the limit of {}",
            crate::limits::MAX_BCRYPT_COST
        ));
    }
    let mut salt = [0u8; 16];
    salt.copy_from_slice(&seeded_bytes(env.draw(), 0xbc, 16));
    match bcrypt::hash_with_salt(input, cost as u32, salt) {
        Ok(h) => Ok(str_value(h.format_for_version(bcrypt::Version::TwoA))),
        Err(e) => err(format!("error occured generating password {e}")),
    }
}

// ---- RSA (PKCS#1 v1.5 decryption with a PKCS#1 PEM key) ----

fn der_len(b: &[u8], i: &mut usize) -> Option<usize> {
    let first = *b.get(*i)?;
    *i += 1;
    if first < 0x80 {
        return Some(first as usize);
    }
    let n = (first & 0x7f) as usize;
    if n == 0 || n > 4 {
        return None;
    }
    let mut l = 0usize;
    for _ in 0..n {
        l = (l << 8) | *b.get(*i)? as usize;
        *i += 1;
    }
    Some(l)
}

fn pkcs1_key(der: &[u8]) -> Option<(BigUint, BigUint)> {
    let mut i = 0;
    if *der.get(i)? != 0x30 {
        return None;
    }
    i += 1;
    let l = der_len(der, &mut i)?;
    if i + l > der.len() {
        return None;
    }
    let mut ints = Vec::new();
    while i < der.len() && ints.len() < 4 {
        if der[i] != 0x02 {
            return None;
        }
        i += 1;
        let l = der_len(der, &mut i)?;
        let bytes = der.get(i..i + l)?;
        ints.push(BigUint::from_bytes_be(bytes));
        i += l;
    }
    if ints.len() < 4 {
        return None;
    }
    Some((ints[1].clone(), ints[3].clone()))
}

fn pem_block(text: &str) -> Option<(bool, Vec<u8>)> {
    let start = text.find("-----BEGIN ")?;
    let rest = &text[start..];
    let header_end = rest.find('\n')?;
    let body_all = &rest[header_end + 1..];
    let end = body_all.find("-----END ")?;
    let body = &body_all[..end];
    let mut encrypted = false;
    let mut b64 = String::new();
    for line in body.lines() {
        if let Some((k, v)) = line.split_once(':') {
            if k.trim() == "Proc-Type" && v.trim() == "4,ENCRYPTED" {
                encrypted = true;
            }
            continue;
        }
        b64.push_str(line.trim());
    }
    Some((encrypted, go_b64_decode(&b64)?))
}

fn rsadecrypt(a: &[Value]) -> Result<Value, FnError> {
    let (ct, key) = (str_arg(&a[0]), str_arg(&a[1]));
    let Some(c) = go_b64_decode(ct) else {
        return err(format!(
            "failed to decode input {}: cipher text must be base64-encoded",
            go::quote(ct)
        ));
    };
    let Some((encrypted, der)) = pem_block(key) else {
        return err("failed to parse key: no key found");
    };
    if encrypted {
        return err("failed to parse key: password protected keys are not supported. Please decrypt the key prior to use");
    }
    let Some((n, d)) = pkcs1_key(&der) else {
        return err("x509: failed to parse private key (use ParsePKCS8PrivateKey instead for this key format)");
    };
    let k = (n.bits() as usize).div_ceil(8);
    let dec_err = || FnError::msg("crypto/rsa: decryption error");
    if c.len() != k || k < 11 {
        return Err(dec_err());
    }
    let cm = BigUint::from_bytes_be(&c);
    if cm >= n {
        return Err(dec_err());
    }
    let m = cm.modpow(&d, &n).to_bytes_be();
    let mut em = vec![0u8; k - m.len()];
    em.extend_from_slice(&m);
    if em[0] != 0 || em[1] != 2 {
        return Err(dec_err());
    }
    let Some(sep) = em[2..].iter().position(|&b| b == 0) else {
        return Err(dec_err());
    };
    if sep < 8 {
        return Err(dec_err());
    }
    Ok(str_value(
        String::from_utf8_lossy(&em[2 + sep + 1..]).into_owned(),
    ))
}

// ---- UUIDs ----

fn fmt_uuid(b: &[u8]) -> String {
    let h = hex(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn parse_uuid(x: &str) -> Result<[u8; 16], String> {
    let body = match x.len() {
        36 => x,
        38 => {
            if !(x.starts_with('{') && x.ends_with('}')) {
                return Err("invalid UUID format".into());
            }
            &x[1..37]
        }
        45 => {
            if !x[..9].eq_ignore_ascii_case("urn:uuid:") {
                return Err(format!("invalid urn prefix: {}", go::quote(&x[..9])));
            }
            &x[9..]
        }
        32 => {
            let mut out = [0u8; 16];
            for (i, o) in out.iter_mut().enumerate() {
                *o = u8::from_str_radix(x.get(i * 2..i * 2 + 2).ok_or("invalid UUID format")?, 16)
                    .map_err(|_| "invalid UUID format".to_string())?;
            }
            return Ok(out);
        }
        l => return Err(format!("invalid UUID length: {l}")),
    };
    let bb = body.as_bytes();
    if bb[8] != b'-' || bb[13] != b'-' || bb[18] != b'-' || bb[23] != b'-' {
        return Err("invalid UUID format".into());
    }
    let hexs: String = body.chars().filter(|c| *c != '-').collect();
    let mut out = [0u8; 16];
    for (i, o) in out.iter_mut().enumerate() {
        *o = hexs
            .get(i * 2..i * 2 + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .ok_or_else(|| "invalid UUID format".to_string())?;
    }
    Ok(out)
}

fn uuidv5(a: &[Value]) -> Result<Value, FnError> {
    let ns = str_arg(&a[0]);
    let nsb = match ns {
        "dns" => parse_uuid("6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
        "url" => parse_uuid("6ba7b811-9dad-11d1-80b4-00c04fd430c8"),
        "oid" => parse_uuid("6ba7b812-9dad-11d1-80b4-00c04fd430c8"),
        "x500" => parse_uuid("6ba7b814-9dad-11d1-80b4-00c04fd430c8"),
        other => parse_uuid(other),
    }
    .map_err(|e| FnError::msg(format!("uuidv5() doesn't support namespace {ns} ({e})")))?;
    let mut h = Sha1::new();
    h.update(nsb);
    h.update(str_arg(&a[1]).as_bytes());
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    Ok(str_value(fmt_uuid(&b)))
}

fn uuidv4(env: &FnEnv) -> Value {
    let mut b = seeded_bytes(env.draw(), 0x44, 16);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    str_value(fmt_uuid(&b))
}

/// The hash, bcrypt, RSA and UUID builtins: one table entry each (name, parameters, variadic
/// parameter, body).
pub(super) fn all() -> Vec<FuncDef> {
    let str1 = || vec![param("str", Type::String)];
    vec![
        def("md5", str1(), None, |_: &FnEnv, a: &[Value]| {
            Ok(str_value(hex(&Md5::digest(str_arg(&a[0]).as_bytes()))))
        }),
        def("sha1", str1(), None, |_: &FnEnv, a: &[Value]| {
            Ok(str_value(hex(&Sha1::digest(str_arg(&a[0]).as_bytes()))))
        }),
        def("sha256", str1(), None, |_: &FnEnv, a: &[Value]| {
            Ok(str_value(hex(&Sha256::digest(str_arg(&a[0]).as_bytes()))))
        }),
        def("sha512", str1(), None, |_: &FnEnv, a: &[Value]| {
            Ok(str_value(hex(&Sha512::digest(str_arg(&a[0]).as_bytes()))))
        }),
        def(
            "bcrypt",
            str1(),
            Some(param("cost", Type::Number)),
            bcrypt_fn,
        ),
        def(
            "rsadecrypt",
            vec![
                param("ciphertext", Type::String),
                param("privatekey", Type::String),
            ],
            None,
            |_: &FnEnv, a: &[Value]| rsadecrypt(a),
        ),
        def("uuidv4", vec![], None, |e: &FnEnv, _: &[Value]| {
            Ok(uuidv4(e))
        }),
        def(
            "uuidv5",
            vec![
                param("namespace", Type::String),
                param("name", Type::String),
            ],
            None,
            |_: &FnEnv, a: &[Value]| uuidv5(a),
        ),
    ]
}
