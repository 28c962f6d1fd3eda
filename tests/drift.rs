//! `hubc drift` end to end: the text and Markdown reports of the bundled fleets (snapshots), the
//! JSON report of the imported corpus (a stable summary), `--check` exit codes, and the JSON
//! fields against `lang/drift.md`. The HTML page has its own tests, in `tests/drift_html.rs`.

#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;

use std::collections::BTreeSet;
use std::fmt::Write as _;

use common::TempDir;
use common::drift_page::{assert_self_contained, report, run, stderr, stdout};
use hubc::report::drift;
use serde_json::Value;

#[test]
fn the_example_fleet_as_text() {
    insta::assert_snapshot!("fleet_text", report("examples/fleet", "text"));
}

#[test]
fn the_example_fleet_as_markdown() {
    insta::assert_snapshot!("fleet_markdown", report("examples/fleet", "markdown"));
}

#[test]
fn the_drifting_fleet_as_text() {
    insta::assert_snapshot!("drifting_text", report("examples/drifting", "text"));
}

#[test]
fn the_drifting_fleet_as_markdown() {
    insta::assert_snapshot!("drifting_markdown", report("examples/drifting", "markdown"));
}

#[test]
fn text_is_the_default_format() {
    assert_eq!(
        report("examples/drifting", "human"),
        report("examples/drifting", "text")
    );
    let output = run(&["drift", "examples/drifting"]);
    assert_eq!(stdout(&output), report("examples/drifting", "text"));
}

#[test]
fn check_passes_on_the_example_fleet() {
    let output = run(&["drift", "examples/fleet", "--check"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("`hubc drift --check` passes"));
}

#[test]
fn check_fails_on_the_drifting_fleet() {
    let output = run(&["drift", "examples/drifting", "--check"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    // The report is still printed, and stderr says why the check failed.
    assert!(stdout(&output).contains("campus/bio-lab"));
    assert_eq!(
        stderr(&output),
        "drift check failed: 1 over budget, 1 expired, 3 violations\n"
    );
    // Without `--check`, the same report exits 0.
    assert_eq!(run(&["drift", "examples/drifting"]).status.code(), Some(0));
}

#[test]
fn check_fails_on_each_kind_of_problem_alone() {
    let directory = TempDir::new("problems");
    let platform = "import std.basehub\n\nplatform p {\n  chart = \"basehub\"\n  \
                    jupyterhub.cull.timeout = 1h\n}\n\narchetype a extends p {\n  \
                    locked jupyterhub.cull.timeout\n  budget bespoke <= 1\n}\n\n\
                    cluster \"c\" {\n  provider = gcp { project = \"p\", region = \"r\", \
                    zone = \"z\", key = \"k.secret.json\", cluster = \"c\" }\n}\n";
    let cases = [
        ("clean", "jupyterhub.hub.allowNamedServers = true", 0),
        (
            "over_budget",
            "jupyterhub.hub.allowNamedServers = true\n  jupyterhub.hub.concurrentSpawnLimit = 10",
            1,
        ),
        (
            "expired",
            "@expires(2026-01-01)\n  jupyterhub.hub.allowNamedServers = true",
            1,
        ),
        ("violation", "jupyterhub.cull.timeout = 2h", 1),
    ];
    for (name, body, expected) in cases {
        let fleet = directory.join(name);
        directory.write(&format!("{name}/platform.hub"), platform);
        directory.write(
            &format!("{name}/hub.hub"),
            format!(
                "community \"h\" : a {{\n  cluster = c\n  domain = \"h.example.org\"\n  \
                 display_name = \"H\"\n  {body}\n}}\n"
            ),
        );
        let output = run(&["drift", &fleet.display().to_string(), "--check"]);
        assert_eq!(
            output.status.code(),
            Some(expected),
            "{name}:\n{}{}",
            stdout(&output),
            stderr(&output)
        );
        // Policy problems are the report's subject: it is printed whatever the check says.
        assert!(
            stdout(&output).contains("c/h"),
            "{name}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn a_fleet_with_errors_is_not_reported() {
    let directory = TempDir::new("broken");
    directory.write("broken.hub", "community \"x\" : nowhere {\n");
    let output = run(&["drift", &directory.path().display().to_string()]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    assert!(stderr(&output).contains("drift: the fleet has errors; fix them first"));
}

/// Every key of `value`, at any depth.
fn keys(value: &Value, found: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                found.insert(key.clone());
                keys(value, found);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| keys(item, found)),
        _ => {}
    }
}

#[test]
fn every_json_field_is_documented_in_lang() {
    let documentation = std::fs::read_to_string(common::root().join("lang/drift.md"))
        .expect("lang/drift.md is there");
    let mut found = BTreeSet::new();
    for fleet in ["examples/fleet", "examples/drifting"] {
        let json: Value = serde_json::from_str(&report(fleet, "json")).expect("the report is JSON");
        assert_eq!(json["schema_version"], drift::SCHEMA_VERSION);
        keys(&json, &mut found);
    }
    let missing: Vec<&String> = found
        .iter()
        .filter(|key| !documentation.contains(&format!("`{key}`")))
        .collect();
    assert!(missing.is_empty(), "not in lang/drift.md: {missing:?}");
    // The example in the documentation is what `hubc drift` prints, trimmed of whole entries.
    let example = documentation
        .split("```json\n")
        .last()
        .and_then(|rest| rest.split("\n```").next())
        .expect("lang/drift.md ends with a JSON example");
    let example: Value = serde_json::from_str(example).expect("the example is JSON");
    let actual: Value =
        serde_json::from_str(&report("examples/drifting", "json")).expect("the report is JSON");
    assert_eq!(example["totals"], actual["totals"]);
    assert_eq!(example["by_archetype"], actual["by_archetype"]);
    assert_eq!(example["redundant"], actual["redundant"]);
    for community in example["communities"].as_array().expect("communities") {
        let whole = actual["communities"]
            .as_array()
            .expect("communities")
            .iter()
            .find(|c| c["name"] == community["name"])
            .expect("the example's community is in the report");
        for o in community["overrides"].as_array().expect("overrides") {
            assert!(
                whole["overrides"]
                    .as_array()
                    .expect("overrides")
                    .contains(o),
                "{o}"
            );
        }
    }
}

#[test]
fn json_totals_add_up() {
    let json: Value =
        serde_json::from_str(&report("examples/fleet", "json")).expect("the report is JSON");
    let communities = json["communities"].as_array().expect("communities");
    for class in ["tuned", "bespoke", "redundant", "expired", "violations"] {
        let sum: u64 = communities.iter().map(|c| c[class].as_u64().unwrap()).sum();
        assert_eq!(json["totals"][class].as_u64(), Some(sum), "{class}");
    }
    assert_eq!(
        json["totals"]["communities"].as_u64(),
        Some(communities.len() as u64)
    );
}

#[test]
fn promote_at_sets_the_threshold() {
    let two: Value = serde_json::from_str(&stdout(&run(&[
        "drift",
        "examples/fleet",
        "--format",
        "json",
        "--promote-at",
        "5",
    ])))
    .expect("the report is JSON");
    assert_eq!(two["promotion_threshold"], 5);
    let candidates = two["promotion_candidates"].as_array().expect("candidates");
    assert!(!candidates.is_empty());
    assert!(
        candidates
            .iter()
            .all(|c| c["communities"].as_array().unwrap().len() >= 5)
    );
}

/// Imports `../shared/corpus/2i2c` into `directory/fleet`.
fn import_corpus(directory: &TempDir) -> Option<String> {
    let corpus = common::corpus()?;
    let fleet = directory.join("fleet").display().to_string();
    let output = run(&[
        "import",
        &corpus.join("2i2c").display().to_string(),
        "-o",
        &fleet,
    ]);
    assert!(output.status.success(), "import: {}", stderr(&output));
    Some(fleet)
}

#[cfg_attr(hubc_no_corpus, ignore = "../shared/corpus is missing")]
#[test]
fn the_imported_corpus_reports_its_drift() {
    let directory = TempDir::new("corpus");
    let Some(fleet) = import_corpus(&directory) else {
        return;
    };
    let output = run(&["drift", &fleet, "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: Value = serde_json::from_str(&stdout(&output)).expect("the report is JSON");

    // Every hub is placed (tests/import_standard.rs measures how well); tuned, bespoke and
    // identity values all show.
    let totals = &json["totals"];
    assert_eq!(totals["communities"], 127);
    for class in ["tuned", "bespoke", "identity"] {
        assert!(totals[class].as_u64().unwrap() > 0, "{totals}");
    }

    // The shared needs show: the same profile list in several hubs, the same homepage credits.
    let candidates = json["promotion_candidates"].as_array().expect("candidates");
    let profile_lists: Vec<&Value> = candidates
        .iter()
        .filter(|c| c["path"] == "jupyterhub.singleuser.profileList")
        .filter(|c| c["value"].as_str().is_some_and(|v| v.starts_with("[{")))
        .collect();
    assert!(
        !profile_lists.is_empty(),
        "no shared profile list among the candidates"
    );
    assert!(
        profile_lists
            .iter()
            .all(|c| c["communities"].as_array().unwrap().len() >= 3)
    );

    // A summary that does not depend on where the fleet was imported.
    let mut summary = String::new();
    let _ = writeln!(summary, "totals: {totals}");
    for archetype in json["by_archetype"].as_array().expect("archetypes") {
        let mut counts = archetype.clone();
        let paths = counts
            .as_object_mut()
            .and_then(|fields| fields.remove("most_overridden"))
            .expect("most_overridden");
        let _ = writeln!(summary, "archetype: {counts}");
        for path in paths.as_array().expect("paths").iter().take(3) {
            let _ = writeln!(
                summary,
                "  {:>3} {}",
                path["communities"].as_u64().unwrap(),
                path["path"].as_str().unwrap()
            );
        }
    }
    let _ = writeln!(summary, "\nmost overridden:");
    for path in json["most_overridden"].as_array().expect("paths") {
        let _ = writeln!(
            summary,
            "  {:>3} {}",
            path["communities"].as_u64().unwrap(),
            path["path"].as_str().unwrap()
        );
    }
    let _ = writeln!(
        summary,
        "\npromotion candidates: {} (the first 15)",
        candidates.len()
    );
    for candidate in candidates.iter().take(15) {
        let value = candidate["value"].as_str().unwrap();
        let value: String = value.chars().take(60).collect();
        let _ = writeln!(
            summary,
            "  {:>3} {} = {value}",
            candidate["communities"].as_array().unwrap().len(),
            candidate["path"].as_str().unwrap()
        );
        let edit = &candidate["edit"];
        let _ = writeln!(
            summary,
            "      {} {} {}{}: delete {}, rewrite {}; {} more would inherit it",
            if edit["replace_at"].is_null() {
                "add to"
            } else {
                "set in"
            },
            edit["add_to"]["kind"].as_str().unwrap(),
            edit["add_to"]["name"].as_str().unwrap(),
            if edit["statement"]
                .as_str()
                .unwrap()
                .starts_with(candidate["path"].as_str().unwrap())
            {
                ""
            } else {
                " (a statement of another path!)"
            },
            edit["delete_at"].as_array().unwrap().len(),
            edit["rewrite_at"].as_array().unwrap().len(),
            edit["newly_inheriting"],
        );
    }
    let _ = writeln!(summary, "\nshared profile lists:");
    for candidate in &profile_lists {
        let _ = writeln!(
            summary,
            "  {}",
            candidate["communities"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let _ = writeln!(summary, "\nredundant:");
    for redundant in json["redundant"].as_array().expect("redundant") {
        let _ = writeln!(
            summary,
            "  {}: delete {}",
            redundant["community"].as_str().unwrap(),
            redundant["statement"].as_str().unwrap(),
        );
    }
    insta::assert_snapshot!("corpus_summary", summary);

    // The other formats of a large fleet: the comment fits GitHub's limit, the page stands alone.
    let markdown = report(&fleet, "markdown");
    assert!(markdown.len() < 65_536, "{} characters", markdown.len());
    assert!(markdown.contains("are left out to fit a comment"));
    let text = report(&fleet, "text");
    assert!(text.contains("promotion candidates"));
    assert_self_contained(&report(&fleet, "html"));
}
