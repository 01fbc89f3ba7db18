//! A host program on the public API alone: `docker buildx bake --print` with `-f`, `--set`,
//! `--var`, `--load` and `--push`, printing exactly what `bake --print` prints, errors
//! included. `scripts/host-vs-cli.sh` runs it beside `bake` on the conformance cases.
//!
//! `cargo run -p bake --example print -- [-f FILE]... [--set T.K=V]... [--var K=V]...
//! [--load] [--push] --print [TARGET]...`

use std::collections::BTreeMap;
use std::io::Write;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut request = bake::Request::default();
    let (mut files, mut vars) = (Vec::new(), Vec::new());
    while let Some(a) = args.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let mut value = || inline.clone().or_else(|| args.next()).unwrap_or_default();
        match flag.as_str() {
            "-f" | "--file" => files.push(value()),
            "--set" => request.overrides.push(value()),
            "--var" => vars.push(value()),
            "--load" => request.flags.load = true,
            "--push" => request.flags.push = true,
            "--print" => {}
            _ => request.targets.push(a),
        }
    }
    let env: BTreeMap<String, String> = std::env::vars().collect();
    let cwd = std::env::current_dir().expect("a working directory");
    let mut report = bake::Reporter::new(false);
    let mut stdin = std::io::stdin();
    let result = (|| -> Result<String, Box<dyn miette::Diagnostic + Send + Sync>> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| (d.as_secs() as i64, d.subsec_nanos()))
            .ok();
        let seed = now.map_or(0, |(s, n)| {
            (s as u64) << 32 ^ u64::from(n) ^ u64::from(std::process::id())
        });
        let mut b = bake::discover(cwd, env)
            .stdin(&mut stdin)
            .clock(now)
            .seed(seed);
        for f in files {
            b = b.file(f);
        }
        for v in vars {
            let (k, val) = v.split_once('=').unwrap_or((&v, ""));
            b = b.var(k, val);
        }
        let mut project = b.load()?;
        for w in std::mem::take(&mut project.warnings) {
            report.warn(w);
        }
        let resolved = project.resolve_request(&request)?;
        for w in &resolved.warnings {
            report.warn(w.clone());
        }
        Ok(resolved.to_print_json())
    })();
    let mut stderr = std::io::stderr();
    report.flush(&mut stderr);
    match result {
        Ok(json) => {
            let _ = std::io::stdout().write_all(json.as_bytes());
        }
        Err(e) => {
            let _ = write!(stderr, "{}", report.render(e.as_ref()));
            std::process::exit(1);
        }
    }
}
