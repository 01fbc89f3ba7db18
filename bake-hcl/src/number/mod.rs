//! go-cty compatible numbers.
//!
//! go-cty represents every number as a Go `*big.Float`: a binary floating
//! point value with an arbitrary-size mantissa of a per-value *precision*
//! (in bits), rounding `ToNearestEven`, a signed zero, ±Inf and a 32-bit binary
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
//!
//! This file holds [`Number`], its storage and its cty operations (with fast paths for small
//! integers); `big_float` the general `math/big.Float` arithmetic they fall back on, `parse`
//! and `decimal` reading and printing, and `go_math` Go's `math.Log` and `math.Pow`.

mod big_float;
mod decimal;
mod go_math;
mod parse;

pub use go_math::{go_log, go_pow};

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use num_bigint::BigUint;
use num_traits::{One, ToPrimitive, Zero};

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

/// How a [`Number`] is stored.
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

use big_float::{
    add_val, bits, cmp_val, mul_val, quo_val, round, round_val, sig_bits, trunc_fin, BigFloat,
};
use decimal::format_shortest;
use go_math::go_ldexp;

impl Number {
    fn int(v: i64, prec: u32) -> Number {
        Number(Repr::Int { v, prec })
    }

    /// Build a number from a working value, normalizing small integers.
    fn from_big_float(v: BigFloat, prec: u32) -> Number {
        match v {
            BigFloat::Zero(false) => Number::int(0, prec),
            BigFloat::Zero(true) => Number(Repr::NegZero { prec }),
            BigFloat::Inf(neg) => Number(Repr::Inf { neg, prec }),
            BigFloat::Fin(neg, mant, exp) => {
                let tz = mant.trailing_zeros().unwrap_or(0);
                let mant = mant >> tz;
                let exp = exp + tz as i64;
                if exp >= 0 && bits(&mant) + exp <= 64 {
                    if let Some(u) = mant.to_u64() {
                        let u = u << exp;
                        if !neg && i64::try_from(u).is_ok() {
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

    fn to_big_float(&self) -> BigFloat {
        match &self.0 {
            Repr::Int { v, .. } => {
                if *v == 0 {
                    BigFloat::Zero(false)
                } else {
                    BigFloat::Fin(*v < 0, BigUint::from(v.unsigned_abs()), 0)
                }
            }
            Repr::NegZero { .. } => BigFloat::Zero(true),
            Repr::Big(b) => BigFloat::Fin(b.neg, b.mant.clone(), b.exp),
            Repr::Inf { neg, .. } => BigFloat::Inf(*neg),
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
    #[must_use]
    pub fn with_prec(&self, prec: u32) -> Number {
        let prec = prec.max(1);
        match &self.0 {
            Repr::Int { v, .. } if sig_bits(v.unsigned_abs()) <= prec => Number::int(*v, prec),
            _ => Number::from_big_float(round_val(self.to_big_float(), prec), prec),
        }
    }

    /// `cty.NumberIntVal` (precision 64).
    pub fn from_i64(v: i64) -> Number {
        Number::int(v, INT_PREC)
    }

    /// `cty.NumberUIntVal` (precision 64).
    pub fn from_u64(v: u64) -> Number {
        if i64::try_from(v).is_ok() {
            Number::int(v as i64, INT_PREC)
        } else {
            Number::from_big_float(BigFloat::Fin(false, BigUint::from(v), 0), INT_PREC)
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
        Some(Number::from_big_float(
            BigFloat::Fin(neg, BigUint::from(m), e),
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
        Number::from_big_float(BigFloat::Fin(neg, mag, 0), prec)
    }

    /// `cty.ParseNumberVal`: `big.ParseFloat(s, 10, 512, ToNearestEven)`.
    /// Accepts `[+-]` digits with an optional `.`, an optional `e`/`E`
    /// (decimal) or `p`/`P` (binary) exponent, and `Inf`/`inf` with an
    /// optional sign. No whitespace or underscores. Returns `None` where cty
    /// reports "a number is required".
    pub fn parse(s: &str) -> Option<Number> {
        parse::parse_float(s)
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
        add_val(&self.to_big_float(), &o.to_big_float(), prec)
            .map(|v| Number::from_big_float(v, prec))
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
        let v = mul_val(&self.to_big_float(), &o.to_big_float(), PARSE_PREC)
            .map_err(|_| ERR_MUL_INF)?;
        let min_prec = match &v {
            BigFloat::Fin(_, m, _) => (m.bits() - m.trailing_zeros().unwrap_or(0)) as u32,
            _ => 0,
        };
        Ok(Number::from_big_float(v, prec.max(min_prec)))
    }

    /// `try_add`, yielding +0 where Go would panic (`+Inf + -Inf`).
    #[must_use]
    pub fn add(&self, o: &Number) -> Number {
        self.try_add(o)
            .unwrap_or_else(|_| Number::int(0, self.prec().max(o.prec())))
    }
    /// `try_sub`, yielding +0 where Go would panic (`Inf - Inf`).
    #[must_use]
    pub fn sub(&self, o: &Number) -> Number {
        self.try_sub(o)
            .unwrap_or_else(|_| Number::int(0, self.prec().max(o.prec())))
    }
    /// `try_mul`, yielding +0 where Go would panic (`0 * Inf`).
    #[must_use]
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
        quo_val(&self.to_big_float(), &o.to_big_float(), prec)
            .map(|v| Number::from_big_float(v, prec))
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
        let v = self.to_big_float();
        let y = o.to_big_float();
        if matches!(v, BigFloat::Inf(_)) {
            // (*big.Float).Int(nil) returns nil for Inf, which SetInt derefs.
            return Err(ERR_NIL_DEREF);
        }
        let rat = quo_val(&v, &y, pv.max(o.prec())).map_err(|_| ERR_MOD_INF)?;
        let qint = match &rat {
            BigFloat::Fin(n, m, e) => {
                let t = trunc_fin(m, *e);
                if t.is_zero() {
                    BigFloat::Zero(false)
                } else {
                    BigFloat::Fin(*n, t, 0)
                }
            }
            _ => BigFloat::Zero(false),
        };
        let work = round_val(qint, pv);
        let work = mul_val(&y, &work, pv).map_err(|_| ERR_MOD_INF)?;
        let neg_work = match work {
            BigFloat::Zero(n) => BigFloat::Zero(!n),
            BigFloat::Inf(n) => BigFloat::Inf(!n),
            BigFloat::Fin(n, m, e) => BigFloat::Fin(!n, m, e),
        };
        let r = add_val(&v, &neg_work, pv).map_err(|_| ERR_MOD_INF)?;
        Ok(Number::from_big_float(r, pv))
    }

    /// cty `Negate` (flips the sign of zeros and infinities too).
    #[must_use]
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
                let v = match self.to_big_float() {
                    BigFloat::Fin(n, m, e) => BigFloat::Fin(!n, m, e),
                    other => other,
                };
                Number::from_big_float(v, p)
            }
        }
    }

    /// cty `Absolute`.
    #[must_use]
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
                    BigFloat::Fin(_, m, ex) => {
                        let tz = m.trailing_zeros().unwrap_or(0);
                        let m = m >> tz;
                        let ex = ex + tz as i64;
                        if ex + bits(&m) - 1 > 1023 {
                            return f64::INFINITY * sign;
                        }
                        let mf = m.to_u64().unwrap_or(0) as f64;
                        sign * go_ldexp(mf, ex)
                    }
                    BigFloat::Inf(_) => f64::INFINITY * sign,
                    BigFloat::Zero(_) => 0.0 * sign,
                }
            }
        }
    }

    /// stdlib `FloorFunc` (infinities unchanged, result keeps the precision).
    #[must_use]
    pub fn floor(&self) -> Number {
        self.floor_ceil(false)
    }

    /// stdlib `CeilFunc`.
    #[must_use]
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
                Number::from_big_float(round(b.neg, t, 0, false, prec), prec)
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
    #[must_use]
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
    #[must_use]
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
    #[must_use]
    pub fn log(&self, base: &Number) -> Number {
        self.try_log(base)
            .unwrap_or_else(|_| Number::int(0, FLOAT_PREC))
    }

    /// `big.Float.Cmp` (what cty's LessThan/GreaterThan and set ordering use).
    pub fn cmp_numeric(&self, o: &Number) -> Ordering {
        if let (Repr::Int { v: a, .. }, Repr::Int { v: b, .. }) = (&self.0, &o.0) {
            return a.cmp(b);
        }
        cmp_val(&self.to_big_float(), &o.to_big_float())
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
            return cmp_val(&self.to_big_float(), &o.to_big_float()) == Ordering::Equal;
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
mod tests;
