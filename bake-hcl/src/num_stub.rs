//! Temporary stand-in for `number.rs` (f64-based) until the go-cty number lands.
#![allow(dead_code, missing_docs)]
use std::cmp::Ordering;
use std::fmt;

#[derive(Clone, Debug)]
pub struct Number(f64);

impl Number {
    pub fn from_i64(v: i64) -> Number { Number(v as f64) }
    pub fn from_u64(v: u64) -> Number { Number(v as f64) }
    pub fn from_f64(v: f64) -> Option<Number> { if v.is_nan() { None } else { Some(Number(v)) } }
    pub fn parse(s: &str) -> Option<Number> { s.trim().parse::<f64>().ok().filter(|f| !f.is_nan()).map(Number) }
    pub fn pos_inf() -> Number { Number(f64::INFINITY) }
    pub fn neg_inf() -> Number { Number(f64::NEG_INFINITY) }
    pub fn is_inf(&self) -> bool { self.0.is_infinite() }
    pub fn add(&self, o: &Number) -> Number { Number(self.0 + o.0) }
    pub fn sub(&self, o: &Number) -> Number { Number(self.0 - o.0) }
    pub fn mul(&self, o: &Number) -> Number { Number(self.0 * o.0) }
    pub fn div(&self, o: &Number) -> Result<Number, &'static str> { Ok(Number(self.0 / o.0)) }
    pub fn rem(&self, o: &Number) -> Result<Number, &'static str> { Ok(Number(self.0 % o.0)) }
    pub fn neg(&self) -> Number { Number(-self.0) }
    pub fn is_integer(&self) -> bool { self.0.fract() == 0.0 }
    pub fn to_i64(&self) -> Option<i64> { if self.is_integer() && self.0.abs() < 9e18 { Some(self.0 as i64) } else { None } }
    pub fn to_f64(&self) -> f64 { self.0 }
    pub fn floor(&self) -> Number { Number(self.0.floor()) }
    pub fn ceil(&self) -> Number { Number(self.0.ceil()) }
    pub fn signum(&self) -> Number { Number(if self.0 == 0.0 { 0.0 } else { self.0.signum() }) }
    pub fn pow(&self, o: &Number) -> Number { Number(self.0.powf(o.0)) }
    pub fn log(&self, b: &Number) -> Number { Number(self.0.ln() / b.0.ln()) }
    pub fn is_zero(&self) -> bool { self.0 == 0.0 }
    pub fn is_negative(&self) -> bool { self.0 < 0.0 }
    pub fn to_json(&self) -> String { self.to_string() }
}
impl PartialEq for Number { fn eq(&self, o: &Self) -> bool { self.0 == o.0 } }
impl Eq for Number {}
impl PartialOrd for Number { fn partial_cmp(&self, o: &Self) -> Option<Ordering> { Some(self.cmp(o)) } }
impl Ord for Number { fn cmp(&self, o: &Self) -> Ordering { self.0.total_cmp(&o.0) } }
impl std::hash::Hash for Number { fn hash<H: std::hash::Hasher>(&self, h: &mut H) { self.0.to_bits().hash(h) } }
impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_infinite() { return f.write_str(if self.0 > 0.0 { "+Inf" } else { "-Inf" }); }
        if self.is_integer() && self.0.abs() < 1e21 { return write!(f, "{}", self.0 as i128); }
        write!(f, "{}", self.0)
    }
}
