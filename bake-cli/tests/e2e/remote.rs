//! Remote definitions: a Git repository served on the loopback address, read as buildx reads it.

use super::*;

/// A `git daemon` serving the repositories under a directory on a loopback port; killed when
/// dropped.
struct GitDaemon {
    child: std::process::Child,
    port: u16,
}

impl GitDaemon {
    fn serve(base: &Path) -> GitDaemon {
        let port = 20000 + u16::try_from(std::process::id() % 20000).unwrap_or(0);
        let child = Command::new("git")
            .args([
                "daemon",
                "--reuseaddr",
                "--export-all",
                "--listen=127.0.0.1",
                &format!("--port={port}"),
                &format!("--base-path={}", base.display()),
                &base.display().to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("git daemon (install git)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "git daemon did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        GitDaemon { child, port }
    }
}

impl Drop for GitDaemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=e2e", "-c", "user.email=e2e@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
#[ignore = "needs the engine: scripts/engine.sh start, then cargo test -p bake-cli --test e2e -- --ignored"]
fn remote_git_definition_prints_as_buildx_and_builds_from_the_repository() {
    let e = engine();
    let base = std::env::temp_dir().join(format!("bake-e2e-git-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let repo = base.join("defs");
    std::fs::create_dir_all(repo.join("app")).expect("create repo");
    let nonce = format!("{:?}", Instant::now());
    std::fs::write(
        repo.join("docker-bake.hcl"),
        "variable \"TAG\" {\n  default = \"1\"\n}\n\
         target \"default\" {\n  context = \"app\"\n  args = { WHO = \"remote\" }\n  output = [\"type=local,dest=out-${TAG}\"]\n}\n\
         target \"cmd\" {\n  context = BAKE_CMD_CONTEXT\n}\n",
    )
    .expect("write");
    std::fs::write(
        repo.join("app/Dockerfile"),
        "FROM scratch\nARG WHO\nCOPY hello.txt /\n",
    )
    .expect("write");
    std::fs::write(
        repo.join("app/hello.txt"),
        format!("from the repository {nonce}\n"),
    )
    .expect("write");
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "definition"]);
    let daemon = GitDaemon::serve(&base);
    let url = format!("git://127.0.0.1:{}/defs", daemon.port);
    let dir = workspace(
        "remote",
        &e,
        &[(
            "local.hcl",
            "target \"default\" {\n  args = { LOCAL = \"yes\" }\n}\n",
        )],
        "",
    );

    // --print: the same JSON as buildx, for the repository's files alone, with a local
    // cwd:// file after them, and with a command context URL.
    for args in [
        vec![url.as_str(), "default"],
        vec![
            "-f",
            "docker-bake.hcl",
            "-f",
            "cwd://local.hcl",
            url.as_str(),
        ],
        vec![url.as_str(), "https://github.com/docker/buildx.git", "cmd"],
    ] {
        let mut print = vec!["--print"];
        print.extend(args.iter().copied());
        let (ours, _) = bake(&e, &dir, &print);
        no_panic(&ours);
        let theirs = Command::new("docker")
            .args(["buildx", "bake"])
            .args(&print)
            .current_dir(&dir)
            .env_clear()
            .envs(&e.env)
            .output()
            .expect("run docker buildx bake");
        assert!(
            theirs.status.success(),
            "{}",
            String::from_utf8_lossy(&theirs.stderr)
        );
        assert!(
            ours.status.success(),
            "{}",
            String::from_utf8_lossy(&ours.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&ours.stdout),
            String::from_utf8_lossy(&theirs.stdout),
            "bake {print:?}"
        );
    }

    // A name the repository does not have is an error naming it.
    let (missing, _) = bake(&e, &dir, &["--print", "-f", "nope.hcl", &url]);
    no_panic(&missing);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nope.hcl"));

    // Building: the context `app` is the repository's subdirectory, the output local.
    let (out, _) = bake(&e, &dir, &["--progress=plain", &url]);
    no_panic(&out);
    assert!(out.status.success());
    let built = std::fs::read_to_string(dir.join("out-1/hello.txt")).expect("built file");
    assert_eq!(built, format!("from the repository {nonce}\n"));
}
