//! `format` and `formatlist` (go-cty `stdlib/format.go`, Go fmt verbs over big numbers).

use num_bigint::BigUint;

use super::util::{
    arg_err, decimal_parts, def, err, graphemes, json_encode, nullable_param, param, str_arg,
    str_value,
};
use super::{FnEnv, FnError, FuncDef};
use crate::number::Number;
use crate::value::{convert, Type, Value};

/// One verb of a format string (`%-5.2[2]f`): its text, where it is, the argument it
/// takes, the verb letter and its flags.
#[derive(Default)]
struct Verb {
    raw: String,
    offset: usize,
    arg: usize,
    mode: char,
    zero: bool,
    sharp: bool,
    plus: bool,
    minus: bool,
    space: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

fn pad(v: &Verb, x: String) -> String {
    let Some(w) = v.width else { return x };
    let n = graphemes(&x).len();
    if n >= w {
        return x;
    }
    let padc = if v.zero { "0" } else { " " }.repeat(w - n);
    if v.minus {
        x + &padc
    } else {
        padc + &x
    }
}

/// Rounds decimal digits (value 0.d * 10^exp) to `n` significant digits, half-even on the
/// decimal expansion as Go's big.Float does.
fn round_digits(d: &mut Vec<u8>, exp: &mut i64, n: i64) {
    if n < 0 {
        d.clear();
        return;
    }
    let n = n as usize;
    if n >= d.len() {
        return;
    }
    let up =
        d[n] > b'5' || (d[n] == b'5' && (n + 1 < d.len() || (n > 0 && (d[n - 1] - b'0') % 2 == 1)));
    d.truncate(n);
    if up {
        let mut i = n;
        loop {
            if i == 0 {
                d.insert(0, b'1');
                *exp += 1;
                break;
            }
            i -= 1;
            if d[i] == b'9' {
                d[i] = b'0';
            } else {
                d[i] += 1;
                break;
            }
        }
    }
    while d.last() == Some(&b'0') {
        d.pop();
    }
}

fn digit(d: &[u8], i: i64) -> char {
    if i >= 0 && (i as usize) < d.len() {
        d[i as usize] as char
    } else {
        '0'
    }
}

fn fmt_f(d: &[u8], exp: i64, prec: usize) -> String {
    let mut out = String::new();
    if exp > 0 {
        for i in 0..exp {
            out.push(digit(d, i));
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for i in 0..prec as i64 {
            out.push(digit(d, exp + i));
        }
    }
    out
}

fn fmt_e(d: &[u8], exp: i64, prec: usize, upper: bool) -> String {
    let mut out = String::new();
    out.push(digit(d, 0));
    if prec > 0 {
        out.push('.');
        for i in 1..=prec as i64 {
            out.push(digit(d, i));
        }
    }
    let e = if d.is_empty() { 0 } else { exp - 1 };
    out.push(if upper { 'E' } else { 'e' });
    out.push(if e < 0 { '-' } else { '+' });
    out.push_str(&format!("{:02}", e.abs()));
    out
}

/// big.Float's `Text`/`Format` for e, f, g (magnitude only).
fn float_text(x: &Number, mode: char, prec: Option<usize>) -> String {
    let (_, mut d, mut exp) = decimal_parts(x);
    match mode {
        'f' | 'F' => {
            let p = prec.unwrap_or(6);
            let keep = exp + p as i64;
            round_digits(&mut d, &mut exp, keep);
            fmt_f(&d, exp, p)
        }
        'e' | 'E' => {
            let p = prec.unwrap_or(6);
            round_digits(&mut d, &mut exp, 1 + p as i64);
            if d.is_empty() {
                exp = 1;
            }
            fmt_e(&d, exp, p, mode == 'E')
        }
        _ => {
            let shortest = prec.is_none();
            let mut p = prec.unwrap_or(0);
            if !shortest {
                if p == 0 {
                    p = 1;
                }
                round_digits(&mut d, &mut exp, p as i64);
            }
            let mut eprec = if shortest { 6 } else { p as i64 };
            if !shortest && eprec > d.len() as i64 && d.len() as i64 >= exp {
                eprec = d.len() as i64;
            }
            let dexp = if d.is_empty() { 0 } else { exp - 1 };
            if shortest {
                eprec = 6;
            }
            if dexp < -4 || dexp >= eprec {
                let pp = if shortest {
                    d.len().saturating_sub(1)
                } else {
                    p - 1
                };
                let pp = if shortest {
                    pp
                } else {
                    pp.min(d.len().saturating_sub(1))
                };
                let e = if d.is_empty() { 1 } else { exp };
                return fmt_e(&d, e, pp, mode == 'G');
            }
            let pp = if shortest {
                d.len() as i64
            } else {
                (d.len() as i64).min(p as i64)
            };
            fmt_f(
                &d,
                if d.is_empty() { 1 } else { exp },
                (pp - exp).max(0) as usize,
            )
        }
    }
}

fn sign_pad(v: &Verb, neg: bool, body: &str, zero_ok: bool) -> String {
    let sign = if neg {
        "-"
    } else if v.plus {
        "+"
    } else if v.space {
        " "
    } else {
        ""
    };
    let len = sign.len() + body.chars().count();
    let padn = v.width.map_or(0, |w| w.saturating_sub(len));
    if v.zero && zero_ok && !v.minus {
        format!("{sign}{}{body}", "0".repeat(padn))
    } else if v.minus {
        format!("{sign}{body}{}", " ".repeat(padn))
    } else {
        format!("{}{sign}{body}", " ".repeat(padn))
    }
}

fn fmt_number(v: &Verb, x: &Number) -> Result<String, String> {
    match v.mode {
        'b' | 'd' | 'o' | 'x' | 'X' => {
            if !x.is_integer() {
                return Err(format!(
                    "unsupported value for {:?} at {}: an integer is required",
                    v.raw, v.offset
                ));
            }
            let (neg, d, exp) = decimal_parts(x);
            let mut dec = String::from_utf8(d.clone()).unwrap_or_default();
            for _ in d.len() as i64..exp {
                dec.push('0');
            }
            let mag = if dec.is_empty() {
                BigUint::from(0u32)
            } else {
                dec.parse::<BigUint>().unwrap_or_default()
            };
            let radix = match v.mode {
                'b' => 2,
                'o' => 8,
                'x' | 'X' => 16,
                _ => 10,
            };
            let mut digits = mag.to_str_radix(radix);
            if v.mode == 'X' {
                digits = digits.to_uppercase();
            }
            let prefix = match (v.sharp, v.mode) {
                (true, 'b') => "0b",
                (true, 'o') => "0",
                (true, 'x') => "0x",
                (true, 'X') => "0X",
                _ => "",
            };
            let mut zeros = 0;
            if let Some(p) = v.prec {
                if digits.len() < p {
                    zeros = p - digits.len();
                } else if digits == "0" && p == 0 {
                    return Ok(String::new());
                }
            }
            let sign = if neg && mag != BigUint::from(0u32) {
                "-"
            } else if v.plus {
                "+"
            } else if v.space {
                " "
            } else {
                ""
            };
            let len = sign.len() + prefix.len() + zeros + digits.len();
            let (mut left, mut right) = (0, 0);
            if let Some(w) = v.width {
                if len < w {
                    let d = w - len;
                    if v.minus {
                        right = d;
                    } else if v.zero && v.prec.is_none() {
                        zeros = d;
                    } else {
                        left = d;
                    }
                }
            }
            Ok(format!(
                "{}{sign}{prefix}{}{digits}{}",
                " ".repeat(left),
                "0".repeat(zeros),
                " ".repeat(right)
            ))
        }
        _ => {
            if x.is_inf() {
                // big.Float prints "+Inf" / "-Inf" (" Inf" with the space flag), never
                // zero-padded.
                let sign = if x.is_negative() {
                    "-"
                } else if v.space {
                    " "
                } else {
                    "+"
                };
                let body = format!("{sign}Inf");
                let padn = v.width.map_or(0, |w| w.saturating_sub(body.len()));
                return Ok(if v.minus {
                    format!("{body}{}", " ".repeat(padn))
                } else {
                    format!("{}{body}", " ".repeat(padn))
                });
            }
            let body = float_text(x, v.mode, v.prec);
            Ok(sign_pad(v, x.is_negative(), &body, true))
        }
    }
}

fn append(v: &Verb, args: &[Value], out: &mut String) -> Result<(), String> {
    let idx = v.arg.wrapping_sub(1);
    let Some(a) = args.get(idx) else {
        return Err(format!(
            "not enough arguments for {:?} at {}: need index {} but have {} total",
            v.raw,
            v.offset,
            v.arg,
            args.len()
        ));
    };
    if v.mode != 'v' && a.is_null() {
        return Err(format!(
            "unsupported value for {:?} at {}: null value cannot be formatted",
            v.raw, v.offset
        ));
    }
    let unsup = |e: String| format!("unsupported value for {:?} at {}: {e}", v.raw, v.offset);
    match v.mode {
        'v' => {
            if !v.sharp {
                match a {
                    Value::String(x) => {
                        out.push_str(&pad(v, x.to_string()));
                        return Ok(());
                    }
                    Value::Number(x) => {
                        let t = if x.is_inf() {
                            if x.is_negative() {
                                "-Inf".into()
                            } else {
                                "+Inf".into()
                            }
                        } else {
                            let (neg, _, _) = decimal_parts(x);
                            let b = float_text(x, 'g', None);
                            if neg {
                                format!("-{b}")
                            } else {
                                b
                            }
                        };
                        out.push_str(&pad(v, t));
                        return Ok(());
                    }
                    _ => {}
                }
            }
            let j = json_encode(a).map_err(unsup)?;
            out.push_str(&pad(v, j));
        }
        't' => {
            let b = convert(a, &Type::Bool).map_err(|e| unsup(e.0))?;
            out.push_str(if b.is_true() { "true" } else { "false" });
        }
        'b' | 'd' | 'o' | 'x' | 'X' | 'e' | 'E' | 'f' | 'g' | 'G' => {
            let nv = convert(a, &Type::Number).map_err(|e| unsup(e.0))?;
            let Value::Number(x) = nv else {
                return Err(unsup("number required".into()));
            };
            out.push_str(&fmt_number(v, &x)?);
        }
        's' | 'q' => {
            let sv = convert(a, &Type::String).map_err(|e| unsup(e.0))?;
            let mut x = str_arg(&sv).to_string();
            if let Some(pr) = v.prec {
                if pr > 0 {
                    x = graphemes(&x).into_iter().take(pr).collect();
                }
            }
            if v.mode == 'q' {
                let mut j = String::new();
                bake_core::api::go::write_go_string(&mut j, &x);
                x = j;
            }
            out.push_str(&pad(v, x));
        }
        m => {
            return Err(format!(
                "unsupported format verb {:?} in {:?} at offset {}",
                m, v.raw, v.offset
            ))
        }
    }
    Ok(())
}

/// cty's `formatFSM`.
fn format_str(f: &str, args: &[Value]) -> Result<String, FnError> {
    let b: Vec<(usize, char)> = f.char_indices().collect();
    let mut out = String::new();
    let mut next_arg = 1;
    let mut highest = 0;
    let mut i = 0;
    while i < b.len() {
        if out.len() > crate::limits::MAX_VALUE_SIZE {
            return err(crate::limits::Oversize::Size.message("the formatted string"));
        }
        let (off, c) = b[i];
        if c != '%' {
            out.push(c);
            i += 1;
            continue;
        }
        if b.get(i + 1).map(|x| x.1) == Some('%') {
            out.push('%');
            i += 2;
            continue;
        }
        let v = Verb {
            arg: next_arg,
            offset: off,
            ..Verb::default()
        };
        let (v, end) = read_verb(f, &b, i + 1, v)?;
        highest = highest.max(v.arg);
        append(&v, args, &mut out).map_err(FnError::msg)?;
        next_arg = v.arg + 1;
        i = end;
    }
    if highest < args.len() {
        let first_bad = highest + 1;
        if highest == 0 {
            return arg_err(first_bad, "too many arguments; no verbs in format string");
        }
        return arg_err(
            first_bad,
            format!("too many arguments; only {highest} used by format string"),
        );
    }
    Ok(out)
}

/// The verb whose `%` is at `v.offset`, read from `b[i]` on: flags, width, precision, an
/// explicit argument index (`[n]`) and the verb letter. Returns the verb and where it ends.
fn read_verb(
    f: &str,
    b: &[(usize, char)],
    mut i: usize,
    mut v: Verb,
) -> Result<(Verb, usize), FnError> {
    while let Some(&(_, fc)) = b.get(i) {
        match fc {
            '0' => v.zero = true,
            '#' => v.sharp = true,
            '-' => v.minus = true,
            '+' => v.plus = true,
            ' ' => v.space = true,
            _ => break,
        }
        i += 1;
    }
    if let Some(&(_, d)) = b.get(i) {
        if ('1'..='9').contains(&d) {
            let mut w = 0usize;
            while let Some(&(_, d)) = b.get(i) {
                let Some(x) = d.to_digit(10) else { break };
                w = w.saturating_mul(10).saturating_add(x as usize);
                i += 1;
            }
            v.width = Some(w.min(1 << 16));
        }
    }
    if b.get(i).map(|x| x.1) == Some('.') {
        i += 1;
        let mut pr = 0usize;
        while let Some(&(_, d)) = b.get(i) {
            let Some(x) = d.to_digit(10) else { break };
            pr = pr.saturating_mul(10).saturating_add(x as usize);
            i += 1;
        }
        v.prec = Some(pr.min(1 << 16));
    }
    if b.get(i).map(|x| x.1) == Some('[') {
        i += 1;
        let mut n = 0usize;
        let mut any = false;
        while let Some(&(_, d)) = b.get(i) {
            let Some(x) = d.to_digit(10) else { break };
            if !any && x == 0 {
                break;
            }
            any = true;
            n = n.saturating_mul(10).saturating_add(x as usize);
            i += 1;
        }
        if !any || b.get(i).map(|x| x.1) != Some(']') {
            let p = b.get(i).map_or(f.len(), |x| x.0);
            return match b.get(i) {
                Some(&(_, ch)) => err(format!(
                    "unrecognized format character {ch:?} at offset {p}"
                )),
                None => err(format!("invalid format string starting at offset {p}")),
            };
        }
        v.arg = n;
        i += 1;
    }
    match b.get(i) {
        Some(&(p, m)) if m.is_ascii_alphabetic() => {
            v.mode = m;
            v.raw = f[v.offset..=p].to_string();
            Ok((v, i + 1))
        }
        Some(&(p, ch)) => err(format!(
            "unrecognized format character {ch:?} at offset {p}"
        )),
        None => err(format!(
            "invalid format string starting at offset {}",
            f.len()
        )),
    }
}

fn formatlist(a: &[Value]) -> Result<Value, FnError> {
    let f = str_arg(&a[0]);
    let args = &a[1..];
    if args.is_empty() {
        return Ok(Value::list(vec![str_value(format_str(f, args)?)]));
    }
    let mut iter_len: Option<(usize, usize)> = None;
    for (i, v) in args.iter().enumerate() {
        if let Value::List(e) | Value::Set(e) | Value::Tuple(e) = v {
            match iter_len {
                None => iter_len = Some((e.len(), i)),
                Some((l, c)) if l != e.len() => {
                    return arg_err(
                        i + 1,
                        format!(
                            "argument {} has length {}, which is inconsistent with argument {} of length {l}",
                            i + 1,
                            e.len(),
                            c + 1
                        ),
                    )
                }
                _ => {}
            }
        }
    }
    let n = iter_len.map_or(1, |x| x.0);
    let mut out = Vec::with_capacity(n);
    for k in 0..n {
        let row: Vec<Value> = args
            .iter()
            .map(|v| match v {
                Value::List(e) | Value::Set(e) | Value::Tuple(e) => e[k].clone(),
                other => other.clone(),
            })
            .collect();
        let x = format_str(f, &row).map_err(|e| match e {
            FnError::Msg(m) | FnError::Arg(_, m) => {
                FnError::msg(format!("error on format iteration {k}: {m}"))
            }
        })?;
        out.push(str_value(x));
    }
    Ok(Value::list(out))
}

/// The `format` and `formatlist` builtins: one table entry each (name, parameters, variadic
/// parameter, body).
pub(super) fn all() -> Vec<FuncDef> {
    vec![
        def(
            "format",
            vec![param("format", Type::String)],
            Some(nullable_param("args", Type::Dynamic)),
            |_: &FnEnv, a: &[Value]| format_str(str_arg(&a[0]), &a[1..]).map(str_value),
        ),
        def(
            "formatlist",
            vec![param("format", Type::String)],
            Some(nullable_param("args", Type::Dynamic)),
            |_: &FnEnv, a: &[Value]| formatlist(a),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{bv, call_err, fv, l, null, nv, printed, sv, t};

    #[test]
    fn conformance_202() {
        assert_eq!(
            printed(
                "format",
                vec![
                    sv("%s-%03d-%.2f-%t-%q"),
                    sv("x"),
                    nv(7),
                    fv("3.14159"),
                    bv(true),
                    sv("q")
                ]
            ),
            "x-007-3.14-true-\"q\""
        );
        assert_eq!(printed("format", vec![sv("%v|%v"), nv(5), sv("s")]), "5|s");
        assert_eq!(
            printed(
                "formatlist",
                vec![
                    sv("%s=%s"),
                    l(vec![sv("a"), sv("b")]),
                    l(vec![sv("1"), sv("2")])
                ]
            ),
            r#"["a=1","b=2"]"#
        );
    }

    #[test]
    fn verbs() {
        let f =
            |fmt: &str, a: super::super::testutil::TestValue| printed("format", vec![sv(fmt), a]);
        assert_eq!(f("%v", nv(1_234_567)), "1.234567e+06");
        assert_eq!(f("%v", nv(100_000)), "100000");
        assert_eq!(f("%v", fv("0.5")), "0.5");
        assert_eq!(f("%#v", sv("a")), "\"a\"");
        assert_eq!(f("%v", t(vec![nv(1), sv("<")])), "[1,\"\\u003c\"]");
        assert_eq!(f("%v", null()), "null");
        assert_eq!(f("%5d|", nv(42)), "   42|");
        assert_eq!(f("%-5d|", nv(-42)), "-42  |");
        assert_eq!(f("%+d", nv(42)), "+42");
        assert_eq!(f("%x", nv(255)), "ff");
        assert_eq!(f("%#X", nv(255)), "0XFF");
        assert_eq!(f("%b", nv(5)), "101");
        assert_eq!(f("%.3d", nv(5)), "005");
        assert_eq!(f("%e", fv("1234.5678")), "1.234568e+03");
        assert_eq!(f("%.2e", fv("0")), "0.00e+00");
        assert_eq!(f("%f", fv("1.5")), "1.500000");
        assert_eq!(f("%08.3f", fv("-3.14159")), "-003.142");
        assert_eq!(f("%g", fv("0.00001234")), "1.234e-05");
        assert_eq!(f("%.3g", fv("1234.5")), "1.23e+03");
        assert_eq!(f("%.0f", fv("2.5")), "2");
        assert_eq!(f("%5s|", sv("ab")), "   ab|");
        assert_eq!(f("%-5s|", sv("ab")), "ab   |");
        assert_eq!(f("%.2s", sv("héllo")), "hé");
        assert_eq!(f("%t", sv("true")), "true");
        assert_eq!(f("%s", nv(5)), "5");
        assert_eq!(
            printed("format", vec![sv("%[2]s %[1]s"), sv("a"), sv("b")]),
            "b a"
        );
        assert_eq!(printed("format", vec![sv("100%%")]), "100%");
        assert!(call_err("format", vec![sv("%d"), fv("1.5")]).contains("an integer is required"));
        assert!(call_err("format", vec![sv("%s")]).contains("not enough arguments"));
        assert!(call_err("format", vec![sv("x"), sv("a")]).contains("too many arguments"));
        assert!(call_err("format", vec![sv("%s"), null()]).contains("null value"));
        assert!(call_err("format", vec![sv("%z"), sv("a")]).contains("unsupported format verb"));
        assert!(call_err("format", vec![sv("%"), sv("a")]).contains("invalid format string"));
        assert!(call_err("format", vec![sv("%d"), sv("x")]).contains("a number is required"));
        assert!(
            call_err("formatlist", vec![sv("%s%s"), l(vec![sv("a")]), l(vec![])])
                .contains("inconsistent")
        );
        assert_eq!(
            printed(
                "formatlist",
                vec![sv("%s-%s"), sv("x"), t(vec![nv(1), nv(2)])]
            ),
            r#"["x-1","x-2"]"#
        );
    }
}
