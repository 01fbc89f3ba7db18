//! Printing: `(*big.Float).Text('f', -1)`, the shortest decimal that identifies a value at
//! its precision (Go's `decimal` type, `roundShortest` and `fmtF`).

use num_bigint::BigUint;
use num_traits::Zero;

use super::big_float::bits;

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
            self.round_up(n);
        } else {
            self.round_down(n);
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
pub(super) fn format_shortest(mant: &BigUint, exp: i64, prec: u32) -> String {
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
