//! Conformance cases `2*-fn-*` replayed against the functions directly, the registry's
//! name list, and a no-panic sweep over every function.

use super::testutil::{
    bv, call, call_err, fv, l, m, null, nv, o, printed, set, sv, t, try_call, TestValue,
};
use crate::value::Value;

fn pr(name: &str, args: Vec<TestValue>) -> String {
    printed(name, args)
}

#[test]
fn registry_matches_spec() {
    let spec = "absolute add and base64decode base64encode basename bcrypt byteslen bytesslice ceil chomp chunklist cidrhost cidrnetmask cidrsubnet cidrsubnets coalesce coalescelist compact concat contains convert csvdecode dirname distinct divide element equal flatten floor format formatdate formattimestamp formatlist greaterthan greaterthanorequalto hasindex homedir indent index indexof int join jsondecode jsonencode keys length lessthan lessthanorequalto log lookup lower max md5 merge min modulo multiply negate not notequal or parseint pow range regex_replace regex regexall replace reverse reverselist rsadecrypt sanitize semvercmp sethaselement setintersection setproduct setsubtract setsymmetricdifference setunion sha1 sha256 sha512 signum slice sort split strlen substr subtract timeadd timestamp title trim trimprefix trimspace trimsuffix unixtimestampparse upper urlencode uuidv4 uuidv5 values zipmap";
    let mut want: Vec<&str> = spec.split(' ').collect();
    want.sort_unstable();
    let have: Vec<&str> = super::registry().keys().copied().collect();
    assert_eq!(have, want);
    for absent in [
        "strcontains",
        "sum",
        "tolist",
        "abs",
        "strrev",
        "nosuchfunc",
    ] {
        assert!(super::lookup(absent).is_none());
    }
}

#[test]
fn case_201_strings() {
    assert_eq!(pr("title", vec![sv("hello big world")]), "Hello Big World");
    assert_eq!(pr("substr", vec![sv("buildx"), nv(-2), nv(-1)]), "dx");
    assert_eq!(pr("strlen", vec![sv("héllo")]), "5");
    assert_eq!(pr("reverse", vec![sv("abc")]), "cba");
}

#[test]
fn case_202_203_204() {
    assert_eq!(pr("indent", vec![nv(2), sv("a\nb\nc")]), "a\n  b\n  c");
    assert_eq!(
        pr("jsonencode", vec![call("split", vec![sv(","), sv("a,,b")])]),
        r#"["a","","b"]"#
    );
    assert_eq!(
        pr("sanitize", vec![sv("My App/v1.2:latest")]),
        "My_App_v1_2_latest"
    );
    assert!(call_err("byteslen", vec![sv("abc")]).contains("bytes required"));
}

#[test]
fn case_205_lists() {
    let abc = |x: &[&str]| t(x.iter().map(|s| sv(s)).collect());
    assert_eq!(
        pr("chunklist", vec![abc(&["a", "b", "c", "d", "e"]), nv(2)]),
        r#"[["a","b"],["c","d"],["e"]]"#
    );
    assert_eq!(
        pr("compact", vec![abc(&["a", "", "b", ""])]),
        r#"["a","b"]"#
    );
    assert_eq!(
        pr("concat", vec![abc(&["a"]), abc(&["b", "c"]), t(vec![])]),
        r#"["a","b","c"]"#
    );
    assert_eq!(pr("contains", vec![abc(&["x", "y"]), sv("y")]), "true");
    assert_eq!(
        pr("distinct", vec![abc(&["b", "a", "b", "c", "a"])]),
        r#"["b","a","c"]"#
    );
    assert_eq!(pr("element", vec![abc(&["a", "b", "c"]), nv(4)]), "b");
    assert_eq!(pr("element", vec![abc(&["a", "b", "c"]), nv(-1)]), "c");
    assert_eq!(
        pr(
            "flatten",
            vec![t(vec![
                t(vec![sv("a"), t(vec![sv("b")])]),
                t(vec![]),
                t(vec![sv("c")])
            ])]
        ),
        r#"["a","b","c"]"#
    );
    assert_eq!(pr("indexof", vec![abc(&["a", "b", "c"]), sv("c")]), "2");
    assert_eq!(pr("length", vec![abc(&["a", "b"])]), "2");
    assert_eq!(pr("range", vec![nv(1), nv(10), nv(3)]), "[1,4,7]");
    assert_eq!(
        pr("reverselist", vec![abc(&["1", "2", "3"])]),
        r#"["3","2","1"]"#
    );
    assert_eq!(
        pr("slice", vec![abc(&["a", "b", "c", "d"]), nv(1), nv(3)]),
        r#"["b","c"]"#
    );
    assert_eq!(
        pr("sort", vec![abc(&["b", "a", "C", "10", "9"])]),
        r#"["10","9","C","a","b"]"#
    );
    // kinds: concat of tuples is a tuple, of lists a list
    assert_eq!(
        call("concat", vec![t(vec![sv("a")]), t(vec![nv(1)])]),
        t(vec![sv("a"), nv(1)])
    );
    assert_eq!(
        call("concat", vec![l(vec![sv("a")]), l(vec![sv("b")])]),
        l(vec![sv("a"), sv("b")])
    );
    assert!(call_err("concat", vec![set(vec![sv("a")])]).contains("lists or tuples"));
    assert!(call_err("element", vec![t(vec![]), nv(0)]).contains("empty list"));
    assert!(call_err("indexof", vec![abc(&["a"]), sv("z")]).contains("item not found"));
    assert!(call_err("range", vec![nv(0), nv(5), nv(0)]).contains("more than 1024"));
    assert_eq!(pr("range", vec![nv(3)]), "[0,1,2]");
    assert_eq!(pr("range", vec![nv(3), nv(0)]), "[3,2,1]");
    assert!(call_err("slice", vec![abc(&["a"]), nv(1), nv(0)]).contains("greater than end"));
    assert!(call_err("slice", vec![abc(&["a"]), nv(0), nv(2)]).contains("greater than the length"));
    assert!(call_err("chunklist", vec![abc(&["a"]), nv(-1)]).contains("must be positive"));
}

#[test]
fn case_206_maps() {
    let mm = m(vec![("b", sv("2")), ("a", sv("1"))]);
    assert_eq!(pr("keys", vec![mm.clone()]), r#"["a","b"]"#);
    assert_eq!(call("keys", vec![mm.clone()]), l(vec![sv("a"), sv("b")]));
    assert_eq!(call("keys", vec![o(vec![("x", nv(1))])]), t(vec![sv("x")]));
    assert_eq!(pr("values", vec![mm.clone()]), r#"["1","2"]"#);
    assert_eq!(pr("lookup", vec![mm.clone(), sv("a"), sv("dflt")]), "1");
    assert_eq!(pr("lookup", vec![mm.clone(), sv("z"), sv("dflt")]), "dflt");
    assert_eq!(
        pr(
            "merge",
            vec![
                mm.clone(),
                o(vec![("c", sv("3"))]),
                o(vec![("a", sv("override"))])
            ]
        ),
        r#"{"a":"override","b":"2","c":"3"}"#
    );
    assert_eq!(
        pr(
            "zipmap",
            vec![t(vec![sv("k1"), sv("k2")]), t(vec![sv("v1"), sv("v2")])]
        ),
        r#"{"k1":"v1","k2":"v2"}"#
    );
    assert_eq!(pr("hasindex", vec![mm.clone(), sv("b")]), "true");
    assert_eq!(pr("hasindex", vec![t(vec![sv("x")]), nv(1)]), "false");
    assert_eq!(pr("index", vec![mm.clone(), sv("b")]), "2");
    assert_eq!(pr("length", vec![mm.clone()]), "2");
    assert!(call_err("lookup", vec![sv("x"), sv("a"), sv("b")]).contains("requires a map"));
    assert!(call_err("merge", vec![sv("x")]).contains("maps or objects"));
    assert_eq!(
        call("merge", vec![mm.clone(), m(vec![("c", sv("3"))])])
            .0
            .ty(),
        crate::value::Type::map(crate::value::Type::String)
    );
}

#[test]
fn case_207_coalesce() {
    assert_eq!(pr("coalesce", vec![null(), sv("x")]), "x");
    assert_eq!(pr("coalesce", vec![sv(""), sv("x")]), "");
    assert_eq!(pr("coalesce", vec![null(), nv(2), nv(3)]), "2");
    assert_eq!(pr("coalesce", vec![nv(1), sv("x")]), "1");
    assert_eq!(
        pr(
            "coalescelist",
            vec![t(vec![]), t(vec![sv("a")]), t(vec![sv("b")])]
        ),
        r#"["a"]"#
    );
    assert!(call_err("coalesce", vec![null()]).contains("no non-null"));
    assert!(call_err("coalesce", vec![nv(1), t(vec![])]).contains("same type"));
}

#[test]
fn case_208_sets() {
    let s2 = |a: &str, b: &str| t(vec![sv(a), sv(b)]);
    assert_eq!(
        pr("setunion", vec![s2("a", "b"), s2("b", "c")]),
        r#"["a","b","c"]"#
    );
    assert_eq!(
        pr(
            "setintersection",
            vec![
                t(vec![sv("a"), sv("b"), sv("c")]),
                t(vec![sv("b"), sv("c"), sv("d")])
            ]
        ),
        r#"["b","c"]"#
    );
    assert_eq!(
        pr(
            "setsubtract",
            vec![t(vec![sv("a"), sv("b"), sv("c")]), t(vec![sv("b")])]
        ),
        r#"["a","c"]"#
    );
    assert_eq!(
        pr("setsymmetricdifference", vec![s2("a", "b"), s2("b", "c")]),
        r#"["a","c"]"#
    );
    assert_eq!(
        pr("setproduct", vec![s2("x", "y"), s2("1", "2")]),
        r#"[["x","1"],["x","2"],["y","1"],["y","2"]]"#
    );
    assert_eq!(pr("sethaselement", vec![s2("a", "b"), sv("b")]), "true");
    assert_eq!(pr("sethaselement", vec![t(vec![nv(1)]), sv("1")]), "false");
    assert!(matches!(
        call("setproduct", vec![set(vec![sv("a")]), s2("1", "2")]).0,
        Value::Set(_)
    ));
}

#[test]
fn case_209_encoding() {
    assert_eq!(
        pr("base64encode", vec![sv("hello bake")]),
        "aGVsbG8gYmFrZQ=="
    );
    assert_eq!(
        pr("base64decode", vec![sv("aGVsbG8gYmFrZQ==")]),
        "hello bake"
    );
    assert!(call_err("base64decode", vec![sv("###")]).contains("failed to decode"));
    assert!(call_err("base64decode", vec![sv("/w==")]).contains("UTF-8"));
    let obj = o(vec![
        ("b", t(vec![nv(1), bv(true), null()])),
        ("a", sv("x")),
    ]);
    assert_eq!(
        pr("jsonencode", vec![obj]),
        r#"{"a":"x","b":[1,true,null]}"#
    );
    assert_eq!(
        pr("jsonencode", vec![sv("<a&b>")]),
        r#""\u003ca\u0026b\u003e""#
    );
    assert_eq!(pr("jsonencode", vec![fv("1.5e3")]), "1500");
    assert_eq!(pr("jsonencode", vec![null()]), "null");
    let d = call("jsondecode", vec![sv("{\"k\": [1, 2]}")]);
    assert_eq!(d, o(vec![("k", t(vec![nv(1), nv(2)]))]));
    assert!(call_err("jsondecode", vec![sv("{")]).contains("unexpected end"));
    assert!(call_err("jsondecode", vec![sv("[1] x")]).contains("extraneous"));
    assert!(call_err("jsondecode", vec![sv("nul")]).contains("unexpected end"));
    assert!(call_err("jsondecode", vec![sv("nux")]).contains("invalid character"));
    assert_eq!(
        call("jsondecode", vec![sv("\"\\u00e9\\ud83d\\ude00\"")]),
        sv("é😀")
    );
    assert_eq!(
        pr("csvdecode", vec![sv("name,port\napi,80\nweb,443\n")]),
        r#"[{"name":"api","port":"80"},{"name":"web","port":"443"}]"#
    );
    assert_eq!(
        pr("csvdecode", vec![sv("a,b\r\n\"x,\"\"y\",z\r\n")]),
        r#"[{"a":"x,\"y","b":"z"}]"#
    );
    assert!(call_err("csvdecode", vec![sv("a,b\n1\n")]).contains("wrong number of fields"));
    assert!(call_err("csvdecode", vec![sv("a,a\n")]).contains("duplicate column"));
    assert!(call_err("csvdecode", vec![sv("")]).contains("missing header"));
    assert!(call_err("csvdecode", vec![sv("a\nx\"y\n")]).contains("bare"));
    assert_eq!(
        pr("urlencode", vec![sv("a b&c=d/é")]),
        "a+b%26c%3Dd%2F%C3%A9"
    );
}

#[test]
fn case_210_hashes() {
    assert_eq!(
        pr("md5", vec![sv("bake")]),
        "a6ecfad3e0f9a51c6335848449a91bed"
    );
    assert_eq!(
        pr("sha1", vec![sv("bake")]),
        "74521faff0db9a893a1cd5872e2b81792c8633ed"
    );
    assert_eq!(
        pr("sha256", vec![sv("bake")]),
        "3c8c082e47323c2858b0898b39c045b39b6f5874133f77d89f9fe9c8034b2e1d"
    );
    assert_eq!(pr("sha512", vec![sv("bake")]), "4747af8cbbf91dfad0d09fdeac8463df729ec8dc0eafc65fd4f21636e218b2c14407cab658219c31ffb7bc678c7150eb538f777a2c1fc29d1abd6305878cecc6");
    let h = pr("bcrypt", vec![sv("secret"), nv(4)]);
    assert!(h.starts_with("$2a$04$") && h.len() == 60, "{h}");
    assert!(bcrypt::verify("secret", &h).unwrap());
    assert!(call_err("bcrypt", vec![sv("x"), nv(3)]).contains("cost"));
    assert!(call_err("bcrypt", vec![sv("x"), nv(4), nv(5)]).contains("no more than two"));
}

#[test]
fn case_211_212_numeric() {
    assert_eq!(pr("absolute", vec![fv("-4.5")]), "4.5");
    assert_eq!(pr("ceil", vec![fv("1.2")]), "2");
    assert_eq!(pr("floor", vec![fv("-1.2")]), "-2");
    assert_eq!(pr("int", vec![fv("7.9")]), "7");
    assert_eq!(pr("int", vec![fv("-7.9")]), "-7");
    assert_eq!(pr("log", vec![nv(16), nv(2)]), "4");
    assert_eq!(pr("max", vec![nv(3), nv(9), nv(1)]), "9");
    assert_eq!(pr("min", vec![nv(3), nv(9), nv(1)]), "1");
    assert_eq!(pr("pow", vec![nv(2), nv(10)]), "1024");
    assert_eq!(pr("signum", vec![nv(-3)]), "-1");
    assert_eq!(pr("parseint", vec![sv("ff"), nv(16)]), "255");
    assert_eq!(pr("parseint", vec![sv("-101"), nv(2)]), "-5");
    assert_eq!(pr("parseint", vec![sv("Z"), nv(62)]), "61");
    assert!(call_err("parseint", vec![sv("12"), nv(1)]).contains("between 2 and 62"));
    assert!(call_err("parseint", vec![sv("g"), nv(16)])
        .contains("cannot parse \"g\" as a base 16 integer"));
    assert!(call_err("parseint", vec![nv(12), nv(10)]).contains("must be a string"));
    assert!(try_call("min", vec![]).is_err());
    assert_eq!(pr("add", vec![nv(1), nv(2)]), "3");
    assert_eq!(pr("subtract", vec![nv(5), nv(7)]), "-2");
    assert_eq!(pr("multiply", vec![fv("1.5"), nv(4)]), "6");
    assert_eq!(pr("divide", vec![nv(7), nv(2)]), "3.5");
    assert_eq!(pr("divide", vec![nv(1), nv(0)]), "+Inf");
    assert_eq!(pr("modulo", vec![nv(7), nv(3)]), "1");
    assert_eq!(pr("negate", vec![nv(5)]), "-5");
    assert_eq!(pr("and", vec![bv(true), bv(false)]), "false");
    assert_eq!(pr("or", vec![bv(true), bv(false)]), "true");
    assert_eq!(pr("not", vec![bv(true)]), "false");
    assert_eq!(pr("equal", vec![nv(1), nv(1)]), "true");
    assert_eq!(pr("equal", vec![nv(1), sv("1")]), "false");
    assert_eq!(pr("equal", vec![null(), null()]), "true");
    assert_eq!(pr("notequal", vec![sv("a"), sv("b")]), "true");
    assert_eq!(pr("greaterthan", vec![nv(2), nv(1)]), "true");
    assert_eq!(pr("greaterthanorequalto", vec![nv(2), nv(2)]), "true");
    assert_eq!(pr("lessthan", vec![nv(2), nv(1)]), "false");
    assert_eq!(pr("lessthanorequalto", vec![nv(1), nv(2)]), "true");
    assert!(call_err("add", vec![sv("x"), nv(1)]).contains("number is required"));
    assert!(call_err("add", vec![null(), nv(1)]).contains("null"));
}

#[test]
fn case_214_218_regex_errors() {
    assert!(try_call("regex", vec![sv("[0-9]+"), sv("no digits")]).is_err());
    assert!(try_call("regex", vec![sv("^v"), sv("1.0")]).is_err());
}

#[test]
fn case_219_220_221_convert() {
    assert_eq!(call("convert", vec![sv("42"), sv("number")]), nv(42));
    assert_eq!(pr("convert", vec![nv(42), sv("string")]), "42");
    assert_eq!(pr("convert", vec![sv("true"), sv("bool")]), "true");
    assert_eq!(
        pr(
            "convert",
            vec![t(vec![sv("b"), sv("a"), sv("b")]), sv("set(any)")]
        ),
        r#"["a","b"]"#
    );
    assert_eq!(
        pr("convert", vec![t(vec![nv(1)]), sv("list(string)")]),
        r#"["1"]"#
    );
    assert_eq!(
        pr(
            "convert",
            vec![
                o(vec![("a", nv(1)), ("b", sv("x"))]),
                sv("object({a=string, b=string})")
            ]
        ),
        r#"{"a":"1","b":"x"}"#
    );
    assert!(call_err("convert", vec![sv("abc"), sv("number")]).contains("number is required"));
    assert!(call_err("convert", vec![sv("abc"), sv("nope")]).contains("type expression"));
    let parse = super::typeexpr::parse_type_expr;
    assert!(parse("tuple([string, number])").is_some());
    assert!(parse("map(list(number))").is_some());
    assert!(parse("list(string").is_none());
    assert!(parse("list").is_none());
}

#[test]
fn case_222_cidr() {
    assert_eq!(pr("cidrhost", vec![sv("10.0.0.0/24"), nv(5)]), "10.0.0.5");
    assert_eq!(
        pr("cidrhost", vec![sv("10.0.0.0/24"), nv(-1)]),
        "10.0.0.255"
    );
    assert!(call_err("cidrhost", vec![sv("10.0.0.0/24"), nv(256)]).contains("does not accommodate"));
    assert_eq!(pr("cidrnetmask", vec![sv("172.16.0.0/12")]), "255.240.0.0");
    assert_eq!(
        pr("cidrsubnet", vec![sv("10.1.0.0/16"), nv(8), nv(2)]),
        "10.1.2.0/24"
    );
    assert_eq!(
        pr("cidrsubnets", vec![sv("10.0.0.0/16"), nv(4), nv(4), nv(8)]),
        r#"["10.0.0.0/20","10.0.16.0/20","10.0.32.0/24"]"#
    );
    assert_eq!(
        pr("cidrsubnets", vec![sv("10.0.0.0/16"), nv(8), nv(4)]),
        r#"["10.0.0.0/24","10.0.16.0/20"]"#
    );
    assert_eq!(
        pr("cidrsubnet", vec![sv("fd00::/48"), nv(16), nv(255)]),
        "fd00:0:0:ff::/64"
    );
    assert!(call_err("cidrsubnet", vec![sv("10.0.0.0/30"), nv(4), nv(0)]).contains("insufficient"));
    assert!(call_err("cidrsubnet", vec![sv("nope"), nv(4), nv(0)]).contains("invalid CIDR"));
    assert!(
        call_err("cidrsubnets", vec![sv("10.0.0.0/30"), nv(1), nv(1), nv(1)])
            .contains("not enough remaining")
    );
}

#[test]
fn case_223_paths() {
    assert_eq!(pr("basename", vec![sv("/a/b/file.txt")]), "file.txt");
    assert_eq!(pr("dirname", vec![sv("/a/b/file.txt")]), "/a/b");
    assert_eq!(pr("basename", vec![sv("/a/b/")]), "b");
    assert_eq!(pr("basename", vec![sv("")]), ".");
    assert_eq!(pr("dirname", vec![sv("file")]), ".");
    assert_eq!(pr("dirname", vec![sv("/")]), "/");
    assert_eq!(pr("homedir", vec![]), "/nonexistent-home");
    let f = super::lookup("homedir").unwrap();
    assert!(f.call(&super::FnEnv::default(), vec![]).is_err());
}

#[test]
fn case_224_semver() {
    assert_eq!(pr("semvercmp", vec![sv("1.2.3"), sv(">= 1.2.0")]), "true");
    assert_eq!(pr("semvercmp", vec![sv("2.0.0"), sv("< 1.9")]), "false");
    assert_eq!(pr("semvercmp", vec![sv("1.4.0"), sv("^1.2")]), "true");
    assert_eq!(pr("semvercmp", vec![sv("2.4.0"), sv("^1.2")]), "false");
    assert_eq!(pr("semvercmp", vec![sv("1.2.9"), sv("~1.2.3")]), "true");
    assert_eq!(pr("semvercmp", vec![sv("1.3.0"), sv("~1.2.3")]), "false");
    assert_eq!(
        pr("semvercmp", vec![sv("1.5.0"), sv(">1.0, <2.0 || 3.x")]),
        "true"
    );
    assert_eq!(pr("semvercmp", vec![sv("3.1.0"), sv("1.x || 3.x")]), "true");
    assert_eq!(pr("semvercmp", vec![sv("1.5.0"), sv("1.0 - 1.4")]), "false");
    assert_eq!(
        pr("semvercmp", vec![sv("1.0.0-beta"), sv(">=1.0.0")]),
        "false"
    );
    assert!(try_call("semvercmp", vec![sv("nope"), sv(">1")]).is_err());
    assert!(try_call("semvercmp", vec![sv("1.0.0"), sv("??")]).is_err());
}

#[test]
fn case_225_uuid() {
    assert_eq!(
        pr("uuidv5", vec![sv("dns"), sv("example.com")]),
        "cfbff0d1-9375-5685-968c-48ce8b15ae17"
    );
    assert_eq!(
        pr("uuidv5", vec![sv("url"), sv("https://example.com")]),
        "4fd35a71-71ef-5a55-a9d9-aa75c889a6d0"
    );
    assert_eq!(
        pr(
            "uuidv5",
            vec![
                sv("6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
                sv("example.com")
            ]
        ),
        "cfbff0d1-9375-5685-968c-48ce8b15ae17"
    );
    assert!(call_err("uuidv5", vec![sv("bad"), sv("x")]).contains("doesn't support namespace"));
    let u = pr("uuidv4", vec![]);
    assert_eq!(u.len(), 36);
    assert_eq!(&u[14..15], "4");
    assert_eq!(u, pr("uuidv4", vec![]));
}

#[test]
fn case_226_to_232_errors() {
    assert!(call_err("upper", vec![sv("a"), sv("b")]).contains("takes 1 argument"));
    assert!(call_err("upper", vec![t(vec![sv("a")])]).contains("string required"));
    assert!(call_err("length", vec![sv("abc")]).contains("collection must be"));
    assert!(call_err("index", vec![t(vec![sv("a"), sv("b")]), sv("b")])
        .contains("key for tuple must be number"));
    assert_eq!(
        call(
            "regexall",
            vec![sv("^[0-9]{4}-"), call("timestamp", vec![])]
        )
        .0
        .as_seq()
        .unwrap()
        .len(),
        1
    );
}

#[test]
fn rsadecrypt_roundtrip() {
    // a tiny (insecure) 512-bit key is enough to exercise the PKCS#1 v1.5 path
    assert!(call_err("rsadecrypt", vec![sv("!!"), sv("k")]).contains("base64"));
    assert!(call_err("rsadecrypt", vec![sv("aGk="), sv("k")]).contains("no key found"));
    let enc = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
    assert!(call_err("rsadecrypt", vec![sv("aGk="), sv(enc)]).contains("password protected"));
}

// ---- no-panic sweep ----

fn samples() -> Vec<TestValue> {
    vec![
        null(),
        sv(""),
        sv("abc"),
        sv("é😀\u{301}"),
        sv("10.0.0.0/8"),
        sv("2024-01-01T00:00:00Z"),
        sv("%d%s%[9]v%"),
        sv("(a)(?P<x>b)"),
        sv("-1"),
        nv(0),
        nv(-1),
        nv(3),
        nv(i64::MAX),
        fv("1e400"),
        fv("-2.5"),
        TestValue(Value::Number(crate::number::Number::pos_inf())),
        bv(true),
        t(vec![]),
        t(vec![sv("a"), nv(1)]),
        l(vec![l(vec![sv("x")]), l(vec![])]),
        set(vec![sv("a"), sv("b")]),
        m(vec![("k", sv("v"))]),
        o(vec![("a", t(vec![null()]))]),
    ]
}

#[test]
fn no_panics_anywhere() {
    let s = samples();
    let mut rng: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut failures = Vec::new();
    for name in super::registry().keys() {
        if *name == "bcrypt" {
            continue; // high costs are slow by design; covered above
        }
        for arity in 0..=3 {
            for _ in 0..40 {
                let args: Vec<TestValue> = (0..arity)
                    .map(|_| s[(next() % s.len() as u64) as usize].clone())
                    .collect();
                let shown: Vec<String> = args.iter().map(|a| format!("{a:?}")).collect();
                let r = std::panic::catch_unwind(|| {
                    let _ = try_call(name, args);
                });
                if r.is_err() {
                    failures.push(format!("{name}({})", shown.join(", ")));
                }
            }
        }
    }
    assert!(failures.is_empty(), "panics: {failures:#?}");
}
