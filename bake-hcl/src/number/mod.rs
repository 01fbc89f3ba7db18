//! go-cty compatible numbers.
//!
//! go-cty represents every number as a Go `*big.Float`: a binary floating
//! point value with an arbitrary-size mantissa of a per-value *precision*
//! (in bits), rounding ToNearestEven, a signed zero, ±Inf and a 32-bit binary
//! exponent. This module reproduces those semantics exactly:
//!
//! * the precision of every value is tracked, because Go does: numbers parsed
//!   from source or strings (`cty.ParseNumberVal`) have 512 bits, values from
//!   `cty.NumberIntVal` 64 bits, values from `cty.NumberFloatVal` (e.g. the
//!   results of `pow` and `log`) 53 bits. Arithmetic results take the larger
//!   precision of their operands (Multiply may grow it up to 512 bits), and
//!   the precision decides how a value prints (`Text('f', -1)` prints the
//!   shortest decimal that identifies the value *at its precision*), so
//!   `pow(2, 0.5)` prints `1.4142135623730951` while `1/3` prints 155 digits;
//! * every operation is correctly rounded like `math/big`, including the
//!   exact sequence of roundings that `big.ParseFloat` and cty's `Modulo`
//!   perform;
//! * equality is cty's `rawNumberEqual` (integers by value, other numbers by
//!   their `Text('f', -1)` form, `-0 == 0`).
//!
//! Small integers (the overwhelming majority) are stored inline as `i64`
//! without allocation; everything else uses a [`BigUint`] mantissa.

use num_bigint::BigUint;
use num_integer::Integer;
use num_traits::{One, ToPrimitive, Zero};
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

/// Precision used by `cty.ParseNumberVal` (HCL literals, string → number).
pub const PARSE_PREC: u32 = 512;
/// Precision of `cty.NumberIntVal` / `cty.NumberUIntVal` (`SetInt64`).
pub const INT_PREC: u32 = 64;
/// Precision of `cty.NumberFloatVal` (`SetFloat64`).
pub const FLOAT_PREC: u32 = 53;

/// `big.MaxExp` / `big.MinExp` (exponent of the form `0.mant * 2**exp`).
const MAX_EXP: i64 = i32::MAX as i64;
const MIN_EXP: i64 = i32::MIN as i64;

/// Error messages as go-cty's stdlib functions report them.
///
/// Adding infinities of opposite signs.
pub const ERR_ADD_INF: &str = "can't compute sum of opposing infinities";
/// Subtracting an infinity from an infinity of the same sign.
pub const ERR_SUB_INF: &str = "can't subtract infinity from itself";
/// Multiplying zero by an infinity.
pub const ERR_MUL_INF: &str = "can't multiply zero by infinity";
/// Dividing zero by zero or an infinity by an infinity.
pub const ERR_DIV_NAN: &str = "can't divide zero by zero or infinity by infinity";
/// A modulo whose intermediate steps meet an infinity they cannot handle (`5 % inf`).
pub const ERR_MOD_INF: &str = "can't use modulo with zero and infinity";
/// What cty's `Modulo` / `IntFunc` end up reporting when Go dereferences the
/// nil `*big.Int` that `(*big.Float).Int` returns for an infinity (cty turns
/// the runtime panic into this error, followed by a Go stack trace).
pub const ERR_NIL_DEREF: &str =
    "panic in function implementation: runtime error: invalid memory address or nil pointer dereference";
/// `cty.NumberFloatVal(NaN)` panics inside `big.Float.SetFloat64`.
pub const ERR_FLOAT_NAN: &str = "panic in function implementation: Float.SetFloat64(NaN)";
/// gocty's error when converting a non-integer (or out of range) to Go `int`.
pub const ERR_WHOLE_NUMBER: &str =
    "value must be a whole number, between -9223372036854775808 and 9223372036854775807";
/// gocty's error when a finite number does not fit a float64.
pub const ERR_FLOAT_RANGE: &str = "value must be between -179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368.000000 and 179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368.000000 inclusive";
/// cty/json's error for infinities.
pub const ERR_JSON_INF: &str = "cannot serialize infinity as JSON";

/// A go-cty number (a Go `*big.Float`, never NaN).
#[derive(Clone, Debug)]
pub struct Number(Repr);

#[derive(Clone, Debug)]
enum Repr {
    /// A finite integer that fits an `i64` (including +0). Never used for -0.
    Int {
        v: i64,
        prec: u32,
    },
    /// Negative zero.
    NegZero {
        prec: u32,
    },
    /// Any other finite value.
    Big(Box<BigRepr>),
    Inf {
        neg: bool,
        prec: u32,
    },
}

/// `(-1)^neg * mant * 2^exp`, `mant` odd.
#[derive(Clone, Debug)]
struct BigRepr {
    neg: bool,
    mant: BigUint,
    exp: i64,
    prec: u32,
}

/// Working form of a value used by the general (slow) paths.
#[derive(Clone, Debug)]
enum Val {
    Zero(bool),
    /// `(-1)^neg * mant * 2^exp` with `mant > 0` (not necessarily odd).
    Fin(bool, BigUint, i64),
    Inf(bool),
}

/// Marker for operations that would produce NaN (Go panics with `ErrNaN`).
struct NaN;

fn bits(m: &BigUint) -> i64 {
    m.bits() as i64
}

/// Significant bits of a u64 (0 for 0).
fn sig_bits(u: u64) -> u32 {
    if u == 0 {
        0
    } else {
        64 - u.leading_zeros() - u.trailing_zeros()
    }
}

/// Round `(-1)^neg * mant * 2^exp` (+ a sticky fraction below the lowest
/// bit if `sticky`) to `prec` bits, ToNearestEven, with Go's exponent limits.
fn round(neg: bool, mant: BigUint, exp: i64, sticky: bool, prec: u32) -> Val {
    if mant.is_zero() {
        return Val::Zero(neg);
    }
    let n = bits(&mant);
    let gexp = exp.saturating_add(n);
    if gexp < MIN_EXP {
        return Val::Zero(neg);
    }
    if gexp > MAX_EXP {
        return Val::Inf(neg);
    }
    let prec = i64::from(prec.max(1));
    if n <= prec {
        return Val::Fin(neg, mant, exp);
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
                return Val::Inf(neg);
            }
        }
    }
    Val::Fin(neg, m, e)
}

/// Round an existing value to `prec` bits (`SetPrec` / `Set` into a smaller
/// precision).
fn round_val(v: Val, prec: u32) -> Val {
    match v {
        Val::Fin(n, m, e) => round(n, m, e, false, prec),
        other => other,
    }
}

fn add_val(a: &Val, b: &Val, prec: u32) -> Result<Val, NaN> {
    match (a, b) {
        (Val::Fin(an, am, ae), Val::Fin(bn, bm, be)) => {
            Ok(add_fin(*an, am, *ae, *bn, bm, *be, prec))
        }
        (Val::Inf(x), Val::Inf(y)) if x != y => Err(NaN),
        (Val::Zero(x), Val::Zero(y)) => Ok(Val::Zero(*x && *y)),
        (Val::Inf(_), _) | (_, Val::Zero(_)) => Ok(round_val(a.clone(), prec)),
        _ => Ok(round_val(b.clone(), prec)),
    }
}

fn add_fin(an: bool, am: &BigUint, ae: i64, bn: bool, bm: &BigUint, be: i64, prec: u32) -> Val {
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
            Ordering::Equal => Val::Zero(false),
            Ordering::Greater => round(ln, x - y, e, false, prec),
            Ordering::Less => round(sn, y - x, e, false, prec),
        }
    }
}

fn mul_val(a: &Val, b: &Val, prec: u32) -> Result<Val, NaN> {
    let neg = sign_neg(a) != sign_neg(b);
    match (a, b) {
        (Val::Fin(_, am, ae), Val::Fin(_, bm, be)) => Ok(round(neg, am * bm, ae + be, false, prec)),
        (Val::Zero(_), Val::Inf(_)) | (Val::Inf(_), Val::Zero(_)) => Err(NaN),
        (Val::Inf(_), _) | (_, Val::Inf(_)) => Ok(Val::Inf(neg)),
        _ => Ok(Val::Zero(neg)),
    }
}

fn quo_val(a: &Val, b: &Val, prec: u32) -> Result<Val, NaN> {
    let neg = sign_neg(a) != sign_neg(b);
    match (a, b) {
        (Val::Fin(_, am, ae), Val::Fin(_, bm, be)) => {
            let shift = (i64::from(prec) + 2 + bits(bm) - bits(am)).max(0);
            let num = am.clone() << (shift as u64);
            let (q, r) = num.div_rem(bm);
            Ok(round(neg, q, ae - shift - be, !r.is_zero(), prec))
        }
        (Val::Zero(_), Val::Zero(_)) | (Val::Inf(_), Val::Inf(_)) => Err(NaN),
        (Val::Zero(_), _) | (_, Val::Inf(_)) => Ok(Val::Zero(neg)),
        _ => Ok(Val::Inf(neg)),
    }
}

fn sign_neg(v: &Val) -> bool {
    match v {
        Val::Zero(n) | Val::Inf(n) | Val::Fin(n, _, _) => *n,
    }
}

/// `big.Float.Cmp`.
fn cmp_val(a: &Val, b: &Val) -> Ordering {
    fn class(v: &Val) -> i8 {
        match v {
            Val::Inf(true) => -2,
            Val::Fin(true, _, _) => -1,
            Val::Zero(_) => 0,
            Val::Fin(false, _, _) => 1,
            Val::Inf(false) => 2,
        }
    }
    let (ca, cb) = (class(a), class(b));
    if ca != cb {
        return ca.cmp(&cb);
    }
    match (a, b) {
        (Val::Fin(neg, am, ae), Val::Fin(_, bm, be)) => {
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
fn trunc_fin(m: &BigUint, e: i64) -> BigUint {
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
fn go_pow5(n: u64, prec: u32) -> Val {
    const TAB_MAX: u64 = 27;
    if n <= TAB_MAX {
        return Val::Fin(false, BigUint::from(5u32).pow(n as u32), 0);
    }
    let mut z = Val::Fin(false, BigUint::from(5u32).pow(TAB_MAX as u32), 0);
    let mut n = n - TAB_MAX;
    let fprec = prec + 64;
    let mut f = Val::Fin(false, BigUint::from(5u32), 0);
    while n > 0 {
        if n & 1 != 0 {
            z = mul_val(&z, &f, prec).unwrap_or(Val::Zero(false));
        }
        if matches!(z, Val::Inf(_)) {
            return z;
        }
        f = mul_val(&f, &f, fprec).unwrap_or(Val::Zero(false));
        n >>= 1;
    }
    z
}

/// Exact decimal digits (no trailing zeros) and decimal point position of
/// `mant * 2^exp` (Go's `decimal.init`).
fn to_decimal(mant: &BigUint, exp: i64) -> (Vec<u8>, i64) {
    if mant.is_zero() {
        return (Vec::new(), 0);
    }
    let (s, dexp) = if exp >= 0 {
        let s = (mant.clone() << (exp as u64)).to_str_radix(10);
        let l = s.len() as i64;
        (s, l)
    } else {
        let s = (mant * BigUint::from(5u32).pow((-exp) as u32)).to_str_radix(10);
        let l = s.len() as i64;
        (s, l + exp)
    };
    let mut d = s.into_bytes();
    while d.last() == Some(&b'0') {
        d.pop();
    }
    (d, dexp)
}

struct Decimal {
    mant: Vec<u8>,
    exp: i64,
}

impl Decimal {
    fn at(&self, i: i64) -> u8 {
        if i >= 0 && (i as usize) < self.mant.len() {
            self.mant[i as usize]
        } else {
            b'0'
        }
    }
    fn trim(&mut self) {
        while self.mant.last() == Some(&b'0') {
            self.mant.pop();
        }
        if self.mant.is_empty() {
            self.exp = 0;
        }
    }
    fn round(&mut self, n: usize) {
        if n >= self.mant.len() {
            return;
        }
        let up = if self.mant[n] == b'5' && n + 1 == self.mant.len() {
            n > 0 && (self.mant[n - 1] - b'0') & 1 != 0
        } else {
            self.mant[n] >= b'5'
        };
        if up {
            self.round_up(n)
        } else {
            self.round_down(n)
        }
    }
    fn round_up(&mut self, mut n: usize) {
        if n >= self.mant.len() {
            return;
        }
        while n > 0 && self.mant[n - 1] >= b'9' {
            n -= 1;
        }
        if n == 0 {
            self.mant.truncate(1);
            self.mant[0] = b'1';
            self.exp += 1;
            return;
        }
        self.mant[n - 1] += 1;
        self.mant.truncate(n);
    }
    fn round_down(&mut self, n: usize) {
        if n >= self.mant.len() {
            return;
        }
        self.mant.truncate(n);
        self.trim();
    }
}

/// `(*big.Float).Text('f', -1)` for a finite nonzero magnitude `mant * 2^exp`
/// (`mant` odd) of precision `prec`, without the sign.
fn format_shortest(mant: &BigUint, exp: i64, prec: u32) -> String {
    let (digits, dexp) = to_decimal(mant, exp);
    let mut d = Decimal {
        mant: digits,
        exp: dexp,
    };
    // roundShortest
    let b = bits(mant);
    let s = i64::from(prec) + 1 - b; // >= 1 because b <= prec
    let (m2, e2) = if s >= 0 {
        (mant.clone() << (s as u64), exp - s)
    } else {
        (mant >> ((-s) as u64), exp - s)
    };
    let (lm, le) = to_decimal(&(&m2 - 1u32), e2);
    let (um, ue) = to_decimal(&(&m2 + 1u32), e2);
    let lower = Decimal { mant: lm, exp: le };
    let upper = Decimal { mant: um, exp: ue };
    let inclusive = !m2.bit(1);
    for i in 0..d.mant.len() {
        let m = d.mant[i];
        let l = lower.at(i as i64);
        let u = upper.at(i as i64);
        let okdown = l != m || inclusive && i + 1 == lower.mant.len();
        let okup = m != u && (inclusive || m + 1 < u || i + 1 < upper.mant.len());
        if okdown && okup {
            d.round(i + 1);
            break;
        } else if okdown {
            d.round_down(i + 1);
            break;
        } else if okup {
            d.round_up(i + 1);
            break;
        }
    }
    fmt_f(&d)
}

/// Go's `fmtF` with prec = max(len(mant) - exp, 0).
fn fmt_f(d: &Decimal) -> String {
    let len = d.mant.len() as i64;
    let fprec = (len - d.exp).max(0);
    let mut out = String::with_capacity((d.exp.max(1) + fprec + 2) as usize);
    if d.exp > 0 {
        let m = len.min(d.exp) as usize;
        out.push_str(std::str::from_utf8(&d.mant[..m]).unwrap_or(""));
        for _ in m as i64..d.exp {
            out.push('0');
        }
    } else {
        out.push('0');
    }
    if fprec > 0 {
        out.push('.');
        for i in 0..fprec {
            out.push(d.at(d.exp + i) as char);
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Go math functions used by cty's stdlib (math.Pow / math.Log are pure Go).

fn go_frexp(f: f64) -> (f64, i32) {
    if f == 0.0 || f.is_infinite() || f.is_nan() {
        return (f, 0);
    }
    let (mut f, mut exp) = (f, 0i32);
    if f.abs() < f64::MIN_POSITIVE {
        f *= (1u64 << 52) as f64;
        exp = -52;
    }
    let mut x = f.to_bits();
    exp += ((x >> 52) & 0x7ff) as i32 - 1022;
    x &= !(0x7ffu64 << 52);
    x |= 1022u64 << 52;
    (f64::from_bits(x), exp)
}

fn go_ldexp(frac: f64, exp: i64) -> f64 {
    if frac == 0.0 || frac.is_infinite() || frac.is_nan() {
        return frac;
    }
    let (frac, e) = go_frexp(frac);
    let mut exp = exp + i64::from(e);
    let mut x = frac.to_bits();
    exp += ((x >> 52) & 0x7ff) as i64 - 1023;
    if exp < -1075 {
        return 0.0f64.copysign(frac);
    }
    if exp > 1023 {
        return if frac < 0.0 {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
    }
    let mut m = 1.0f64;
    if exp < -1022 {
        exp += 53;
        m = 1.0 / (1u64 << 53) as f64;
    }
    x &= !(0x7ffu64 << 52);
    x |= ((exp + 1023) as u64) << 52;
    m * f64::from_bits(x)
}

fn go_is_odd_int(x: f64) -> bool {
    if x.abs() >= (1u64 << 53) as f64 {
        return false;
    }
    x.fract() == 0.0 && (x.trunc() as i64) & 1 == 1
}

/// Go's `math.log` (the amd64 assembly implements the same algorithm).
pub fn go_log(x: f64) -> f64 {
    const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
    const L1: f64 = f64::from_bits(0x3fe5_5555_5555_5593);
    const L2: f64 = f64::from_bits(0x3fd9_9999_9997_fa04);
    const L3: f64 = f64::from_bits(0x3fd2_4924_9422_9359);
    const L4: f64 = f64::from_bits(0x3fcc_71c5_1d8e_78af);
    const L5: f64 = f64::from_bits(0x3fc7_4664_96cb_03de);
    const L6: f64 = f64::from_bits(0x3fc3_9a09_d078_c69f);
    const L7: f64 = f64::from_bits(0x3fc2_f112_df3e_5244);
    if x.is_nan() || x == f64::INFINITY {
        return x;
    }
    if x < 0.0 {
        return f64::NAN;
    }
    if x == 0.0 {
        return f64::NEG_INFINITY;
    }
    let (mut f1, mut ki) = go_frexp(x);
    if f1 < std::f64::consts::SQRT_2 / 2.0 {
        f1 *= 2.0;
        ki -= 1;
    }
    let f = f1 - 1.0;
    let k = f64::from(ki);
    let s = f / (2.0 + f);
    let s2 = s * s;
    let s4 = s2 * s2;
    let t1 = s2 * (L1 + s4 * (L3 + s4 * (L5 + s4 * L7)));
    let t2 = s4 * (L2 + s4 * (L4 + s4 * L6));
    let r = t1 + t2;
    let hfsq = 0.5 * f * f;
    k * LN2_HI - ((hfsq - (s * (hfsq + r) + k * LN2_LO)) - f)
}

/// Go's `math.Pow`. The fractional part of the exponent goes through
/// `Exp`, for which Rust's `f64::exp` is used.
pub fn go_pow(x: f64, y: f64) -> f64 {
    if y == 0.0 || x == 1.0 {
        return 1.0;
    }
    if y == 1.0 {
        return x;
    }
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    if x == 0.0 {
        if y < 0.0 {
            if x.is_sign_negative() && go_is_odd_int(y) {
                return f64::NEG_INFINITY;
            }
            return f64::INFINITY;
        } else if y > 0.0 {
            if x.is_sign_negative() && go_is_odd_int(y) {
                return x;
            }
            return 0.0;
        }
    }
    if y.is_infinite() {
        if x == -1.0 {
            return 1.0;
        }
        if (x.abs() < 1.0) == (y > 0.0) {
            return 0.0;
        }
        return f64::INFINITY;
    }
    if x.is_infinite() {
        if x < 0.0 {
            return go_pow(1.0 / x, -y);
        }
        if y < 0.0 {
            return 0.0;
        } else if y > 0.0 {
            return f64::INFINITY;
        }
    }
    if y == 0.5 {
        return x.sqrt();
    }
    if y == -0.5 {
        return 1.0 / x.sqrt();
    }
    let ya = y.abs();
    let (mut yi, mut yf) = (ya.trunc(), ya - ya.trunc());
    if yf != 0.0 && x < 0.0 {
        return f64::NAN;
    }
    if yi >= (1u64 << 63) as f64 {
        if x == -1.0 {
            return 1.0;
        }
        if (x.abs() < 1.0) == (y > 0.0) {
            return 0.0;
        }
        return f64::INFINITY;
    }
    let mut a1 = 1.0f64;
    let mut ae: i64 = 0;
    if yf != 0.0 {
        if yf > 0.5 {
            yf -= 1.0;
            yi += 1.0;
        }
        a1 = (yf * go_log(x)).exp();
    }
    let (mut x1, xe) = go_frexp(x);
    let mut xe = i64::from(xe);
    let mut i = yi as i64;
    while i != 0 {
        if !(-(1 << 12)..=(1 << 12)).contains(&xe) {
            ae += xe;
            break;
        }
        if i & 1 == 1 {
            a1 *= x1;
            ae += xe;
        }
        x1 *= x1;
        xe <<= 1;
        if x1 < 0.5 {
            x1 += x1;
            xe -= 1;
        }
        i >>= 1;
    }
    if y < 0.0 {
        a1 = 1.0 / a1;
        ae = -ae;
    }
    go_ldexp(a1, ae)
}

// ---------------------------------------------------------------------------

impl Number {
    fn int(v: i64, prec: u32) -> Number {
        Number(Repr::Int { v, prec })
    }

    /// Build a number from a working value, normalizing small integers.
    fn from_val(v: Val, prec: u32) -> Number {
        match v {
            Val::Zero(false) => Number::int(0, prec),
            Val::Zero(true) => Number(Repr::NegZero { prec }),
            Val::Inf(neg) => Number(Repr::Inf { neg, prec }),
            Val::Fin(neg, mant, exp) => {
                let tz = mant.trailing_zeros().unwrap_or(0);
                let mant = mant >> tz;
                let exp = exp + tz as i64;
                if exp >= 0 && bits(&mant) + exp <= 64 {
                    if let Some(u) = mant.to_u64() {
                        let u = u << exp;
                        if !neg && u <= i64::MAX as u64 {
                            return Number::int(u as i64, prec);
                        }
                        if neg && u <= 1u64 << 63 {
                            return Number::int((u as i64).wrapping_neg(), prec);
                        }
                    }
                }
                Number(Repr::Big(Box::new(BigRepr {
                    neg,
                    mant,
                    exp,
                    prec,
                })))
            }
        }
    }

    fn val(&self) -> Val {
        match &self.0 {
            Repr::Int { v, .. } => {
                if *v == 0 {
                    Val::Zero(false)
                } else {
                    Val::Fin(*v < 0, BigUint::from(v.unsigned_abs()), 0)
                }
            }
            Repr::NegZero { .. } => Val::Zero(true),
            Repr::Big(b) => Val::Fin(b.neg, b.mant.clone(), b.exp),
            Repr::Inf { neg, .. } => Val::Inf(*neg),
        }
    }

    /// The value's precision in bits (`big.Float.Prec`).
    pub fn prec(&self) -> u32 {
        match &self.0 {
            Repr::Int { prec, .. } | Repr::NegZero { prec } | Repr::Inf { prec, .. } => *prec,
            Repr::Big(b) => b.prec,
        }
    }

    /// The same value with a different precision, rounding if it shrinks
    /// (`SetPrec`).
    pub fn with_prec(&self, prec: u32) -> Number {
        let prec = prec.max(1);
        match &self.0 {
            Repr::Int { v, .. } if sig_bits(v.unsigned_abs()) <= prec => Number::int(*v, prec),
            _ => Number::from_val(round_val(self.val(), prec), prec),
        }
    }

    /// `cty.NumberIntVal` (precision 64).
    pub fn from_i64(v: i64) -> Number {
        Number::int(v, INT_PREC)
    }

    /// `cty.NumberUIntVal` (precision 64).
    pub fn from_u64(v: u64) -> Number {
        if v <= i64::MAX as u64 {
            Number::int(v as i64, INT_PREC)
        } else {
            Number::from_val(Val::Fin(false, BigUint::from(v), 0), INT_PREC)
        }
    }

    /// `cty.NumberFloatVal` (precision 53); `None` for NaN (Go panics).
    pub fn from_f64(v: f64) -> Option<Number> {
        if v.is_nan() {
            return None;
        }
        if v.is_infinite() {
            return Some(Number(Repr::Inf {
                neg: v < 0.0,
                prec: FLOAT_PREC,
            }));
        }
        if v == 0.0 {
            return Some(if v.is_sign_negative() {
                Number(Repr::NegZero { prec: FLOAT_PREC })
            } else {
                Number::int(0, FLOAT_PREC)
            });
        }
        let b = v.to_bits();
        let neg = b >> 63 != 0;
        let e = ((b >> 52) & 0x7ff) as i64;
        let f = b & ((1u64 << 52) - 1);
        let (m, e) = if e == 0 {
            (f, -1074)
        } else {
            (f | (1u64 << 52), e - 1075)
        };
        Some(Number::from_val(
            Val::Fin(neg, BigUint::from(m), e),
            FLOAT_PREC,
        ))
    }

    /// A big integer at the precision `SetInt` on a fresh `big.Float` gives
    /// (`max(bitlen, 64)`), as `parseint` and `int()` produce.
    pub fn from_bigint(neg: bool, mag: BigUint) -> Number {
        let prec = (mag.bits() as u32).max(64);
        if mag.is_zero() {
            return Number::int(0, prec);
        }
        Number::from_val(Val::Fin(neg, mag, 0), prec)
    }

    /// `cty.ParseNumberVal`: `big.ParseFloat(s, 10, 512, ToNearestEven)`.
    /// Accepts `[+-]` digits with an optional `.`, an optional `e`/`E`
    /// (decimal) or `p`/`P` (binary) exponent, and `Inf`/`inf` with an
    /// optional sign. No whitespace or underscores. Returns `None` where cty
    /// reports "a number is required".
    pub fn parse(s: &str) -> Option<Number> {
        let b = s.as_bytes();
        // Fast path: plain small integers.
        if !b.is_empty() && b.len() <= 18 {
            let (neg, digits) = match b[0] {
                b'-' => (true, &b[1..]),
                b'+' => (false, &b[1..]),
                _ => (false, b),
            };
            if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) {
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
                return Some(Number::int(v, PARSE_PREC));
            }
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
        let mut i = 0;
        let mut neg = false;
        match b.first() {
            None => return None,
            Some(b'-') => {
                neg = true;
                i = 1;
            }
            Some(b'+') => i = 1,
            _ => {}
        }
        // mantissa
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
        let fcount: i64 = match dot {
            Some(d) => -((ndigits - d) as i64),
            None => 0,
        };
        // exponent
        let mut exp: i64 = 0;
        let mut ebase2 = false;
        if i < b.len() {
            match b[i] {
                b'e' | b'E' | b'p' | b'P' => {
                    ebase2 = matches!(b[i], b'p' | b'P');
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
                    exp = t.parse::<i64>().ok()?;
                }
                _ => return None,
            }
        }
        if i != b.len() {
            return None;
        }
        if digits.is_empty() {
            return Some(if neg {
                Number(Repr::NegZero { prec: PARSE_PREC })
            } else {
                Number::int(0, PARSE_PREC)
            });
        }
        let mant = BigUint::parse_bytes(&digits, 10)?;
        let nb = bits(&mant);
        // Go computes these in (wrapping) int64.
        let mut exp2: i64 = nb;
        let mut exp5: i64 = 0;
        if fcount < 0 {
            exp5 = fcount;
            exp2 = exp2.wrapping_add(fcount);
        }
        if ebase2 {
            exp2 = exp2.wrapping_add(exp);
        } else {
            exp5 = exp5.wrapping_add(exp);
            exp2 = exp2.wrapping_add(exp);
        }
        if !(MIN_EXP..=MAX_EXP).contains(&exp2) {
            return None; // "exponent overflow"
        }
        let z = Val::Fin(neg, mant, exp2 - nb);
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
        Some(Number::from_val(r, PARSE_PREC))
    }

    /// Positive infinity.
    pub fn pos_inf() -> Number {
        Number(Repr::Inf {
            neg: false,
            prec: 0,
        })
    }
    /// Negative infinity.
    pub fn neg_inf() -> Number {
        Number(Repr::Inf { neg: true, prec: 0 })
    }
    /// True for +Inf and -Inf.
    pub fn is_inf(&self) -> bool {
        matches!(self.0, Repr::Inf { .. })
    }
    /// True for 0 and -0.
    pub fn is_zero(&self) -> bool {
        matches!(self.0, Repr::Int { v: 0, .. } | Repr::NegZero { .. })
    }
    /// True for values with the sign bit set, including -0 and -Inf.
    pub fn is_negative(&self) -> bool {
        match &self.0 {
            Repr::Int { v, .. } => *v < 0,
            Repr::NegZero { .. } => true,
            Repr::Big(b) => b.neg,
            Repr::Inf { neg, .. } => *neg,
        }
    }
    /// `big.Float.Sign`: -1, 0 or +1.
    pub fn sign(&self) -> i32 {
        match &self.0 {
            Repr::Int { v, .. } => v.signum() as i32,
            Repr::NegZero { .. } => 0,
            _ => {
                if self.is_negative() {
                    -1
                } else {
                    1
                }
            }
        }
    }

    /// cty `Add` (stdlib `AddFunc`): error for `+Inf + -Inf`.
    pub fn try_add(&self, o: &Number) -> Result<Number, &'static str> {
        let prec = self.prec().max(o.prec());
        if let (Repr::Int { v: a, .. }, Repr::Int { v: b, .. }) = (&self.0, &o.0) {
            if let Some(r) = a.checked_add(*b) {
                if sig_bits(r.unsigned_abs()) <= prec {
                    return Ok(Number::int(r, prec));
                }
            }
        }
        add_val(&self.val(), &o.val(), prec)
            .map(|v| Number::from_val(v, prec))
            .map_err(|_| ERR_ADD_INF)
    }

    /// cty `Subtract` (`val.Add(other.Negate())`): error for `Inf - Inf`.
    pub fn try_sub(&self, o: &Number) -> Result<Number, &'static str> {
        self.try_add(&o.neg()).map_err(|_| ERR_SUB_INF)
    }

    /// cty `Multiply`: the product at 512 bits, then precision
    /// `max(prec(a), prec(b), MinPrec(product))`. Error for `0 * Inf`.
    pub fn try_mul(&self, o: &Number) -> Result<Number, &'static str> {
        let prec = self.prec().max(o.prec());
        if let (Repr::Int { v: a, .. }, Repr::Int { v: b, .. }) = (&self.0, &o.0) {
            if let Some(r) = a.checked_mul(*b) {
                if r == 0 && ((*a < 0) != (*b < 0)) {
                    return Ok(Number(Repr::NegZero { prec }));
                }
                return Ok(Number::int(r, prec.max(sig_bits(r.unsigned_abs()))));
            }
        }
        let v = mul_val(&self.val(), &o.val(), PARSE_PREC).map_err(|_| ERR_MUL_INF)?;
        let min_prec = match &v {
            Val::Fin(_, m, _) => (m.bits() - m.trailing_zeros().unwrap_or(0)) as u32,
            _ => 0,
        };
        Ok(Number::from_val(v, prec.max(min_prec)))
    }

    /// `try_add`, yielding +0 where Go would panic (`+Inf + -Inf`).
    pub fn add(&self, o: &Number) -> Number {
        self.try_add(o)
            .unwrap_or_else(|_| Number::int(0, self.prec().max(o.prec())))
    }
    /// `try_sub`, yielding +0 where Go would panic (`Inf - Inf`).
    pub fn sub(&self, o: &Number) -> Number {
        self.try_sub(o)
            .unwrap_or_else(|_| Number::int(0, self.prec().max(o.prec())))
    }
    /// `try_mul`, yielding +0 where Go would panic (`0 * Inf`).
    pub fn mul(&self, o: &Number) -> Number {
        self.try_mul(o)
            .unwrap_or_else(|_| Number::int(0, self.prec().max(o.prec())))
    }

    /// cty `Divide`: `x/0` is ±Inf (sign of x, xor the zero's sign); `0/0`
    /// and `Inf/Inf` are errors.
    pub fn div(&self, o: &Number) -> Result<Number, &'static str> {
        let prec = self.prec().max(o.prec());
        if let (Repr::Int { v: a, .. }, Repr::Int { v: b, .. }) = (&self.0, &o.0) {
            if *b != 0 {
                if let Some(0) = a.checked_rem(*b) {
                    if let Some(q) = a.checked_div(*b) {
                        if q == 0 && *b < 0 {
                            return Ok(Number(Repr::NegZero { prec }));
                        }
                        if sig_bits(q.unsigned_abs()) <= prec {
                            return Ok(Number::int(q, prec));
                        }
                    }
                }
            }
        }
        quo_val(&self.val(), &o.val(), prec)
            .map(|v| Number::from_val(v, prec))
            .map_err(|_| ERR_DIV_NAN)
    }

    /// cty `Modulo` (stdlib `ModuloFunc`): `x % 0` is `x`; otherwise
    /// `x - trunc(x/y)*y` computed with Go's roundings at `prec(x)`.
    pub fn rem(&self, o: &Number) -> Result<Number, &'static str> {
        let pv = self.prec();
        if let (Repr::Int { v: a, prec: pa }, Repr::Int { v: b, prec: pb }) = (&self.0, &o.0) {
            if *b != 0 && *pa >= 64 && *pb >= 64 {
                return Ok(Number::int(a.wrapping_rem(*b), pv));
            }
        }
        if o.is_zero() {
            return Ok(self.clone());
        }
        let v = self.val();
        let y = o.val();
        if matches!(v, Val::Inf(_)) {
            // (*big.Float).Int(nil) returns nil for Inf, which SetInt derefs.
            return Err(ERR_NIL_DEREF);
        }
        let rat = quo_val(&v, &y, pv.max(o.prec())).map_err(|_| ERR_MOD_INF)?;
        let qint = match &rat {
            Val::Fin(n, m, e) => {
                let t = trunc_fin(m, *e);
                if t.is_zero() {
                    Val::Zero(false)
                } else {
                    Val::Fin(*n, t, 0)
                }
            }
            _ => Val::Zero(false),
        };
        let work = round_val(qint, pv);
        let work = mul_val(&y, &work, pv).map_err(|_| ERR_MOD_INF)?;
        let neg_work = match work {
            Val::Zero(n) => Val::Zero(!n),
            Val::Inf(n) => Val::Inf(!n),
            Val::Fin(n, m, e) => Val::Fin(!n, m, e),
        };
        let r = add_val(&v, &neg_work, pv).map_err(|_| ERR_MOD_INF)?;
        Ok(Number::from_val(r, pv))
    }

    /// cty `Negate` (flips the sign of zeros and infinities too).
    pub fn neg(&self) -> Number {
        match &self.0 {
            Repr::Int { v: 0, prec } => Number(Repr::NegZero { prec: *prec }),
            Repr::Int { v, prec } if *v != i64::MIN => Number::int(-v, *prec),
            Repr::NegZero { prec } => Number::int(0, *prec),
            Repr::Inf { neg, prec } => Number(Repr::Inf {
                neg: !neg,
                prec: *prec,
            }),
            _ => {
                let p = self.prec();
                let v = match self.val() {
                    Val::Fin(n, m, e) => Val::Fin(!n, m, e),
                    other => other,
                };
                Number::from_val(v, p)
            }
        }
    }

    /// cty `Absolute`.
    pub fn abs(&self) -> Number {
        if self.is_negative() {
            self.neg()
        } else {
            self.clone()
        }
    }

    /// `big.Float.IsInt` (false for infinities; true for ±0).
    pub fn is_integer(&self) -> bool {
        match &self.0 {
            Repr::Int { .. } | Repr::NegZero { .. } => true,
            Repr::Big(b) => b.exp >= 0,
            Repr::Inf { .. } => false,
        }
    }

    /// `big.Float.Int64` when exact (what gocty requires for Go ints).
    pub fn to_i64(&self) -> Option<i64> {
        match &self.0 {
            Repr::Int { v, .. } => Some(*v),
            Repr::NegZero { .. } => Some(0),
            _ => None,
        }
    }

    /// `big.Float.Float64`: nearest float64 (ties to even), ±Inf on overflow.
    pub fn to_f64(&self) -> f64 {
        match &self.0 {
            Repr::Int { v, .. } => *v as f64,
            Repr::NegZero { .. } => -0.0,
            Repr::Inf { neg, .. } => {
                if *neg {
                    f64::NEG_INFINITY
                } else {
                    f64::INFINITY
                }
            }
            Repr::Big(b) => {
                let sign = if b.neg { -1.0 } else { 1.0 };
                let e = b.exp + bits(&b.mant) - 1; // exponent for 1.0 <= m < 2.0
                let mut p: i64 = 53;
                if e < -1022 {
                    p = 53 + 1022 + e;
                    if p < 0 || (p == 0 && b.mant.is_one()) {
                        return 0.0 * sign;
                    }
                    if p == 0 {
                        return 5e-324 * sign;
                    }
                }
                match round(false, b.mant.clone(), b.exp, false, p as u32) {
                    Val::Fin(_, m, ex) => {
                        let tz = m.trailing_zeros().unwrap_or(0);
                        let m = m >> tz;
                        let ex = ex + tz as i64;
                        if ex + bits(&m) - 1 > 1023 {
                            return f64::INFINITY * sign;
                        }
                        let mf = m.to_u64().unwrap_or(0) as f64;
                        sign * go_ldexp(mf, ex)
                    }
                    Val::Inf(_) => f64::INFINITY * sign,
                    Val::Zero(_) => 0.0 * sign,
                }
            }
        }
    }

    /// stdlib `FloorFunc` (infinities unchanged, result keeps the precision).
    pub fn floor(&self) -> Number {
        self.floor_ceil(false)
    }

    /// stdlib `CeilFunc`.
    pub fn ceil(&self) -> Number {
        self.floor_ceil(true)
    }

    fn floor_ceil(&self, ceil: bool) -> Number {
        let prec = self.prec();
        match &self.0 {
            Repr::Int { .. } | Repr::Inf { .. } => self.clone(),
            Repr::NegZero { prec } => Number::int(0, *prec),
            Repr::Big(b) => {
                let mut t = trunc_fin(&b.mant, b.exp);
                let exact = b.exp >= 0;
                // acc Below for positive non-integers, Above for negative ones.
                if !exact && ceil && !b.neg {
                    t += 1u32;
                }
                if !exact && !ceil && b.neg {
                    t += 1u32;
                }
                if t.is_zero() {
                    return Number::int(0, prec);
                }
                Number::from_val(round(b.neg, t, 0, false, prec), prec)
            }
        }
    }

    /// stdlib `IntFunc`: integers unchanged, otherwise truncated toward zero
    /// (precision `max(bitlen, 64)`); Go panics for infinities.
    pub fn try_trunc(&self) -> Result<Number, &'static str> {
        match &self.0 {
            Repr::Inf { .. } => Err(ERR_NIL_DEREF),
            Repr::Big(b) if b.exp < 0 => Ok(Number::from_bigint(b.neg, trunc_fin(&b.mant, b.exp))),
            _ => Ok(self.clone()),
        }
    }

    /// stdlib `SignumFunc` (argument converted to a Go `int` first, so
    /// non-integers and infinities are errors). Result has precision 64.
    pub fn try_signum(&self) -> Result<Number, &'static str> {
        let v = self.to_i64().ok_or(ERR_WHOLE_NUMBER)?;
        Ok(Number::from_i64(v.signum()))
    }

    /// `try_signum`, falling back to the sign of non-integers.
    pub fn signum(&self) -> Number {
        self.try_signum()
            .unwrap_or_else(|_| Number::from_i64(i64::from(self.sign())))
    }

    /// gocty's conversion to a Go float64.
    fn to_go_f64(&self) -> Result<f64, &'static str> {
        let f = self.to_f64();
        if f.is_infinite() && !self.is_inf() {
            return Err(ERR_FLOAT_RANGE);
        }
        Ok(f)
    }

    /// stdlib `PowFunc`: `cty.NumberFloatVal(math.Pow(float64(x), float64(y)))`.
    pub fn try_pow(&self, o: &Number) -> Result<Number, &'static str> {
        let x = self.to_go_f64()?;
        let y = o.to_go_f64()?;
        Number::from_f64(go_pow(x, y)).ok_or(ERR_FLOAT_NAN)
    }

    /// `try_pow`, yielding +0 where cty errors.
    pub fn pow(&self, o: &Number) -> Number {
        self.try_pow(o)
            .unwrap_or_else(|_| Number::int(0, FLOAT_PREC))
    }

    /// stdlib `LogFunc`: `cty.NumberFloatVal(math.Log(x) / math.Log(base))`.
    pub fn try_log(&self, base: &Number) -> Result<Number, &'static str> {
        let x = self.to_go_f64()?;
        let b = base.to_go_f64()?;
        Number::from_f64(go_log(x) / go_log(b)).ok_or(ERR_FLOAT_NAN)
    }

    /// `try_log`, yielding +0 where cty errors.
    pub fn log(&self, base: &Number) -> Number {
        self.try_log(base)
            .unwrap_or_else(|_| Number::int(0, FLOAT_PREC))
    }

    /// `big.Float.Cmp` (what cty's LessThan/GreaterThan and set ordering use).
    pub fn cmp_numeric(&self, o: &Number) -> Ordering {
        if let (Repr::Int { v: a, .. }, Repr::Int { v: b, .. }) = (&self.0, &o.0) {
            return a.cmp(b);
        }
        cmp_val(&self.val(), &o.val())
    }

    /// cty `LessThan`.
    pub fn less_than(&self, o: &Number) -> bool {
        self.cmp_numeric(o) == Ordering::Less
    }
    /// cty `GreaterThan`.
    pub fn greater_than(&self, o: &Number) -> bool {
        self.cmp_numeric(o) == Ordering::Greater
    }
    /// cty `LessThanOrEqualTo` (`LessThan || Equals`).
    pub fn less_or_equal(&self, o: &Number) -> bool {
        self.less_than(o) || self == o
    }
    /// cty `GreaterThanOrEqualTo` (`GreaterThan || Equals`).
    pub fn greater_or_equal(&self, o: &Number) -> bool {
        self.greater_than(o) || self == o
    }

    /// go-cty's JSON encoding (`Text('f', -1)`); infinities are an error.
    pub fn to_json(&self) -> Result<String, &'static str> {
        if self.is_inf() {
            return Err(ERR_JSON_INF);
        }
        Ok(self.to_string())
    }

    /// `Text('f', -1)` of a finite non-zero magnitude (no sign).
    fn text_abs(&self) -> String {
        match &self.0 {
            Repr::Int { v, prec } => {
                let u = v.unsigned_abs();
                if u == 0 {
                    "0".to_string()
                } else if (64 - u.leading_zeros()) <= *prec {
                    u.to_string()
                } else {
                    let tz = u.trailing_zeros();
                    format_shortest(&BigUint::from(u >> tz), i64::from(tz), *prec)
                }
            }
            Repr::NegZero { .. } => "0".to_string(),
            Repr::Big(b) => format_shortest(&b.mant, b.exp, b.prec),
            Repr::Inf { .. } => "Inf".to_string(),
        }
    }

    /// Exactly representable as an integer (incl. ±0), i.e. `Int` accuracy
    /// is Exact.
    fn exact_int(&self) -> bool {
        self.is_integer()
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Int { v, prec } if (64 - v.unsigned_abs().leading_zeros()) <= *prec => {
                fmt::Display::fmt(v, f)
            }
            Repr::Inf { neg, .. } => f.write_str(if *neg { "-Inf" } else { "+Inf" }),
            _ => {
                if self.is_negative() {
                    f.write_str("-")?;
                }
                f.write_str(&self.text_abs())
            }
        }
    }
}

/// cty `Equals` for numbers (`rawNumberEqual`): integers compare by value,
/// other numbers by their `Text('f', -1)` form; `-0 == 0`.
impl PartialEq for Number {
    fn eq(&self, o: &Number) -> bool {
        if let (Repr::Int { v: a, .. }, Repr::Int { v: b, .. }) = (&self.0, &o.0) {
            return a == b;
        }
        if self.sign() != o.sign() {
            return false;
        }
        let (ai, bi) = (self.exact_int(), o.exact_int());
        if ai != bi {
            return false;
        }
        if ai {
            return cmp_val(&self.val(), &o.val()) == Ordering::Equal;
        }
        if self.is_inf() || o.is_inf() {
            return self.is_inf() && o.is_inf();
        }
        // Non-integers: equal iff their shortest decimal forms are equal.
        match (&self.0, &o.0) {
            (Repr::Big(a), Repr::Big(b)) if a.prec == b.prec => a.mant == b.mant && a.exp == b.exp,
            _ => self.text_abs() == o.text_abs(),
        }
    }
}

impl Eq for Number {}

impl Hash for Number {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match &self.0 {
            Repr::Int { v, .. } => {
                state.write_u8(0);
                v.hash(state);
            }
            Repr::NegZero { .. } => {
                state.write_u8(0);
                0i64.hash(state);
            }
            Repr::Big(b) if b.exp >= 0 => {
                state.write_u8(1);
                b.neg.hash(state);
                b.mant.hash(state);
                b.exp.hash(state);
            }
            Repr::Big(b) => {
                state.write_u8(2);
                b.neg.hash(state);
                self.text_abs().hash(state);
            }
            Repr::Inf { neg, .. } => {
                state.write_u8(3);
                neg.hash(state);
            }
        }
    }
}

/// A total order for sorting: numeric (`big.Float.Cmp`, as cty orders sets
/// of numbers). Values of equal magnitude that cty still considers different
/// (same binary value at different precisions, printing differently) are
/// ordered by precision. Use [`Number::cmp_numeric`] / [`Number::less_than`]
/// for cty's `<`/`>` operators.
impl Ord for Number {
    fn cmp(&self, o: &Number) -> Ordering {
        match self.cmp_numeric(o) {
            Ordering::Equal => {
                if self.exact_int() || self.is_inf() || self == o {
                    Ordering::Equal
                } else {
                    self.prec().cmp(&o.prec())
                }
            }
            other => other,
        }
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, o: &Number) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

impl From<i64> for Number {
    fn from(v: i64) -> Number {
        Number::from_i64(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::hash_map::DefaultHasher;

    fn p(s: &str) -> Number {
        Number::parse(s).unwrap_or_else(|| panic!("parse {s}"))
    }

    fn h(n: &Number) -> u64 {
        let mut s = DefaultHasher::new();
        n.hash(&mut s);
        s.finish()
    }

    #[test]
    fn brief_facts() {
        assert_eq!(p("0.1").add(&p("0.2")).to_string(), "0.3");
        assert_eq!(p("0.1").mul(&p("3")).to_string(), "0.3");
        let third = p("1").div(&p("3")).unwrap().to_string();
        assert_eq!(third, format!("0.{}5", "3".repeat(154)));
        assert_eq!(p("10").div(&p("4")).unwrap().to_string(), "2.5");
        assert_eq!(p("9").div(&p("3")).unwrap().to_string(), "3");
        assert_eq!(p("1.0").to_string(), "1");
        assert_eq!(p("1.5e3").to_string(), "1500");
        assert_eq!(p("1e21").to_string(), "1000000000000000000000");
        assert_eq!(p("2.5e-3").to_string(), "0.0025");
        assert_eq!(p("-0").to_string(), "-0");
        assert_eq!(p("0").neg().to_string(), "-0");
        assert_eq!(
            p("12345678901234567890").to_string(),
            "12345678901234567890"
        );
        assert_eq!(p("1").div(&p("0")).unwrap().to_string(), "+Inf");
        assert_eq!(p("-1").div(&p("0")).unwrap().to_string(), "-Inf");
        assert_eq!(p("1").neg().div(&p("0")).unwrap().to_string(), "-Inf");
        assert_eq!(p("10").rem(&p("3")).unwrap().to_string(), "1");
        let big = p("1e300").mul(&p("1e300"));
        let s = big.to_string();
        assert_eq!(s.len(), 601);
        assert!(s.starts_with('1') || s.starts_with('9'));
        assert!(s.bytes().all(|c| c.is_ascii_digit()));
        assert!(big.is_integer());
    }

    #[test]
    fn parse_syntax() {
        for ok in [
            "1",
            "-1.5",
            "1e3",
            "2.5E-3",
            ".5",
            "5.",
            "+7",
            "Inf",
            "inf",
            "+Inf",
            "-inf",
            "1p4",
            "0e99999999999",
            "00012",
            "1.5e+3",
            "0.000",
        ] {
            assert!(Number::parse(ok).is_some(), "{ok}");
        }
        for bad in [
            "",
            " 1",
            "1 ",
            "abc",
            ".",
            "-",
            "+",
            "1e",
            "1e+",
            "0x10",
            "1_000",
            "1.2.3",
            "INF",
            "Infinity",
            "1e99999999999999999999",
            "--1",
            "1ee3",
            "e3",
            "NaN",
            "1e3000000000",
        ] {
            assert!(Number::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(p(".5").to_string(), "0.5");
        assert_eq!(p("5.").to_string(), "5");
        assert_eq!(p("1p4").to_string(), "16");
        assert_eq!(p("1.5p1").to_string(), "3");
        assert_eq!(p("-0.0e5").to_string(), "-0");
        assert_eq!(p("00012").to_string(), "12");
        assert_eq!(p("0.000").to_string(), "0");
        assert!(p("1e999999999").is_inf());
        assert_eq!(p("1e-999999999").to_string(), "0");
        assert_eq!(p("-1e-999999999").to_string(), "-0");
        assert!(p("inf").is_inf() && !p("inf").is_negative());
        assert!(p("-Inf").is_negative());
    }

    #[test]
    fn formatting() {
        let cases = [
            ("0.1", "0.1"),
            ("123.456", "123.456"),
            ("-123.456", "-123.456"),
            ("1e-10", "0.0000000001"),
            ("3.14159265358979323846264338327950288419716939937510", "3.1415926535897932384626433832795028841971693993751"),
            ("100", "100"),
            ("1e2", "100"),
            ("9007199254740993", "9007199254740993"),
            ("-9223372036854775808", "-9223372036854775808"),
            ("9223372036854775808", "9223372036854775808"),
            ("0.5", "0.5"),
            ("1e100", "10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"),
        ];
        for (i, o) in cases {
            assert_eq!(p(i).to_string(), o, "{i}");
        }
        // float64-precision values print as the shortest float64 decimal.
        assert_eq!(Number::from_f64(0.1).unwrap().to_string(), "0.1");
        assert_eq!(
            Number::from_f64(1.0 / 3.0).unwrap().to_string(),
            "0.3333333333333333"
        );
        assert_eq!(
            Number::from_f64(2f64.powi(60)).unwrap().to_string(),
            "1152921504606847000"
        );
        assert_eq!(
            Number::from_f64(1e21).unwrap().to_string(),
            "1000000000000000000000"
        );
        assert_eq!(Number::from_f64(-0.0).unwrap().to_string(), "-0");
        assert_eq!(Number::from_f64(f64::INFINITY).unwrap().to_string(), "+Inf");
        assert!(Number::from_f64(f64::NAN).is_none());
        // big.Float uses the 53-bit interval even for float64 subnormals.
        assert_eq!(
            Number::from_f64(5e-324).unwrap().to_string(),
            format!("0.{}4940656458412465", "0".repeat(323))
        );
        // 64-bit precision (NumberIntVal) division.
        assert_eq!(
            Number::from_i64(1)
                .div(&Number::from_i64(3))
                .unwrap()
                .to_string(),
            "0.33333333333333333334"
        );
        // Round trips.
        for s in [
            "0.1",
            "2.5",
            "-7.125",
            "1234567.891",
            "0.3",
            "1e-30",
            "6.02214076e23",
        ] {
            let n = p(s);
            let t = n.to_string();
            assert_eq!(p(&t), n, "{s} -> {t}");
            assert_eq!(p(&t).to_string(), t);
        }
        assert_eq!(p("1").to_json().unwrap(), "1");
        assert_eq!(p("0.25").to_json().unwrap(), "0.25");
        assert_eq!(Number::pos_inf().to_json(), Err(ERR_JSON_INF));
    }

    #[test]
    fn arithmetic() {
        assert_eq!(p("0").mul(&p("-5")).to_string(), "-0");
        assert_eq!(p("0").div(&p("-5")).unwrap().to_string(), "-0");
        assert_eq!(p("5").sub(&p("5")).to_string(), "0");
        assert_eq!(p("-0").add(&p("-0")).to_string(), "-0");
        assert_eq!(p("-0").sub(&p("0")).to_string(), "-0");
        assert_eq!(p("0").sub(&p("0")).to_string(), "0");
        assert_eq!(p("1.5").add(&p("1.5")).to_string(), "3");
        assert!(matches!(p("1.5").add(&p("1.5")).0, Repr::Int { v: 3, .. }));
        assert_eq!(p("0.1").add(&p("0.7")).to_string(), "0.8");
        let two_thirds = p("2").div(&p("3")).unwrap();
        let t = two_thirds.to_string();
        assert!(t.starts_with("0.666666") && t.ends_with("67"), "{t}");
        assert_eq!(p(&t), two_thirds);
        assert_eq!(p("0").div(&p("0")), Err(ERR_DIV_NAN));
        assert_eq!(Number::pos_inf().div(&Number::neg_inf()), Err(ERR_DIV_NAN));
        assert_eq!(p("5").div(&Number::pos_inf()).unwrap().to_string(), "0");
        assert_eq!(p("-5").div(&Number::pos_inf()).unwrap().to_string(), "-0");
        assert_eq!(
            Number::pos_inf().try_add(&Number::neg_inf()),
            Err(ERR_ADD_INF)
        );
        assert_eq!(
            Number::pos_inf().try_sub(&Number::pos_inf()),
            Err(ERR_SUB_INF)
        );
        assert_eq!(Number::pos_inf().try_mul(&p("0")), Err(ERR_MUL_INF));
        assert_eq!(
            Number::pos_inf().try_mul(&p("-2")).unwrap().to_string(),
            "-Inf"
        );
        assert_eq!(Number::pos_inf().add(&p("1")).to_string(), "+Inf");
        assert_eq!(p("1e400").sub(&p("1e400")).to_string(), "0");
        // far-apart operands only affect rounding
        let tiny = p("1e-900000");
        assert_eq!(p("1").add(&tiny).to_string(), "1");
        assert_eq!(p("1").sub(&tiny).to_string(), "1");
        assert_eq!(p("1").sub(&tiny).cmp_numeric(&p("1")), Ordering::Equal);
        // the far operand acts as a sticky bit: 9 = 1001b rounded to 3 bits
        let r = |v: Val| match v {
            Val::Fin(n, m, e) => (n, m.to_u64().unwrap() << e),
            _ => panic!(),
        };
        let one = BigUint::from(1u32);
        let nine = BigUint::from(9u32);
        assert_eq!(
            r(add_fin(false, &nine, 0, false, &one, -100, 3)),
            (false, 10)
        );
        assert_eq!(r(add_fin(false, &nine, 0, true, &one, -100, 3)), (false, 8));
        assert_eq!(
            r(add_fin(true, &nine, 0, false, &one, -100000, 3)),
            (true, 8)
        );
        assert_eq!(
            r(add_fin(true, &nine, 0, true, &one, -100000, 3)),
            (true, 10)
        );
        assert_eq!(r(round(false, nine.clone(), 0, false, 3)), (false, 8));
        assert_eq!(
            r(round(false, BigUint::from(11u32), 0, false, 3)),
            (false, 12)
        );
        // i64 boundaries
        let max = Number::from_i64(i64::MAX);
        assert_eq!(max.add(&p("1")).to_string(), "9223372036854775808");
        assert_eq!(
            Number::from_i64(i64::MIN).neg().to_string(),
            "9223372036854775808"
        );
        assert_eq!(
            Number::from_i64(i64::MIN).neg().neg(),
            Number::from_i64(i64::MIN)
        );
        assert_eq!(
            max.mul(&max).to_string(),
            "85070591730234615847396907784232501249"
        );
        // 64-bit precision sums round (Go: max(prec) of operands).
        let a = Number::from_f64(9007199254740991.0).unwrap();
        let b = Number::from_f64(18014398509481984.0).unwrap();
        assert_eq!(a.add(&b).to_string(), "27021597764222976");
        // Multiply grows the precision to keep the product exact.
        assert_eq!(a.mul(&a).to_string(), "81129638414606663681390495662081");
    }

    #[test]
    fn modulo() {
        assert_eq!(p("10").rem(&p("3")).unwrap().to_string(), "1");
        assert_eq!(p("-10").rem(&p("3")).unwrap().to_string(), "-1");
        assert_eq!(p("10").rem(&p("-3")).unwrap().to_string(), "1");
        assert_eq!(p("5.5").rem(&p("2")).unwrap().to_string(), "1.5");
        assert_eq!(p("-5.5").rem(&p("2")).unwrap().to_string(), "-1.5");
        assert_eq!(p("7").rem(&p("0")).unwrap().to_string(), "7");
        assert_eq!(p("-0").rem(&p("5")).unwrap().to_string(), "-0");
        assert_eq!(p("-6").rem(&p("3")).unwrap().to_string(), "0");
        assert_eq!(p("5").rem(&Number::pos_inf()), Err(ERR_MOD_INF));
        assert_eq!(Number::pos_inf().rem(&p("5")), Err(ERR_NIL_DEREF));
        assert!(Number::pos_inf().rem(&p("0")).unwrap().is_inf());
        assert_eq!(p("1e30").rem(&p("7")).unwrap().to_string(), "1");
        assert_eq!(p("0.3").rem(&p("0.1")).unwrap().to_string(), "0");
        assert_eq!(
            Number::from_i64(i64::MIN)
                .rem(&p("-1"))
                .unwrap()
                .to_string(),
            "0"
        );
    }

    #[test]
    fn functions() {
        assert_eq!(p("1.5").floor().to_string(), "1");
        assert_eq!(p("-1.5").floor().to_string(), "-2");
        assert_eq!(p("1.5").ceil().to_string(), "2");
        assert_eq!(p("-1.5").ceil().to_string(), "-1");
        assert_eq!(p("-0.5").ceil().to_string(), "0");
        assert_eq!(p("-0").floor().to_string(), "0");
        assert_eq!(p("7").floor().to_string(), "7");
        assert!(Number::neg_inf().floor().is_inf());
        assert_eq!(p("-2.7").try_trunc().unwrap().to_string(), "-2");
        assert_eq!(p("-0").try_trunc().unwrap().to_string(), "-0");
        assert_eq!(Number::pos_inf().try_trunc(), Err(ERR_NIL_DEREF));
        assert_eq!(p("-5").try_signum().unwrap().to_string(), "-1");
        assert_eq!(p("0").try_signum().unwrap().to_string(), "0");
        assert_eq!(p("1.5").try_signum(), Err(ERR_WHOLE_NUMBER));
        assert_eq!(p("1.5").signum().to_string(), "1");
        assert_eq!(p("2").pow(&p("10")).to_string(), "1024");
        assert_eq!(p("2").pow(&p("0.5")).to_string(), "1.4142135623730951");
        assert_eq!(p("2").pow(&p("-1")).to_string(), "0.5");
        assert_eq!(p("10").pow(&p("-2")).to_string(), "0.01");
        assert_eq!(p("0").pow(&p("-1")).to_string(), "+Inf");
        assert_eq!(p("-8").try_pow(&p("0.5")), Err(ERR_FLOAT_NAN));
        assert_eq!(p("1e400").try_pow(&p("1")), Err(ERR_FLOAT_RANGE));
        assert_eq!(p("100").log(&p("10")).to_string(), "2");
        assert_eq!(p("8").log(&p("2")).to_string(), "3");
        assert_eq!(p("0").log(&p("10")).to_string(), "-Inf");
        assert_eq!(p("-1").try_log(&p("10")), Err(ERR_FLOAT_NAN));
        assert_eq!(p("1").try_log(&p("1")), Err(ERR_FLOAT_NAN));
        assert_eq!(go_log(std::f64::consts::E), 1.0);
        // the hex constants match the decimal ones in Go's log.go
        assert_eq!(
            f64::from_bits(0x3fe6_2e42_fee0_0000),
            "6.93147180369123816490e-01".parse::<f64>().unwrap()
        );
        assert_eq!(
            f64::from_bits(0x3dea_39ef_3579_3c76),
            "1.90821492927058770002e-10".parse::<f64>().unwrap()
        );
        assert_eq!(
            f64::from_bits(0x3fe5_5555_5555_5593),
            "6.666666666666735130e-01".parse::<f64>().unwrap()
        );
        assert_eq!(
            f64::from_bits(0x3fd9_9999_9997_fa04),
            "3.999999999940941908e-01".parse::<f64>().unwrap()
        );
        assert_eq!(
            f64::from_bits(0x3fd2_4924_9422_9359),
            "2.857142874366239149e-01".parse::<f64>().unwrap()
        );
        assert_eq!(
            f64::from_bits(0x3fcc_71c5_1d8e_78af),
            "2.222219843214978396e-01".parse::<f64>().unwrap()
        );
        assert_eq!(
            f64::from_bits(0x3fc7_4664_96cb_03de),
            "1.818357216161805012e-01".parse::<f64>().unwrap()
        );
        assert_eq!(
            f64::from_bits(0x3fc3_9a09_d078_c69f),
            "1.531383769920937332e-01".parse::<f64>().unwrap()
        );
        assert_eq!(
            f64::from_bits(0x3fc2_f112_df3e_5244),
            "1.479819860511658591e-01".parse::<f64>().unwrap()
        );
        for x in [0.5, 2.0, 10.0, 1e-300, 12345.678, 1e300] {
            assert!(
                (go_log(x) - x.ln()).abs() <= 1e-15 * x.ln().abs().max(1.0),
                "{x}"
            );
        }
        assert_eq!(p("0.1").to_f64(), 0.1);
        assert_eq!(p("1e-320").to_f64(), 1e-320);
        assert_eq!(p("1e400").to_f64(), f64::INFINITY);
        assert_eq!(p("-1e400").to_f64(), f64::NEG_INFINITY);
        assert_eq!(p("1e-400").to_f64(), 0.0);
        assert_eq!(p("12345678901234567890").to_f64(), 12345678901234567890.0);
        assert_eq!(p("12345678901234567890").to_i64(), None);
        assert_eq!(p("-0").to_i64(), Some(0));
        assert_eq!(p("1.5").to_i64(), None);
        assert_eq!(p("1.5e3").to_i64(), Some(1500));
        assert!(
            p("1e30").is_integer() && !p("1.5").is_integer() && !Number::pos_inf().is_integer()
        );
        assert!(p("-0").is_zero() && p("-0").is_negative() && !p("0").is_negative());
        assert_eq!(
            Number::from_u64(u64::MAX).to_string(),
            "18446744073709551615"
        );
    }

    #[test]
    fn comparisons() {
        let two_big = p("0.5").mul(&p("4"));
        assert_eq!(two_big, Number::from_i64(2));
        assert_eq!(p("2.0"), Number::from_i64(2));
        assert_eq!(Number::from_f64(2.0).unwrap(), p("2"));
        assert_eq!(h(&Number::from_f64(2.0).unwrap()), h(&p("2")));
        assert_eq!(p("-0"), p("0"));
        assert_eq!(h(&p("-0")), h(&p("0")));
        assert_ne!(p("1"), p("1.5"));
        assert_ne!(p("-1.5"), p("1.5"));
        // cty: non-integers equal when their decimal text is equal
        let f = Number::from_f64(0.1).unwrap();
        assert_eq!(f, p("0.1"));
        assert_eq!(h(&f), h(&p("0.1")));
        assert_eq!(p("1e22"), Number::from_f64(1e22).unwrap());
        assert_ne!(p("1e30"), Number::from_f64(1e30).unwrap()); // distinct integers
        assert_ne!(p("1e23"), Number::from_f64(1e23).unwrap());
        assert_eq!(Number::pos_inf(), p("+Inf"));
        assert_ne!(Number::pos_inf(), Number::neg_inf());
        assert!(p("1").less_than(&p("2")));
        assert!(p("-Inf").less_than(&p("-1e300")));
        assert!(p("1e300").less_than(&p("Inf")));
        assert!(p("-0").less_or_equal(&p("0")) && !p("-0").less_than(&p("0")));
        assert!(
            p("0.1").add(&p("0.2")).greater_than(&p("0.3")) || p("0.1").add(&p("0.2")) == p("0.3")
        );
        let mut v = [
            p("3"),
            p("-1.5"),
            p("Inf"),
            p("0"),
            p("1e30"),
            p("-Inf"),
            p("2.5"),
            Number::from_i64(3),
        ];
        v.sort();
        let s: Vec<String> = v.iter().map(|n| n.to_string()).collect();
        assert_eq!(
            s,
            [
                "-Inf",
                "-1.5",
                "0",
                "2.5",
                "3",
                "3",
                "1000000000000000000000000000000",
                "+Inf"
            ]
        );
        assert_eq!(p("3").cmp(&Number::from_i64(3)), Ordering::Equal);
    }

    #[test]
    fn random_vs_i128() {
        let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        for i in 0..3000 {
            let (a, b) = match i % 3 {
                0 => (next() as i64, next() as i64),
                1 => ((next() as i64) >> 40, (next() as i64) >> 40),
                _ => ((next() % 2000) as i64 - 1000, (next() % 2000) as i64 - 1000),
            };
            let (na, nb) = (p(&a.to_string()), p(&b.to_string()));
            assert_eq!(na.add(&nb).to_string(), (a as i128 + b as i128).to_string());
            assert_eq!(na.sub(&nb).to_string(), (a as i128 - b as i128).to_string());
            let prod = a as i128 * b as i128;
            if prod != 0 {
                assert_eq!(na.mul(&nb).to_string(), prod.to_string());
            } else if (a < 0) != (b < 0) {
                assert_eq!(na.mul(&nb).to_string(), "-0");
            } else {
                assert_eq!(na.mul(&nb).to_string(), "0");
            }
            assert_eq!(na.cmp_numeric(&nb), a.cmp(&b));
            assert_eq!(na == nb, a == b);
            if b != 0 {
                let q = na.div(&nb).unwrap();
                if a as i128 % b as i128 == 0 {
                    assert_eq!(q.to_string(), (a as i128 / b as i128).to_string());
                }
                // the quotient times the divisor is close to a
                let back = q.mul(&nb);
                assert!(back.sub(&na).abs().less_than(&p("1e-100")) || a.unsigned_abs() > 1 << 60);
                assert_eq!(
                    na.rem(&nb).unwrap().to_string(),
                    (a as i128 % b as i128).to_string()
                );
            }
            // same through the big (non fast) path
            let ba = na.mul(&p("0.5")).mul(&p("2"));
            assert_eq!(ba.add(&nb).to_string(), (a as i128 + b as i128).to_string());
        }
        for _ in 0..2000 {
            let x = f64::from_bits(next() >> 2) * if next() & 1 == 0 { 1.0 } else { -1.0 };
            let y = f64::from_bits(next() >> 2);
            if !x.is_finite() || !y.is_finite() {
                continue;
            }
            let (nx, ny) = (Number::from_f64(x).unwrap(), Number::from_f64(y).unwrap());
            assert_eq!(nx.to_f64(), x);
            assert_eq!(nx.with_prec(200).add(&ny).to_f64(), x + y);
            assert_eq!(nx.mul(&ny).to_f64(), x * y);
            assert_eq!(nx.div(&ny).unwrap().to_f64(), x / y);
            assert_eq!(nx.cmp_numeric(&ny), x.partial_cmp(&y).unwrap());
            // 53-bit values print like Go's strconv 'f' -1 (shortest round trip)
            let t = nx.to_string();
            assert_eq!(t.parse::<f64>().unwrap(), x);
        }
    }
}
