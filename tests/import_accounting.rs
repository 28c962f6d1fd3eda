//! `hubc import` drops nothing without a word: every file under `config/clusters/` and
//! `terraform/*/projects/` ends in the imported fleet, or is named in a warning saying why not;
//! variables files find their cluster by name, by contents, or stand on their own; modules are
//! typed by their own `variables.tf`; and an import whose result would not check or build back
//! fails with a coded diagnostic and writes nothing.

#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::TempDir;

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

/// Copies a directory tree.
fn copy_tree(from: &Path, to: &Path) {
    for path in common::files_under(from) {
        let target = to.join(path.strip_prefix(from).expect("under the tree"));
        std::fs::create_dir_all(target.parent().expect("a parent")).expect("directories");
        std::fs::copy(&path, &target).expect("a copy");
    }
}

/// Files under `root`, relative to it with `/`.
fn relative_files(root: &Path) -> BTreeSet<String> {
    common::files_under(root)
        .into_iter()
        .map(|path| {
            path.strip_prefix(root)
                .expect("under the root")
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect()
}

/// Imports `input` into `directory/fleet` with JSON diagnostics, then checks and builds the
/// fleet into `directory/out`; returns the import's diagnostics.
fn import_check_build(input: &Path, directory: &TempDir) -> (Vec<serde_json::Value>, String) {
    let fleet = directory.join("fleet");
    let output = run(&[
        "--format",
        "json",
        "import",
        &input.display().to_string(),
        "-o",
        &fleet.display().to_string(),
    ]);
    assert!(
        output.status.success(),
        "import failed:\n{}\n{}",
        stderr(&output),
        String::from_utf8_lossy(&output.stdout)
    );
    let diagnostics = common::json_diagnostics(&output);
    let check = run(&["check", &fleet.display().to_string()]);
    assert!(
        check.status.success(),
        "the imported fleet does not check:\n{}",
        stderr(&check)
    );
    let build = run(&[
        "build",
        &fleet.display().to_string(),
        "-o",
        &directory.join("out").display().to_string(),
    ]);
    assert!(build.status.success(), "build failed:\n{}", stderr(&build));
    (diagnostics, stderr(&output))
}

/// The counts of the import's `input:` summary line: read, referenced, not imported.
fn summary_counts(text: &str) -> (usize, usize, usize) {
    let line = text
        .lines()
        .find(|line| line.starts_with("input: "))
        .unwrap_or_else(|| panic!("no summary line in:\n{text}"));
    let numbers: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|part| part.parse().ok())
        .collect();
    (numbers[0], numbers[1], numbers[2])
}

#[cfg_attr(hubc_no_corpus, ignore = "../shared/corpus is missing")]
#[cfg_attr(hubc_no_terraform, ignore = "terraform is not installed")]
#[test]
fn every_file_of_each_kind_under_an_unexpected_name_is_imported_or_warned_about() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let directory = TempDir::new("stray");
    let input = directory.join("input");
    copy_tree(&corpus.join("2i2c/config"), &input.join("config"));
    copy_tree(&corpus.join("2i2c/terraform"), &input.join("terraform"));
    // A project whose file is not named after its cluster: leap's variables as `pilot-hubs`.
    std::fs::rename(
        input.join("terraform/gcp/projects/leap.tfvars"),
        input.join("terraform/gcp/projects/pilot-hubs.tfvars"),
    )
    .expect("renamed");
    let strays: &[(&str, &str)] = &[
        ("config/clusters/leap/notes.txt", "why leap is special\n"),
        (
            "config/clusters/leap/old-staging.values.yaml",
            "jupyterhub: {}\n",
        ),
        (
            "config/clusters/leap/enc-old.secret.values.yaml",
            "sops: {}\n",
        ),
        (
            "config/clusters/retired/prod.values.yaml",
            "jupyterhub: {}\n",
        ),
        ("config/clusters/README.md", "the clusters\n"),
        ("terraform/aws/projects/NOTES.md", "notes\n"),
        (
            "terraform/gcp/projects/legacy.tfvars.json",
            "{\"prefix\": \"legacy\"}\n",
        ),
        // A project of a module with a variables.tf and no cluster.
        (
            "terraform/openstack/projects/jetstream.tfvars",
            "prefix = \"jetstream\"\nmaster_flavor = \"m3.medium\"\nnotebook_nodes = {\n  small = { max = 4, machine_type = \"m3.small\" }\n}\n",
        ),
        // A project of a module without one.
        (
            "terraform/hetzner/projects/lab.tfvars",
            "location = \"fsn1\"\nservers = [{ name = \"a\", size = 2 }]\n",
        ),
    ];
    for (path, text) in strays {
        let target = input.join(path);
        std::fs::create_dir_all(target.parent().expect("a parent")).expect("directories");
        std::fs::write(target, text).expect("written");
    }
    let in_scope: BTreeSet<String> = relative_files(&input)
        .into_iter()
        .filter(|path| {
            path.starts_with("config/clusters/")
                || path.contains("/projects/")
                || path.ends_with("/variables.tf")
        })
        .collect();
    let (diagnostics, text) = import_check_build(&input, &directory);
    let warned: BTreeSet<String> = diagnostics
        .iter()
        .filter(|diagnostic| diagnostic["code"] == "hub::import::not_imported")
        .map(|diagnostic| diagnostic["file"].as_str().expect("a file").to_string())
        .collect();
    let expected_warned: BTreeSet<String> = [
        "config/clusters/leap/notes.txt",
        "config/clusters/leap/old-staging.values.yaml",
        "config/clusters/leap/enc-old.secret.values.yaml",
        "config/clusters/retired/prod.values.yaml",
        "config/clusters/README.md",
        "terraform/aws/projects/NOTES.md",
        "terraform/gcp/projects/legacy.tfvars.json",
        "config/clusters/utoronto/README.md",
        // The real fleet has a values file no hub lists.
        "config/clusters/cloudbank/unr.values.yaml",
    ]
    .into_iter()
    .map(str::to_string)
    .chain(
        in_scope
            .iter()
            .filter(|path| path.ends_with("/support.values.yaml"))
            .cloned(),
    )
    .collect();
    assert_eq!(warned, expected_warned);
    // Every other file is read or referenced: the counts add up to every file in scope.
    let (read, referenced, not_imported) = summary_counts(&text);
    assert_eq!(not_imported, warned.len());
    assert_eq!(read + referenced + not_imported, in_scope.len(), "{text}");
    assert!(
        text.contains(
            "Terraform: 12 projects (9 matched to a cluster by name, 1 by contents, 2 on their own)"
        ),
        "{text}"
    );
    let untyped: Vec<&serde_json::Value> = diagnostics
        .iter()
        .filter(|diagnostic| diagnostic["code"] == "hub::import::untyped_module")
        .collect();
    assert_eq!(untyped.len(), 1, "{diagnostics:?}");
    assert!(
        untyped[0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("`hetzner`")
    );

    // The renamed project is leap's, and keeps its file name; the others are built back too.
    let out = directory.join("out");
    let built = relative_files(&out.join("terraform"));
    for expected in [
        "gcp/pilot-hubs.tfvars",
        "openstack/jetstream.tfvars",
        "hetzner/lab.tfvars",
    ] {
        assert!(built.contains(expected), "{expected} not built: {built:?}");
    }
    assert!(!built.contains("gcp/leap.tfvars"), "{built:?}");
    let leap =
        std::fs::read_to_string(directory.join("fleet/clusters/leap/cluster.hub")).expect("leap");
    assert!(
        leap.contains("terraform_project = \"pilot-hubs\""),
        "{leap}"
    );
    if !common::terraform_installed() {
        return;
    }
    for (module, project, original) in [
        (
            "gcp",
            "pilot-hubs",
            input.join("terraform/gcp/projects/pilot-hubs.tfvars"),
        ),
        (
            "openstack",
            "jetstream",
            input.join("terraform/openstack/projects/jetstream.tfvars"),
        ),
    ] {
        let work = directory.join(&format!("terraform-{module}"));
        let variables = std::fs::read(input.join(format!("terraform/{module}/variables.tf")))
            .expect("variables.tf");
        common::terraform_module(&work, &variables);
        let emitted = out.join(format!("terraform/{module}/{project}.tfvars"));
        assert_eq!(
            common::terraform_variables(&original, &work),
            common::terraform_variables(&emitted, &work),
            "{module}/{project}: the variables differ"
        );
    }
}

#[test]
#[cfg_attr(hubc_no_corpus, ignore = "../shared/corpus is missing")]
#[cfg_attr(hubc_no_terraform, ignore = "terraform is not installed")]
fn a_table_of_instance_types_that_is_not_one_is_named_as_not_imported() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let directory = TempDir::new("instance-table");
    let input = directory.join("input");
    copy_tree(&corpus.join("2i2c/config"), &input.join("config"));
    copy_tree(&corpus.join("2i2c/terraform"), &input.join("terraform"));
    // A map, but not of instance types: a type without its four measures.
    std::fs::write(
        input.join("instance_capacities.yaml"),
        "n2-highmem-4:\n  cpu: 4\n",
    )
    .unwrap();
    let (diagnostics, said) = import_check_build(&input, &directory);
    let warning = diagnostics
        .iter()
        .find(|d| d["file"] == "instance_capacities.yaml")
        .unwrap_or_else(|| panic!("no diagnostic names the table:\n{said}"));
    assert_eq!(warning["code"], "hub::import::not_imported", "{said}");
    assert_eq!(warning["severity"], "warning", "{said}");
    assert!(
        warning["message"]
            .as_str()
            .unwrap()
            .contains("not a table of instance types"),
        "{said}"
    );
    assert!(!directory.join("fleet/instance_types.hub").exists());
    let (_, _, not_imported) = summary_counts(&said);
    assert!(not_imported >= 1, "{said}");
}

#[test]
fn a_module_is_typed_by_its_own_variables_tf() {
    let directory = TempDir::new("module");
    directory.write(
        "input/config/clusters/lab/cluster.yaml",
        "name: lab\nprovider: kubeconfig\nkubeconfig:\n  file: enc-lab.secret.yaml\nhubs: []\n",
    );
    directory.write(
        "input/terraform/openstack/variables.tf",
        "variable \"flavor\" {\n  type = string\n  description = \"The machine type.\"\n}\n\nvariable \"node_count\" {\n  type = number\n  default = 1\n}\n",
    );
    directory.write(
        "input/terraform/openstack/projects/lab.tfvars",
        "flavor = \"m3.small\"\nnode_count = 3\n",
    );
    let (_, text) = import_check_build(&directory.join("input"), &directory);
    assert!(text.contains("1 matched to a cluster by name"), "{text}");
    let schema = std::fs::read_to_string(directory.join("fleet/terraform/openstack/variables.hub"))
        .expect("the module's schema");
    assert!(schema.contains("schema terraform_openstack"), "{schema}");
    let cluster = std::fs::read_to_string(directory.join("fleet/clusters/lab/cluster.hub"))
        .expect("the cluster");
    assert!(
        cluster.contains("terraform_provider = \"openstack\""),
        "{cluster}"
    );
    // A misspelt variable is reported as a variable of the module, with the right name.
    std::fs::write(
        directory.join("fleet/clusters/lab/cluster.hub"),
        cluster.replace("node_count = 3", "node_cuont = 3"),
    )
    .expect("written");
    let check = run(&["check", &directory.join("fleet").display().to_string()]);
    assert_eq!(check.status.code(), Some(1));
    let text = stderr(&check);
    assert!(text.contains("hub::check::unknown_key"), "{text}");
    assert!(
        text.contains(
            "unknown key `node_cuont` among the Terraform variables of module `openstack`"
        ),
        "{text}"
    );
    assert!(text.contains("did you mean `node_count`?"), "{text}");
}

#[test]
fn an_import_that_would_not_check_fails_and_writes_nothing() {
    // A hub whose name is no file name would give a community the build refuses.
    let directory = TempDir::new("unchecked");
    directory.write(
        "config/clusters/campus/cluster.yaml",
        "name: campus\nprovider: kubeconfig\nkubeconfig:\n  file: enc.yaml\nhubs:\n- name: \"prod hub\"\n  display_name: Campus\n  domain: campus.example.org\n  helm_chart: basehub\n  helm_chart_values_files:\n  - prod.values.yaml\n",
    );
    directory.write(
        "config/clusters/campus/prod.values.yaml",
        "jupyterhub: {}\n",
    );
    let fleet: PathBuf = directory.join("fleet");
    let output = run(&[
        "--format",
        "json",
        "import",
        &directory.path().display().to_string(),
        "-o",
        &fleet.display().to_string(),
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(!fleet.exists(), "a failed import wrote files");
    let diagnostics = common::json_diagnostics(&output);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0]["code"], "hub::import::fails_check");
    // It says what the check found, and points into the YAML it came from.
    let message = diagnostics[0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("hub::resolve::invalid_name"), "{message}");
    assert_eq!(
        diagnostics[0]["file"],
        "config/clusters/campus/cluster.yaml"
    );
}

#[test]
fn a_build_that_differs_from_the_input_is_named_value_by_value() {
    let directory = TempDir::new("inexact");
    directory.write(
        "config/clusters/campus/cluster.yaml",
        "name: campus\nprovider: kubeconfig\nkubeconfig:\n  file: enc.yaml\nhubs:\n- name: prod\n  display_name: Campus\n  domain: campus.example.org\n  helm_chart: basehub\n  helm_chart_values_files:\n  - prod.values.yaml\n",
    );
    directory.write(
        "config/clusters/campus/prod.values.yaml",
        "jupyterhub:\n  hub:\n    config:\n      x: 1\n",
    );
    let mut session = hubc::driver::Session::default();
    let imported = hubc::driver::import(directory.path(), &mut session).expect("the import works");
    // What a build that got one value wrong, and wrote one file too many, would give.
    let mut output = hubc::emit::Output::default();
    output.files.insert(
        "helm/campus/prod.values.yaml".to_string(),
        "jupyterhub:\n  hub:\n    config:\n      x: \"1\"\n".to_string(),
    );
    output.files.insert(
        "terraform/gcp/campus.tfvars".to_string(),
        "prefix = \"campus\"\n".to_string(),
    );
    let errors = hubc::import::verify::verify(&imported.expected, &output);
    let diagnostics: Vec<hubc::diagnostics::Diagnostic> = errors
        .iter()
        .map(hubc::diagnostics::Diagnostic::from_located)
        .collect();
    let messages: Vec<(&str, &str)> = diagnostics
        .iter()
        .map(|diagnostic| (diagnostic.code.as_str(), diagnostic.message.as_str()))
        .collect();
    assert_eq!(
        messages,
        [
            (
                "hub::import::inexact",
                "hub `campus/prod` would not build back to its input: `jupyterhub.hub.config.x` is \"1\" instead of 1"
            ),
            (
                "hub::import::inexact",
                "the imported fleet would not build back to its input: its build would write `terraform/gcp/campus.tfvars`, which the input does not have"
            ),
        ]
    );
    // The hub's diagnostic points at its entry in cluster.yaml.
    let at = session.sources.get(diagnostics[0].file);
    assert_eq!(at.name, "config/clusters/campus/cluster.yaml");
    assert_eq!(
        &at.text[diagnostics[0].span.start as usize..diagnostics[0].span.end as usize],
        "prod"
    );
}

#[cfg_attr(hubc_no_terraform, ignore = "terraform is not installed")]
#[test]
fn variables_terraform_converts_are_taken_as_terraform_takes_them() {
    let directory = TempDir::new("conversions");
    directory.write(
        "input/config/clusters/lab/cluster.yaml",
        "name: lab\nprovider: kubeconfig\nkubeconfig:\n  file: enc-lab.secret.yaml\nhubs: []\n",
    );
    let variables_tf = "variable \"flavor\" {\n  type = string\n}\n\nvariable \"node_count\" {\n  type = number\n}\n\nvariable \"public\" {\n  type = bool\n}\n";
    directory.write("input/terraform/openstack/variables.tf", variables_tf);
    // Terraform converts each of these to the declared type.
    let original = directory.write(
        "input/terraform/openstack/projects/lab.tfvars",
        "flavor = 5\nnode_count = \"3\"\npublic = \"true\"\n",
    );
    import_check_build(&directory.join("input"), &directory);
    let emitted = directory.join("out/terraform/openstack/lab.tfvars");
    // A value Terraform would refuse is still an error.
    let cluster_path = directory.join("fleet/clusters/lab/cluster.hub");
    let cluster = std::fs::read_to_string(&cluster_path).expect("the cluster");
    std::fs::write(
        &cluster_path,
        cluster.replace("node_count = \"3\"", "node_count = \"three\""),
    )
    .expect("written");
    let check = run(&["check", &directory.join("fleet").display().to_string()]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    assert!(
        stderr(&check).contains("hub::check::type_mismatch"),
        "{}",
        stderr(&check)
    );
    if !common::terraform_installed() {
        return;
    }
    let work = directory.join("terraform-openstack");
    common::terraform_module(&work, variables_tf.as_bytes());
    assert_eq!(
        common::terraform_variables(&original, &work),
        common::terraform_variables(&emitted, &work)
    );
}
