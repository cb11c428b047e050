//! The `tailor` binary as a script would use it.

use std::process::Command;

fn tailor() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tailor"))
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
    let info = json(
        &tailor()
            .args(["info", "--json", "--workspace"])
            .arg(&path)
            .output()
            .expect("runs"),
    );
    for key in ["contacts", "orders", "order_items", "events"] {
        assert_eq!(info["counts"][key], demo[key], "{key}");
    }
    assert_eq!(info["counts"]["segments"], 0);
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
