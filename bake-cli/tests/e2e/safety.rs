//! Entitlements: bake refuses exactly where buildx refuses, on the same files.

use super::*;

/// The `Pass "--allow=…"` line and the ` - …` lines of an entitlement message.
fn privileges(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| l.starts_with(" - ") || l.starts_with("Pass \""))
        .map(str::to_string)
        .collect()
}

#[test]
#[ignore = "needs the engine: scripts/engine.sh start, then cargo test -p bake-cli --test e2e -- --ignored"]
#[allow(clippy::too_many_lines)] // one table of cases, each run under bake and buildx
fn entitlements_are_refused_where_buildx_refuses() {
    let e = engine();
    let outside = std::env::temp_dir().join(format!("bake-e2e-outside-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&outside);
    std::fs::create_dir_all(&outside).expect("outside dir");
    std::fs::write(
        outside.join("Dockerfile"),
        "FROM localbusybox:latest\nRUN --network=none true\n",
    )
    .expect("write");
    let out_dir = outside.join("out").to_string_lossy().into_owned();
    let ctx = outside.to_string_lossy().into_owned();
    let cases: Vec<(&str, String, String)> = vec![
        (
            "secret",
            r#"secret = ["id=s,src=/etc/hostname"]"#.to_string(),
            "fs.read=/etc/hostname".to_string(),
        ),
        (
            "context",
            format!("context = \"{ctx}\""),
            format!("fs.read={ctx}"),
        ),
        (
            "network",
            r#"entitlements = ["network.host"]"#.to_string(),
            "network.host".to_string(),
        ),
        (
            "insecure",
            r#"entitlements = ["security.insecure"]"#.to_string(),
            String::new(),
        ),
        (
            "output",
            format!("output = [\"type=local,dest={out_dir}\"]"),
            format!("fs.write={ctx}"),
        ),
        (
            "dockerfile",
            format!("dockerfile = \"{ctx}/Dockerfile\""),
            format!("fs.read={ctx}"),
        ),
        (
            "named-context",
            format!("contexts = {{ extra = \"{ctx}\" }}"),
            format!("fs.read={ctx}"),
        ),
        (
            "cache-from",
            format!("cache-from = [\"type=local,src={ctx}\"]"),
            String::new(),
        ),
        (
            "cache-to",
            format!("cache-to = [\"type=local,dest={out_dir}-cache\"]"),
            String::new(),
        ),
        (
            "device",
            r#"entitlements = ["device=vendor.com/gpu=all"]"#.to_string(),
            String::new(),
        ),
    ];
    for (name, attr, allow) in cases {
        let hcl = format!("target \"t\" {{\n  {attr}\n}}\n");
        let dir = workspace(
            &format!("ent-{name}"),
            &e,
            &[
                ("docker-bake.hcl", &hcl),
                (
                    "Dockerfile",
                    "FROM localbusybox:latest\nRUN --network=none true\n",
                ),
            ],
            "",
        );
        let buildx = Command::new("docker")
            .args(["buildx", "bake", "--progress=plain", "t"])
            .current_dir(&dir)
            .env_clear()
            .envs(&e.env)
            .stdin(Stdio::null())
            .output()
            .expect("run buildx");
        let (ours, _) = bake(&e, &dir, &["--progress=plain", "t"]);
        no_panic(&ours);
        let berr = String::from_utf8_lossy(&buildx.stderr);
        let oerr = String::from_utf8_lossy(&ours.stderr);
        assert_eq!(
            buildx.status.code(),
            Some(1),
            "{name}: buildx should refuse:\n{berr}"
        );
        assert_eq!(
            ours.status.code(),
            Some(1),
            "{name}: bake should refuse:\n{oerr}"
        );
        assert!(
            oerr.contains("ERROR: additional privileges requested"),
            "{name}: {oerr}"
        );
        assert_eq!(
            privileges(&oerr),
            privileges(&berr),
            "{name}:\n--- bake\n{oerr}\n--- buildx\n{berr}"
        );
        assert!(!privileges(&oerr).is_empty(), "{name}: {oerr}");
        if !allow.is_empty() {
            let flag = format!("--allow={allow}");
            let (ok, _) = bake(&e, &dir, &["--progress=plain", &flag, "t"]);
            assert!(
                ok.status.success(),
                "{name} with {flag}: {}",
                String::from_utf8_lossy(&ok.stderr)
            );
        }
    }
}
