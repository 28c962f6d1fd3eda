//! End-to-end tests of `hubc build` over `examples/fleet`, through the real binary: the files it
//! writes, that YAML parsers read them back as the intended trees, that the consumers' schemas
//! accept them (zero-to-jupyterhub's values schema, the deployer's `cluster.yaml` schema,
//! Terraform's variable types), determinism, the safety of the output directory, and the summary
//! line.
//!
//! The schema and Terraform tests read `../shared/corpus` and skip without it (unless
//! `HUBC_REQUIRE_CORPUS` is set). PyYAML and `terraform` are needed too: without them those tests
//! skip, or fail when `HUBC_REQUIRE_CORPUS` is set (as in CI).

#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;

use common::TempDir;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use hubc::driver::{Analysis, Session};
use hubc::emit::Value;
use hubc::resolve::value::DeclId;
use hubc::syntax::ast::DeclKind;
use serde_json::Value as Json;
use serde_yaml_ng::Value as Yaml;

/// The date builds are checked on, as `--today` takes it: the same day as `common::TODAY`.
fn today() -> String {
    let (year, month, day) = common::TODAY;
    format!("{year:04}-{month:02}-{day:02}")
}

fn example_fleet() -> PathBuf {
    common::root().join("examples/fleet")
}

/// Runs `hubc build FLEET -o OUT --today ... [extra]` in `directory`, without colour.
fn build_in(directory: &Path, fleet: &Path, out: &Path, extra: &[&str]) -> Output {
    common::hubc()
        .arg("build")
        .arg(fleet)
        .arg("-o")
        .arg(out)
        .args(["--today", &today(), "--color=never"])
        .args(extra)
        .current_dir(directory)
        .output()
        .expect("hubc runs")
}

/// Builds `fleet` into `out` from the project root.
fn build(fleet: &Path, out: &Path, extra: &[&str]) -> Output {
    build_in(common::root(), fleet, out, extra)
}

/// Builds the example fleet into `out` and checks that it succeeded.
fn build_examples(out: &Path) -> Output {
    let output = build(&example_fleet(), out, &[]);
    assert_eq!(
        exit_code(&output),
        0,
        "building examples/fleet failed:\n{}",
        stderr(&output)
    );
    output
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

fn exit_code(output: &Output) -> i32 {
    output.status.code().expect("the process exits with a code")
}

/// The files under `directory`, by path relative to it with `/` separators, with contents.
fn read_tree(directory: &Path) -> BTreeMap<String, Vec<u8>> {
    common::files_under(directory)
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).expect("the file can be read");
            (relative(directory, &path), bytes)
        })
        .collect()
}

/// Everything under `directory`: files with their contents, directories (empty ones included)
/// as `None`.
fn snapshot(directory: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    let mut found = BTreeMap::new();
    let mut pending = vec![directory.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).expect("the directory can be read") {
            let path = entry.expect("the entry can be read").path();
            if path.is_dir() {
                found.insert(relative(directory, &path), None);
                pending.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("the file can be read");
                found.insert(relative(directory, &path), Some(bytes));
            }
        }
    }
    found
}

fn relative(directory: &Path, path: &Path) -> String {
    path.strip_prefix(directory)
        .expect("the path is under the directory")
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn copy_dir(from: &Path, to: &Path) {
    for path in common::files_under(from) {
        let target = to.join(
            path.strip_prefix(from)
                .expect("the path is under the directory"),
        );
        std::fs::create_dir_all(target.parent().expect("a file has a parent"))
            .expect("the directory can be created");
        std::fs::copy(&path, &target).expect("the file can be copied");
    }
}

/// A fleet analysed in-process, with what building it should write.
struct Fleet {
    session: Session,
    analysis: Analysis,
    /// `helm/<cluster>/<community>.values.yaml` of every community.
    values: BTreeMap<String, DeclId>,
    /// Every cluster, with its Terraform module if it has one.
    clusters: BTreeMap<String, Option<String>>,
}

impl Fleet {
    fn load(path: &Path) -> Fleet {
        let mut session = hubc::driver::load_fleet(path);
        let analysis = hubc::driver::analyze(&mut session, common::TODAY);
        assert!(
            !session.diagnostics.iter().any(|d| d.is_error()),
            "{} has errors:\n{}",
            path.display(),
            common::render(&session)
        );
        let analysis = analysis.expect("a fleet without errors is analysed");
        let fleet = &analysis.fleet;
        let names = &analysis.names;
        let mut values = BTreeMap::new();
        for &community in &fleet.communities {
            let decl = fleet.decl(community);
            let cluster = decl
                .cluster
                .unwrap_or_else(|| panic!("community `{}` has no cluster", decl.display));
            let path = format!(
                "helm/{}/{}.values.yaml",
                names.resolve(fleet.decl(cluster).name),
                names.resolve(decl.name)
            );
            assert!(
                values.insert(path.clone(), community).is_none(),
                "{path} twice"
            );
        }
        let mut clusters = BTreeMap::new();
        for (index, decl) in fleet.decls.iter().enumerate() {
            if decl.kind == DeclKind::Cluster {
                let provider = hubc::emit::cluster::provider(&analysis, DeclId(index as u32), &[])
                    .unwrap_or_else(|_| panic!("cluster `{}` has a provider", decl.display));
                clusters.insert(names.resolve(decl.name).to_string(), provider.terraform);
            }
        }
        Fleet {
            session,
            analysis,
            values,
            clusters,
        }
    }

    /// Every file a build should write, the marker included.
    fn expected_files(&self) -> BTreeSet<String> {
        let mut files: BTreeSet<String> = self.values.keys().cloned().collect();
        for (cluster, module) in &self.clusters {
            files.insert(format!("clusters/{cluster}/cluster.yaml"));
            if let Some(module) = module {
                files.insert(format!("terraform/{module}/{cluster}.tfvars"));
            }
        }
        files.insert(hubc::driver::OUTPUT_MARKER.to_string());
        files
    }
}

// ---------------------------------------------------------------------------------------------
// Trees: emitted values, YAML and JSON.

/// The tree the library builds, as serde_yaml_ng holds it (map entries in the given order).
fn to_yaml(value: &Value) -> Yaml {
    match value {
        Value::Null => Yaml::Null,
        Value::Bool(boolean) => Yaml::Bool(*boolean),
        Value::Int(int) => Yaml::Number((*int).into()),
        Value::Float(float) => Yaml::Number((*float).into()),
        Value::Str(text) => Yaml::String(text.clone()),
        Value::List(items) => Yaml::Sequence(items.iter().map(to_yaml).collect()),
        Value::Map(entries) => Yaml::Mapping(
            entries
                .iter()
                .map(|(key, value)| (Yaml::String(key.clone()), to_yaml(value)))
                .collect(),
        ),
    }
}

/// The tree the library builds, as serde_json holds it.
fn to_json(value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Bool(boolean) => Json::Bool(*boolean),
        Value::Int(int) => Json::from(*int),
        Value::Float(float) => Json::Number(
            serde_json::Number::from_f64(*float)
                .unwrap_or_else(|| panic!("{float} has no JSON form")),
        ),
        Value::Str(text) => Json::String(text.clone()),
        Value::List(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => Json::Object(
            entries
                .iter()
                .map(|(key, value)| (key.clone(), to_json(value)))
                .collect(),
        ),
    }
}

/// A YAML tree as JSON, the way Helm reads values: scalar keys become strings.
fn yaml_to_json(value: &Yaml) -> Json {
    match value {
        Yaml::Null => Json::Null,
        Yaml::Bool(boolean) => Json::Bool(*boolean),
        Yaml::Number(number) => {
            if let Some(int) = number.as_i64() {
                Json::from(int)
            } else if let Some(int) = number.as_u64() {
                Json::from(int)
            } else {
                let float = number.as_f64().expect("a YAML number is a float otherwise");
                Json::Number(
                    serde_json::Number::from_f64(float)
                        .unwrap_or_else(|| panic!("{float} has no JSON form")),
                )
            }
        }
        Yaml::String(text) => Json::String(text.clone()),
        Yaml::Sequence(items) => Json::Array(items.iter().map(yaml_to_json).collect()),
        Yaml::Mapping(entries) => Json::Object(
            entries
                .iter()
                .map(|(key, value)| {
                    let key = match key {
                        Yaml::String(text) => text.clone(),
                        Yaml::Number(number) => number.to_string(),
                        Yaml::Bool(boolean) => boolean.to_string(),
                        other => panic!("a map key that is not a scalar: {other:?}"),
                    };
                    (key, yaml_to_json(value))
                })
                .collect(),
        ),
        Yaml::Tagged(tagged) => panic!("a tagged YAML value: {tagged:?}"),
    }
}

/// Reads a YAML file (anchors resolved, merge keys applied) as JSON.
fn read_yaml_as_json(path: &Path) -> Json {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    let mut yaml: Yaml = serde_yaml_ng::from_str(&text)
        .unwrap_or_else(|error| panic!("{} is not YAML: {error}", path.display()));
    yaml.apply_merge()
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    yaml_to_json(&yaml)
}

/// Where `found` differs from `expected`, key order included, one line per place.
fn yaml_differences(at: &str, found: &Yaml, expected: &Yaml, out: &mut Vec<String>) {
    match (found, expected) {
        (Yaml::Mapping(found), Yaml::Mapping(expected)) => {
            let found_keys: Vec<&Yaml> = found.keys().collect();
            let expected_keys: Vec<&Yaml> = expected.keys().collect();
            if found_keys != expected_keys {
                out.push(format!(
                    "{at}: keys {found_keys:?}, expected {expected_keys:?} (in this order)"
                ));
            }
            for (key, expected) in expected {
                if let Some(found) = found.get(key) {
                    let key = key
                        .as_str()
                        .map_or_else(|| format!("{key:?}"), str::to_string);
                    yaml_differences(&format!("{at}.{key}"), found, expected, out);
                }
            }
        }
        (Yaml::Sequence(found), Yaml::Sequence(expected)) if found.len() == expected.len() => {
            for (index, (found, expected)) in found.iter().zip(expected).enumerate() {
                yaml_differences(&format!("{at}[{index}]"), found, expected, out);
            }
        }
        _ if found == expected => {}
        _ => out.push(format!("{at}: found {found:?}, expected {expected:?}")),
    }
}

/// Where `found` differs from `expected`, one line per place. Numbers compare by kind too
/// (serde_json keeps integers and floats apart): `1` and `1.0` differ.
fn json_differences(at: &str, found: &Json, expected: &Json, out: &mut Vec<String>) {
    match (found, expected) {
        (Json::Object(found), Json::Object(expected)) => {
            let found_keys: BTreeSet<&String> = found.keys().collect();
            let expected_keys: BTreeSet<&String> = expected.keys().collect();
            if found_keys != expected_keys {
                out.push(format!(
                    "{at}: keys {found_keys:?}, expected {expected_keys:?}"
                ));
            }
            for (key, expected) in expected {
                if let Some(found) = found.get(key) {
                    json_differences(&format!("{at}.{key}"), found, expected, out);
                }
            }
        }
        (Json::Array(found), Json::Array(expected)) if found.len() == expected.len() => {
            for (index, (found, expected)) in found.iter().zip(expected).enumerate() {
                json_differences(&format!("{at}[{index}]"), found, expected, out);
            }
        }
        _ if found == expected => {}
        _ => out.push(format!("{at}: found {found}, expected {expected}")),
    }
}

/// Whether CI requires every tool of these tests to be there.
fn required() -> bool {
    std::env::var_os("HUBC_REQUIRE_CORPUS").is_some()
}

/// Skips a test that needs a tool, or fails it in CI.
fn tool_missing(what: &str) {
    if required() {
        panic!("{what}, and HUBC_REQUIRE_CORPUS is set: install it (see .ci/run)");
    }
    eprintln!("skipped: {what}");
}

/// What PyYAML reads in each of `files`, through `tests/yaml_reader.py`; `None` when Python or
/// PyYAML is missing (and CI does not require them).
fn read_with_pyyaml(files: &[PathBuf]) -> Option<Vec<Json>> {
    let probe = Command::new("python3").args(["-c", "import yaml"]).output();
    if !probe.is_ok_and(|probe| probe.status.success()) {
        tool_missing("python3 with PyYAML is not available");
        return None;
    }
    let output = Command::new("python3")
        .arg(common::root().join("tests/yaml_reader.py"))
        .args(files)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "tests/yaml_reader.py failed:\n{}",
        stderr(&output)
    );
    let trees: Vec<Json> = stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|error| panic!("{error}: `{line}`")))
        .collect();
    assert_eq!(trees.len(), files.len(), "one line per file");
    Some(trees)
}

// ---------------------------------------------------------------------------------------------
// 1. Layout

#[test]
fn build_writes_exactly_one_file_per_community_and_cluster() {
    let fleet = Fleet::load(&example_fleet());
    let temp = TempDir::new("layout");
    let out = temp.join("out");
    build_examples(&out);

    let written: BTreeSet<String> = read_tree(&out).into_keys().collect();
    assert_eq!(written, fleet.expected_files());
    assert_eq!(fleet.values.len(), fleet.analysis.fleet.communities.len());
    assert!(
        fleet.clusters.values().any(Option::is_some),
        "some cluster has a Terraform module"
    );
    // Nothing beside the output but the build's record for the next build: no staging or
    // retired directories are left behind.
    let mut beside: Vec<String> = std::fs::read_dir(temp.path())
        .expect("the directory can be read")
        .map(|entry| {
            entry
                .expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    beside.sort();
    assert_eq!(beside, [".out.hubc-record", "out"]);
}

// ---------------------------------------------------------------------------------------------
// 2. Two independent parsers read the values files as the intended trees

#[test]
fn values_files_read_back_as_the_library_tree_with_serde_yaml_ng() {
    let fleet = Fleet::load(&example_fleet());
    let temp = TempDir::new("serde-yaml");
    let out = temp.join("out");
    build_examples(&out);

    let mut problems = Vec::new();
    for (path, &community) in &fleet.values {
        let text = std::fs::read_to_string(out.join(path)).expect("the values file exists");
        let found: Yaml = match serde_yaml_ng::from_str(&text) {
            Ok(found) => found,
            Err(error) => {
                problems.push(format!("{path}: not YAML: {error}"));
                continue;
            }
        };
        let expected = to_yaml(&hubc::emit::helm::values(&fleet.analysis, community));
        let mut differences = Vec::new();
        yaml_differences("", &found, &expected, &mut differences);
        problems.extend(differences.iter().map(|line| format!("{path}: {line}")));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[cfg_attr(hubc_no_pyyaml, ignore = "python3 with PyYAML is not installed")]
#[test]
fn values_files_and_manifests_read_back_the_same_with_pyyaml() {
    let fleet = Fleet::load(&example_fleet());
    let temp = TempDir::new("pyyaml");
    let out = temp.join("out");
    build_examples(&out);

    // Values files against the library's tree; manifests against what serde_yaml_ng reads, so
    // that a YAML 1.1 and a YAML 1.2 parser agree on them.
    let mut expected: Vec<(String, Json)> = fleet
        .values
        .iter()
        .map(|(path, &community)| {
            let tree = hubc::emit::helm::values(&fleet.analysis, community);
            (path.clone(), to_json(&tree))
        })
        .collect();
    for cluster in fleet.clusters.keys() {
        let path = format!("clusters/{cluster}/cluster.yaml");
        expected.push((path.clone(), read_yaml_as_json(&out.join(&path))));
    }
    let files: Vec<PathBuf> = expected.iter().map(|(path, _)| out.join(path)).collect();
    let Some(found) = read_with_pyyaml(&files) else {
        return;
    };
    let mut problems = Vec::new();
    for ((path, expected), found) in expected.iter().zip(&found) {
        let mut differences = Vec::new();
        json_differences("", found, expected, &mut differences);
        problems.extend(differences.iter().map(|line| format!("{path}: {line}")));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// 3. zero-to-jupyterhub's schema accepts every hub's values

/// Deep-merges `overlay` into `base` as Helm coalesces values: maps merge key by key, anything
/// else replaces, and `null` deletes the key.
fn coalesce(base: &mut Json, overlay: &Json) {
    match (base, overlay) {
        (Json::Object(base), Json::Object(overlay)) => {
            for (key, value) in overlay {
                match (base.get_mut(key), value) {
                    (_, Json::Null) => {
                        base.remove(key);
                    }
                    (Some(existing), _) => coalesce(existing, value),
                    (None, _) => {
                        base.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (base, overlay) => *base = overlay.clone(),
    }
}

/// A JSON schema (read from `name`), compiled.
fn compile_schema(schema: &Json, name: &Path) -> jsonschema::Validator {
    jsonschema::validator_for(schema)
        .unwrap_or_else(|error| panic!("{} is not a valid schema: {error}", name.display()))
}

/// Every error `validator` finds in `instance`, each naming `file` and where in it.
fn schema_errors(validator: &jsonschema::Validator, instance: &Json, file: &str) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|error| {
            let at = error.instance_path().to_string();
            let at = if at.is_empty() { "/".to_string() } else { at };
            format!("{file}: at {at}: {error}")
        })
        .collect()
}

/// The `helm_chart` of every hub in the emitted manifests, by `(cluster, hub)`.
fn charts(out: &Path, fleet: &Fleet) -> BTreeMap<(String, String), String> {
    let mut charts = BTreeMap::new();
    for cluster in fleet.clusters.keys() {
        let manifest = read_yaml_as_json(&out.join(format!("clusters/{cluster}/cluster.yaml")));
        for hub in manifest["hubs"].as_array().into_iter().flatten() {
            let name = hub["name"].as_str().expect("a hub has a name").to_string();
            let chart = hub["helm_chart"]
                .as_str()
                .expect("a hub has a chart")
                .to_string();
            charts.insert((cluster.clone(), name), chart);
        }
    }
    charts
}

#[cfg_attr(hubc_no_corpus, ignore = "../shared/corpus is missing")]
#[cfg_attr(hubc_no_pyyaml, ignore = "python3 with PyYAML is not installed")]
#[test]
fn values_files_validate_against_the_z2jh_schema() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let fleet = Fleet::load(&example_fleet());
    let temp = TempDir::new("z2jh");
    let out = temp.join("out");
    build_examples(&out);

    // Helm reads the charts' files by the YAML 1.1 rules (basehub's `mode: 0755` is the octal
    // 493), and zero-to-jupyterhub turns its schema into JSON with PyYAML: so does this test.
    // The emitted files read the same with either parser (see the tests above).
    let schema_file = corpus.join("z2jh/values.schema.yaml");
    let corpus_files = [
        schema_file.clone(),
        corpus.join("z2jh/values.yaml"),
        corpus.join("2i2c/helm-charts/basehub/values.yaml"),
    ];
    let Some([schema, mut defaults, basehub]) =
        read_with_pyyaml(&corpus_files).map(|trees| <[Json; 3]>::try_from(trees).unwrap())
    else {
        return;
    };
    let validator = compile_schema(&schema, &schema_file);
    coalesce(&mut defaults, &basehub["jupyterhub"]);
    let charts = charts(&out, &fleet);

    let mut problems = Vec::new();
    for path in fleet.values.keys() {
        let values = read_yaml_as_json(&out.join(path));
        let mut parts = path.trim_end_matches(".values.yaml").split('/').skip(1);
        let (cluster, hub) = (parts.next().unwrap(), parts.next().unwrap());
        let Some(chart) = charts.get(&(cluster.to_string(), hub.to_string())) else {
            problems.push(format!(
                "{path}: no hub `{hub}` in clusters/{cluster}/cluster.yaml"
            ));
            continue;
        };
        // A tree under the other chart's key would be silently ignored by Helm.
        let (hub_values, ignored) = match chart.as_str() {
            "daskhub" => (&values["basehub"]["jupyterhub"], "jupyterhub"),
            _ => (&values["jupyterhub"], "basehub"),
        };
        if values.get(ignored).is_some() {
            problems.push(format!(
                "{path}: a `{ignored}:` tree, which the {chart} chart ignores"
            ));
        }
        let mut coalesced = defaults.clone();
        if !hub_values.is_null() {
            coalesce(&mut coalesced, hub_values);
        }
        problems.extend(schema_errors(&validator, &coalesced, path));
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// 4. The deployer's schema accepts every cluster.yaml, which points at the values files

#[cfg_attr(hubc_no_corpus, ignore = "../shared/corpus is missing")]
#[test]
fn cluster_manifests_validate_and_point_at_their_values_files() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let fleet = Fleet::load(&example_fleet());
    let temp = TempDir::new("manifests");
    let out = temp.join("out");
    build_examples(&out);

    let schema_file = corpus.join("2i2c/src/deployer/commands/validate/cluster.schema.yaml");
    let validator = compile_schema(&read_yaml_as_json(&schema_file), &schema_file);
    let mut problems = Vec::new();
    let mut referenced = BTreeSet::new();
    for cluster in fleet.clusters.keys() {
        let path = format!("clusters/{cluster}/cluster.yaml");
        let manifest = read_yaml_as_json(&out.join(&path));
        problems.extend(schema_errors(&validator, &manifest, &path));
        // The schema gives `hubs` a one-element tuple of item schemas, which checks only the
        // first hub: check every hub by putting each first in turn.
        let hubs = manifest["hubs"].as_array().cloned().unwrap_or_default();
        for (index, hub) in hubs.iter().enumerate().skip(1) {
            let mut alone = manifest.clone();
            alone["hubs"] = Json::Array(vec![hub.clone()]);
            problems.extend(schema_errors(
                &validator,
                &alone,
                &format!("{path} (hubs[{index}])"),
            ));
        }
        if manifest["name"].as_str() != Some(cluster.as_str()) {
            problems.push(format!(
                "{path}: name {}, expected {cluster:?}",
                manifest["name"]
            ));
        }

        let directory = out.join(format!("clusters/{cluster}"));
        for hub in &hubs {
            let name = hub["name"].as_str().unwrap_or_default();
            let own = format!("../../helm/{cluster}/{name}.values.yaml");
            let files: Vec<&str> = hub["helm_chart_values_files"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Json::as_str)
                .collect();
            let count = files.iter().filter(|&&file| file == own).count();
            if count != 1 {
                problems.push(format!(
                    "{path}: hub {name}: `{own}` is listed {count} times in {files:?}"
                ));
            }
            if !directory.join(&own).is_file() {
                problems.push(format!("{path}: hub {name}: `{own}` does not exist"));
            }
            // Every other file is an encrypted secret kept beside the real cluster.yaml.
            for file in files.iter().filter(|&&file| file != own) {
                if file.contains('/') || !file.starts_with("enc-") {
                    problems.push(format!(
                        "{path}: hub {name}: unexpected values file `{file}`"
                    ));
                }
            }
            referenced.insert(format!("helm/{cluster}/{name}.values.yaml"));
        }
    }
    let emitted: BTreeSet<String> = fleet.values.keys().cloned().collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(
        referenced, emitted,
        "each values file belongs to one hub of a manifest"
    );
}

// ---------------------------------------------------------------------------------------------
// 5. Terraform reads every .tfvars as canonical and well typed

/// Runs `terraform ARGS` in `directory`, non-interactively and without colour.
fn terraform(directory: &Path, args: &[&str]) -> Output {
    Command::new("terraform")
        .args(args)
        .current_dir(directory)
        .env("TF_IN_AUTOMATION", "1")
        .env("TF_INPUT", "0")
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .expect("terraform runs")
}

fn terraform_text(output: &Output) -> String {
    format!("{}{}", stdout(output), stderr(output))
}

#[cfg_attr(hubc_no_corpus, ignore = "../shared/corpus is missing")]
#[cfg_attr(hubc_no_terraform, ignore = "terraform is not installed")]
#[test]
fn tfvars_are_formatted_and_type_check_against_the_provider_modules() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    if Command::new("terraform").arg("version").output().is_err() {
        tool_missing("terraform is not on PATH");
        return;
    }
    let fleet = Fleet::load(&example_fleet());
    let temp = TempDir::new("terraform");
    let out = temp.join("out");
    build_examples(&out);

    let mut by_module: BTreeMap<&str, Vec<PathBuf>> = BTreeMap::new();
    for (cluster, module) in &fleet.clusters {
        if let Some(module) = module {
            let file = out.join(format!("terraform/{module}/{cluster}.tfvars"));
            by_module.entry(module).or_default().push(file);
        }
    }
    assert!(!by_module.is_empty(), "some cluster has a Terraform module");
    let mut problems = Vec::new();
    for (module, files) in &by_module {
        // The module's variables alone, initialised once for all its clusters.
        let variables = corpus.join(format!("2i2c/terraform/{module}/variables.tf"));
        assert!(
            variables.is_file(),
            "no Terraform module `{module}` in the corpus"
        );
        let directory = temp.join(&format!("module-{module}"));
        std::fs::create_dir_all(&directory).expect("the directory can be created");
        std::fs::copy(&variables, directory.join("variables.tf")).expect("variables.tf copies");
        let init = terraform(&directory, &["init", "-input=false", "-no-color"]);
        assert!(
            init.status.success(),
            "terraform init failed for {module}:\n{}",
            terraform_text(&init)
        );
        for file in files {
            let name = relative(&out, file);
            let file = file.to_str().expect("the path is UTF-8");
            let format = terraform(&directory, &["fmt", "-check", "-diff", "-no-color", file]);
            if !format.status.success() {
                problems.push(format!(
                    "{name} is not in `terraform fmt` layout:\n{}",
                    terraform_text(&format)
                ));
            }
            let var_file = format!("-var-file={file}");
            let plan = terraform(
                &directory,
                &[
                    "plan",
                    "-input=false",
                    "-no-color",
                    "-lock=false",
                    &var_file,
                ],
            );
            let text = terraform_text(&plan);
            // With only variables in the module, a plan that accepts every value succeeds
            // offline ("No changes"): a wrong type, a missing required variable or an
            // undeclared one is all that can fail it.
            let rejected = [
                "Invalid value for variable",
                "Value for undeclared variable",
                "No value for required variable",
                "Error:",
            ];
            if !plan.status.success() || rejected.iter().any(|needle| text.contains(needle)) {
                problems.push(format!(
                    "{name} does not type-check against {module}:\n{text}"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// 6. Determinism

#[test]
fn two_builds_are_byte_identical() {
    let temp = TempDir::new("determinism");
    let (first, second) = (temp.join("first"), temp.join("second"));
    build_examples(&first);
    build_examples(&second);
    let (first, second) = (read_tree(&first), read_tree(&second));
    assert!(first.len() > 1);
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &first {
        assert!(second[path] == *bytes, "{path} differs between two builds");
    }
}

#[test]
fn output_does_not_depend_on_where_hubc_runs() {
    let temp = TempDir::new("location");
    let (from_root, from_fleet) = (temp.join("from-root"), temp.join("from-fleet"));
    let relative = build(Path::new("examples/fleet"), &from_root, &[]);
    assert_eq!(exit_code(&relative), 0, "{}", stderr(&relative));
    let here = build_in(&example_fleet(), Path::new("."), &from_fleet, &[]);
    assert_eq!(exit_code(&here), 0, "{}", stderr(&here));
    let (first, second) = (read_tree(&from_root), read_tree(&from_fleet));
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &first {
        assert!(
            second[path] == *bytes,
            "{path} differs when built as `examples/fleet` from the root and as `.` from the \
             fleet:\n{}\n---\n{}",
            String::from_utf8_lossy(bytes),
            String::from_utf8_lossy(&second[path])
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 7. Safety of the output directory

#[test]
fn build_refuses_a_directory_holding_foreign_files_and_leaves_it_alone() {
    let temp = TempDir::new("foreign");
    let out = temp.join("out");
    std::fs::create_dir_all(out.join("notes")).expect("the directory can be created");
    std::fs::write(out.join("notes/todo.txt"), "mine\n").expect("the file can be written");
    std::fs::write(out.join("README"), "also mine\n").expect("the file can be written");
    let before = snapshot(temp.path());

    let output = build(&example_fleet(), &out, &[]);
    assert_eq!(exit_code(&output), 1, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("hub::io::foreign_output"),
        "{}",
        stderr(&output)
    );
    assert_eq!(snapshot(temp.path()), before);

    // `--check` against a foreign directory reports stale files but writes nothing either.
    let check = build(&example_fleet(), &out, &["--check"]);
    assert_ne!(exit_code(&check), 0, "{}", stderr(&check));
    assert_eq!(snapshot(temp.path()), before);
}

/// A community of `fleet` declared alone in its file, which nothing else needs: the file and
/// the path of the values file it gives.
fn lone_community(fleet: &Fleet) -> (PathBuf, String) {
    fleet
        .values
        .iter()
        .rev()
        .find_map(|(values, &community)| {
            let decl = fleet.analysis.fleet.decl(community);
            let file = fleet
                .session
                .files
                .iter()
                .find(|file| file.id == decl.file)?;
            (file.parsed.file.items.len() == 1).then(|| (file.path.clone(), values.clone()))
        })
        .expect("some community is declared alone in its file")
}

#[test]
fn rebuilding_replaces_the_output_and_removes_files_of_a_deleted_community() {
    let temp = TempDir::new("rebuild");
    let fleet_dir = temp.join("fleet");
    copy_dir(&example_fleet(), &fleet_dir);
    let out = temp.join("out");
    let first = build(&fleet_dir, &out, &[]);
    assert_eq!(exit_code(&first), 0, "{}", stderr(&first));
    std::fs::write(temp.join("beside.txt"), "not hubc's\n").expect("the file can be written");

    let fleet = Fleet::load(&fleet_dir);
    let (community_file, values) = lone_community(&fleet);
    assert!(out.join(&values).is_file());
    std::fs::remove_file(&community_file).expect("the community file can be removed");
    // A file hubc did not write, inside its own (marked) output: the build refuses and keeps it.
    std::fs::write(out.join("helm/stray.yaml"), "x: 1\n").expect("the file can be written");
    let refused = build(&fleet_dir, &out, &[]);
    assert_eq!(exit_code(&refused), 1, "{}", stderr(&refused));
    assert!(stderr(&refused).contains("hub::io::foreign_output"));
    assert!(out.join(&values).is_file());
    std::fs::remove_file(out.join("helm/stray.yaml")).expect("the file can be removed");

    let second = build(&fleet_dir, &out, &[]);
    assert_eq!(exit_code(&second), 0, "{}", stderr(&second));
    let after = Fleet::load(&fleet_dir);
    let written: BTreeSet<String> = read_tree(&out).into_keys().collect();
    assert_eq!(written, after.expected_files());
    assert!(!written.contains(&values), "{values} was not removed");
    assert!(!written.contains("helm/stray.yaml"));
    let hub = values
        .rsplit('/')
        .next()
        .unwrap()
        .trim_end_matches(".values.yaml");
    let cluster = values.split('/').nth(1).unwrap();
    let manifest =
        std::fs::read_to_string(out.join(format!("clusters/{cluster}/cluster.yaml"))).unwrap();
    assert!(
        !manifest.contains(&format!("../../helm/{cluster}/{hub}.values.yaml")),
        "{manifest}"
    );
    assert!(
        stderr(&second).contains(" 1 removed in "),
        "the values file is counted as removed: {}",
        stderr(&second)
    );
    assert_eq!(
        std::fs::read_to_string(temp.join("beside.txt")).unwrap(),
        "not hubc's\n"
    );
    let beside: BTreeSet<String> = std::fs::read_dir(temp.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        beside,
        BTreeSet::from([
            ".out.hubc-record".into(),
            "beside.txt".into(),
            "fleet".into(),
            "out".into()
        ])
    );
}

#[test]
fn check_writes_nothing_and_lists_stale_files() {
    let temp = TempDir::new("check");
    let out = temp.join("out");
    build_examples(&out);
    let fresh = snapshot(temp.path());

    let clean = build(&example_fleet(), &out, &["--check"]);
    assert_eq!(exit_code(&clean), 0, "{}", stderr(&clean));
    assert_eq!(stdout(&clean), "");
    assert_eq!(snapshot(temp.path()), fresh);

    let fleet = Fleet::load(&example_fleet());
    let edited = fleet.values.keys().next().expect("a values file").clone();
    let mut text = std::fs::read_to_string(out.join(&edited)).unwrap();
    text.push_str("# edited by hand\n");
    std::fs::write(out.join(&edited), text).unwrap();
    let modified = snapshot(temp.path());

    let stale = build(&example_fleet(), &out, &["--check"]);
    assert_eq!(exit_code(&stale), 2, "{}", stderr(&stale));
    assert_eq!(stdout(&stale), format!("{}\n", out.join(&edited).display()));
    assert_eq!(snapshot(temp.path()), modified, "--check wrote something");

    // Into a directory that does not exist: every file is stale, and none is written.
    let missing = temp.join("missing");
    let absent = build(&example_fleet(), &missing, &["--check"]);
    assert_eq!(exit_code(&absent), 2, "{}", stderr(&absent));
    let n_files = fleet.expected_files().len() - 1;
    assert_eq!(stdout(&absent).lines().count(), n_files);
    assert!(!missing.exists());
}

#[test]
fn a_fleet_with_errors_builds_nothing() {
    let temp = TempDir::new("errors");
    let fleet_dir = temp.join("fleet");
    copy_dir(&example_fleet(), &fleet_dir);
    std::fs::write(
        fleet_dir.join("broken.hub"),
        "community \"broken\" : no_such_archetype {\n  cluster = no_such_cluster\n}\n",
    )
    .unwrap();

    let out = temp.join("out");
    let output = build(&fleet_dir, &out, &[]);
    assert_eq!(exit_code(&output), 1, "{}", stderr(&output));
    assert!(stderr(&output).contains("build failed: nothing was written"));
    assert!(!out.exists(), "a failed build wrote {}", out.display());

    // An earlier build's output stays as it was.
    std::fs::remove_file(fleet_dir.join("broken.hub")).unwrap();
    let good = build(&fleet_dir, &out, &[]);
    assert_eq!(exit_code(&good), 0, "{}", stderr(&good));
    let before = snapshot(&out);
    std::fs::write(fleet_dir.join("clusters/broken.hub"), "community {\n").unwrap();
    let output = build(&fleet_dir, &out, &[]);
    assert_eq!(exit_code(&output), 1, "{}", stderr(&output));
    assert!(stderr(&output).contains("build failed: nothing was written"));
    assert_eq!(snapshot(&out), before);
    let mut beside: Vec<String> = std::fs::read_dir(temp.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    beside.sort();
    assert_eq!(beside, [".out.hubc-record", "fleet", "out"]);
}

// ---------------------------------------------------------------------------------------------
// 8. The summary line

/// The last line of stderr, which must be the build's summary.
fn summary(output: &Output) -> String {
    let text = stderr(output);
    let line = text.lines().last().unwrap_or_default().to_string();
    let (_, duration) = line
        .rsplit_once(" in ")
        .unwrap_or_else(|| panic!("no duration in `{line}`"));
    assert!(
        duration.ends_with("ms") || duration.ends_with('s'),
        "`{duration}` is not a duration"
    );
    assert!(
        duration
            .trim_end_matches('s')
            .trim_end_matches('m')
            .parse::<f64>()
            .is_ok(),
        "`{duration}` is not a duration"
    );
    line
}

#[test]
fn summary_counts_written_then_unchanged_files() {
    let fleet = Fleet::load(&example_fleet());
    let n_communities = fleet.values.len();
    let n_clusters = fleet.clusters.len();
    let n_files = fleet.expected_files().len() - 1;
    let temp = TempDir::new("summary");
    let out = temp.join("out");

    let first = summary(&build_examples(&out));
    let expected = format!(
        "built {n_communities} communities on {n_clusters} clusters: {n_files} written, 0 \
         unchanged, 0 removed in "
    );
    assert!(
        first.starts_with(&expected),
        "`{first}`, expected `{expected}...`"
    );

    // Nothing changed: the build cache (tests/cache.rs) writes nothing.
    let second = summary(&build_examples(&out));
    assert!(
        second.contains("is up to date with") && second.contains("nothing written in"),
        "`{second}`"
    );

    // A change that changes no output: every file is kept, none written.
    let fleet_dir = temp.join("fleet");
    common::copy_dir(&example_fleet(), &fleet_dir);
    let first_file = common::hub_files(&fleet_dir).remove(0);
    let mut text = std::fs::read_to_string(&first_file).unwrap();
    text.push_str("// a comment changes no output\n");
    std::fs::write(&first_file, text).unwrap();
    let third = build(&fleet_dir, &out, &[]);
    assert_eq!(exit_code(&third), 0, "{}", stderr(&third));
    let expected = format!(
        "built {n_communities} communities on {n_clusters} clusters: 0 written, {n_files} \
         unchanged, 0 removed in "
    );
    let third = summary(&third);
    assert!(
        third.starts_with(&expected),
        "`{third}`, expected `{expected}...`"
    );
}

/// KubeSpawner reads `K`, `M`, `G` and `T` as powers of 1024 and knows no other unit: a memory
/// it reads written with any other unit (`16GB`, `512MiB` aside, which it spells `512M`) is
/// emitted as the exact number of bytes, never as a spelling it would misread or refuse.
#[test]
fn memory_for_kubespawner_is_written_in_a_spelling_it_reads() {
    let dir = common::TempDir::new("kubespawner_memory");
    let fleet = dir.join("fleet");
    common::copy_dir(&common::root().join("examples/fleet"), &fleet);
    let prod = fleet.join("clusters/leap/prod.hub");
    let text = std::fs::read_to_string(&prod).unwrap();
    let edited = text.replace(
        "{ guarantee = 14GiB, limit = 16GiB }",
        "{ guarantee = 14000MB, limit = 16GB }",
    );
    assert_ne!(edited, text);
    std::fs::write(&prod, edited).unwrap();
    let (code, _, stderr) = common::run(dir.path(), &["build", "fleet", "-o", "out"]);
    assert_eq!(code, 0, "{stderr}");
    let values = std::fs::read_to_string(dir.join("out/helm/leap/prod.values.yaml")).unwrap();
    assert!(values.contains("guarantee: 14000000000\n"), "{values}");
    assert!(values.contains("limit: 16000000000\n"), "{values}");
    // What it reads as written stays as written.
    assert!(values.contains("mem_guarantee: 25G\n"), "{values}");
}
