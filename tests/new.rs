//! `hubc new`: for every archetype and every provider of a fleet (the bundled example and the
//! imported corpus), the scaffold's only errors are its placeholders; once they are filled in it
//! checks and builds; every commented-out line it offers is valid once uncommented; and what it
//! refuses it refuses with a coded diagnostic, writing nothing.

#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;

use std::path::Path;

use common::{TempDir, copy_dir, root, run};

/// A value of the kind a placeholder asks for: the type it names before any `:`.
fn value_for(what: &str) -> String {
    let ty = what.split(':').next().unwrap_or("").trim();
    // One of a few literals: the first.
    if let Some(literal) = ty
        .split(" | ")
        .find(|alternative| alternative.starts_with('"'))
    {
        return literal.to_string();
    }
    match ty {
        "bool" => "false",
        "url" => "\"https://example.org\"",
        "memory" => "1GiB",
        "cpu" | "cores" => "1",
        "duration" => "1h",
        "a map" => "{}",
        _ if ty.starts_with("int") || ty.starts_with("float") => "1",
        _ if ty.starts_with("list") => "[]",
        _ if ty.starts_with("map") => "{}",
        _ => "\"x-1\"",
    }
    .to_string()
}

/// `text` with every placeholder outside comments replaced by a value of its kind.
fn filled(text: &str) -> String {
    text.lines()
        .map(|line| {
            if line.trim_start().starts_with("//") {
                return line.to_string();
            }
            let mut line = line.to_string();
            while let Some(start) = line.find("todo(\"") {
                let end = start + line[start..].find("\")").expect("a closed placeholder") + 2;
                let what = line[start + 6..end - 2].to_string();
                line.replace_range(start..end, &value_for(&what));
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// `text` with every commented-out setting that has a value (not a placeholder) uncommented.
fn uncommented(text: &str) -> String {
    text.lines()
        .map(|line| {
            let code = line.trim_start().strip_prefix("// ").unwrap_or("");
            let is_setting = code.contains(" = ")
                && !code.contains("todo(")
                && !code.starts_with("jupyterhub.some.setting")
                && code
                    .split(" = ")
                    .next()
                    .is_some_and(|path| !path.contains(' '));
            if is_setting {
                line.replacen("// ", "", 1)
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// A scratch directory holding a copy of `examples/fleet`, and the copy's path.
fn example_fleet(name: &str) -> (TempDir, std::path::PathBuf) {
    let scratch = TempDir::new(name);
    let fleet = scratch.join("fleet");
    copy_dir(&root().join("examples/fleet"), &fleet);
    (scratch, fleet)
}

/// The codes of the errors `hubc check --format json` reports on `fleet`, with the exit code.
fn codes(fleet: &Path) -> (i32, Vec<String>) {
    let (code, stdout, _) = run(fleet, &["check", ".", "--format", "json"]);
    let codes = stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|d| d["severity"] == "error")
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect();
    (code, codes)
}

/// The names a fleet declares of a kind (`archetype`, `cluster`), from `hubc doc`'s pages.
fn declared(fleet: &Path, kind: &str, scratch: &TempDir) -> Vec<String> {
    let pages = scratch.join(&format!("doc-{kind}"));
    let (code, _, stderr) = run(
        fleet,
        &[
            "doc",
            ".",
            "-o",
            pages.to_str().unwrap(),
            "--format",
            "markdown",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let mut names: Vec<String> = std::fs::read_dir(&pages)
        .expect("pages")
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().to_string_lossy().into_owned();
            let name = name
                .strip_prefix(&format!("{kind}-"))?
                .strip_suffix(".md")?;
            Some(name.to_string())
        })
        .collect();
    names.sort();
    names
}

/// Scaffolds a community of each archetype of `fleet`, checks what it reports, fills it in,
/// checks and builds it, then uncomments every setting it offers and checks again.
fn every_archetype_scaffolds(fleet: &Path, cluster: &str, scratch: &TempDir) -> usize {
    let archetypes = declared(fleet, "archetype", scratch);
    assert!(!archetypes.is_empty());
    for archetype in &archetypes {
        let name = format!("new-{}", archetype.replace('_', "-"));
        let path = fleet.join(format!("{name}.hub"));
        let (code, _, stderr) = run(
            fleet,
            &[
                "new",
                "community",
                &name,
                "--archetype",
                archetype,
                "--cluster",
                cluster,
                ".",
                "-o",
                path.to_str().unwrap(),
            ],
        );
        assert_eq!(code, 0, "{archetype}: {stderr}");
        assert!(
            stderr.contains(&format!("wrote community `{cluster}/{name}`")),
            "{stderr}"
        );
        let text = std::fs::read_to_string(&path).expect("the scaffold");
        assert!(
            text.contains(&format!("community \"{name}\" : {archetype} {{")),
            "{text}"
        );
        // Its placeholders are its only errors, one each.
        let placeholders = text
            .lines()
            .filter(|line| !line.trim_start().starts_with("//"))
            .map(|line| line.matches("todo(\"").count())
            .sum::<usize>();
        assert!(
            placeholders >= 2,
            "domain and display_name at least:\n{text}"
        );
        let (code, found) = codes(fleet);
        assert_eq!(code, 1);
        let placeholder_codes: Vec<&String> = found
            .iter()
            .filter(|code| *code == "hub::resolve::placeholder")
            .collect();
        assert_eq!(placeholder_codes.len(), placeholders, "{found:?}\n{text}");
        assert!(
            found.iter().all(|code| code == "hub::resolve::placeholder"),
            "{archetype}: {found:?}"
        );
        // Filled in, it checks and builds.
        std::fs::write(&path, filled(&text)).expect("filled in");
        let (code, _, stderr) = run(fleet, &["check", "."]);
        assert_eq!(code, 0, "{archetype}: {stderr}\n{}", filled(&text));
        let out = scratch.join(&format!("out-{name}"));
        let (code, _, stderr) = run(fleet, &["build", ".", "-o", out.to_str().unwrap()]);
        assert_eq!(code, 0, "{archetype}: {stderr}");
        assert!(
            common::files_under(&out)
                .iter()
                .any(|file| file.ends_with(format!("{name}.values.yaml"))
                    || file.to_string_lossy().contains(&name)),
            "no output for {name}"
        );
        // Every value it offers, uncommented, is one the archetype accepts.
        std::fs::write(&path, uncommented(&filled(&text))).expect("uncommented");
        let (code, _, stderr) = run(fleet, &["check", ".", "--format", "github"]);
        let stderr = stderr + &run(fleet, &["check", ".", "--format", "github"]).1;
        assert_eq!(
            code,
            0,
            "{archetype}: {stderr}\n{}",
            uncommented(&filled(&text))
        );
        std::fs::remove_file(&path).expect("removed");
    }
    archetypes.len()
}

#[test]
fn every_archetype_of_the_example_fleet_scaffolds_fills_checks_and_builds() {
    let (scratch, fleet) = example_fleet("new-example");
    let n = every_archetype_scaffolds(&fleet, "temple", &scratch);
    assert!(n >= 4, "{n} archetypes");
}

#[test]
fn every_archetype_of_the_imported_corpus_scaffolds_fills_checks_and_builds() {
    let scratch = TempDir::new("new-corpus");
    let Some(fleet) = common::imported_corpus(&scratch) else {
        return;
    };
    let n = every_archetype_scaffolds(&fleet, "temple", &scratch);
    assert!(n >= 1);
}

#[test]
fn a_cluster_of_each_provider_scaffolds_fills_checks_and_builds() {
    let (scratch, fleet) = example_fleet("new-cluster");
    for provider in ["gcp", "aws", "azure", "kubeconfig"] {
        let name = format!("new-{provider}");
        let (code, _, stderr) = run(&fleet, &["new", "cluster", &name, "--provider", provider]);
        assert_eq!(code, 0, "{provider}: {stderr}");
        // Laid out as the fleet's clusters are.
        let path = fleet.join("clusters").join(&name).join("cluster.hub");
        let text = std::fs::read_to_string(&path).expect("the scaffold");
        assert!(text.contains(&format!("provider = {provider}")), "{text}");
        let (code, found) = codes(&fleet);
        assert_eq!(code, 1);
        assert!(
            found.iter().all(|code| code == "hub::resolve::placeholder"),
            "{found:?}"
        );
        std::fs::write(&path, filled(&text)).expect("filled in");
        let (code, _, stderr) = run(&fleet, &["check", "."]);
        assert_eq!(code, 0, "{provider}: {stderr}\n{}", filled(&text));
        // A community on it builds, with the cluster's files.
        let (code, _, stderr) = run(
            &fleet,
            &[
                "new",
                "community",
                "hub",
                "--archetype",
                "course",
                "--cluster",
                &name,
            ],
        );
        assert_eq!(code, 0, "{stderr}");
        let community = fleet.join("clusters").join(&name).join("hub.hub");
        let text = std::fs::read_to_string(&community).expect("the community");
        std::fs::write(&community, filled(&text)).expect("filled in");
        let out = scratch.join(&format!("out-{provider}"));
        let (code, _, stderr) = run(&fleet, &["build", ".", "-o", out.to_str().unwrap()]);
        assert_eq!(code, 0, "{provider}: {stderr}");
        let built = common::files_under(&out);
        assert!(
            built
                .iter()
                .any(|file| file.to_string_lossy().contains(&name)),
            "{provider}: {built:?}"
        );
    }
}

#[test]
fn what_new_refuses_it_refuses_with_a_code_and_writes_nothing() {
    let (_scratch, fleet) = example_fleet("new-refused");
    let before = common::file_tree(&fleet);
    let community = |name: &str, archetype: &str, cluster: &str| {
        vec![
            "new".to_string(),
            "community".to_string(),
            name.to_string(),
            "--archetype".to_string(),
            archetype.to_string(),
            "--cluster".to_string(),
            cluster.to_string(),
        ]
    };
    let cases: Vec<(Vec<String>, &str, &str)> = vec![
        (
            community("a/b", "course", "temple"),
            "hub::cli::invalid_name",
            "not a file name",
        ),
        (
            community("..", "course", "temple"),
            "hub::cli::invalid_name",
            "not a file name",
        ),
        (
            community(&"x".repeat(64), "course", "temple"),
            "hub::cli::invalid_name",
            "63",
        ),
        (
            community("new", "cours", "temple"),
            "hub::cli::unknown_archetype",
            "did you mean `course`?",
        ),
        (
            community("new", "course", "tempel"),
            "hub::cli::unknown_cluster",
            "did you mean `temple`?",
        ),
        (
            community("prod", "course", "temple"),
            "hub::cli::duplicate_community",
            "temple/prod",
        ),
        (
            [
                community("new", "course", "temple"),
                vec!["-o".into(), "platform.hub".into()],
            ]
            .concat(),
            "hub::cli::file_exists",
            "never overwrites",
        ),
        (
            // A file where the new file's directory must be: a failure to write, not a file
            // that exists.
            [
                community("new", "course", "temple"),
                vec!["-o".into(), "platform.hub/new.hub".into()],
            ]
            .concat(),
            "hub::io::write_failed",
            "`platform.hub` is not a directory",
        ),
        (
            ["new", "cluster", "temple", "--provider", "aws"]
                .map(String::from)
                .to_vec(),
            "hub::cli::duplicate_cluster",
            "already has a cluster `temple`",
        ),
        (
            ["new", "cluster", "x", "--provider", "gpc"]
                .map(String::from)
                .to_vec(),
            "hub::cli::unknown_provider",
            "did you mean `gcp`?",
        ),
        (
            ["new", "cluster", "a b", "--provider", "gcp"]
                .map(String::from)
                .to_vec(),
            "hub::cli::invalid_name",
            "not a file name",
        ),
    ];
    for (args, code, said) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (exit, _, stderr) = run(&fleet, &args);
        assert_eq!(exit, 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with(code), "{args:?}: {stderr}");
        assert!(stderr.contains(said), "{args:?}: {stderr}");
        assert_eq!(
            common::file_tree(&fleet),
            before,
            "{args:?} wrote something"
        );
    }
}

#[test]
fn a_placeholder_is_an_error_until_it_is_filled_and_stands_for_any_type() {
    let (scratch, fleet) = example_fleet("placeholder");
    let staging = fleet.join("clusters/temple/staging.hub");
    let text = std::fs::read_to_string(&staging).expect("staging");
    // In a property, a string, a quantity with bounds, a struct and a list element.
    let edited = text
        .replace("domain = \"staging.temple.2i2c.cloud\"", "domain = todo(\"the domain\")")
        .replace(
            "  nfs.pv.serverIP",
            "  jupyterhub.singleuser.memory.limit = todo(\"a memory\")\n  jupyterhub.custom.homepage.templateVars.org = todo(\"an org\")\n  jupyterhub.singleuser.profileList = [todo(\"a profile\")]\n  nfs.pv.serverIP",
        );
    std::fs::write(&staging, edited).expect("edited");
    let (code, found) = codes(&fleet);
    assert_eq!(code, 1);
    assert_eq!(
        found,
        vec!["hub::resolve::placeholder"; 4],
        "nothing but the placeholders"
    );
    let (_, _, stderr) = run(&fleet, &["check", "."]);
    assert!(
        stderr.contains("a value still to be written: the domain"),
        "{stderr}"
    );
    let out = scratch.join("out");
    let (code, _, stderr) = run(&fleet, &["build", ".", "-o", out.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("build failed: nothing was written"),
        "{stderr}"
    );
    assert!(!out.exists());
    // `todo` takes one string.
    std::fs::write(
        &staging,
        text.replace("domain = \"staging.temple.2i2c.cloud\"", "domain = todo()"),
    )
    .expect("edited");
    let (_, found) = codes(&fleet);
    assert!(
        found.contains(&"hub::resolve::bad_arguments".to_string()),
        "{found:?}"
    );
}
