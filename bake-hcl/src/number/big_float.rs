//! The arithmetic of Go's `math/big.Float` on an unpacked working form ([`BigFloat`]):
//! rounding to a precision (`ToNearestEven`, with Go's exponent limits), addition,
//! multiplication, division, comparison, truncation and `pow5`. [`super::Number`] stores the
//! results compactly and calls in here when its small-integer fast paths do not apply.

use std::cmp::Ordering;

use num_bigint::BigUint;
use num_integer::Integer;
use num_traits::Zero;

use super::{MAX_EXP, MIN_EXP};

/// The working form of a value on the general (slow) paths: an unpacked `big.Float`.
#[derive(Clone, Debug)]
pub(super) enum BigFloat {
    Zero(bool),
    /// `(-1)^neg * mant * 2^exp` with `mant > 0` (not necessarily odd).
    Fin(bool, BigUint, i64),
    Inf(bool),
}

/// Marker for operations that would produce NaN (Go panics with `ErrNaN`).
pub(super) struct NaN;

pub(super) fn bits(m: &BigUint) -> i64 {
    m.bits() as i64
}

/// Significant bits of a u64 (0 for 0).
pub(super) fn sig_bits(u: u64) -> u32 {
    if u == 0 {
        0
    } else {
        64 - u.leading_zeros() - u.trailing_zeros()
    }
}

/// Round `(-1)^neg * mant * 2^exp` (+ a sticky fraction below the lowest
/// bit if `sticky`) to `prec` bits, `ToNearestEven`, with Go's exponent limits.
pub(super) fn round(neg: bool, mant: BigUint, exp: i64, sticky: bool, prec: u32) -> BigFloat {
    if mant.is_zero() {
        return BigFloat::Zero(neg);
    }
    let n = bits(&mant);
    let gexp = exp.saturating_add(n);
    if gexp < MIN_EXP {
        return BigFloat::Zero(neg);
    }
    if gexp > MAX_EXP {
        return BigFloat::Inf(neg);
    }
    let prec = i64::from(prec.max(1));
    if n <= prec {
        return BigFloat::Fin(neg, mant, exp);
    }
    let shift = (n - prec) as u64;
    let rbit = mant.bit(shift - 1);
    let lower_nonzero = sticky || mant.trailing_zeros().is_some_and(|tz| tz < shift - 1);
    let mut m = mant >> shift;
    let mut e = exp + shift as i64;
    if rbit && (lower_nonzero || m.bit(0)) {
        m += 1u32;
        if bits(&m) > prec {
            m >>= 1u32;
            e += 1;
            if e + bits(&m) > MAX_EXP {
                return BigFloat::Inf(neg);
            }
        }
    }
    BigFloat::Fin(neg, m, e)
}

/// Round an existing value to `prec` bits (`SetPrec` / `Set` into a smaller
/// precision).
pub(super) fn round_val(v: BigFloat, prec: u32) -> BigFloat {
    match v {
        BigFloat::Fin(n, m, e) => round(n, m, e, false, prec),
        other => other,
    }
}

pub(super) fn add_val(a: &BigFloat, b: &BigFloat, prec: u32) -> Result<BigFloat, NaN> {
    match (a, b) {
        (BigFloat::Fin(an, am, ae), BigFloat::Fin(bn, bm, be)) => {
            Ok(add_fin(*an, am, *ae, *bn, bm, *be, prec))
        }
        (BigFloat::Inf(x), BigFloat::Inf(y)) if x != y => Err(NaN),
        (BigFloat::Zero(x), BigFloat::Zero(y)) => Ok(BigFloat::Zero(*x && *y)),
        (BigFloat::Inf(_), _) | (_, BigFloat::Zero(_)) => Ok(round_val(a.clone(), prec)),
        _ => Ok(round_val(b.clone(), prec)),
    }
}

pub(super) fn add_fin(
    an: bool,
    am: &BigUint,
    ae: i64,
    bn: bool,
    bm: &BigUint,
    be: i64,
    prec: u32,
) -> BigFloat {
    // Order by magnitude position so that `l` is the operand with the higher top bit.
    let (ltop, stop) = (ae + bits(am), be + bits(bm));
    let ((ln, lm, le), (sn, sm, se)) = if ltop >= stop {
        ((an, am, ae), (bn, bm, be))
    } else {
        ((bn, bm, be), (an, am, ae))
    };
    // If the smaller operand lies entirely below the rounding position of
    // the larger one (with a safety margin), it only acts as a sticky bit.
    let lbits = bits(lm);
    let k = (i64::from(prec) + 2 - lbits).max(0);
    let low = le - k; // the unit of lm << k
    if se + bits(sm) < low - 1 {
        let big = (lm.clone() << (k as u64 + 1)) as BigUint;
        let m = if ln == sn { big + 1u32 } else { big - 1u32 };
        return round(ln, m, low - 1, false, prec);
    }
    let e = le.min(se);
    let x = lm.clone() << ((le - e) as u64);
    let y = sm.clone() << ((se - e) as u64);
    if ln == sn {
        round(ln, x + y, e, false, prec)
    } else {
        match x.cmp(&y) {
            Ordering::Equal => BigFloat::Zero(false),
            Ordering::Greater => round(ln, x - y, e, false, prec),
            Ordering::Less => round(sn, y - x, e, false, prec),
        }
    }
}

pub(super) fn mul_val(a: &BigFloat, b: &BigFloat, prec: u32) -> Result<BigFloat, NaN> {
    let neg = sign_neg(a) != sign_neg(b);
    match (a, b) {
        (BigFloat::Fin(_, am, ae), BigFloat::Fin(_, bm, be)) => {
            Ok(round(neg, am * bm, ae + be, false, prec))
        }
        (BigFloat::Zero(_), BigFloat::Inf(_)) | (BigFloat::Inf(_), BigFloat::Zero(_)) => Err(NaN),
        (BigFloat::Inf(_), _) | (_, BigFloat::Inf(_)) => Ok(BigFloat::Inf(neg)),
        _ => Ok(BigFloat::Zero(neg)),
    }
}

pub(super) fn quo_val(a: &BigFloat, b: &BigFloat, prec: u32) -> Result<BigFloat, NaN> {
    let neg = sign_neg(a) != sign_neg(b);
    match (a, b) {
        (BigFloat::Fin(_, am, ae), BigFloat::Fin(_, bm, be)) => {
            let shift = (i64::from(prec) + 2 + bits(bm) - bits(am)).max(0);
            let num = am.clone() << (shift as u64);
            let (q, r) = num.div_rem(bm);
            Ok(round(neg, q, ae - shift - be, !r.is_zero(), prec))
        }
        (BigFloat::Zero(_), BigFloat::Zero(_)) | (BigFloat::Inf(_), BigFloat::Inf(_)) => Err(NaN),
        (BigFloat::Zero(_), _) | (_, BigFloat::Inf(_)) => Ok(BigFloat::Zero(neg)),
        _ => Ok(BigFloat::Inf(neg)),
    }
}

fn sign_neg(v: &BigFloat) -> bool {
    match v {
        BigFloat::Zero(n) | BigFloat::Inf(n) | BigFloat::Fin(n, _, _) => *n,
    }
}

/// `big.Float.Cmp`.
pub(super) fn cmp_val(a: &BigFloat, b: &BigFloat) -> Ordering {
    fn class(v: &BigFloat) -> i8 {
        match v {
            BigFloat::Inf(true) => -2,
            BigFloat::Fin(true, _, _) => -1,
            BigFloat::Zero(_) => 0,
            BigFloat::Fin(false, _, _) => 1,
            BigFloat::Inf(false) => 2,
        }
    }
    let (ca, cb) = (class(a), class(b));
    if ca != cb {
        return ca.cmp(&cb);
    }
    match (a, b) {
        (BigFloat::Fin(neg, am, ae), BigFloat::Fin(_, bm, be)) => {
            let mag = cmp_mag(am, *ae, bm, *be);
            if *neg {
                mag.reverse()
            } else {
                mag
            }
        }
        _ => Ordering::Equal,
    }
}

fn cmp_mag(am: &BigUint, ae: i64, bm: &BigUint, be: i64) -> Ordering {
    let (at, bt) = (ae + bits(am), be + bits(bm));
    if at != bt {
        return at.cmp(&bt);
    }
    let e = ae.min(be);
    let x = am.clone() << ((ae - e) as u64);
    let y = bm.clone() << ((be - e) as u64);
    x.cmp(&y)
}

/// Truncate toward zero (`big.Float.Int`), for finite values.
pub(super) fn trunc_fin(m: &BigUint, e: i64) -> BigUint {
    if e >= 0 {
        m.clone() << (e as u64)
    } else {
        let s = (-e) as u64;
        if s >= m.bits() {
            BigUint::zero()
        } else {
            m >> s
        }
    }
}

/// `pow5` from math/big/floatconv.go, with `z` at precision `prec`.
pub(super) fn go_pow5(n: u64, prec: u32) -> BigFloat {
    const TAB_MAX: u64 = 27;
    if n <= TAB_MAX {
        return BigFloat::Fin(false, BigUint::from(5u32).pow(n as u32), 0);
    }
    let mut z = BigFloat::Fin(false, BigUint::from(5u32).pow(TAB_MAX as u32), 0);
    let mut n = n - TAB_MAX;
    let fprec = prec + 64;
    let mut f = BigFloat::Fin(false, BigUint::from(5u32), 0);
    while n > 0 {
        if n & 1 != 0 {
            z = mul_val(&z, &f, prec).unwrap_or(BigFloat::Zero(false));
        }
        if matches!(z, BigFloat::Inf(_)) {
            return z;
        }
        f = mul_val(&f, &f, fprec).unwrap_or(BigFloat::Zero(false));
        n >>= 1;
    }
    z
}
