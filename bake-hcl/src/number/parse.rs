//! Reading numbers: `big.ParseFloat(s, 10, 512, ToNearestEven)`, which `cty.ParseNumberVal`
//! uses for HCL literals and for strings converted to numbers, with the same sequence of
//! roundings.

use num_bigint::BigUint;

use super::big_float::{bits, go_pow5, mul_val, quo_val, round_val, BigFloat};
use super::{Number, Repr, MAX_EXP, MIN_EXP, PARSE_PREC};

/// [`Number::parse`]: `None` where cty reports "a number is required".
pub(super) fn parse_float(s: &str) -> Option<Number> {
    let b = s.as_bytes();
    if let Some(n) = small_integer(b) {
        return Some(n);
    }
    match s {
        "Inf" | "inf" | "+Inf" | "+inf" => {
            return Some(Number(Repr::Inf {
                neg: false,
                prec: PARSE_PREC,
            }))
        }
        "-Inf" | "-inf" => {
            return Some(Number(Repr::Inf {
                neg: true,
                prec: PARSE_PREC,
            }))
        }
        _ => {}
    }
    let (neg, start) = match b.first()? {
        b'-' => (true, 1),
        b'+' => (false, 1),
        _ => (false, 0),
    };
    let mantissa = read_mantissa(b, start)?;
    let (exp, base2, end) = read_exponent(b, mantissa.end)?;
    if end != b.len() {
        return None;
    }
    if mantissa.digits.is_empty() {
        return Some(if neg {
            Number(Repr::NegZero { prec: PARSE_PREC })
        } else {
            Number::int(0, PARSE_PREC)
        });
    }
    scale(neg, &mantissa, exp, base2)
}

/// The fast path: a plain small integer (at most 18 characters, an optional sign and digits
/// only); `None` for anything else.
fn small_integer(b: &[u8]) -> Option<Number> {
    if b.is_empty() || b.len() > 18 {
        return None;
    }
    let (neg, digits) = match b[0] {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: i64 = 0;
    for &c in digits {
        v = v * 10 + i64::from(c - b'0');
    }
    if neg {
        if v == 0 {
            return Some(Number(Repr::NegZero { prec: PARSE_PREC }));
        }
        v = -v;
    }
    Some(Number::int(v, PARSE_PREC))
}

/// The digits of a mantissa (`[0-9]*` with an optional `.`, at least one digit).
struct Mantissa {
    /// The digits, leading zeros dropped (empty for zero).
    digits: Vec<u8>,
    /// Minus the number of digits after the point (0 without a point).
    fraction_exp: i64,
    /// Where the mantissa ends.
    end: usize,
}

/// The mantissa starting at `i`; `None` without any digit.
fn read_mantissa(b: &[u8], mut i: usize) -> Option<Mantissa> {
    let mut digits: Vec<u8> = Vec::new();
    let mut dot: Option<usize> = None;
    let mut ndigits = 0usize;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() {
            ndigits += 1;
            // Leading zeros do not change the mantissa (but still count
            // as fractional digits after the point).
            if !(digits.is_empty() && c == b'0') {
                digits.push(c);
            }
            i += 1;
        } else if c == b'.' && dot.is_none() {
            dot = Some(ndigits);
            i += 1;
        } else {
            break;
        }
    }
    if ndigits == 0 {
        return None;
    }
    let fraction_exp: i64 = match dot {
        Some(d) => -((ndigits - d) as i64),
        None => 0,
    };
    Some(Mantissa {
        digits,
        fraction_exp,
        end: i,
    })
}

/// The optional exponent at `i` (`e`/`E` decimal, `p`/`P` binary): (exponent, whether it is
/// binary, where it ends). `None` when something else follows the mantissa or the exponent
/// has no digits.
fn read_exponent(b: &[u8], mut i: usize) -> Option<(i64, bool, usize)> {
    if i >= b.len() {
        return Some((0, false, i));
    }
    match b[i] {
        b'e' | b'E' | b'p' | b'P' => {
            let base2 = matches!(b[i], b'p' | b'P');
            i += 1;
            let mut eneg = false;
            if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
                eneg = b[i] == b'-';
                i += 1;
            }
            let es = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == es {
                return None;
            }
            let txt = std::str::from_utf8(&b[es..i]).ok()?;
            let t = if eneg {
                format!("-{txt}")
            } else {
                txt.to_string()
            };
            Some((t.parse::<i64>().ok()?, base2, i))
        }
        _ => None,
    }
}

/// The value `digits * 10^fraction_exp * (2 or 10)^exp`, rounded as `big.ParseFloat` rounds:
/// the mantissa scaled by a power of five (multiplied or divided) at 512 bits.
fn scale(neg: bool, mantissa: &Mantissa, exp: i64, base2: bool) -> Option<Number> {
    let mant = BigUint::parse_bytes(&mantissa.digits, 10)?;
    let nb = bits(&mant);
    // Go computes these in (wrapping) int64.
    let mut exp2: i64 = nb;
    let mut exp5: i64 = 0;
    if mantissa.fraction_exp < 0 {
        exp5 = mantissa.fraction_exp;
        exp2 = exp2.wrapping_add(mantissa.fraction_exp);
    }
    if base2 {
        exp2 = exp2.wrapping_add(exp);
    } else {
        exp5 = exp5.wrapping_add(exp);
        exp2 = exp2.wrapping_add(exp);
    }
    if !(MIN_EXP..=MAX_EXP).contains(&exp2) {
        return None; // "exponent overflow"
    }
    let z = BigFloat::Fin(neg, mant, exp2 - nb);
    let r = if exp5 == 0 {
        round_val(z, PARSE_PREC)
    } else {
        let p = go_pow5(exp5.unsigned_abs(), PARSE_PREC + 64);
        let r = if exp5 < 0 {
            quo_val(&z, &p, PARSE_PREC)
        } else {
            mul_val(&z, &p, PARSE_PREC)
        };
        r.ok()?
    };
    Some(Number::from_big_float(r, PARSE_PREC))
}
