//! Unit tests of go-cty numbers: parsing, printing, arithmetic, modulo, functions and
//! comparisons, checked against values go-cty produces.

// Expected values are go-cty's output copied verbatim, compared exactly.
#![allow(clippy::float_cmp, clippy::unreadable_literal)]

use super::big_float::{add_fin, round, BigFloat};
use super::*;
use std::collections::hash_map::DefaultHasher;

fn num(s: &str) -> Number {
    Number::parse(s).unwrap_or_else(|| panic!("parse {s}"))
}

fn hash_of(n: &Number) -> u64 {
    let mut s = DefaultHasher::new();
    n.hash(&mut s);
    s.finish()
}

#[test]
fn brief_facts() {
    assert_eq!(num("0.1").add(&num("0.2")).to_string(), "0.3");
    assert_eq!(num("0.1").mul(&num("3")).to_string(), "0.3");
    let third = num("1").div(&num("3")).unwrap().to_string();
    assert_eq!(third, format!("0.{}5", "3".repeat(154)));
    assert_eq!(num("10").div(&num("4")).unwrap().to_string(), "2.5");
    assert_eq!(num("9").div(&num("3")).unwrap().to_string(), "3");
    assert_eq!(num("1.0").to_string(), "1");
    assert_eq!(num("1.5e3").to_string(), "1500");
    assert_eq!(num("1e21").to_string(), "1000000000000000000000");
    assert_eq!(num("2.5e-3").to_string(), "0.0025");
    assert_eq!(num("-0").to_string(), "-0");
    assert_eq!(num("0").neg().to_string(), "-0");
    assert_eq!(
        num("12345678901234567890").to_string(),
        "12345678901234567890"
    );
    assert_eq!(num("1").div(&num("0")).unwrap().to_string(), "+Inf");
    assert_eq!(num("-1").div(&num("0")).unwrap().to_string(), "-Inf");
    assert_eq!(num("1").neg().div(&num("0")).unwrap().to_string(), "-Inf");
    assert_eq!(num("10").rem(&num("3")).unwrap().to_string(), "1");
    let big = num("1e300").mul(&num("1e300"));
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
    assert_eq!(num(".5").to_string(), "0.5");
    assert_eq!(num("5.").to_string(), "5");
    assert_eq!(num("1p4").to_string(), "16");
    assert_eq!(num("1.5p1").to_string(), "3");
    assert_eq!(num("-0.0e5").to_string(), "-0");
    assert_eq!(num("00012").to_string(), "12");
    assert_eq!(num("0.000").to_string(), "0");
    assert!(num("1e999999999").is_inf());
    assert_eq!(num("1e-999999999").to_string(), "0");
    assert_eq!(num("-1e-999999999").to_string(), "-0");
    assert!(num("inf").is_inf() && !num("inf").is_negative());
    assert!(num("-Inf").is_negative());
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
        assert_eq!(num(i).to_string(), o, "{i}");
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
        let n = num(s);
        let t = n.to_string();
        assert_eq!(num(&t), n, "{s} -> {t}");
        assert_eq!(num(&t).to_string(), t);
    }
    assert_eq!(num("1").to_json().unwrap(), "1");
    assert_eq!(num("0.25").to_json().unwrap(), "0.25");
    assert_eq!(Number::pos_inf().to_json(), Err(ERR_JSON_INF));
}

#[test]
fn arithmetic() {
    assert_eq!(num("0").mul(&num("-5")).to_string(), "-0");
    assert_eq!(num("0").div(&num("-5")).unwrap().to_string(), "-0");
    assert_eq!(num("5").sub(&num("5")).to_string(), "0");
    assert_eq!(num("-0").add(&num("-0")).to_string(), "-0");
    assert_eq!(num("-0").sub(&num("0")).to_string(), "-0");
    assert_eq!(num("0").sub(&num("0")).to_string(), "0");
    assert_eq!(num("1.5").add(&num("1.5")).to_string(), "3");
    assert!(matches!(
        num("1.5").add(&num("1.5")).0,
        Repr::Int { v: 3, .. }
    ));
    assert_eq!(num("0.1").add(&num("0.7")).to_string(), "0.8");
    let two_thirds = num("2").div(&num("3")).unwrap();
    let t = two_thirds.to_string();
    assert!(t.starts_with("0.666666") && t.ends_with("67"), "{t}");
    assert_eq!(num(&t), two_thirds);
    assert_eq!(num("0").div(&num("0")), Err(ERR_DIV_NAN));
    assert_eq!(Number::pos_inf().div(&Number::neg_inf()), Err(ERR_DIV_NAN));
    assert_eq!(num("5").div(&Number::pos_inf()).unwrap().to_string(), "0");
    assert_eq!(num("-5").div(&Number::pos_inf()).unwrap().to_string(), "-0");
    assert_eq!(
        Number::pos_inf().try_add(&Number::neg_inf()),
        Err(ERR_ADD_INF)
    );
    assert_eq!(
        Number::pos_inf().try_sub(&Number::pos_inf()),
        Err(ERR_SUB_INF)
    );
    assert_eq!(Number::pos_inf().try_mul(&num("0")), Err(ERR_MUL_INF));
    assert_eq!(
        Number::pos_inf().try_mul(&num("-2")).unwrap().to_string(),
        "-Inf"
    );
    assert_eq!(Number::pos_inf().add(&num("1")).to_string(), "+Inf");
    assert_eq!(num("1e400").sub(&num("1e400")).to_string(), "0");
    // far-apart operands only affect rounding
    let tiny = num("1e-900000");
    assert_eq!(num("1").add(&tiny).to_string(), "1");
    assert_eq!(num("1").sub(&tiny).to_string(), "1");
    assert_eq!(num("1").sub(&tiny).cmp_numeric(&num("1")), Ordering::Equal);
    // the far operand acts as a sticky bit: 9 = 1001b rounded to 3 bits
    let r = |v: BigFloat| match v {
        BigFloat::Fin(n, m, e) => (n, m.to_u64().unwrap() << e),
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
    assert_eq!(max.add(&num("1")).to_string(), "9223372036854775808");
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
    assert_eq!(num("10").rem(&num("3")).unwrap().to_string(), "1");
    assert_eq!(num("-10").rem(&num("3")).unwrap().to_string(), "-1");
    assert_eq!(num("10").rem(&num("-3")).unwrap().to_string(), "1");
    assert_eq!(num("5.5").rem(&num("2")).unwrap().to_string(), "1.5");
    assert_eq!(num("-5.5").rem(&num("2")).unwrap().to_string(), "-1.5");
    assert_eq!(num("7").rem(&num("0")).unwrap().to_string(), "7");
    assert_eq!(num("-0").rem(&num("5")).unwrap().to_string(), "-0");
    assert_eq!(num("-6").rem(&num("3")).unwrap().to_string(), "0");
    assert_eq!(num("5").rem(&Number::pos_inf()), Err(ERR_MOD_INF));
    assert_eq!(Number::pos_inf().rem(&num("5")), Err(ERR_NIL_DEREF));
    assert!(Number::pos_inf().rem(&num("0")).unwrap().is_inf());
    assert_eq!(num("1e30").rem(&num("7")).unwrap().to_string(), "1");
    assert_eq!(num("0.3").rem(&num("0.1")).unwrap().to_string(), "0");
    assert_eq!(
        Number::from_i64(i64::MIN)
            .rem(&num("-1"))
            .unwrap()
            .to_string(),
        "0"
    );
}

#[test]
fn functions() {
    assert_eq!(num("1.5").floor().to_string(), "1");
    assert_eq!(num("-1.5").floor().to_string(), "-2");
    assert_eq!(num("1.5").ceil().to_string(), "2");
    assert_eq!(num("-1.5").ceil().to_string(), "-1");
    assert_eq!(num("-0.5").ceil().to_string(), "0");
    assert_eq!(num("-0").floor().to_string(), "0");
    assert_eq!(num("7").floor().to_string(), "7");
    assert!(Number::neg_inf().floor().is_inf());
    assert_eq!(num("-2.7").try_trunc().unwrap().to_string(), "-2");
    assert_eq!(num("-0").try_trunc().unwrap().to_string(), "-0");
    assert_eq!(Number::pos_inf().try_trunc(), Err(ERR_NIL_DEREF));
    assert_eq!(num("-5").try_signum().unwrap().to_string(), "-1");
    assert_eq!(num("0").try_signum().unwrap().to_string(), "0");
    assert_eq!(num("1.5").try_signum(), Err(ERR_WHOLE_NUMBER));
    assert_eq!(num("1.5").signum().to_string(), "1");
    assert_eq!(num("2").pow(&num("10")).to_string(), "1024");
    assert_eq!(num("2").pow(&num("0.5")).to_string(), "1.4142135623730951");
    assert_eq!(num("2").pow(&num("-1")).to_string(), "0.5");
    assert_eq!(num("10").pow(&num("-2")).to_string(), "0.01");
    assert_eq!(num("0").pow(&num("-1")).to_string(), "+Inf");
    assert_eq!(num("-8").try_pow(&num("0.5")), Err(ERR_FLOAT_NAN));
    assert_eq!(num("1e400").try_pow(&num("1")), Err(ERR_FLOAT_RANGE));
    assert_eq!(num("100").log(&num("10")).to_string(), "2");
    assert_eq!(num("8").log(&num("2")).to_string(), "3");
    assert_eq!(num("0").log(&num("10")).to_string(), "-Inf");
    assert_eq!(num("-1").try_log(&num("10")), Err(ERR_FLOAT_NAN));
    assert_eq!(num("1").try_log(&num("1")), Err(ERR_FLOAT_NAN));
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
    assert_eq!(num("0.1").to_f64(), 0.1);
    assert_eq!(num("1e-320").to_f64(), 1e-320);
    assert_eq!(num("1e400").to_f64(), f64::INFINITY);
    assert_eq!(num("-1e400").to_f64(), f64::NEG_INFINITY);
    assert_eq!(num("1e-400").to_f64(), 0.0);
    assert_eq!(num("12345678901234567890").to_f64(), 12345678901234567890.0);
    assert_eq!(num("12345678901234567890").to_i64(), None);
    assert_eq!(num("-0").to_i64(), Some(0));
    assert_eq!(num("1.5").to_i64(), None);
    assert_eq!(num("1.5e3").to_i64(), Some(1500));
    assert!(
        num("1e30").is_integer() && !num("1.5").is_integer() && !Number::pos_inf().is_integer()
    );
    assert!(num("-0").is_zero() && num("-0").is_negative() && !num("0").is_negative());
    assert_eq!(
        Number::from_u64(u64::MAX).to_string(),
        "18446744073709551615"
    );
}

#[test]
fn comparisons() {
    let two_big = num("0.5").mul(&num("4"));
    assert_eq!(two_big, Number::from_i64(2));
    assert_eq!(num("2.0"), Number::from_i64(2));
    assert_eq!(Number::from_f64(2.0).unwrap(), num("2"));
    assert_eq!(hash_of(&Number::from_f64(2.0).unwrap()), hash_of(&num("2")));
    assert_eq!(num("-0"), num("0"));
    assert_eq!(hash_of(&num("-0")), hash_of(&num("0")));
    assert_ne!(num("1"), num("1.5"));
    assert_ne!(num("-1.5"), num("1.5"));
    // cty: non-integers equal when their decimal text is equal
    let f = Number::from_f64(0.1).unwrap();
    assert_eq!(f, num("0.1"));
    assert_eq!(hash_of(&f), hash_of(&num("0.1")));
    assert_eq!(num("1e22"), Number::from_f64(1e22).unwrap());
    assert_ne!(num("1e30"), Number::from_f64(1e30).unwrap()); // distinct integers
    assert_ne!(num("1e23"), Number::from_f64(1e23).unwrap());
    assert_eq!(Number::pos_inf(), num("+Inf"));
    assert_ne!(Number::pos_inf(), Number::neg_inf());
    assert!(num("1").less_than(&num("2")));
    assert!(num("-Inf").less_than(&num("-1e300")));
    assert!(num("1e300").less_than(&num("Inf")));
    assert!(num("-0").less_or_equal(&num("0")) && !num("-0").less_than(&num("0")));
    assert!(
        num("0.1").add(&num("0.2")).greater_than(&num("0.3"))
            || num("0.1").add(&num("0.2")) == num("0.3")
    );
    let mut v = [
        num("3"),
        num("-1.5"),
        num("Inf"),
        num("0"),
        num("1e30"),
        num("-Inf"),
        num("2.5"),
        Number::from_i64(3),
    ];
    v.sort();
    let s: Vec<String> = v.iter().map(std::string::ToString::to_string).collect();
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
    assert_eq!(num("3").cmp(&Number::from_i64(3)), Ordering::Equal);
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
        let (na, nb) = (num(&a.to_string()), num(&b.to_string()));
        assert_eq!(
            na.add(&nb).to_string(),
            (i128::from(a) + i128::from(b)).to_string()
        );
        assert_eq!(
            na.sub(&nb).to_string(),
            (i128::from(a) - i128::from(b)).to_string()
        );
        let prod = i128::from(a) * i128::from(b);
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
            if i128::from(a) % i128::from(b) == 0 {
                assert_eq!(q.to_string(), (i128::from(a) / i128::from(b)).to_string());
            }
            // the quotient times the divisor is close to a
            let back = q.mul(&nb);
            assert!(back.sub(&na).abs().less_than(&num("1e-100")) || a.unsigned_abs() > 1 << 60);
            assert_eq!(
                na.rem(&nb).unwrap().to_string(),
                (i128::from(a) % i128::from(b)).to_string()
            );
        }
        // same through the big (non fast) path
        let ba = na.mul(&num("0.5")).mul(&num("2"));
        assert_eq!(
            ba.add(&nb).to_string(),
            (i128::from(a) + i128::from(b)).to_string()
        );
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
