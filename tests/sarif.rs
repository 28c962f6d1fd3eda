//! `--format sarif` of `hubc check` and `hubc drift`, validated against the OASIS SARIF 2.1.0
//! JSON schema (the copy the `serde-sarif` crate ships, found through `cargo metadata`) and read
//! back with serde-sarif's model; each result is a diagnostic `--format json` reports, in the
//! same order, at the same place.

#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::{TempDir, root, run};
use serde_json::Value;

/// The SARIF 2.1.0 schema of the `serde-sarif` package this test depends on. Only this
/// platform's packages are asked for: a build downloads no others, and `cargo metadata`
/// offline fails on any package of the lock file that is not on the machine.
fn schema_path() -> PathBuf {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let version = std::process::Command::new(rustc)
        .arg("-vV")
        .output()
        .expect("rustc -vV runs");
    let version = String::from_utf8_lossy(&version.stdout);
    let host = version
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .expect("rustc -vV names the host");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let output = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--offline"])
        .args(["--filter-platform", host])
        .current_dir(root())
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: Value = serde_json::from_slice(&output.stdout).expect("cargo metadata's JSON");
    let manifest = metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .find(|package| package["name"] == "serde-sarif")
        .and_then(|package| package["manifest_path"].as_str())
        .expect("serde-sarif is a dev-dependency");
    Path::new(manifest).with_file_name("src/schema.json")
}

fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let path = schema_path();
        let mut schema: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("the SARIF schema"))
                .expect("the schema is JSON");
        // The published schema's pattern for `language` (of a run and of a tool component) is
        // not a valid ECMA-262 regular expression (it has an unmatched `]`), which the
        // validator refuses to compile. It is taken out; hubc's logs set no `language`
        // (checked in `sarif_of`).
        for owner in ["run", "toolComponent"] {
            let language = &mut schema["definitions"][owner]["properties"]["language"];
            assert!(
                language["pattern"]
                    .as_str()
                    .is_some_and(|p| p.ends_with("]?$"))
            );
            language.as_object_mut().unwrap().remove("pattern");
        }
        assert_eq!(
            schema["title"],
            "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema",
            "{}",
            path.display()
        );
        jsonschema::validator_for(&schema).expect("the SARIF schema compiles")
    })
}

/// The SARIF log `hubc ARGS` prints in `directory`, validated, with the JSON diagnostics the
/// same command prints with `--format json` (for `drift`: those of `check`).
fn sarif_of(directory: &Path, args: &[&str]) -> (Value, Vec<Value>) {
    let mut with_format = args.to_vec();
    with_format.extend(["--format", "sarif"]);
    let (code, stdout, stderr) = run(directory, &with_format);
    assert!(code == 0 || code == 1, "{args:?}: {stderr}");
    let log: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let errors: Vec<String> = validator()
        .iter_errors(&log)
        .map(|error| format!("at {}: {error}", error.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{args:?}:\n{}", errors.join("\n"));
    assert!(log["runs"][0].get("language").is_none());
    assert!(log["runs"][0]["tool"]["driver"].get("language").is_none());
    // The crate's own model reads it back.
    let typed: serde_sarif::sarif::Sarif =
        serde_json::from_str(&stdout).expect("serde-sarif reads the log");
    assert_eq!(typed.runs.len(), 1);
    let fleet = args
        .iter()
        .skip(1)
        .find(|arg| !arg.starts_with('-'))
        .copied()
        .unwrap_or(".");
    let (_, json, _) = run(directory, &["check", fleet, "--format", "json"]);
    let diagnostics = json
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON diagnostic"))
        .collect();
    (log, diagnostics)
}

/// The results of a log's run.
fn results(log: &Value) -> &Vec<Value> {
    log["runs"][0]["results"].as_array().expect("results")
}

/// Each diagnostic is the result at its index: code, level, place.
fn results_are_the_diagnostics(results: &[Value], diagnostics: &[Value]) {
    assert_eq!(results.len(), diagnostics.len());
    for (result, diagnostic) in results.iter().zip(diagnostics) {
        assert_eq!(result["ruleId"], diagnostic["code"]);
        let level = match diagnostic["severity"].as_str() {
            Some("error") => "error",
            Some("warning") => "warning",
            _ => "note",
        };
        assert_eq!(result["level"], level);
        let region = &result["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], diagnostic["line"]);
        assert_eq!(region["startColumn"], diagnostic["column"]);
        assert_eq!(region["endLine"], diagnostic["end"]["line"]);
        assert_eq!(region["endColumn"], diagnostic["end"]["column"]);
        let text = result["message"]["text"].as_str().expect("a message");
        assert!(
            text.starts_with(diagnostic["message"].as_str().unwrap()),
            "{text}"
        );
    }
}

#[test]
fn check_prints_a_valid_log_of_its_diagnostics() {
    // Errors and warnings, with related places; and a clean fleet, with none.
    for fleet in ["examples/drifting", "examples/fleet"] {
        let (log, diagnostics) = sarif_of(root(), &["check", fleet]);
        results_are_the_diagnostics(results(&log), &diagnostics);
        let rules = log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        for result in results(&log) {
            let index = result["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[index]["id"], result["ruleId"]);
        }
    }
    let (log, _) = sarif_of(root(), &["check", "examples/drifting"]);
    assert!(results(&log).iter().any(|r| r["level"] == "error"));
    // The schema is strict enough to fail a broken log: a result without its message.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]
        .as_object_mut()
        .unwrap()
        .remove("message");
    assert!(!validator().is_valid(&broken));
    assert!(
        results(&log)
            .iter()
            .any(|r| r["relatedLocations"].is_array())
    );
}

#[test]
fn check_of_several_fleets_is_one_log() {
    let (code, stdout, _) = run(
        root(),
        &[
            "check",
            "examples/drifting",
            "examples/fleet",
            "--format",
            "sarif",
        ],
    );
    assert_eq!(code, 1);
    let log: Value = serde_json::from_str(&stdout).expect("one JSON document");
    assert!(validator().is_valid(&log));
}

#[test]
fn file_names_that_are_not_uris_are_encoded() {
    // A file name with a space (`<std>/...`, a standard module's, is encoded as well: the unit
    // tests of `diagnostics::sarif`).
    let scratch = TempDir::new("sarif-names");
    scratch.write(
        "my fleet.hub",
        "import std.basehub\nplatform basehub {\n  chart = \"basehub\"\n  jupyterhub.singleuser.image = img(\"x\")\n}\n",
    );
    let (log, diagnostics) = sarif_of(scratch.path(), &["check", "my fleet.hub"]);
    results_are_the_diagnostics(results(&log), &diagnostics);
    let uri = &results(&log)[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    assert_eq!(uri, "my%20fleet.hub");
}

#[test]
fn drift_prints_its_findings_as_a_valid_log() {
    let (log, diagnostics) = sarif_of(root(), &["drift", "examples/drifting"]);
    let results = results(&log);
    // The policy diagnostics, then a note for each bespoke setting.
    let (policy, bespoke): (Vec<Value>, Vec<Value>) = results
        .iter()
        .cloned()
        .partition(|result| result["ruleId"] != "drift/bespoke");
    results_are_the_diagnostics(&policy, &diagnostics);
    assert!(!bespoke.is_empty());
    let (_, report, _) = run(root(), &["drift", "examples/drifting", "--format", "json"]);
    let report: Value = serde_json::from_str(&report).expect("the drift report");
    assert_eq!(
        bespoke.len() as u64,
        report["totals"]["bespoke"].as_u64().unwrap()
    );
    for note in &bespoke {
        assert_eq!(note["level"], "note");
        assert!(
            note["message"]["text"]
                .as_str()
                .unwrap()
                .contains("bespoke")
        );
    }
}

#[test]
fn the_imported_corpus_gives_valid_logs() {
    let scratch = TempDir::new("sarif-corpus");
    let Some(fleet) = common::imported_corpus(&scratch) else {
        return;
    };
    let (log, diagnostics) = sarif_of(&fleet, &["check", "."]);
    assert!(diagnostics.len() > 100);
    results_are_the_diagnostics(results(&log), &diagnostics);
    let (log, _) = sarif_of(&fleet, &["drift", "."]);
    assert!(results(&log).len() > diagnostics.len());
}

#[test]
fn the_ci_workflow_uploads_the_logs_it_writes() {
    let steps = common::ci_workflow_steps();
    let step = |name: &str| common::step(&steps, name);
    let upload = step("Upload SARIF to code scanning");
    assert_eq!(
        upload["uses"].as_str(),
        Some("github/codeql-action/upload-sarif@v3")
    );
    assert_eq!(upload["with"]["sarif_file"].as_str(), Some("sarif/"));
    // Its commands, run as the workflow runs them, write valid logs.
    let script = step("hubc check and drift as SARIF")["run"]
        .as_str()
        .unwrap();
    let scratch = TempDir::new("sarif-ci");
    common::copy_dir(&root().join("examples/drifting"), &scratch.join("fleet"));
    let output = std::process::Command::new("bash")
        .args(["-euo", "pipefail", "-c", script])
        .env("FLEET", "fleet")
        .env(
            "PATH",
            format!(
                "{}:{}",
                Path::new(env!("CARGO_BIN_EXE_hubc"))
                    .parent()
                    .unwrap()
                    .display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .current_dir(scratch.path())
        .output()
        .expect("bash runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for log in ["check.sarif", "drift.sarif"] {
        let text = std::fs::read_to_string(scratch.join("sarif").join(log)).expect(log);
        let log: Value = serde_json::from_str(&text).expect("JSON");
        assert!(validator().is_valid(&log));
        assert!(!results(&log).is_empty());
    }
}
