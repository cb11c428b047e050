//! Cheap checks of the architecture's invariants.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

#[test]
fn ui_never_touches_the_database() {
    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ui");
    for file in rust_files(&ui) {
        let text = std::fs::read_to_string(&file).expect("read");
        for banned in [
            "rusqlite",
            "crate::store",
            "Store::",
            "StoreWorker",
            "Request::",
        ] {
            assert!(!text.contains(banned), "{} names {banned}", file.display());
        }
    }
}

#[test]
fn only_the_store_names_rusqlite() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let store = src.join("store");
    for file in rust_files(&src) {
        if file.starts_with(&store) {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("read");
        for banned in ["rusqlite::", "use rusqlite"] {
            assert!(!text.contains(banned), "{} names rusqlite", file.display());
        }
    }
}

#[test]
fn every_thread_is_named_and_no_unwrap_outside_tests() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for file in rust_files(&src) {
        let text = std::fs::read_to_string(&file).expect("read");
        // Only code before the unit tests counts.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        assert!(
            !code.contains("thread::spawn("),
            "{} spawns an unnamed thread",
            file.display()
        );
        assert!(!code.contains(".unwrap()"), "{} unwraps", file.display());
        assert!(!code.contains(".expect("), "{} expects", file.display());
    }
}

#[test]
fn migrations_are_numbered_and_embedded_in_order() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for (i, name) in names.iter().enumerate() {
        assert!(
            name.starts_with(&format!("{:04}_", i + 1)),
            "{name} is out of sequence"
        );
        assert!(name.ends_with(".sql"), "{name} is not SQL");
    }
    assert_eq!(names.len() as i64, tailor::store::LATEST_VERSION);
}
