//! Fleets on the real engine: two projects of two nodes each (daemons A+B and C+D) build 200
//! targets, and the second run finds each target cached on the node it built on; a node
//! killed during a run has its builds retried on the other; with both gone, the builds that
//! could not run fail clearly and the others keep their results.

use super::bakery;
use super::depot::cached_column;
use super::{engine, no_panic, Engine};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn fleet_dir(name: &str, hcl: &str, dockerfile: &str, config: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bake-e2e-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create workspace");
    std::fs::write(dir.join("docker-bake.hcl"), hcl).expect("write hcl");
    std::fs::write(dir.join("Dockerfile"), dockerfile).expect("write Dockerfile");
    std::fs::write(dir.join("bake.toml"), config).expect("write bake.toml");
    dir
}

fn node(host: &str, max: usize) -> String {
    format!(
        "[[projects.{{P}}.nodes]]\ndocker-host = \"{host}\"\nplatforms = [\"linux/amd64\"]\nmax-parallelism = {max}\n"
    )
}

fn project(id: &str, nodes: &[String]) -> String {
    let mut s = format!("[projects.{id}]\n");
    for n in nodes {
        s.push_str(&n.replace("{P}", id));
    }
    s
}

/// The builder of each target of the newest run, from the history.
fn placements(e: &Engine, dir: &Path) -> Vec<(String, String)> {
    let out = bakery(
        e,
        dir,
        &["list", "builds", "--output", "json", "--limit", "1"],
        &[],
    );
    let runs: serde_json::Value = serde_json::from_slice(&out.stdout).expect("list JSON");
    let mut p: Vec<(String, String)> = runs[0]["targets"]
        .as_array()
        .map(|ts| {
            ts.iter()
                .map(|t| {
                    (
                        t["name"].as_str().unwrap_or_default().to_string(),
                        t["builder"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    p.sort();
    p
}

#[test]
#[ignore = "needs the engine: scripts/engine.sh start, then cargo test -p bake-cli --test e2e -- --ignored"]
fn two_fleets_build_200_targets_and_the_second_run_is_fully_cached() {
    let e = engine();
    let salt = format!("{}-{}", std::process::id(), line!());
    let hcl = r#"
target "t" {
  name = "t${p}-${n}"
  matrix = {
    p = ["1", "2"]
    n = [for i in range(100) : "${i}"]
  }
  project_id = "f${p}"
  args = { N = "${p}-${n}" }
}
"#;
    let config = format!(
        "{}{}",
        project("f1", &[node(&e.host_a, 2), node(&e.host_b, 2)]),
        project("f2", &[node(&e.host_c, 2), node(&e.host_d, 2)])
    );
    let dir = fleet_dir(
        "fleet-200",
        hcl,
        &format!("FROM localbusybox:latest\nARG N\nRUN --network=none echo {salt} $N > /n\n"),
        &config,
    );
    let run = |meta: &str| {
        let start = Instant::now();
        let out = bakery(
            &e,
            &dir,
            &["bake", "--progress=plain", "--metadata-file", meta, "t"],
            &[],
        );
        assert_eq!(out.status.code(), Some(0));
        eprintln!(
            "200 targets on two fleets: {:.1}s",
            start.elapsed().as_secs_f64()
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    run("meta1.json");
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("meta1.json")).expect("metadata"))
            .expect("metadata JSON");
    let built = (1..=2)
        .flat_map(|p| (0..100).map(move |n| format!("t{p}-{n}")))
        .filter(|t| meta[t]["containerimage.digest"].is_string())
        .count();
    assert_eq!(built, 200, "every target is in the metadata file");
    let first = placements(&e, &dir);
    let nodes: std::collections::BTreeSet<&str> = first.iter().map(|(_, b)| b.as_str()).collect();
    assert_eq!(nodes.len(), 4, "every node builds: {nodes:?}");

    let stderr = run("meta2.json");
    let cached = (1..=2)
        .flat_map(|p| (0..100).map(move |n| format!("t{p}-{n}")))
        .filter(|t| cached_column(&stderr, t) == "1/1")
        .count();
    assert_eq!(cached, 200, "the second run is fully cached");
    assert_eq!(
        first,
        placements(&e, &dir),
        "each target went to the same node"
    );
}

/// Kills daemon `name` of the engine (SIGKILL, its containerd too).
fn kill_daemon(name: &str) {
    let dir = std::env::var("BAKE_ENGINE_DIR").unwrap_or_else(|_| "/tmp/bake-engine".into());
    let pid = std::fs::read_to_string(Path::new(&dir).join(name).join("dockerd.pid"))
        .expect("dockerd pid");
    let pid = pid.trim();
    let _ = Command::new("pkill").args(["-KILL", "-P", pid]).status();
    let _ = Command::new("kill").args(["-KILL", pid]).status();
}

/// Brings the engine's killed daemons back when dropped, whatever the test did.
struct Revive;

impl Drop for Revive {
    fn drop(&mut self) {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/engine.sh");
        let ok = Command::new("bash")
            .arg(script)
            .arg("start")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "scripts/engine.sh start did not bring the daemons back");
    }
}

/// Runs `bakery bake` in `dir`, kills daemon `victim` after `after`, and returns the exit
/// code and stderr.
fn bake_killing(e: &Engine, dir: &Path, victim: &str, after: Duration) -> (Option<i32>, String) {
    let child = Command::new(env!("CARGO_BIN_EXE_bakery"))
        .args([
            "bake",
            "--progress=plain",
            "--metadata-file",
            "meta.json",
            "t",
        ])
        .current_dir(dir)
        .env_clear()
        .envs(&e.env)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run bakery");
    std::thread::sleep(after);
    kill_daemon(victim);
    let out = child.wait_with_output().expect("wait for bakery");
    no_panic(&out);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    eprintln!("--- stderr\n{stderr}");
    (out.status.code(), stderr)
}

fn metadata_targets(dir: &Path) -> usize {
    let text = std::fs::read_to_string(dir.join("meta.json")).unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    v.as_object().map_or(0, |m| {
        m.values()
            .filter(|t| t["containerimage.digest"].is_string())
            .count()
    })
}

#[test]
#[ignore = "needs the engine: scripts/engine.sh start, then cargo test -p bake-cli --test e2e -- --ignored"]
fn a_node_killed_mid_run_has_its_builds_retried_on_the_other() {
    let e = engine();
    let _revive = Revive;
    let salt = format!("{}-{}", std::process::id(), line!());
    let hcl = r#"
target "t" {
  name = "t${n}"
  matrix = { n = [for i in range(20) : "${i}"] }
  project_id = "f"
  args = { N = n }
}
"#;
    let dockerfile = format!(
        "FROM localbusybox:latest\nARG N\nRUN --network=none sleep 1 && echo {salt} $N > /n\n"
    );
    let config = project("f", &[node(&e.host_c, 2), node(&e.host_d, 2)]);
    let dir = fleet_dir("fleet-kill", hcl, &dockerfile, &config);
    let (code, stderr) = bake_killing(&e, &dir, "d", Duration::from_secs(4));
    assert_eq!(code, Some(0), "every target finishes on the node left");
    assert!(
        stderr.contains("retried on another node"),
        "the summary names the retries"
    );
    assert_eq!(metadata_targets(&dir), 20);

    // D is gone; now C goes too, in the middle of a run of new builds.
    let dockerfile = dockerfile.replace("sleep 1", "sleep 2");
    std::fs::write(dir.join("Dockerfile"), dockerfile).expect("write Dockerfile");
    let _ = std::fs::remove_file(dir.join("meta.json"));
    let (code, stderr) = bake_killing(&e, &dir, "c", Duration::from_secs(5));
    assert_eq!(code, Some(1));
    assert!(stderr.contains("left out"), "D is left out before the run");
    assert!(
        stderr.contains("no builder of project f can be reached"),
        "the builds that could not run say why"
    );
    let kept = metadata_targets(&dir);
    assert!(
        (1..20).contains(&kept),
        "the builds done before C died keep their results ({kept})"
    );
}

/// The platforms of the newest build in daemon `host`'s build history.
fn last_build_platforms(e: &Engine, host: &str) -> Vec<String> {
    let out = super::docker(
        e,
        host,
        &["buildx", "history", "inspect", "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    v["Platform"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
#[ignore = "needs the engine: scripts/engine.sh start, then cargo test -p bake-cli --test e2e -- --ignored"]
fn a_two_platform_target_builds_each_platform_on_its_node_into_one_index() {
    let e = engine();
    assert!(e.arm64, "the engine runs linux/arm64 (BAKE_E2E_ARM64=1)");
    let salt = format!("{}-{}", std::process::id(), line!());
    let image = format!("{}/e2e-split:{salt}", e.registry);
    let hcl = format!(
        "target \"mp\" {{\n  project_id = \"f\"\n  platforms = [\"linux/amd64\", \"linux/arm64\"]\n  tags = [\"{image}\"]\n}}\n"
    );
    let config = format!(
        "[projects.f]\nregistry = \"{}/e2e-split-parts\"\n[[projects.f.nodes]]\ndocker-host = \"{}\"\nplatforms = [\"linux/amd64\"]\n[[projects.f.nodes]]\ndocker-host = \"{}\"\nplatforms = [\"linux/arm64\"]\n",
        e.registry, e.host_a, e.host_d
    );
    let dir = fleet_dir(
        "fleet-split",
        &hcl,
        &format!(
            "FROM localbusybox:latest\nRUN --network=none uname -m > /arch && echo {salt} > /s\n"
        ),
        &config,
    );
    let out = bakery(
        &e,
        &dir,
        &[
            "bake",
            "--push",
            "--progress=plain",
            "--metadata-file",
            "meta.json",
            "mp",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("joined into one image"), "{stderr}");
    // One platform per daemon, as each daemon's build history shows.
    assert_eq!(last_build_platforms(&e, &e.host_a), ["linux/amd64"]);
    assert_eq!(last_build_platforms(&e, &e.host_d), ["linux/arm64"]);
    // One index with both platforms, which the metadata file names.
    let raw = super::docker(
        &e,
        &e.host_a,
        &["buildx", "imagetools", "inspect", "--raw", &image],
    );
    let index: serde_json::Value = serde_json::from_slice(&raw.stdout).expect("index JSON");
    let mut archs: Vec<&str> = index["manifests"]
        .as_array()
        .map(|m| {
            m.iter()
                .filter_map(|d| d["platform"]["architecture"].as_str())
                .filter(|a| *a != "unknown")
                .collect()
        })
        .unwrap_or_default();
    archs.sort_unstable();
    assert_eq!(archs, ["amd64", "arm64"], "{index}");
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("meta.json")).expect("metadata"))
            .expect("metadata JSON");
    let digest = meta["mp"]["containerimage.digest"]
        .as_str()
        .unwrap_or_default();
    let sum = super::docker(
        &e,
        &e.host_a,
        &[
            "buildx",
            "imagetools",
            "inspect",
            "--format",
            "{{json .Manifest.Digest}}",
            &image,
        ],
    );
    assert!(
        !digest.is_empty() && String::from_utf8_lossy(&sum.stdout).contains(digest),
        "the metadata file names the pushed index: {meta}"
    );
}
