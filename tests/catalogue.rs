//! The catalogue of diagnostic codes, `lang/diagnostics.md`, checked against the code and tests:
//! every code is documented, every documented code exists and is tested, and every fixture has
//! exactly the snapshots it should.

#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every code declared with `code(hub::...)` in `src/`, with whether it is declared as a
/// warning.
fn codes_in_source() -> BTreeMap<String, bool> {
    let mut codes = BTreeMap::new();
    for path in common::files_under(&common::root().join("src")) {
        if path.extension().is_none_or(|extension| extension != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("source files are readable");
        let mut rest = text.as_str();
        while let Some(start) = rest.find("code(hub::") {
            let after = &rest[start + "code(".len()..];
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(after.len());
            let code = after[..end].to_string();
            // The attribute that declares the code ends before the next variant's `#[error`.
            let attribute_end = after.find("#[error").unwrap_or(after.len());
            let is_warning = after[..attribute_end].contains("severity(Warning)");
            codes.insert(code, is_warning);
            rest = &after[end..];
        }
    }
    codes
}

/// Every `## `hub::...`` heading of the catalogue, with the severity it documents.
fn codes_in_catalogue() -> BTreeMap<String, Option<String>> {
    let text = std::fs::read_to_string(common::root().join("lang/diagnostics.md"))
        .expect("lang/diagnostics.md is readable");
    let mut codes = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if let Some(heading) = line.strip_prefix("## `hub::") {
            let code = format!("hub::{}", heading.trim_end().trim_end_matches('`'));
            codes.insert(code.clone(), None);
            current = Some(code);
        } else if line.starts_with("## ") {
            current = None;
        } else if let (Some(code), Some(severity)) = (&current, line.strip_prefix("Severity: ")) {
            codes.insert(
                code.clone(),
                Some(severity.trim_end_matches('.').trim().to_string()),
            );
        }
    }
    codes
}

#[test]
fn every_code_in_source_is_in_the_catalogue() {
    let documented = codes_in_catalogue();
    let missing: Vec<String> = codes_in_source()
        .into_keys()
        .filter(|code| !documented.contains_key(code))
        .collect();
    assert!(
        missing.is_empty(),
        "codes declared in src/ but missing from lang/diagnostics.md: {missing:?}"
    );
}

#[test]
fn every_code_in_the_catalogue_is_in_source() {
    let declared = codes_in_source();
    let unknown: Vec<String> = codes_in_catalogue()
        .into_keys()
        .filter(|code| !declared.contains_key(code))
        .collect();
    assert!(
        unknown.is_empty(),
        "codes documented in lang/diagnostics.md but declared nowhere in src/: {unknown:?}"
    );
}

#[test]
fn the_catalogue_states_each_severity_as_declared() {
    let declared = codes_in_source();
    for (code, severity) in codes_in_catalogue() {
        let Some(&is_warning) = declared.get(&code) else {
            continue;
        };
        let expected = if is_warning { "warning" } else { "error" };
        assert_eq!(
            severity.as_deref(),
            Some(expected),
            "`{code}` is declared as {expected}: its section needs a `Severity: {expected}.` line"
        );
    }
}

#[test]
fn every_code_in_the_catalogue_is_tested() {
    let tests_directory = common::root().join("tests");
    let texts: Vec<String> = common::files_under(&tests_directory)
        .into_iter()
        .filter(|path| {
            let name = path
                .file_name()
                .and_then(|name| name.to_str())
                .unwrap_or("");
            // Pending snapshots are not accepted tests, and this file names every code.
            path != &tests_directory.join("catalogue.rs")
                && !name.ends_with(".snap.new")
                && !name.ends_with(".pending-snap")
        })
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .collect();
    let untested: Vec<String> = codes_in_catalogue()
        .into_keys()
        .filter(|code| !texts.iter().any(|text| text.contains(code.as_str())))
        .collect();
    assert!(
        untested.is_empty(),
        "codes that no snapshot or test under tests/ mentions: {untested:?}"
    );
}

#[test]
fn every_glob_snapshot_has_its_fixture() {
    let mut stale = Vec::new();
    for (snapshot, input_file) in glob_snapshots() {
        let fixture = common::root().join(&input_file);
        let stem = snapshot
            .file_name()
            .and_then(|name| name.to_str())
            .and_then(|name| name.strip_suffix(".snap"))
            .unwrap_or_default();
        let fixture_name = Path::new(&input_file)
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or_default();
        // insta names a glob snapshot `<test file>__<test fn>@<fixture file name>.snap`.
        let named_after_fixture = stem.ends_with(&format!("@{fixture_name}"));
        if !fixture.is_file() || !named_after_fixture {
            stale.push(snapshot.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "snapshots whose fixture no longer exists (delete them): {stale:?}"
    );
}

#[test]
fn every_fixture_has_a_snapshot() {
    let snapshotted: BTreeSet<PathBuf> = glob_snapshots()
        .into_iter()
        .map(|(_, input_file)| common::root().join(input_file))
        .collect();
    // Inputs fuzzing found are replayed by tests/fuzz_fixtures.rs, not snapshotted.
    let fuzz_inputs = common::root().join("tests/fixtures/fuzz");
    let missing: Vec<String> = common::files_under(&common::root().join("tests/fixtures"))
        .into_iter()
        .filter(|path| path.extension().is_some_and(|extension| extension == "hub"))
        .filter(|path| !path.starts_with(&fuzz_inputs))
        .filter(|path| !snapshotted.contains(path))
        .map(|path| path.display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "fixtures with no accepted snapshot (run the tests, review and accept it): {missing:?}"
    );
}

/// Every accepted snapshot under `tests/` that a glob test wrote, with the fixture it was made
/// from (the `input_file` of its header, relative to the project root).
fn glob_snapshots() -> Vec<(PathBuf, String)> {
    common::files_under(&common::root().join("tests"))
        .into_iter()
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "snap")
        })
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            let input_file = snapshot_header(&text)
                .lines()
                .find_map(|line| line.strip_prefix("input_file:"))?
                .trim()
                .to_string();
            Some((path, input_file))
        })
        .collect()
}

/// The metadata between the first two `---` lines of a snapshot.
fn snapshot_header(text: &str) -> &str {
    let Some(after_open) = text.strip_prefix("---\n") else {
        return "";
    };
    after_open
        .find("\n---\n")
        .map_or(after_open, |end| &after_open[..end])
}
