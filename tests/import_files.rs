//! Which files `hubc import DIR` reads, through the binary: the rules of a fleet's files. A FIFO
//! among its input is skipped with `hub::io::not_a_file`, never opened; a symbolic link out of
//! `DIR` is `hub::io::outside_fleet`, and no byte of what it leads to is printed or written; a
//! link inside `DIR` is followed.

#![cfg(unix)]
#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;

use std::process::Output;

use common::{TempDir, json_codes, mkfifo, run_within_20s};

const CLUSTER: &str = "name: campus\nprovider: gcp\ngcp:\n  key: enc-key.json\n  project: campus\n  cluster: campus\n  zone: us-central1-b\n  billing:\n    paid_by_us: false\nmetadata:\n  2i2c:\n    hubspot_deal_id: 1\nhubs:\n- name: prod\n  display_name: Campus\n  domain: campus.example.org\n  helm_chart: basehub\n  helm_chart_values_files:\n  - prod.values.yaml\n";
const VALUES: &str = "jupyterhub:\n  singleuser:\n    defaultUrl: /lab\n";
/// What `/etc/passwd` holds on every Unix system: it must never be printed.
const PASSWD: &str = "root:";

/// A fleet to import at `src/`: cluster `campus` with hub `prod`, whose values file is left to
/// the test.
fn yaml_fleet(test_name: &str) -> TempDir {
    let directory = TempDir::new(test_name);
    directory.write("src/config/clusters/campus/cluster.yaml", CLUSTER);
    directory
}

/// `hubc --format FORMAT import src -o fleet` in `directory`, killed after 20 s.
fn import(directory: &TempDir, format: &str) -> Output {
    run_within_20s(
        directory.path(),
        &["--format", format, "import", "src", "-o", "fleet"],
    )
}

/// Imports in every format: each prints `code` (as its format writes it) and exits with `exit`.
fn assert_every_format_reports(directory: &TempDir, code: &str, exit: i32) {
    for format in ["human", "json", "github"] {
        let output = import(directory, format);
        assert_eq!(output.status.code(), Some(exit), "{format}");
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let code = match format {
            "github" => code.replace("::", "%3A%3A"),
            _ => code.to_string(),
        };
        assert!(printed.contains(&code), "{format}:\n{printed}");
        std::fs::remove_dir_all(directory.join("fleet")).ok();
    }
}

#[test]
fn a_fifo_named_as_a_values_file_is_skipped_with_a_warning_not_opened() {
    let directory = yaml_fleet("fifo-values");
    directory.write("src/config/clusters/campus/prod.values.yaml", VALUES);
    mkfifo(&directory.join("src/config/clusters/campus/x.values.yaml"));
    assert_every_format_reports(&directory, "hub::io::not_a_file", 0);
    let output = import(&directory, "json");
    assert_eq!(json_codes(&output), ["hub::io::not_a_file"]);
    let diagnostics = common::json_diagnostics(&output);
    assert_eq!(diagnostics[0]["severity"], "warning");
    assert_eq!(
        diagnostics[0]["file"],
        "src/config/clusters/campus/x.values.yaml"
    );
    assert!(directory.join("fleet/clusters/campus/prod.hub").is_file());
}

#[test]
fn a_fifo_a_hub_lists_is_skipped_and_the_file_missing() {
    let directory = yaml_fleet("fifo-listed");
    mkfifo(&directory.join("src/config/clusters/campus/prod.values.yaml"));
    let output = import(&directory, "json");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        json_codes(&output),
        ["hub::io::not_a_file", "hub::import::missing_file"]
    );
    assert!(!directory.join("fleet").exists(), "a failed import wrote");
}

#[test]
fn a_fifo_named_as_a_tfvars_file_is_skipped_with_a_warning_not_opened() {
    let directory = yaml_fleet("fifo-tfvars");
    directory.write("src/config/clusters/campus/prod.values.yaml", VALUES);
    mkfifo(&directory.join("src/terraform/gcp/projects/campus.tfvars"));
    // Neither is a chart's defaults nor a module's variables opened.
    mkfifo(&directory.join("src/terraform/gcp/variables.tf"));
    mkfifo(&directory.join("src/helm-charts/basehub/values.yaml"));
    assert_every_format_reports(&directory, "hub::io::not_a_file", 0);
    let output = import(&directory, "json");
    assert_eq!(json_codes(&output), ["hub::io::not_a_file"; 3]);
    let files: Vec<String> = common::json_diagnostics(&output)
        .iter()
        .map(|diagnostic| diagnostic["file"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        files,
        [
            "src/helm-charts/basehub/values.yaml",
            "src/terraform/gcp/projects/campus.tfvars",
            "src/terraform/gcp/variables.tf",
        ]
    );
}

#[test]
fn a_link_out_of_the_directory_is_refused_and_never_read() {
    let directory = yaml_fleet("link-out");
    for name in ["prod.values.yaml", "other.values.yaml"] {
        std::os::unix::fs::symlink(
            "/etc/passwd",
            directory.join("src/config/clusters/campus").join(name),
        )
        .expect("a symbolic link can be made");
    }
    assert_every_format_reports(&directory, "hub::io::outside_fleet", 1);
    for format in ["human", "json", "github"] {
        let output = import(&directory, format);
        for printed in [&output.stdout, &output.stderr] {
            let text = String::from_utf8_lossy(printed);
            assert!(!text.contains(PASSWD), "{format} printed it:\n{text}");
        }
        assert!(!directory.join("fleet").exists(), "a failed import wrote");
    }
    let output = import(&directory, "json");
    assert_eq!(
        json_codes(&output),
        [
            "hub::io::outside_fleet",
            "hub::io::outside_fleet",
            "hub::import::missing_file"
        ]
    );
    let diagnostics = common::json_diagnostics(&output);
    assert_eq!(
        diagnostics[0]["message"],
        "`src/config/clusters/campus/other.values.yaml` leads outside the fleet"
    );
}

#[test]
fn a_link_inside_the_directory_is_followed() {
    let directory = yaml_fleet("link-in");
    // Outside the files the import reads, so it is read through the link only.
    directory.write("src/shared/prod.yaml", VALUES);
    std::os::unix::fs::symlink(
        "../../../shared/prod.yaml",
        directory.join("src/config/clusters/campus/prod.values.yaml"),
    )
    .expect("a symbolic link can be made");
    let output = import(&directory, "json");
    assert_eq!(json_codes(&output), Vec::<String>::new());
    assert_eq!(output.status.code(), Some(0));
    let hub = std::fs::read_to_string(directory.join("fleet/clusters/campus/prod.hub"))
        .expect("the hub was written");
    assert!(hub.contains("/lab"), "{hub}");
}
