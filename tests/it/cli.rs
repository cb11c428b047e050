//! The `tailor` binary as a script would use it.

use std::process::Command;

fn tailor() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tailor"))
}

/// Writes a demo workspace of `n` contacts with the CLI.
fn demo(path: &std::path::Path, n: u32) {
    let output = tailor()
        .args([
            "demo",
            "--as-of",
            "2026-06-30",
            "--contacts",
            &n.to_string(),
            "--out",
        ])
        .arg(path)
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `tailor info --json` of the workspace at `path`.
fn info(path: &std::path::Path) -> serde_json::Value {
    json(
        &tailor()
            .args(["info", "--json", "--workspace"])
            .arg(path)
            .output()
            .expect("runs"),
    )
}

fn json(output: &std::process::Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

#[test]
fn demo_then_info_report_the_same_counts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("cli.tailor");
    let demo = json(
        &tailor()
            .args([
                "demo",
                "--contacts",
                "250",
                "--seed",
                "9",
                "--as-of",
                "2026-06-30",
                "--json",
            ])
            .arg("--out")
            .arg(&path)
            .output()
            .expect("runs"),
    );
    assert_eq!(demo["contacts"], 250);
    let info = info(&path);
    for key in ["contacts", "orders", "order_items", "events"] {
        assert_eq!(info["counts"][key], demo[key], "{key}");
    }
    // The demo carries the starter segments.
    assert_eq!(
        info["counts"]["segments"],
        tailor::domain::segment::STARTERS.len()
    );
    assert_eq!(info["counts"]["templates"], 0);
    assert_eq!(info["schema_version"], tailor::store::LATEST_VERSION);
    assert_eq!(info["as_of"], "2026-06-30");

    let text = tailor()
        .args(["info", "--workspace"])
        .arg(&path)
        .output()
        .expect("runs");
    assert!(text.status.success());
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(stdout.contains("contacts        250"), "{stdout}");
}

#[test]
fn errors_are_one_line_on_stderr_with_a_failing_exit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("nope.tailor");
    let output = tailor()
        .args(["info", "--workspace"])
        .arg(&missing)
        .output()
        .expect("runs");
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("nope.tailor"), "{stderr}");

    let output = tailor()
        .args(["demo", "--time-zone", "Mars/Olympus", "--out"])
        .arg(dir.path().join("x.tailor"))
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("Mars/Olympus"), "{stderr}");
    assert!(!dir.path().join("x.tailor").exists());
}

#[test]
fn help_lists_the_commands() {
    let output = tailor().arg("--help").output().expect("runs");
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    for command in ["demo", "info", "gui"] {
        assert!(
            stdout.contains(command),
            "{command} missing from --help: {stdout}"
        );
    }
}

#[test]
fn import_json_summary_has_the_documented_keys() {
    let dir = tempfile::tempdir().expect("temp dir");
    let workspace = dir.path().join("w.tailor");
    demo(&workspace, 20);
    let file = dir.path().join("people.csv");
    std::fs::write(
        &file,
        "Email;Vorname;Land\nneu@example.com;Jörg;Österreich\nkaputt;X;DE\n",
    )
    .expect("write");
    let rejects = dir.path().join("rejects.csv");
    let summary = json(
        &tailor()
            .args(["import", "contacts", "--json", "--workspace"])
            .arg(&workspace)
            .arg(&file)
            .arg("--rejects")
            .arg(&rejects)
            .output()
            .expect("runs"),
    );
    for key in [
        "rows",
        "inserted",
        "updated",
        "unchanged",
        "duplicates_in_file",
        "rejected",
        "encoding",
        "delimiter",
    ] {
        assert!(summary.get(key).is_some(), "missing {key}: {summary}");
    }
    assert_eq!(summary["inserted"], 1);
    assert_eq!(summary["rejected"], 1);
    assert_eq!(summary["delimiter"], ";");
    let text = std::fs::read_to_string(&rejects).expect("rejects written");
    assert!(text.contains("kaputt"), "{text}");
}

#[test]
fn killing_an_import_midway_leaves_the_workspace_as_it_was() {
    let dir = tempfile::tempdir().expect("temp dir");
    let workspace = dir.path().join("w.tailor");
    demo(&workspace, 100);
    let file = dir.path().join("big.csv");
    let mut text = String::with_capacity(400_000 * 40);
    text.push_str("email,first name,last name,city\n");
    for i in 0..400_000 {
        text.push_str(&format!(
            "person{i}@example.com,First{i},Last{i},City{}\n",
            i % 97
        ));
    }
    std::fs::write(&file, text).expect("write");

    let mut child = tailor()
        .args(["import", "contacts", "--json", "--workspace"])
        .arg(&workspace)
        .arg(&file)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawns");
    // Alone with the workspace, the import writes through a rollback
    // journal: once it exists, the import's transaction has begun.
    let journal = dir.path().join("w.tailor-journal");
    let began = std::time::Instant::now();
    while !journal.exists() && began.elapsed() < std::time::Duration::from_secs(30) {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(journal.exists(), "the import never began writing");
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(
        child.try_wait().expect("status").is_none(),
        "the import finished before it could be killed"
    );
    child.kill().expect("kill");
    child.wait().expect("reaped");

    let conn = rusqlite::Connection::open(&workspace).expect("open");
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("check");
    assert_eq!(check, "ok");
    let contacts: i64 = conn
        .query_row("SELECT count(*) FROM contacts", [], |r| r.get(0))
        .expect("count");
    assert_eq!(contacts, 100);
    let runs: i64 = conn
        .query_row(
            "SELECT count(*) FROM import_runs WHERE kind = 'contacts'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(runs, 0, "no trace of the killed import");
    drop(conn);
    let info = info(&workspace);
    assert_eq!(info["counts"]["contacts"], 100);
}

#[test]
fn contacts_export_round_trips_and_neutralises_formulas() {
    let dir = tempfile::tempdir().expect("temp dir");
    let workspace = dir.path().join("w.tailor");
    demo(&workspace, 200);
    let evil = dir.path().join("evil.csv");
    std::fs::write(&evil, "email,first name,last name,phone\nevil@example.com,=HYPERLINK(\"http://x\"),@SUM(A1),+49 30 123\n")
        .expect("write");
    let imported = tailor()
        .args(["import", "contacts", "--json", "--workspace"])
        .arg(&workspace)
        .arg(&evil)
        .output()
        .expect("runs");
    assert!(imported.status.success());

    let out = dir.path().join("all.csv");
    let exported = tailor()
        .args(["contacts", "export", "--workspace"])
        .arg(&workspace)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("runs");
    assert!(
        exported.status.success(),
        "{}",
        String::from_utf8_lossy(&exported.stderr)
    );
    let mut reader = csv::Reader::from_path(&out).expect("csv");
    let headers = reader.headers().expect("headers").clone();
    for column in [
        "email",
        "first_name",
        "email_consent",
        "tags",
        "loyalty_tier",
        "total_spent",
    ] {
        assert!(
            headers.iter().any(|h| h == column),
            "{column} missing from {headers:?}"
        );
    }
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
    assert_eq!(records.len(), 201);
    let evil_row = records
        .iter()
        .find(|r| &r[0] == "evil@example.com")
        .expect("evil row");
    assert_eq!(&evil_row[2], "'=HYPERLINK(\"http://x\")");
    assert_eq!(&evil_row[3], "'@SUM(A1)");
    assert_eq!(&evil_row[4], "'+49 30 123");

    // The export imports back into an empty workspace with the same people.
    let copy = dir.path().join("copy.tailor");
    demo(&copy, 0);
    let back = json(
        &tailor()
            .args([
                "import",
                "contacts",
                "--json",
                "--skip-unmapped",
                "--workspace",
            ])
            .arg(&copy)
            .arg(&out)
            .output()
            .expect("runs"),
    );
    assert_eq!(back["inserted"], 201);
    let original = rusqlite::Connection::open(&workspace).expect("open");
    let copied = rusqlite::Connection::open(&copy).expect("open");
    let sql = "SELECT group_concat(email_key || ':' || consent_status || ':' || coalesce(first_name, ''), '|') \
               FROM (SELECT * FROM contacts ORDER BY email_key)";
    let a: String = original.query_row(sql, [], |r| r.get(0)).expect("original");
    let b: String = copied.query_row(sql, [], |r| r.get(0)).expect("copy");
    // The formula-looking name comes back with its protective apostrophe.
    assert_eq!(a.replace(":=HYPERLINK", ":'=HYPERLINK"), b);
}

#[test]
fn segment_count_save_list_and_export() {
    let dir = tempfile::tempdir().expect("temp dir");
    let workspace = dir.path().join("w.tailor");
    demo(&workspace, 300);
    let file = dir.path().join("buyers.segment.json");
    std::fs::write(
        &file,
        r#"{"name": "Recent buyers", "match": "all", "conditions": [
            {"consent": "subscribed"},
            {"activity": "order", "op": ">=", "value": 1, "window": {"last": {"amount": 90, "unit": "days"}}}
        ]}"#,
    )
    .expect("write");
    let counted = json(
        &tailor()
            .args(["segment", "count", "--json", "--workspace"])
            .arg(&workspace)
            .arg(&file)
            .output()
            .expect("runs"),
    );
    let count = counted["count"].as_i64().expect("count");
    assert!(count > 0);
    assert_eq!(
        counted["as_of"], "2026-06-30",
        "the workspace's pinned date"
    );
    let conditions = counted["conditions"].as_array().expect("conditions");
    assert_eq!(conditions.len(), 2);
    assert_eq!(conditions[1]["cumulative"].as_i64(), Some(count));
    assert!(conditions[0]["count"].as_i64().expect("n") >= count);

    let saved = tailor()
        .args(["segment", "save", "--workspace"])
        .arg(&workspace)
        .arg(&file)
        .output()
        .expect("runs");
    assert!(
        saved.status.success(),
        "{}",
        String::from_utf8_lossy(&saved.stderr)
    );
    let list = json(
        &tailor()
            .args(["segment", "list", "--json", "--workspace"])
            .arg(&workspace)
            .output()
            .expect("runs"),
    );
    let names: Vec<&str> = list
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert!(names.contains(&"Recent buyers"), "{names:?}");
    assert!(names.contains(&"Lapsed VIPs"), "{names:?}");

    let out = dir.path().join("members.csv");
    let exported = tailor()
        .args(["segment", "export", "--workspace"])
        .arg(&workspace)
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("runs");
    assert!(exported.status.success());
    let lines = std::fs::read_to_string(&out).expect("read").lines().count() as i64;
    assert_eq!(lines, count + 1);

    let bad = dir.path().join("bad.segment.json");
    std::fs::write(&bad, r#"{"name": "Bad", "match": "all", "conditions": [{"field": "shoe_size", "op": "=", "value": 9}]}"#)
        .expect("write");
    let failed = tailor()
        .args(["segment", "count", "--workspace"])
        .arg(&workspace)
        .arg(&bad)
        .output()
        .expect("runs");
    assert!(!failed.status.success());
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(
        stderr.contains("conditions[0].field") && stderr.contains("shoe_size"),
        "{stderr}"
    );
}

#[test]
fn new_makes_an_empty_workspace_to_import_into() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("shop.tailor");
    let list = dir.path().join("list.csv");
    std::fs::write(&list, "Email,First Name\nann@example.com,Ann\n").expect("write");

    // Importing into a workspace that is not there says how to make one.
    let missing = tailor()
        .args(["import", "contacts"])
        .arg(&list)
        .arg("--workspace")
        .arg(&path)
        .output()
        .expect("runs");
    assert!(!missing.status.success());
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(stderr.contains("no such workspace file"), "{stderr}");
    assert!(stderr.contains("tailor new --workspace"), "{stderr}");

    let created = json(
        &tailor()
            .args([
                "new",
                "--time-zone",
                "Europe/Berlin",
                "--json",
                "--workspace",
            ])
            .arg(&path)
            .output()
            .expect("runs"),
    );
    assert_eq!(created["name"], "shop");
    assert_eq!(created["time_zone"], "Europe/Berlin");
    let info = info(&path);
    assert_eq!(info["counts"]["contacts"], 0);
    assert_eq!(info["time_zone"], "Europe/Berlin");
    let imported = json(
        &tailor()
            .args(["import", "contacts", "--json", "--workspace"])
            .arg(&path)
            .arg(&list)
            .output()
            .expect("runs"),
    );
    assert_eq!(imported["inserted"], 1);

    // Never over an existing file, and never with an unknown time zone.
    for args in [vec!["new"], vec!["new", "--time-zone", "Mars/Olympus"]] {
        let refused = tailor()
            .args(&args)
            .arg("--workspace")
            .arg(dir.path().join(if args.len() == 1 {
                "shop.tailor"
            } else {
                "b.tailor"
            }))
            .output()
            .expect("runs");
        assert!(!refused.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(
            stderr.contains("already exists") || stderr.contains("unknown IANA time zone"),
            "{stderr}"
        );
    }
    assert!(!dir.path().join("b.tailor").exists());
}

#[test]
fn a_saved_contacts_mapping_is_the_one_used_and_can_be_reused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("shop.tailor");
    let map = dir.path().join("map.json");
    let list = dir.path().join("list.csv");
    std::fs::write(&list, "E-Mail,Vorname,Notiz\nann@example.com,Ann,x\n").expect("write");
    let status = tailor()
        .args(["new", "--workspace"])
        .arg(&path)
        .status()
        .expect("runs");
    assert!(status.success());
    let imported = json(
        &tailor()
            .args([
                "import",
                "contacts",
                "--skip-unmapped",
                "--json",
                "--workspace",
            ])
            .arg(&path)
            .arg("--save-mapping")
            .arg(&map)
            .arg(&list)
            .output()
            .expect("runs"),
    );
    assert_eq!(imported["inserted"], 1);
    let saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&map).expect("saved")).expect("JSON");
    let targets: Vec<(&str, &str)> = saved["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .map(|c| {
            (
                c["column"].as_str().unwrap_or(""),
                c["to"].as_str().unwrap_or(""),
            )
        })
        .collect();
    // Suggested with --skip-unmapped, as the import used it.
    assert_eq!(
        targets,
        [("E-Mail", "field"), ("Vorname", "field"), ("Notiz", "skip")]
    );
    // Used again, it maps the same file the same way.
    let again = json(
        &tailor()
            .args(["import", "contacts", "--json", "--workspace"])
            .arg(&path)
            .arg("--mapping")
            .arg(&map)
            .arg(&list)
            .output()
            .expect("runs"),
    );
    assert_eq!(
        (again["inserted"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(1))
    );
}
