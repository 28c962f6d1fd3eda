//! `hubc import` end to end: the real fleet in `../shared/corpus/2i2c` is imported, checked,
//! formatted and built, and every hub's values come out exactly as Helm merges its files;
//! broken input gets a coded diagnostic and nothing is written.

#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::{TempDir, run_hubc as run, stderr_text as stderr};

/// Imports the corpus fleet into `directory/fleet` and builds it into `directory/out`.
fn import_and_build(corpus: &Path, directory: &TempDir) {
    let fleet = directory.join("fleet");
    let output = run(&[
        "import",
        &corpus.join("2i2c").display().to_string(),
        "-o",
        &fleet.display().to_string(),
    ]);
    assert!(
        output.status.success(),
        "import failed:\n{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("imported 10 clusters with 127 hubs"),
        "{}",
        stderr(&output)
    );
    let output = run(&[
        "build",
        &fleet.display().to_string(),
        "-o",
        &directory.join("out").display().to_string(),
    ]);
    assert!(
        output.status.success(),
        "build failed:\n{}",
        stderr(&output)
    );
}

#[cfg_attr(hubc_no_corpus, ignore = "../shared/corpus is missing")]
#[test]
fn the_imported_corpus_builds_back_to_every_hubs_merged_values() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let directory = TempDir::new("corpus");
    import_and_build(&corpus, &directory);
    let mut mismatches = Vec::new();
    let mut n_hubs = 0;
    for path in common::files_under(&corpus.join("2i2c/expected")) {
        let expected: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("expected file"))
                .expect("expected JSON");
        let cluster = expected["cluster"].as_str().expect("cluster");
        let hub = expected["hub"].as_str().expect("hub");
        let emitted = directory.join(&format!("out/helm/{cluster}/{hub}.values.yaml"));
        let text = std::fs::read_to_string(&emitted).expect("the hub's values file was emitted");
        let ours: serde_json::Value = serde_yaml_ng::from_str(&text).expect("emitted YAML parses");
        if ours != expected["merged_values"] {
            mismatches.push(format!("{cluster}/{hub}"));
        }
        // The manifest lists the emitted file and the hub's secret files, nothing else.
        let manifest: serde_yaml_ng::Value = serde_yaml_ng::from_str(
            &std::fs::read_to_string(
                directory.join(&format!("out/clusters/{cluster}/cluster.yaml")),
            )
            .expect("the cluster's manifest"),
        )
        .expect("manifest parses");
        let entry = manifest["hubs"]
            .as_sequence()
            .and_then(|hubs| {
                hubs.iter()
                    .find(|entry| entry["name"].as_str() == Some(hub))
            })
            .expect("the hub is in its manifest");
        let files: Vec<&str> = entry["helm_chart_values_files"]
            .as_sequence()
            .expect("values files")
            .iter()
            .filter_map(|file| file.as_str())
            .collect();
        let secrets: Vec<&str> = expected["secret_files"]
            .as_array()
            .expect("secret files")
            .iter()
            .filter_map(|file| file.as_str())
            .collect();
        let own = format!("../../helm/{cluster}/{hub}.values.yaml");
        let mut listed: Vec<&str> = files.iter().copied().filter(|f| *f != own).collect();
        listed.sort_unstable();
        let mut wanted = secrets.clone();
        wanted.sort_unstable();
        assert_eq!(listed, wanted, "{cluster}/{hub}: {files:?}");
        assert_eq!(files.iter().filter(|f| **f == own).count(), 1, "{files:?}");
        // A secret listed before every plaintext file still comes before the values.
        let original: Vec<&str> = expected["values_files"]
            .as_array()
            .expect("values files")
            .iter()
            .filter_map(|file| file.as_str())
            .collect();
        let leading: Vec<&str> = original
            .iter()
            .copied()
            .take_while(|file| secrets.contains(file))
            .collect();
        assert_eq!(
            &files[..leading.len()],
            leading.as_slice(),
            "{cluster}/{hub}"
        );
        n_hubs += 1;
    }
    assert_eq!(n_hubs, 127);
    assert!(
        mismatches.is_empty(),
        "hubs whose values differ: {mismatches:?}"
    );
}

#[cfg_attr(hubc_no_corpus, ignore = "../shared/corpus is missing")]
#[test]
fn the_imported_corpus_checks_clean_and_is_formatted() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let directory = TempDir::new("formatted");
    let fleet = directory.join("fleet");
    let output = run(&[
        "import",
        &corpus.join("2i2c").display().to_string(),
        "-o",
        &fleet.display().to_string(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    // Hubs are placed by chart: a daskhub hub alone on its cluster in the standard daskhub
    // archetype, the daskhub hubs of a cluster in their group's archetype, which extends it.
    let showcase = std::fs::read_to_string(fleet.join("clusters/2i2c-aws-us/showcase.hub"))
        .expect("the showcase hub");
    assert!(
        showcase.contains("community showcase : dask_lab"),
        "{showcase}"
    );
    let leap = std::fs::read_to_string(fleet.join("clusters/leap/prod.hub")).expect("leap/prod");
    assert!(leap.contains("community prod : daskhubs_leap"), "{leap}");
    let cluster = std::fs::read_to_string(fleet.join("clusters/leap/cluster.hub")).expect("leap");
    assert!(
        cluster.contains("archetype daskhubs_leap extends dask_lab {"),
        "{cluster}"
    );
    let output = run(&["check", &fleet.display().to_string()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(": 0 errors, "),
        "{}",
        stderr(&output)
    );
    let output = run(&["fmt", "--check", &fleet.display().to_string()]);
    assert!(
        output.status.success(),
        "unformatted: {}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[cfg_attr(hubc_no_corpus, ignore = "../shared/corpus is missing")]
#[cfg_attr(hubc_no_terraform, ignore = "terraform is not installed")]
#[test]
fn every_imported_clusters_tfvars_means_what_the_original_did() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    if !common::terraform_installed() {
        return;
    }
    let directory = TempDir::new("tfvars");
    import_and_build(&corpus, &directory);
    let mut originals: BTreeMap<String, std::path::PathBuf> = BTreeMap::new();
    for path in common::files_under(&corpus.join("2i2c/terraform")) {
        if path
            .extension()
            .is_some_and(|extension| extension == "tfvars")
        {
            let module = path
                .parent()
                .and_then(Path::parent)
                .and_then(Path::file_name)
                .expect("terraform/<module>/projects/")
                .to_string_lossy()
                .into_owned();
            let cluster = path
                .file_stem()
                .expect("a name")
                .to_string_lossy()
                .into_owned();
            originals.insert(format!("{module}/{cluster}"), path);
        }
    }
    assert_eq!(originals.len(), 10);
    let mut initialised: BTreeMap<String, std::path::PathBuf> = BTreeMap::new();
    for (key, original) in &originals {
        let (module, _) = key.split_once('/').expect("module/cluster");
        let work = initialised.entry(module.to_string()).or_insert_with(|| {
            let work = directory.join(&format!("terraform-{module}"));
            let variables =
                std::fs::read(corpus.join(format!("2i2c/terraform/{module}/variables.tf")))
                    .expect("variables.tf");
            common::terraform_module(&work, &variables);
            work
        });
        let emitted = directory.join(&format!("out/terraform/{key}.tfvars"));
        assert!(emitted.is_file(), "no {key}.tfvars was emitted");
        let format = std::process::Command::new("terraform")
            .args(["fmt", "-check"])
            .arg(&emitted)
            .output()
            .expect("terraform fmt runs");
        assert!(
            format.status.success(),
            "{key}.tfvars is not in terraform fmt layout"
        );
        let before = common::terraform_variables(original, work);
        let after = common::terraform_variables(&emitted, work);
        assert_eq!(before, after, "{key}: the variables differ");
    }
}

fn write_fleet(directory: &TempDir, files: &[(&str, &str)]) {
    for (name, text) in files {
        directory.write(name, text);
    }
}

const CLUSTER: &str = "name: campus\nprovider: gcp\ngcp:\n  key: enc-key.json\n  project: campus\n  cluster: campus\n  zone: us-central1-b\n  billing:\n    paid_by_us: false\nmetadata:\n  2i2c:\n    hubspot_deal_id: 1\nhubs:\n- name: prod\n  display_name: Campus\n  domain: campus.example.org\n  helm_chart: basehub\n  helm_chart_values_files:\n  - prod.values.yaml\n  - enc-prod.secret.values.yaml\n";

/// Imports the fleet in `directory` into `directory/fleet`, with JSON diagnostics.
fn import_with_json(directory: &TempDir) -> (PathBuf, Output) {
    let fleet = directory.join("fleet");
    let output = run(&[
        "--format",
        "json",
        "import",
        &directory.path().display().to_string(),
        "-o",
        &fleet.display().to_string(),
    ]);
    (fleet, output)
}

/// Builds the imported `fleet` into `directory/out`: the output directory, and the values of the
/// hub `prod` of cluster `campus`.
fn build_prod_values(directory: &TempDir, fleet: &Path) -> (PathBuf, serde_json::Value) {
    let out = directory.join("out");
    let built = run(&[
        "build",
        &fleet.display().to_string(),
        "-o",
        &out.display().to_string(),
    ]);
    assert!(built.status.success(), "{}", stderr(&built));
    let values = serde_yaml_ng::from_str(
        &std::fs::read_to_string(out.join("helm/campus/prod.values.yaml")).expect("values"),
    )
    .expect("YAML");
    (out, values)
}

/// Imports a broken fleet and returns the diagnostics, checking that nothing was written.
fn import_broken(files: &[(&str, &str)]) -> Vec<serde_json::Value> {
    let directory = TempDir::new(&format!(
        "broken-{}",
        files.len() + files[files.len() - 1].1.len()
    ));
    write_fleet(&directory, files);
    let (fleet, output) = import_with_json(&directory);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(!fleet.exists(), "a failed import wrote files");
    common::json_diagnostics(&output)
}

#[test]
fn yaml_nested_too_deep_is_refused_at_once_with_its_own_code() {
    // Valid YAML at the depth libyaml refuses, and far deeper, which took it quadratic time.
    for depth in [128, 100_000] {
        let values = format!(
            "jupyterhub:\n  custom: {}1{}\n",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let started = std::time::Instant::now();
        let found = import_broken(&[
            ("config/clusters/campus/cluster.yaml", CLUSTER),
            ("config/clusters/campus/prod.values.yaml", &values),
        ]);
        assert_eq!(found[0]["code"], "hub::import::too_deep", "{found:#?}");
        assert_eq!(found[0]["line"], 2);
        // Refused by one pass over the text; generous for a debug build on a busy machine.
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{depth}"
        );
    }
}

#[test]
fn broken_input_gets_a_coded_diagnostic_pointing_into_the_yaml() {
    let malformed = import_broken(&[
        ("config/clusters/campus/cluster.yaml", CLUSTER),
        (
            "config/clusters/campus/prod.values.yaml",
            "jupyterhub:\n  hub: [\n",
        ),
    ]);
    assert_eq!(malformed[0]["code"], "hub::import::malformed_yaml");
    assert_eq!(
        malformed[0]["file"],
        "config/clusters/campus/prod.values.yaml"
    );

    let missing = import_broken(&[("config/clusters/campus/cluster.yaml", CLUSTER)]);
    assert_eq!(missing[0]["code"], "hub::import::missing_file");
    assert_eq!(missing[0]["file"], "config/clusters/campus/cluster.yaml");
    assert_eq!(missing[0]["line"], 19);

    let duplicate = import_broken(&[
        ("config/clusters/campus/cluster.yaml", CLUSTER),
        (
            "config/clusters/campus/prod.values.yaml",
            "jupyterhub:\n  cull:\n    timeout: 1\n    timeout: 2\n",
        ),
    ]);
    assert_eq!(duplicate[0]["code"], "hub::import::duplicate_key");
    assert_eq!(duplicate[0]["line"], 4);

    let not_a_map = import_broken(&[
        ("config/clusters/campus/cluster.yaml", CLUSTER),
        ("config/clusters/campus/prod.values.yaml", "- a\n- b\n"),
    ]);
    assert_eq!(not_a_map[0]["code"], "hub::import::not_a_map");

    let no_fleet = import_broken(&[("README.md", "not a fleet\n")]);
    assert_eq!(no_fleet[0]["code"], "hub::import::no_fleet");

    let tfvars = import_broken(&[
        ("config/clusters/campus/cluster.yaml", CLUSTER),
        (
            "config/clusters/campus/prod.values.yaml",
            "jupyterhub: {}\n",
        ),
        (
            "terraform/gcp/projects/campus.tfvars",
            "prefix = \"campus\"\nzone = \n",
        ),
    ]);
    assert_eq!(tfvars[0]["code"], "hub::import::malformed_tfvars");

    let chart = import_broken(&[
        (
            "config/clusters/campus/cluster.yaml",
            &CLUSTER.replace("helm_chart: basehub", "helm_chart: binderhub-service"),
        ),
        (
            "config/clusters/campus/prod.values.yaml",
            "jupyterhub: {}\n",
        ),
    ]);
    assert_eq!(chart[0]["code"], "hub::import::unknown_chart");
    assert_eq!(chart[0]["line"], 17);

    let function_call = import_broken(&[
        ("config/clusters/campus/cluster.yaml", CLUSTER),
        (
            "config/clusters/campus/prod.values.yaml",
            "jupyterhub: {}\n",
        ),
        (
            "terraform/gcp/projects/campus.tfvars",
            "prefix = \"campus\"\ncore_node_max_count = max(1, 2)\nzone = var.zone\n",
        ),
    ]);
    assert_eq!(function_call[0]["code"], "hub::import::tfvars_expression");
    assert_eq!(function_call[0]["line"], 2);
    assert_eq!(function_call[0]["column"], 23);
    let message = function_call[0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("a function call `max(...)`"), "{message}");

    let reference = import_broken(&[
        ("config/clusters/campus/cluster.yaml", CLUSTER),
        (
            "config/clusters/campus/prod.values.yaml",
            "jupyterhub: {}\n",
        ),
        (
            "terraform/gcp/projects/campus.tfvars",
            "max_session_duration = 12 * 60 * 60\nzone = var.zone\n",
        ),
    ]);
    assert_eq!(reference[0]["code"], "hub::import::tfvars_expression");
    let message = reference[0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("a reference `var.zone`"), "{message}");
}

#[test]
fn what_the_import_does_not_understand_is_kept_raw_and_builds_back() {
    let directory = TempDir::new("raw");
    let cluster = CLUSTER.replace("hubs:\n", "deployer_hint: keep me\nhubs:\n");
    write_fleet(
        &directory,
        &[
            ("config/clusters/campus/cluster.yaml", &cluster),
            (
                "config/clusters/campus/prod.values.yaml",
                "jupyterhub:\n  singleuser:\n    defaultUrl: /lab\nsomeNewChartKey:\n  enabled: yes\n",
            ),
        ],
    );
    let (fleet, output) = import_with_json(&directory);
    assert!(output.status.success(), "{}", stderr(&output));
    let codes: Vec<String> = common::json_diagnostics(&output)
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(
        codes.iter().all(|code| code == "hub::import::kept_raw"),
        "{codes:?}"
    );
    assert!(!codes.is_empty());
    let (out, values) = build_prod_values(&directory, &fleet);
    assert_eq!(
        values,
        serde_json::json!({
            "jupyterhub": { "singleuser": { "defaultUrl": "/lab" } },
            "someNewChartKey": { "enabled": true },
        })
    );
    let manifest =
        std::fs::read_to_string(out.join("clusters/campus/cluster.yaml")).expect("manifest");
    assert!(manifest.contains("deployer_hint: keep me"), "{manifest}");
}

#[test]
fn a_yaml_string_with_a_control_character_is_refused_where_it_is_written() {
    let controls = (0x00..=0x1f_u32)
        .chain(0x7f..=0x9f)
        .filter_map(char::from_u32);
    let mut escapes: Vec<(String, u32)> = controls
        .filter(|&c| c != '\t' && c != '\n')
        .map(|c| (format!("\\u{:04X}", c as u32), c as u32))
        .collect();
    escapes.extend([
        ("\\r".to_string(), 0x0d),
        ("\\0".to_string(), 0x00),
        ("\\e".to_string(), 0x1b),
        ("\\x7f".to_string(), 0x7f),
        ("\\N".to_string(), 0x85),
    ]);
    for (escape, code) in escapes {
        let values = format!("jupyterhub:\n  singleuser:\n    defaultUrl: \"/lab{escape}\"\n");
        let found = import_broken(&[
            ("config/clusters/campus/cluster.yaml", CLUSTER),
            ("config/clusters/campus/prod.values.yaml", &values),
        ]);
        let name = format!("U+{code:04X}");
        assert_eq!(
            found[0]["code"], "hub::import::unrepresentable",
            "{escape}: {found:#?}"
        );
        assert!(
            found[0]["message"]
                .as_str()
                .unwrap_or_default()
                .contains(&name),
            "{escape}: {found:#?}"
        );
        assert_eq!(found[0]["line"], 3, "{escape}");
        assert_eq!(found[0]["column"], 22, "{escape}");
    }
    // Tabs and newlines are text, and are imported.
    let directory = TempDir::new("tab-newline");
    write_fleet(
        &directory,
        &[
            ("config/clusters/campus/cluster.yaml", CLUSTER),
            (
                "config/clusters/campus/prod.values.yaml",
                "jupyterhub:\n  singleuser:\n    defaultUrl: \"/lab\\t\\n\"\n",
            ),
            ("config/clusters/campus/enc-prod.secret.values.yaml", "{}\n"),
        ],
    );
    let (_, output) = import_with_json(&directory);
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn a_yaml_tag_the_import_cannot_keep_is_refused_where_it_is_written() {
    for (value, tag) in [
        ("!!binary aGVsbG8=", "!!binary"),
        ("!!timestamp 2001-12-14", "!!timestamp"),
        (
            "!!python/object/apply:os.system [\"echo hi\"]",
            "!!python/object/apply:os.system",
        ),
        ("!!set {a}", "!!set"),
        ("!Ref foo", "!Ref"),
        ("!Ref 12", "!Ref"),
        ("&anchor !local {x: 1}", "!local"),
        ("! 12", "!"),
        ("!<tag:example.com,2000:x> 7", "!<tag:example.com,2000:x>"),
    ] {
        let values = format!("jupyterhub:\n  custom:\n    key: {value}\n");
        let found = import_broken(&[
            ("config/clusters/campus/cluster.yaml", CLUSTER),
            ("config/clusters/campus/prod.values.yaml", &values),
        ]);
        assert_eq!(
            found[0]["code"], "hub::import::yaml_tag",
            "{value}: {found:#?}"
        );
        let message = found[0]["message"].as_str().unwrap_or_default();
        assert!(message.contains(&format!("`{tag}`")), "{value}: {message}");
        assert!(message.contains("prod.values.yaml"), "{value}: {message}");
        assert_eq!(found[0]["line"], 3, "{value}");
        let column = values
            .lines()
            .nth(2)
            .and_then(|line| line.find('!'))
            .unwrap_or(0)
            + 1;
        assert_eq!(found[0]["column"], column, "{value}");
    }
    // A tag in the cluster's own file too.
    let found = import_broken(&[(
        "config/clusters/campus/cluster.yaml",
        &CLUSTER.replace("name: campus\n", "name: !Ref campus\n"),
    )]);
    assert_eq!(found[0]["code"], "hub::import::yaml_tag", "{found:#?}");
}

#[test]
fn the_core_yaml_tags_are_read_as_helm_reads_them() {
    let directory = TempDir::new("core-tags");
    write_fleet(
        &directory,
        &[
            ("config/clusters/campus/cluster.yaml", CLUSTER),
            (
                "config/clusters/campus/prod.values.yaml",
                "jupyterhub:\n  custom:\n    string: !!str 123\n    word: !!str yes\n    int: !!int \"5\"\n    hex: !!int 0x1F\n    float: !!float \"1.5\"\n    bool: !!bool \"true\"\n    nothing: !!null null\n    map: !!map {a: !!seq [1]}\n    verbatim: !<tag:yaml.org,2002:str> 7\n",
            ),
            ("config/clusters/campus/enc-prod.secret.values.yaml", "{}\n"),
        ],
    );
    let (fleet, output) = import_with_json(&directory);
    assert!(output.status.success(), "{}", stderr(&output));
    let (_, values) = build_prod_values(&directory, &fleet);
    assert_eq!(
        values["jupyterhub"]["custom"],
        serde_json::json!({
            "string": "123", "word": "yes", "int": 5, "hex": 31, "float": 1.5, "bool": true,
            "nothing": null, "map": { "a": [1] }, "verbatim": "7",
        })
    );
}

#[test]
fn a_credential_in_a_plaintext_values_file_stops_the_import_at_its_key() {
    let found = import_broken(&[
        ("config/clusters/campus/cluster.yaml", CLUSTER),
        (
            "config/clusters/campus/prod.values.yaml",
            "jupyterhub:\n  hub:\n    config:\n      GitHubOAuthenticator:\n        client_secret: 3f9a1c27d05e4b8a9e6f2c1d7b4a8e90\n",
        ),
    ]);
    assert_eq!(found[0]["code"], "hub::import::fails_check", "{found:#?}");
    let message = found[0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("hub::check::literal_secret"), "{message}");
    assert_eq!(found[0]["line"], 5);
}
