//! `hubc drift` end to end: the text and Markdown reports of the bundled fleets (snapshots), the
//! JSON report of the imported corpus (a stable summary), `--check` exit codes, the JSON fields
//! against `lang/drift.md`, and the HTML page: self-contained, escaped, and rendered by headless
//! Chromium (`tests/drift_html.sh`).

mod common;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::process::Output;

use common::TempDir;
use hubc::report::drift::{self, DriftReport};
use serde_json::Value;

/// Runs `hubc` from the project root, so that places read `examples/...` on every machine.
fn run(arguments: &[&str]) -> Output {
    common::hubc()
        .current_dir(common::root())
        .args(["--color", "never", "--today", "2026-11-26"])
        .args(arguments)
        .output()
        .expect("hubc runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The report of `fleet` in `format`, which must succeed.
fn report(fleet: &str, format: &str) -> String {
    let output = run(&["drift", fleet, "--format", format]);
    assert!(
        output.status.success(),
        "hubc drift {fleet} --format {format} failed:\n{}",
        stderr(&output)
    );
    stdout(&output)
}

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
        let _ = writeln!(summary, "archetype: {archetype}");
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
            "  {} {} = {}",
            redundant["community"].as_str().unwrap(),
            redundant["path"].as_str().unwrap(),
            redundant["value"].as_str().unwrap_or("(deleted)")
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

/// The tags of `html`, without their `<` and `>`. Text is escaped, so every raw `<` opens a tag.
fn tags(html: &str) -> Vec<&str> {
    html.split('<')
        .skip(1)
        .map(|rest| rest.split('>').next().unwrap_or(rest))
        .collect()
}

/// The name of a tag and its attributes, `(name, value)`, values quoted or not.
fn parse_tag(tag: &str) -> (String, Vec<(String, String)>) {
    let tag = tag.trim_end_matches('/');
    let name_end = tag.find(char::is_whitespace).unwrap_or(tag.len());
    let name = tag[..name_end].to_ascii_lowercase();
    let mut attributes = Vec::new();
    let mut rest = &tag[name_end..];
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        let end = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(rest.len());
        let attribute = rest[..end].to_ascii_lowercase();
        rest = &rest[end..];
        let value = if let Some(after) = rest.strip_prefix('=') {
            match after.chars().next() {
                Some(quote @ ('"' | '\'')) => {
                    let inner = &after[1..];
                    let close = inner.find(quote).expect("a closed attribute value");
                    rest = &inner[close + 1..];
                    inner[..close].to_string()
                }
                _ => {
                    let end = after.find(char::is_whitespace).unwrap_or(after.len());
                    rest = &after[end..];
                    after[..end].to_string()
                }
            }
        } else {
            String::new()
        };
        attributes.push((attribute, value));
    }
    (name, attributes)
}

/// An HTML page that loads nothing: no script, no element that fetches, no reference that leaves
/// the page, in its tags or in its CSS.
fn assert_self_contained(html: &str) {
    assert!(html.starts_with("<!DOCTYPE html>\n"));
    assert!(html.ends_with("</html>\n"));
    assert!(html.contains("<meta charset=\"utf-8\">"));
    assert!(html.contains("<svg"));
    let mut css = String::new();
    for tag in tags(html) {
        // Not even a comment: nothing to hide a reference in.
        assert!(!tag.starts_with("!--"), "the page has a comment");
        if tag.starts_with('!') || tag.starts_with('/') {
            continue;
        }
        let (name, attributes) = parse_tag(tag);
        assert!(
            !matches!(
                name.as_str(),
                "script"
                    | "link"
                    | "img"
                    | "iframe"
                    | "object"
                    | "embed"
                    | "base"
                    | "image"
                    | "use"
                    | "video"
                    | "audio"
                    | "source"
                    | "form"
            ),
            "the page has a `<{name}>`"
        );
        for (attribute, value) in attributes {
            match attribute.as_str() {
                "src" | "href" | "xlink:href" | "action" | "srcset" | "poster" | "data" => {
                    assert!(
                        value.starts_with('#'),
                        "`{attribute}={value}` leaves the page"
                    );
                }
                "style" => css.push_str(&value),
                _ => {}
            }
        }
    }
    let style = html
        .split("<style>")
        .nth(1)
        .and_then(|rest| rest.split("</style>").next())
        .expect("the page has its style inline");
    css.push_str(style);
    let css = css.to_ascii_lowercase();
    for forbidden in ["url(", "@import", "@font-face", "http:", "https:", "//"] {
        assert!(!css.contains(forbidden), "the CSS has `{forbidden}`");
    }
}

#[test]
fn the_html_report_stands_alone() {
    for fleet in ["examples/fleet", "examples/drifting"] {
        let html = report(fleet, "html");
        assert_self_contained(&html);
        // Three charts: bespoke per community, the most overridden paths, drift by archetype.
        assert_eq!(html.matches("<svg").count(), 3, "{fleet}");
        for section in ["chart-bespoke", "chart-paths", "chart-archetypes"] {
            assert!(html.contains(&format!("id=\"{section}\"")), "{fleet}");
        }
        // A table for each community, linked from the summary.
        let json: Value = serde_json::from_str(&report(fleet, "json")).unwrap();
        for community in json["communities"].as_array().unwrap() {
            let name = community["name"].as_str().unwrap();
            assert!(html.contains(&format!("<code>{name}</code>")), "{name}");
        }
        // Deterministic: no clock in it.
        assert_eq!(html, report(fleet, "html"));
    }
    let html = report("examples/drifting", "html");
    assert!(html.contains("hubc drift --check fails for 4 communities"));
    assert!(html.contains("over budget"));
}

/// A report whose every piece of text tries to break out of its format.
fn hostile_report() -> DriftReport {
    let mut report = drift::DriftReport {
        schema_version: drift::SCHEMA_VERSION,
        today: "2026-11-26".into(),
        totals: drift::Totals {
            communities: 1,
            bespoke: 1,
            ..Default::default()
        },
        communities: vec![drift::CommunityReport {
            name: "c/<b>x</b>".into(),
            archetype: Some("a&b".into()),
            mixins: vec!["m\"q".into()],
            tuned: 0,
            bespoke: 1,
            identity: 0,
            redundant: 0,
            expired: 0,
            violations: 0,
            inherited: 3,
            budget: Some(2),
            over_budget: false,
            overrides: vec![drift::OverrideReport {
                path: "jupyterhub.hub.extraConfig.\"a|b\"".into(),
                class: "bespoke".into(),
                inherited: None,
                value: Some("\"<script>alert(1)</script> `tick` | pipe\"".into()),
                appends: false,
                reason: Some("see <a href=\"https://example.org\">this</a> *now*".into()),
                ticket: Some("org/repo#1".into()),
                expires: None,
                place: "x.hub:1:1".into(),
                mixin: Some("m\"q".into()),
            }],
        }],
        by_archetype: vec![],
        most_overridden: vec![],
        promotion_candidates: vec![],
        promotion_threshold: 3,
        redundant: vec![],
    };
    report.by_archetype.push(drift::ArchetypeReport {
        archetype: "a&b".into(),
        communities: 1,
        tuned: 0,
        bespoke: 1,
        over_budget: 0,
    });
    report
}

#[test]
fn html_escapes_every_text() {
    let html = drift::html(&hostile_report());
    assert_self_contained(&html);
    assert!(!html.contains("<script>"));
    assert!(!html.contains("<b>x</b>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("c/&lt;b&gt;x&lt;/b&gt;"));
    assert!(html.contains("a&amp;b"));
    assert!(html.contains("m&quot;q"));
}

#[test]
fn markdown_keeps_text_as_written() {
    let markdown = drift::markdown(&hostile_report());
    // HTML outside code spans is escaped; inside them GitHub shows it as written.
    assert!(!markdown.contains("<a href"));
    // A value with a backtick gets a longer fence; a `|` in a table cell is escaped.
    assert!(markdown.contains("``\"<script>alert(1)</script> `tick` | pipe\"``"));
    assert!(markdown.contains("`c/<b>x</b>`"));
    assert!(
        markdown.contains("see &lt;a href=\"https://example.org\"&gt;this&lt;/a&gt; \\*now\\*")
    );
    // Ticket references stay references.
    assert!(markdown.contains("ticket org/repo#1"));
    // The table row of the community escapes nothing inside its code span but `|`.
    assert!(markdown.contains("| `c/<b>x</b>` | `a&b` |"));
}

#[test]
fn the_html_report_renders_in_headless_chromium() {
    let directory = TempDir::new("chromium");
    let output = std::process::Command::new("bash")
        .arg(common::root().join("tests/drift_html.sh"))
        .arg(env!("CARGO_BIN_EXE_hubc"))
        .arg(directory.path())
        .current_dir(common::root())
        .output()
        .expect("bash runs");
    let said = format!("{}{}", stdout(&output), stderr(&output));
    assert!(
        output.status.success(),
        "tests/drift_html.sh failed:\n{said}"
    );
    eprint!("{said}");
}

#[test]
fn the_self_containment_check_catches_what_would_load() {
    let page = report("examples/drifting", "html");
    for bad in [
        "<img src=\"https://example.org/x.png\">",
        "<link rel=\"stylesheet\" href=\"https://example.org/x.css\">",
        "<a href=\"https://example.org\">x</a>",
        "<div style=\"background: url(https://example.org/x.png)\"></div>",
        "<script>fetch('x')</script>",
        "<!-- https://example.org -->",
    ] {
        let broken = page.replace("<main>", &format!("<main>{bad}"));
        let caught = std::panic::catch_unwind(|| assert_self_contained(&broken)).is_err();
        assert!(caught, "not caught: {bad}");
    }
    let broken = page.replace("</style>", "@import 'https://example.org/x.css';</style>");
    assert!(std::panic::catch_unwind(|| assert_self_contained(&broken)).is_err());
}
