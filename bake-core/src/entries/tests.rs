//! Parsing, merging and printing of each entry type.

use super::*;

fn m(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn cache_forms() {
    let v = CacheEntry::parse_list(&["user/app:cache".into()]).unwrap();
    assert_eq!(v[0].typ, "registry");
    assert_eq!(v[0].attrs, m(&[("ref", "user/app:cache")]));
    let v = CacheEntry::parse_list(&["a,b".into(), String::new()]).unwrap();
    assert_eq!(v.len(), 2);
    assert_eq!(v[1].attrs["ref"], "b");
    let e = CacheEntry::parse_text("type=local,SRC=path").unwrap();
    assert_eq!(e.typ, "local");
    assert_eq!(e.attrs, m(&[("src", "path")]));
    assert!(CacheEntry::parse_text("ref=x,mode=max").is_err());
    assert!(CacheEntry::parse_text("type=gha,novalue").is_err());
    let raw = [RawEntry::Map(m(&[("scope", "main")]))];
    assert!(CacheEntry::from_raw("cache-from", &raw).is_err());
    assert_eq!(
        e.to_json().to_pretty(),
        "{\n  \"src\": \"path\",\n  \"type\": \"local\"\n}"
    );
}

#[test]
fn export_forms() {
    let e = ExportEntry::parse_text("./out").unwrap();
    assert_eq!((e.typ.as_str(), e.dest.as_str()), ("local", "./out"));
    let e = ExportEntry::parse_text("-").unwrap();
    assert_eq!((e.typ.as_str(), e.dest.as_str()), ("tar", "-"));
    let e = ExportEntry::parse_text("type=image,push=true").unwrap();
    assert_eq!(e.attrs, m(&[("push", "true")]));
    assert!(ExportEntry::parse_text("dest=x,a=b").is_err());
    let raw = [
        RawEntry::Str(String::new()),
        RawEntry::Map(m(&[("type", "local"), ("dest", "dist")])),
    ];
    let v = ExportEntry::from_raw("output", &raw).unwrap();
    assert_eq!(v.len(), 1);
    assert_eq!(
        v[0].to_json().to_pretty(),
        "{\n  \"dest\": \"dist\",\n  \"type\": \"local\"\n}"
    );
}

#[test]
fn secret_forms() {
    let s = SecretEntry::parse_text("id=a,type=env,src=VAR").unwrap();
    assert_eq!(
        s,
        SecretEntry {
            id: "a".into(),
            src: String::new(),
            env: "VAR".into()
        }
    );
    assert!(SecretEntry::parse_text("id=a,bogus=1").is_err());
    assert!(SecretEntry::parse_text("id=a,type=ssh").is_err());
    assert!(SecretEntry::parse_text("id").is_err());
    let merged = SecretEntry::merge(
        Some(vec![
            SecretEntry::parse_text("id=one,env=ONE").unwrap(),
            SecretEntry::parse_text("id=two,env=TWO").unwrap(),
        ]),
        Some(vec![SecretEntry::parse_text("id=two,env=X").unwrap()]),
    )
    .unwrap();
    assert_eq!(merged.len(), 2);
    assert_eq!(merged[1].env, "X");
    assert_eq!(
        merged[0].to_json().to_pretty(),
        "{\n  \"id\": \"one\",\n  \"env\": \"ONE\"\n}"
    );
}

#[test]
fn ssh_forms() {
    let s = SshEntry::parse_text("default").unwrap();
    assert_eq!(s.id, "default");
    assert!(s.paths.is_empty());
    let s = SshEntry::parse_text("key=a,b").unwrap();
    assert_eq!(s.paths, vec!["a", "b"]);
    assert_eq!(
        s.to_json().to_pretty(),
        "{\n  \"id\": \"key\",\n  \"paths\": [\n    \"a\",\n    \"b\"\n  ]\n}"
    );
}

#[test]
fn attest_forms() {
    let a = Attest::parse_text("type=provenance,disabled=true").unwrap();
    assert!(a.disabled);
    assert_eq!(
        a.to_json().to_pretty(),
        "{\n  \"disabled\": true,\n  \"type\": \"provenance\"\n}"
    );
    assert!(Attest::parse_text("mode=max").is_err());
    assert!(Attest::parse_text("type=sbom,disabled=maybe").is_err());
    assert_eq!(
        Attest::canonicalize("provenance", "false"),
        "type=provenance,disabled=true"
    );
    assert_eq!(
        Attest::canonicalize("sbom", "generator=x"),
        "type=sbom,generator=x"
    );
    let merged = Attest::merge(
        Some(Attest::parse_list(&["type=sbom".into(), "type=provenance,mode=min".into()]).unwrap()),
        Some(Attest::parse_list(&["type=provenance,mode=max".into()]).unwrap()),
    )
    .unwrap();
    assert_eq!(merged.len(), 2);
    assert_eq!(merged[1].attrs["mode"], "max");
    assert_eq!(merged[1].to_csv(), "type=provenance,mode=max");
}

#[test]
fn resources_forms() {
    let r = Resources::from_raw(&RawEntry::Map(m(&[
        ("memory", "2g"),
        ("cpu-quota", "50000"),
    ])))
    .unwrap();
    assert_eq!(r.cpu_quota, Some(50000));
    assert_eq!(
        r.to_json().to_pretty(),
        "{\n  \"memory\": \"2g\",\n  \"cpu-quota\": 50000\n}"
    );
    assert!(Resources::from_raw(&RawEntry::Map(m(&[("cpu-quota", "1.5")]))).is_err());
    assert!(Resources::from_raw(&RawEntry::Map(m(&[("memroy", "1g")]))).is_err());
    let mut r = Resources::default();
    assert!(r.set_field("cpu-shares", "x").is_err());
    r.set_field("cpu-shares", "512").unwrap();
    let merged = Resources::merge(
        Some(&r),
        &Resources {
            memory: Some("1g".into()),
            ..Default::default()
        },
    );
    assert_eq!(merged.cpu_shares, Some(512));
    assert_eq!(merged.memory.as_deref(), Some("1g"));
}

#[test]
fn policy_forms() {
    let p = PolicyEntry::parse_text("filename=p.rego,strict=true,log-level=warn").unwrap();
    assert_eq!(p.files, vec!["p.rego"]);
    assert_eq!(p.strict, Some(true));
    assert_eq!(p.log_level.as_deref(), Some("warning"));
    assert!(PolicyEntry::parse_text("filename=").is_err());
    assert!(PolicyEntry::parse_text("bogus=1").is_err());
}

#[test]
fn dedupe_swap_order() {
    let a = CacheEntry::parse_text("type=gha").unwrap();
    let b = CacheEntry::parse_text("type=inline").unwrap();
    let c = CacheEntry::parse_text("type=local,src=x").unwrap();
    let v = CacheEntry::normalize(vec![a.clone(), a.clone(), b.clone(), c.clone()]).unwrap();
    assert_eq!(v, vec![a, c, b]);
}
