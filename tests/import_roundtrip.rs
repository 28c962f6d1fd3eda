//! The import invariant as a property: a generated YAML fleet, hostile in the ways real ones
//! are, imports into `.hub` files that check clean and build back, hub by hub, to the deep merge
//! of the hub's values files (read back by two independent YAML parsers), and to the same
//! Terraform variables; or the import refuses with a coded diagnostic and writes nothing.

#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;
mod roundtrip;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{TempDir, run_hubc as run, stderr_text as stderr};
use proptest::prelude::*;
use roundtrip::fleet::{Cluster, Fleet, Tf};
use roundtrip::model::Meaning;

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
    let files = fleet.files();
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_str()))
        .collect();
    let (imported, output, diagnostics) = import(&directory, &files);
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
    build(&imported, &out);
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

/// Writes the files of a fleet under `directory/source` and imports them into
/// `directory/fleet`, with JSON diagnostics.
fn import(
    directory: &TempDir,
    files: &[(&str, &str)],
) -> (PathBuf, Output, Vec<serde_json::Value>) {
    for (path, text) in files {
        directory.write(&format!("source/{path}"), text);
    }
    let imported = directory.join("fleet");
    let output = run(&[
        "--format",
        "json",
        "import",
        &directory.join("source").display().to_string(),
        "-o",
        &imported.display().to_string(),
    ]);
    let diagnostics = common::json_diagnostics(&output);
    (imported, output, diagnostics)
}

/// Builds an imported fleet, which must succeed.
fn build(imported: &Path, out: &Path) {
    let built = run(&[
        "build",
        &imported.display().to_string(),
        "-o",
        &out.display().to_string(),
    ]);
    assert!(built.status.success(), "build failed:\n{}", stderr(&built));
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
    assert!(
        !errors.is_empty(),
        "refused without an error: {}",
        stderr(output)
    );
    let mut codes = Vec::new();
    for error in errors {
        let code = error["code"].as_str().unwrap_or_default();
        let file = error["file"].as_str().unwrap_or_default();
        assert!(
            code.starts_with("hub::import::")
                && (file.ends_with(".yaml") || file.ends_with(".tfvars")),
            "an import error that does not point into the YAML fleet: {error}"
        );
        codes.push(code.to_string());
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
        let found = emitted
            .iter()
            .find(|(emitted_name, _)| emitted_name == name);
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
        assert_eq!(
            &found,
            expected,
            "PyYAML reads {} differently",
            path.display()
        );
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
    #![proptest_config(common::proptest_config(48))]

    #[test]
    fn imported_fleets_build_back_to_every_hubs_merged_values(fleet in roundtrip::fleet::fleet()) {
        round_trip(&fleet);
    }
}

// ---------------------------------------------------------------------------------------------
// Regressions: one small fleet for each class of bug the property found.

/// A cluster with the hubs `prod` (basehub) and `dask` (daskhub), each listing the files given.
fn cluster_yaml(prod: &[&str], dask: &[&str]) -> String {
    let list =
        |files: &[&str]| -> String { files.iter().map(|file| format!("  - {file}\n")).collect() };
    format!(
        "name: campus\nprovider: kubeconfig\nkubeconfig:\n  file: enc-deployer.secret.yaml\nmetadata:\n  2i2c:\n    hubspot_deal_id: 1\nhubs:\n- name: prod\n  display_name: Prod\n  domain: prod.example.org\n  helm_chart: basehub\n  helm_chart_values_files:\n{}- name: dask\n  display_name: Dask\n  domain: dask.example.org\n  helm_chart: daskhub\n  helm_chart_values_files:\n{}",
        list(prod),
        list(dask)
    )
}

/// Imports and builds the files of a fleet: the values built for each hub, or the diagnostics
/// of a refused import (which must have written nothing).
fn import_fixed(
    name: &str,
    files: &[(&str, &str)],
) -> Result<serde_json::Value, Vec<serde_json::Value>> {
    let directory = TempDir::new(name);
    let (imported, output, diagnostics) = import(&directory, files);
    if !output.status.success() {
        refused(&output, &diagnostics, &imported);
        return Err(diagnostics);
    }
    let out = directory.join("out");
    build(&imported, &out);
    let mut values = serde_json::Map::new();
    for hub in ["prod", "dask"] {
        let text = std::fs::read_to_string(out.join(format!("helm/campus/{hub}.values.yaml")))
            .expect("values emitted");
        let parsed: serde_json::Value = serde_yaml_ng::from_str(&text).expect("YAML");
        values.insert(hub.to_string(), parsed);
    }
    Ok(serde_json::Value::Object(values))
}

/// Imports a cluster whose hub `prod` has the one values file `values`.
fn import_prod_values(
    name: &str,
    values: &str,
) -> Result<serde_json::Value, Vec<serde_json::Value>> {
    import_fixed(
        name,
        &[
            (
                "config/clusters/campus/cluster.yaml",
                &cluster_yaml(&["prod.values.yaml"], &[]),
            ),
            ("config/clusters/campus/prod.values.yaml", values),
        ],
    )
}

#[test]
fn plain_scalars_are_read_as_helm_reads_them_and_quoted_ones_stay_strings() {
    let values = "jupyterhub:\n  custom:\n    plain:\n    - yes\n    - n\n    - 0644\n    - 0x1F\n    - 1e3\n    - 08\n    - 1_000\n    - 12:30\n    - 2024-01-01\n    flow: [on, Off, y, 007]\n    quoted: ['yes', \"0644\", '12:30', 'on']\n    tagged: !!str yes\n    yes: a boolean key\n    0x1F: a number key\n    '<<': not a merge key\n";
    let built = import_prod_values("scalars", values).expect("imported");
    assert_eq!(
        built["prod"]["jupyterhub"]["custom"],
        serde_json::json!({
            "plain": [true, false, 420, 31, 1000.0, 8.0, 1000, "12:30", "2024-01-01"],
            "flow": [true, false, true, 7],
            "quoted": ["yes", "0644", "12:30", "on"],
            "tagged": "yes",
            "true": "a boolean key",
            "31": "a number key",
            "<<": "not a merge key",
        })
    );
}

/// Values the import cannot carry are refused with a code, at their line in the values file:
/// keys Helm reads as one string (`true` and `yes`), an infinity, and a value of a type the
/// chart's schema does not take.
#[test]
fn what_cannot_be_imported_is_refused_where_it_is_written() {
    for (name, values, code, line) in [
        (
            "duplicate-keys",
            "jupyterhub:\n  custom:\n    true: 1\n    yes: 2\n",
            "hub::import::duplicate_key",
            4,
        ),
        (
            "infinity",
            "jupyterhub:\n  custom:\n    big: -.inf\n",
            "hub::import::unrepresentable",
            3,
        ),
        (
            "mistyped",
            "jupyterhub:\n  custom: [1, 2]\n",
            "hub::import::fails_check",
            2,
        ),
    ] {
        let diagnostics = import_prod_values(name, values).expect_err("refused");
        assert_eq!(diagnostics[0]["code"], code, "{name}");
        assert_eq!(
            diagnostics[0]["file"], "config/clusters/campus/prod.values.yaml",
            "{name}"
        );
        assert_eq!(diagnostics[0]["line"], line, "{name}");
    }
}

#[test]
fn daskhub_values_the_schema_does_not_know_stay_under_basehub() {
    let built = import_fixed(
        "dask-raw",
        &[
            ("config/clusters/campus/cluster.yaml", &cluster_yaml(&["prod.values.yaml"], &["dask.values.yaml"])),
            ("config/clusters/campus/prod.values.yaml", "jupyterhub: {}\n"),
            (
                "config/clusters/campus/dask.values.yaml",
                "basehub:\n  jupyterhub:\n    notInTheSchema: 1\n  alsoUnknown: x\ndask-gateway:\n  enabled: true\n",
            ),
        ],
    )
    .expect("imported");
    assert_eq!(
        built["dask"],
        serde_json::json!({
            "basehub": { "jupyterhub": { "notInTheSchema": 1 }, "alsoUnknown": "x" },
            "dask-gateway": { "enabled": true },
        })
    );
}

#[test]
fn a_shared_map_replaced_and_set_again_by_a_hub_loses_the_shared_keys() {
    let shared = "jupyterhub:\n  custom:\n    x:\n      a: 1\nunknownChart:\n  w:\n    a: 1\n";
    let built = import_fixed(
        "replaced",
        &[
            (
                "config/clusters/campus/cluster.yaml",
                &cluster_yaml(
                    &[
                        "common.values.yaml",
                        "prod-1.values.yaml",
                        "prod.values.yaml",
                    ],
                    &[],
                )
                .replace(
                    "  helm_chart: daskhub\n  helm_chart_values_files:\n",
                    "  helm_chart: basehub\n  helm_chart_values_files:\n  - common.values.yaml\n",
                ),
            ),
            ("config/clusters/campus/common.values.yaml", shared),
            (
                "config/clusters/campus/prod-1.values.yaml",
                "jupyterhub:\n  custom:\n    x: [1]\nunknownChart:\n  w: null\n",
            ),
            (
                "config/clusters/campus/prod.values.yaml",
                "jupyterhub:\n  custom:\n    x:\n      b: 2\nunknownChart:\n  w:\n    b: 2\n",
            ),
        ],
    )
    .expect("imported");
    assert_eq!(
        built["prod"],
        serde_json::json!({
            "jupyterhub": { "custom": { "x": { "b": 2 } } },
            "unknownChart": { "w": { "b": 2 } },
        })
    );
    assert_eq!(
        built["dask"],
        serde_json::json!({
            "jupyterhub": { "custom": { "x": { "a": 1 } } },
            "unknownChart": { "w": { "a": 1 } },
        })
    );
}

#[test]
fn the_generator_writes_an_anchored_list_inside_a_list_as_the_model_means_it() {
    use roundtrip::model::{Entry, Map, Node, Scalar, meaning, to_yaml};
    // `- &a` then a compact list: its dashes must go deeper than the item's own, or a YAML
    // reader sees a null item and a sibling.
    let text = |text: &str| Scalar {
        text: text.to_string(),
        meaning: Meaning::Str(text.to_string()),
    };
    for compact in [true, false] {
        let inner = Node::List {
            items: vec![Node::Scalar(text("x")), Node::Scalar(text("y"))],
            compact,
        };
        let outer = Node::List {
            items: vec![
                Node::Anchor("a".to_string(), Box::new(inner.clone())),
                inner,
            ],
            compact,
        };
        let map = Map {
            merges: Vec::new(),
            entries: vec![Entry::new(text("k"), outer)],
        };
        let written = to_yaml(&map, None);
        let parsed: serde_yaml_ng::Value = serde_yaml_ng::from_str(&written).expect(&written);
        assert_eq!(Meaning::from_yaml(&parsed), meaning(&map), "{written}");
    }
}
