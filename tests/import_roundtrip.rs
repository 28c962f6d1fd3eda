//! The import invariant as a property: a generated YAML fleet, hostile in the ways real ones
//! are, imports into `.hub` files that check clean and build back, hub by hub, to the deep merge
//! of the hub's values files (read back by two independent YAML parsers), and to the same
//! Terraform variables; or the import refuses with a coded diagnostic and writes nothing.

mod common;
mod roundtrip;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::TempDir;
use proptest::prelude::*;
use roundtrip::fleet::{Cluster, Fleet, Tf};
use roundtrip::model::Meaning;

fn run(arguments: &[&str]) -> Output {
    common::hubc()
        .args(["--color", "never", "--today", "2026-11-26"])
        .args(arguments)
        .output()
        .expect("hubc runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// How a case ended: imported and built back, or refused.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    RoundTripped,
    Refused(Vec<String>),
}

/// Writes the fleet, imports, checks and builds it, and compares what comes back.
fn round_trip(fleet: &Fleet) -> Outcome {
    static CASE: AtomicUsize = AtomicUsize::new(0);
    let directory = TempDir::new(&format!("case-{}", CASE.fetch_add(1, Ordering::Relaxed)));
    let source = directory.join("source");
    for (path, text) in fleet.files() {
        directory.write(&format!("source/{path}"), text);
    }
    let imported = directory.join("fleet");
    let output = run(&[
        "--format",
        "json",
        "import",
        &source.display().to_string(),
        "-o",
        &imported.display().to_string(),
    ]);
    let diagnostics = common::json_diagnostics(&output);
    if !output.status.success() {
        return refused(&output, &diagnostics, &imported);
    }
    let checked = run(&["check", &imported.display().to_string()]);
    assert!(
        checked.status.success() && stderr(&checked).contains(": 0 errors"),
        "the imported fleet does not check clean:\n{}\n{}",
        stderr(&checked),
        listing(&imported)
    );
    let out = directory.join("out");
    let built = run(&[
        "build",
        &imported.display().to_string(),
        "-o",
        &out.display().to_string(),
    ]);
    assert!(built.status.success(), "build failed:\n{}", stderr(&built));
    let mut pyyaml_files = Vec::new();
    for cluster in &fleet.clusters {
        for hub in &cluster.hubs {
            let path = out.join(format!("helm/{}/{}.values.yaml", cluster.name, hub.name));
            let text = std::fs::read_to_string(&path).expect("the hub's values were emitted");
            let parsed: serde_yaml_ng::Value =
                serde_yaml_ng::from_str(&text).expect("emitted YAML parses");
            let expected = cluster.merged_values(hub);
            assert_eq!(
                Meaning::from_yaml(&parsed),
                expected,
                "{}/{} builds back different values:\n{text}\n{}",
                cluster.name,
                hub.name,
                listing(&imported)
            );
            if let Some(json) = expected.to_json() {
                pyyaml_files.push((path, json));
            }
        }
        compare_tfvars(cluster, &out);
    }
    compare_with_pyyaml(&pyyaml_files);
    Outcome::RoundTripped
}

/// A refused import: exit code 1, nothing written, and every error a coded import diagnostic
/// pointing into a file of the YAML fleet.
fn refused(output: &Output, diagnostics: &[serde_json::Value], imported: &Path) -> Outcome {
    assert_eq!(output.status.code(), Some(1), "{}", stderr(output));
    assert!(!imported.exists(), "a refused import wrote files");
    let errors: Vec<&serde_json::Value> = diagnostics
        .iter()
        .filter(|diagnostic| diagnostic["severity"] == "error")
        .collect();
    assert!(!errors.is_empty(), "refused without an error: {}", stderr(output));
    let mut codes = Vec::new();
    for error in errors {
        let code = error["code"].as_str().unwrap_or_default();
        let file = error["file"].as_str().unwrap_or_default();
        assert!(
            code.starts_with("hub::import::")
                && (file.ends_with(".yaml") || file.ends_with(".tfvars")),
            "an import error that does not point into the YAML fleet: {error}"
        );
        codes.push(format!("{code}: {}", error["message"].as_str().unwrap_or_default()));
    }
    Outcome::Refused(codes)
}

/// Every `.hub` file of the imported fleet, for failure messages.
fn listing(fleet: &Path) -> String {
    common::hub_files(fleet)
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            format!("--- {}\n{text}", path.display())
        })
        .collect()
}

/// The variables generated for a cluster are in its emitted `.tfvars`, with the same values, as
/// hubc's own `.tfvars` reader reads them.
fn compare_tfvars(cluster: &Cluster, out: &Path) {
    let Some(module) = cluster.module() else {
        return;
    };
    let path = out.join(format!("terraform/{module}/{}.tfvars", cluster.name));
    let text = std::fs::read_to_string(&path).expect("the cluster's tfvars were emitted");
    let emitted = hubc::import::hcl::parse_tfvars(&text).expect("emitted tfvars parse");
    for (name, value) in &cluster.tfvars {
        let found = emitted.iter().find(|(emitted_name, _)| emitted_name == name);
        assert_eq!(
            found.map(|(_, value)| value),
            Some(&tf_value(value)),
            "`{name}` of {} changed:\n{text}",
            cluster.name
        );
    }
}

fn tf_value(value: &Tf) -> hubc::emit::Value {
    use hubc::emit::Value;
    match value {
        Tf::Str(text) => Value::Str(text.clone()),
        Tf::Int(int) => Value::Int(*int),
        Tf::Float(float) => Value::Float(*float),
        Tf::Bool(boolean) => Value::Bool(*boolean),
        Tf::List(items) => Value::List(items.iter().map(tf_value).collect()),
    }
}

/// PyYAML, a YAML 1.1 reader, reads the emitted values files as the expected trees.
fn compare_with_pyyaml(files: &[(PathBuf, serde_json::Value)]) {
    if files.is_empty() || !pyyaml_available() {
        return;
    }
    let output = std::process::Command::new("python3")
        .arg(common::root().join("tests/yaml_reader.py"))
        .args(files.iter().map(|(path, _)| path))
        .output()
        .expect("python3 runs");
    assert!(output.status.success(), "{}", stderr(&output));
    let lines = String::from_utf8_lossy(&output.stdout).into_owned();
    for ((path, expected), line) in files.iter().zip(lines.lines()) {
        let found: serde_json::Value = serde_json::from_str(line).expect("JSON");
        assert_eq!(&found, expected, "PyYAML reads {} differently", path.display());
    }
}

fn pyyaml_available() -> bool {
    static AVAILABLE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        let probe = std::process::Command::new("python3")
            .args(["-c", "import yaml"])
            .output();
        let available = probe.is_ok_and(|probe| probe.status.success());
        if !available && std::env::var_os("HUBC_REQUIRE_CORPUS").is_some() {
            panic!("python3 with PyYAML is missing, and HUBC_REQUIRE_CORPUS is set");
        }
        available
    })
}

proptest! {
    #![proptest_config(common::proptest_config(24))]

    #[test]
    fn imported_fleets_build_back_to_every_hubs_merged_values(fleet in roundtrip::fleet::fleet()) {
        round_trip(&fleet);
    }
}

#[test]
fn explore() {
    let Ok(n) = std::env::var("EXPLORE") else { return };
    let n: usize = n.parse().unwrap();
    let mut runner = proptest::test_runner::TestRunner::default();
    let strategy = roundtrip::fleet::fleet();
    for i in 0..n {
        let fleet = strategy.new_tree(&mut runner).unwrap().current();
        let result = std::panic::catch_unwind(|| round_trip(&fleet));
        match result {
            Ok(outcome) => eprintln!("CASE {i}: {outcome:?}"),
            Err(error) => {
                let message = error.downcast_ref::<String>().cloned().unwrap_or_default();
                let head: String = message.lines().take(14).collect::<Vec<_>>().join("\n");
                eprintln!("CASE {i}: FAIL\n{head}\n");
                std::fs::write(format!("/tmp/explore-{i}.txt"), format!("{message}\n\n{fleet:?}")).unwrap();
            }
        }
    }
}
