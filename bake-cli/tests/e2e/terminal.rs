//! The live display in a real terminal (tmux), at 100 and 70 columns.

use super::*;

/// A tmux server on a private socket, with the engine's environment; killed when dropped,
/// so a failing test leaves no server (nor the panes' `sleep`) behind.
struct Tmux {
    socket: String,
    env: BTreeMap<String, String>,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> Output {
        // `-f /dev/null`: no user configuration changes what the panes show.
        Command::new("tmux")
            .args(["-f", "/dev/null", "-L", &self.socket])
            .args(args)
            .env_clear()
            .envs(&self.env)
            .stdin(Stdio::null())
            .output()
            .expect("run tmux")
    }

    /// What the session's pane shows, scrollback included, wrapped lines joined (a line
    /// wider than the terminal comes back as one line wider than it).
    fn capture(&self, session: &str) -> String {
        let out = self.run(&["capture-pane", "-p", "-J", "-S", "-", "-t", session]);
        assert!(
            out.status.success(),
            "capture-pane: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Captures until `done` holds for a capture, for at most `limit`; the last capture.
    fn wait_for(&self, session: &str, limit: Duration, done: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let shown = self.capture(session);
            if done(&shown) || start.elapsed() > limit {
                return shown;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
        // The server leaves its socket behind: `${TMUX_TMPDIR:-/tmp}/tmux-UID/NAME`.
        let tmp = self
            .env
            .get("TMUX_TMPDIR")
            .filter(|d| !d.is_empty())
            .map_or_else(|| PathBuf::from("/tmp"), PathBuf::from);
        // SAFETY: getuid has no preconditions and cannot fail.
        let uid = unsafe { libc::getuid() };
        let _ = std::fs::remove_file(tmp.join(format!("tmux-{uid}")).join(&self.socket));
    }
}

/// `text` in single quotes for `sh`.
fn sh_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// What changes from run to run in a capture made stable: durations (`12.3s` → `X.Xs`),
/// digests (`sha256:…`), the engines' sockets, trailing spaces and blank lines at the end.
fn normalize_tty(shown: &str, e: &Engine) -> String {
    let text = shown.replace(&e.host_a, "<A>").replace(&e.host_b, "<B>");
    // The build id differs every run.
    let text: String = text
        .lines()
        .map(|l| match l.trim_end().strip_prefix("build ID: ") {
            Some(id) if id.len() == 13 => "build ID: <id>".to_string(),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let chars: Vec<char> = text.chars().collect();
    let run = |from: usize, f: fn(&char) -> bool| chars[from..].iter().take_while(|c| f(c)).count();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i..].starts_with(&['s', 'h', 'a', '2', '5', '6', ':']) {
            out.push_str("sha256:…");
            i += 7;
            i += run(i, char::is_ascii_hexdigit);
            continue;
        }
        // Digits, a point, digits and an `s`, not inside a word.
        let whole = run(i, char::is_ascii_digit);
        if whole > 0 && (i == 0 || !chars[i - 1].is_ascii_alphanumeric()) {
            let frac = if chars.get(i + whole) == Some(&'.') {
                run(i + whole + 1, char::is_ascii_digit)
            } else {
                0
            };
            if frac > 0 && chars.get(i + whole + 1 + frac) == Some(&'s') {
                out.push_str("X.Xs");
                i += whole + 1 + frac + 1;
                continue;
            }
            out.extend(&chars[i..i + whole]);
            i += whole;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    let lines: Vec<&str> = out.lines().map(str::trim_end).collect();
    let end = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(0, |i| i + 1);
    lines[..end].join("\n")
}

#[test]
#[ignore = "needs the engine: scripts/engine.sh start, then cargo test -p bake-cli --test e2e -- --ignored"]
#[allow(clippy::too_many_lines)] // one terminal session, step by step
fn tty_progress_in_a_real_terminal_fits_and_leaves_no_stale_lines() {
    const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
    let e = engine();
    if !Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        panic!("tmux is not installed: this test drives bake in a real terminal through it");
    }
    let hcl = r#"
target "quick" {
  project_id = "a"
  dockerfile = "quick.Dockerfile"
}
target "slow" {
  project_id = "b"
  dockerfile = "slow.Dockerfile"
}
group "default" {
  targets = ["quick", "slow"]
}
"#;
    let mut env = e.env.clone();
    for k in ["TERM", "TMUX", "TMUX_PANE", "COLUMNS", "LINES"] {
        env.remove(k);
    }
    let tmux = Tmux {
        socket: format!("bake-e2e-{}", std::process::id()),
        env: env.clone(),
    };
    for width in [100usize, 70] {
        // A new nonce each time: nothing is cached, `slow` prints while the display runs.
        let nonce = format!("{:?}", Instant::now());
        let quick = format!("FROM localbusybox:latest\nRUN --network=none echo '{nonce}' > /q\n");
        let slow = format!(
            "FROM localbusybox:latest\nRUN --network=none echo '{nonce}' && for i in 1 2 3 4 5 6 7 8 9 10; do echo line-$i; sleep 0.3; done\n"
        );
        let dir = workspace(
            &format!("tty-{width}"),
            &e,
            &[
                ("docker-bake.hcl", hcl),
                ("quick.Dockerfile", &quick),
                ("slow.Dockerfile", &slow),
            ],
            "",
        );
        // The pane runs a script: the engine's environment, bake on the terminal, its exit
        // code, then a pause that keeps the pane (and what it shows) open.
        let mut script = String::new();
        for (k, v) in &env {
            let name_ok = !k.is_empty()
                && !k.starts_with(|c: char| c.is_ascii_digit())
                && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if name_ok {
                script.push_str(&format!("export {k}={}\n", sh_quote(v)));
            }
        }
        script.push_str(&format!(
            "cd {}\n{} --progress=tty\necho EXIT=$?\nsleep 30\n",
            sh_quote(&dir.to_string_lossy()),
            sh_quote(env!("CARGO_BIN_EXE_bake")),
        ));
        let script_path = dir.join("tty.sh");
        std::fs::write(&script_path, script).expect("write the pane's script");
        let session = format!("w{width}");
        let cols = width.to_string();
        let out = tmux.run(&[
            "new-session",
            "-d",
            "-s",
            &session,
            "-x",
            &cols,
            "-y",
            "30",
            &format!("sh {}", sh_quote(&script_path.to_string_lossy())),
        ]);
        assert!(
            out.status.success(),
            "tmux new-session: {}",
            String::from_utf8_lossy(&out.stderr)
        );

        let fits = |shown: &str, when: &str| {
            for line in shown.lines() {
                let n = line.chars().count();
                assert!(
                    n <= width,
                    "{when}: a line of {n} columns on a {width}-column terminal:\n{line}\n--- screen\n{shown}"
                );
            }
        };

        // While `slow` runs: its line, its last log lines under it.
        let live = tmux.wait_for(&session, Duration::from_secs(15), |s| {
            s.lines().any(|l| l.starts_with("    > line-"))
        });
        eprintln!("--- {width} columns, while slow runs\n{live}");
        fits(&live, "while slow runs");
        let lines: Vec<&str> = live.lines().collect();
        let at = lines
            .iter()
            .position(|l| l.contains("slow (b)"))
            .unwrap_or_else(|| panic!("no line for slow:\n{live}"));
        assert!(
            lines[at].starts_with(SPINNER) && lines[at].contains("running"),
            "slow is not shown running:\n{live}"
        );
        // Its last lines printed (4 at most), a `line-N` among them.
        let logs: Vec<&str> = lines[at + 1..]
            .iter()
            .take_while(|l| l.starts_with("    > "))
            .copied()
            .collect();
        assert!(
            (1..=4).contains(&logs.len()) && logs.iter().any(|l| l.starts_with("    > line-")),
            "no line-N log line under slow's line:\n{live}"
        );
        assert!(
            live.matches("quick (a)").count() <= 1,
            "quick shown more than once:\n{live}"
        );

        // After bake: the final lines once each, the table, the exit code.
        let end = tmux.wait_for(&session, Duration::from_mins(2), |s| {
            s.lines().any(|l| l.starts_with("EXIT="))
        });
        eprintln!("--- {width} columns, at the end\n{end}");
        fits(&end, "at the end");
        let lines: Vec<&str> = end.lines().map(str::trim_end).collect();
        assert!(lines.contains(&"EXIT=0"), "bake failed:\n{end}");
        let table = lines
            .iter()
            .position(|l| l.starts_with("TARGET"))
            .unwrap_or_else(|| panic!("no summary table:\n{end}"));
        assert_eq!(
            lines.iter().filter(|l| l.starts_with("TARGET")).count(),
            1,
            "{end}"
        );
        for label in ["quick (a)", "slow (b)"] {
            let above = lines[..table].iter().filter(|l| l.contains(label)).count();
            assert_eq!(
                above, 1,
                "{label} shown {above} times above the table:\n{end}"
            );
        }
        assert!(
            lines[..table].iter().all(|l| !l.contains("> ")),
            "log lines left above the table:\n{end}"
        );
        assert!(
            !end.contains(SPINNER),
            "a spinner is left on the screen:\n{end}"
        );
        insta::assert_snapshot!(format!("tty_final_{width}"), normalize_tty(&end, &e));
        let _ = tmux.run(&["kill-session", "-t", &session]);
    }
}
