use super::*;

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("bake-history-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(id: &str, started_ms: i64, owner: Owner, targets: &[(&str, &str)]) -> NewRun {
    NewRun {
        id: BuildId::parse(id).unwrap(),
        command: vec!["bake".into(), "--load".into()],
        cwd: "/src".into(),
        owner,
        started_ms,
        targets: targets
            .iter()
            .map(|(n, p)| NewTarget {
                name: (*n).into(),
                project: (*p).into(),
                builder: "default".into(),
                requested: true,
            })
            .collect(),
    }
}

fn dead() -> Owner {
    Owner {
        pid: 1,
        start: Some("never".into()),
    }
}

#[test]
fn ids_sort_by_time_and_round_trip() {
    let a = BuildId::new(1_700_000_000_000, 1);
    let b = BuildId::new(1_700_000_000_001, 0);
    let c = BuildId::new(1_800_000_000_000, 7);
    assert_eq!(a.as_str().len(), 13);
    assert!(a < b && b < c, "{a} {b} {c}");
    assert_eq!(b.unix_ms(), 1_700_000_000_001);
    assert_eq!(BuildId::parse(a.as_str()), Some(a.clone()));
    assert_eq!(BuildId::parse("NOT-AN-ID"), None);
    assert_ne!(
        BuildId::new(1_700_000_000_000, 1),
        BuildId::new(1_700_000_000_000, 2)
    );
    assert!(a
        .as_str()
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
}

#[test]
fn default_path_prefers_the_variable_then_xdg_then_home() {
    let env = |kv: &[(&str, &str)]| -> BTreeMap<String, String> {
        kv.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect()
    };
    assert_eq!(
        default_path(&env(&[("BAKE_HISTORY", "/h.db"), ("HOME", "/home/u")])),
        Some(PathBuf::from("/h.db"))
    );
    assert_eq!(
        default_path(&env(&[("XDG_STATE_HOME", "/st"), ("HOME", "/home/u")])),
        Some(PathBuf::from("/st/bake/history.db"))
    );
    assert_eq!(
        default_path(&env(&[("BAKE_HISTORY", ""), ("HOME", "/home/u")])),
        Some(PathBuf::from("/home/u/.local/state/bake/history.db"))
    );
    assert_eq!(default_path(&env(&[])), None);
}

#[test]
fn a_new_file_gets_the_current_schema_and_reopens() {
    let d = scratch("schema");
    let p = d.join("sub/dir/history.db");
    let h = History::open(&p).unwrap();
    assert_eq!(h.schema_version().unwrap(), schema::VERSION);
    drop(h);
    let h = History::open(&p).unwrap();
    assert_eq!(h.schema_version().unwrap(), schema::VERSION);
    let mode: String = h
        .conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn migrations_apply_only_what_is_missing() {
    let mut conn = Connection::open_in_memory().unwrap();
    let first = &schema::ALL[..1];
    assert!(schema::migrate_to(&mut conn, first).is_ok());
    let v: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, 1);
    // A later release adds a step: only it runs (running step 1 again would fail: the
    // tables exist).
    let mut steps = schema::ALL.to_vec();
    steps.push("ALTER TABLE runs ADD COLUMN note TEXT;");
    assert!(schema::migrate_to(&mut conn, &steps).is_ok());
    let v: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, steps.len() as i64);
    conn.execute("UPDATE runs SET note = 'x'", []).unwrap();
    // The older step list sees a newer database.
    assert!(matches!(
        schema::migrate_to(&mut conn, first),
        Err(schema::MigrateError::Newer(2))
    ));
}

#[test]
fn a_newer_schema_is_refused_with_the_path() {
    let d = scratch("newer");
    let p = d.join("h.db");
    {
        let conn = Connection::open(&p).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let e = History::open(&p).unwrap_err();
    assert!(matches!(e, HistoryError::Newer { found: 99, .. }), "{e}");
    assert!(e.to_string().contains(&p.display().to_string()), "{e}");
}

#[test]
fn a_corrupt_file_is_unusable_and_named() {
    let d = scratch("corrupt");
    let p = d.join("h.db");
    std::fs::write(&p, vec![0x5a; 8192]).unwrap();
    let e = History::open(&p).unwrap_err();
    let text = e.to_string();
    assert!(matches!(e, HistoryError::Unusable { .. }), "{text}");
    assert!(text.contains(&p.display().to_string()), "{text}");
    assert!(text.contains("not a database"), "{text}");
    // A directory in its place.
    let e = History::open(&d).unwrap_err();
    assert!(e.to_string().contains("directory"), "{e}");
}

#[test]
fn a_run_is_recorded_from_begin_to_finish() {
    let d = scratch("lifecycle");
    let mut h = History::open(&d.join("h.db")).unwrap();
    let r = run(
        "01k2x7fz9m3qa",
        1000,
        Owner::current(),
        &[("api", "p1"), ("web", "p2")],
    );
    h.begin(&r).unwrap();
    assert!(matches!(h.begin(&r), Err(HistoryError::Duplicate(_))));
    h.target_started(&r.id, 0, 1100).unwrap();
    let listed = h.list(&ListFilter::default(), &is_alive).unwrap();
    assert_eq!(listed[0].status, "running");
    assert_eq!(listed[0].targets[0].status, "running");
    assert_eq!(listed[0].targets[1].status, "queued");
    h.finish(
        &r.id,
        Status::Failed,
        3000,
        1,
        &[
            TargetEnd {
                status: Some(Status::Done),
                ended_ms: Some(2000),
                digest: Some("sha256:aa".into()),
                image_refs: vec!["r/api:1".into()],
                saved_refs: vec!["reg/api:01k2x7fz9m3qa".into()],
                ..TargetEnd::default()
            },
            TargetEnd {
                status: Some(Status::Failed),
                error: Some("exit code 1".into()),
                ..TargetEnd::default()
            },
        ],
    )
    .unwrap();
    let got = h.get("01k2x7fz9m3qa").unwrap().unwrap();
    assert_eq!(got.status, "failed");
    assert_eq!(got.exit_code, Some(1));
    assert_eq!(got.duration_ms(), Some(2000));
    assert_eq!(got.projects(), vec!["p1", "p2"]);
    assert_eq!(got.saved_refs(), vec!["reg/api:01k2x7fz9m3qa"]);
    assert_eq!(got.command, vec!["bake", "--load"]);
    let api = &got.targets[0];
    assert_eq!(
        (
            api.status.as_str(),
            api.started_ms,
            api.ended_ms,
            api.digest.as_deref()
        ),
        ("done", Some(1100), Some(2000), Some("sha256:aa"))
    );
    assert_eq!(got.targets[1].error.as_deref(), Some("exit code 1"));
    assert!(h.get("nope").unwrap().is_none());
}

#[test]
fn list_is_newest_first_filtered_and_limited() {
    let d = scratch("list");
    let mut h = History::open(&d.join("h.db")).unwrap();
    for (i, p) in ["a", "b", "a"].iter().enumerate() {
        let id = BuildId::new(1000 + i as u64, i as u64);
        let mut r = run(id.as_str(), 1000 + i as i64, Owner::current(), &[("t", p)]);
        r.id = id;
        h.begin(&r).unwrap();
    }
    let all = h.list(&ListFilter::default(), &|_| true).unwrap();
    let starts: Vec<i64> = all.iter().map(|r| r.started_ms).collect();
    assert_eq!(starts, vec![1002, 1001, 1000]);
    let a = h
        .list(
            &ListFilter {
                project: Some("a".into()),
                limit: None,
            },
            &|_| true,
        )
        .unwrap();
    assert_eq!(
        a.iter().map(|r| r.started_ms).collect::<Vec<_>>(),
        vec![1002, 1000]
    );
    let one = h
        .list(
            &ListFilter {
                project: None,
                limit: Some(1),
            },
            &|_| true,
        )
        .unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].started_ms, 1002);
}

#[test]
fn a_run_whose_process_is_gone_is_interrupted() {
    let d = scratch("interrupted");
    let mut h = History::open(&d.join("h.db")).unwrap();
    // A real process that ended (and was reaped): its pid is free.
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    // A start time no process of this boot has (should the pid be reused meanwhile).
    let start = Some("1".to_string());
    child.wait().unwrap();
    let gone = Owner { pid, start };
    assert!(!is_alive(&gone));
    assert!(is_alive(&Owner::current()));
    // The same pid with another start time is another process.
    assert!(!is_alive(&Owner {
        pid: std::process::id(),
        start: Some("0".into())
    }));
    h.begin(&run("01k2x7fz9m3qa", 1, gone, &[("a", "p"), ("b", "p")]))
        .unwrap();
    h.target_finished(
        &BuildId::parse("01k2x7fz9m3qa").unwrap(),
        0,
        &TargetEnd {
            status: Some(Status::Done),
            ended_ms: Some(5),
            ..TargetEnd::default()
        },
    )
    .unwrap();
    h.begin(&run("01k2x7fz9m3qb", 2, Owner::current(), &[("c", "p")]))
        .unwrap();
    let listed = h.list(&ListFilter::default(), &is_alive).unwrap();
    let status: Vec<(&str, &str)> = listed
        .iter()
        .map(|r| (r.id.as_str(), r.status.as_str()))
        .collect();
    assert_eq!(
        status,
        vec![
            ("01k2x7fz9m3qb", "running"),
            ("01k2x7fz9m3qa", "interrupted")
        ]
    );
    let killed = &listed[1];
    assert_eq!(
        killed.targets[0].status, "done",
        "finished builds keep their end"
    );
    assert_eq!(killed.targets[1].status, "interrupted");
    assert_eq!(killed.ended_ms, None);
    // Marked once: a second look finds nothing more to mark.
    assert_eq!(h.mark_interrupted(&|_| false).unwrap(), 1);
    assert_eq!(h.mark_interrupted(&|_| false).unwrap(), 0);
}

#[test]
fn two_writers_at_once_both_record() {
    let d = scratch("concurrent");
    let p = d.join("h.db");
    let threads: Vec<_> = (0..2u64)
        .map(|w| {
            let p = p.clone();
            std::thread::spawn(move || {
                // Each writer opens its own connection, as two processes do.
                let mut h = History::open(&p).unwrap();
                for i in 0..40u64 {
                    let id = BuildId::new(1_000 + i, w * 1000 + i);
                    let mut r = run(id.as_str(), 1_000 + i as i64, dead(), &[("t", "p")]);
                    r.id = id.clone();
                    h.begin(&r).unwrap();
                    h.target_started(&id, 0, 1).unwrap();
                    h.finish(
                        &id,
                        Status::Done,
                        2_000,
                        0,
                        &[TargetEnd {
                            status: Some(Status::Done),
                            ..TargetEnd::default()
                        }],
                    )
                    .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let mut h = History::open(&p).unwrap();
    let all = h.list(&ListFilter::default(), &|_| false).unwrap();
    assert_eq!(all.len(), 80);
    assert!(all.iter().all(|r| r.status == "done"));
    assert!(all.iter().all(|r| r.targets[0].status == "done"));
}

/// One writer process of `two_processes_at_once_both_record` (run by it, ignored otherwise).
#[test]
#[ignore = "a child process of two_processes_at_once_both_record"]
fn writer_process() {
    let (Ok(p), Ok(w)) = (
        std::env::var("BAKE_HISTORY_TEST_DB"),
        std::env::var("BAKE_HISTORY_TEST_WRITER"),
    ) else {
        return;
    };
    let w: u64 = w.parse().unwrap();
    let mut h = History::open(Path::new(&p)).unwrap();
    for i in 0..40u64 {
        let id = BuildId::new(5_000 + i, w * 1000 + i);
        let mut r = run(
            id.as_str(),
            5_000 + i as i64,
            Owner::current(),
            &[("t", "p")],
        );
        r.id = id.clone();
        h.begin(&r).unwrap();
        h.target_started(&id, 0, 1).unwrap();
        h.finish(&id, Status::Done, 6_000, 0, &[]).unwrap();
    }
}

#[test]
fn two_processes_at_once_both_record() {
    let d = scratch("processes");
    let p = d.join("h.db");
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (1..=2)
        .map(|w| {
            std::process::Command::new(&exe)
                .args(["--ignored", "--exact", "tests::writer_process", "--quiet"])
                .env("BAKE_HISTORY_TEST_DB", &p)
                .env("BAKE_HISTORY_TEST_WRITER", w.to_string())
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let mut h = History::open(&p).unwrap();
    let all = h.list(&ListFilter::default(), &is_alive).unwrap();
    assert_eq!(all.len(), 80);
    assert!(all
        .iter()
        .all(|r| r.status == "done" && r.exit_code == Some(0)));
}

#[test]
fn find_takes_an_id_a_unique_prefix_or_a_save_tag() {
    let d = scratch("find");
    let mut h = History::open(&d.join("h.db")).unwrap();
    let alive = |_: &Owner| true;
    let me = Owner::current();
    let saved = |refs: &[&str]| TargetEnd {
        status: Some(Status::Done),
        saved_refs: refs.iter().map(|r| (*r).to_string()).collect(),
        ..TargetEnd::default()
    };
    // Two runs whose ids share the prefix "01k2x7", a third apart; the first two saved
    // under the tag "nightly" (the newer wins), the third under "nightly-x".
    for (id, at, refs) in [
        (
            "01k2x7aaaaaaa",
            1000,
            ["r:01k2x7aaaaaaa-api@sha256:1", "r:nightly-api@sha256:1"],
        ),
        (
            "01k2x7bbbbbbb",
            2000,
            ["r:01k2x7bbbbbbb-api@sha256:2", "r:nightly-api@sha256:2"],
        ),
        (
            "01k3zzzzzzzzz",
            3000,
            ["r:01k3zzzzzzzzz-app@sha256:3", "r:nightly-x-app@sha256:3"],
        ),
    ] {
        let name = if id.starts_with("01k3") { "app" } else { "api" };
        let r = run(id, at, me.clone(), &[(name, "p")]);
        h.begin(&r).unwrap();
        h.finish(&r.id, Status::Done, at + 1, 0, &[saved(&refs)])
            .unwrap();
    }
    let found = |h: &mut History, key: &str| match h.find(key, &alive).unwrap() {
        Lookup::Run(r) => format!("run {}", r.id),
        Lookup::Ambiguous(ids) => format!("ambiguous {}", ids.join(" ")),
        Lookup::NotFound => "not found".into(),
    };
    assert_eq!(found(&mut h, "01k2x7aaaaaaa"), "run 01k2x7aaaaaaa");
    assert_eq!(found(&mut h, "01k3"), "run 01k3zzzzzzzzz");
    assert_eq!(
        found(&mut h, "01k2x7"),
        "ambiguous 01k2x7bbbbbbb 01k2x7aaaaaaa"
    );
    assert_eq!(found(&mut h, "nightly"), "run 01k2x7bbbbbbb");
    // "nightly-x" is the third run's tag, not "nightly" on a target named "x-app".
    assert_eq!(found(&mut h, "nightly-x"), "run 01k3zzzzzzzzz");
    assert_eq!(found(&mut h, "weekly"), "not found");
    assert_eq!(found(&mut h, " "), "not found");
    assert_eq!(
        h.recent_ids(2).unwrap(),
        vec!["01k3zzzzzzzzz", "01k2x7bbbbbbb"]
    );
    let run = match h.find("nightly", &alive).unwrap() {
        Lookup::Run(r) => r,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        run.targets[0].saved_under("nightly"),
        Some("r:nightly-api@sha256:2")
    );
    assert_eq!(
        run.targets[0].saved_under("01k2x7bbbbbbb"),
        Some("r:01k2x7bbbbbbb-api@sha256:2")
    );
    assert_eq!(run.targets[0].saved_under("nightly-api"), None);
}
