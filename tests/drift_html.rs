//! The HTML drift report end to end: the page stands alone (its one script inline, its data
//! unable to close its element), every text is escaped (and Markdown keeps text as written), a
//! fleet of 1,000 communities gives a page under 1 MB, and headless Chromium draws it
//! (`tests/drift_html.sh`).

#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;

use common::TempDir;
use common::drift_page::{assert_self_contained, page_data, page_names, report, stderr, stdout};
use hubc::report::drift::{self, DriftReport};
use hubc::report::drift::{html as drift_html, markdown as drift_markdown};
use serde_json::Value;

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
        // Every community is in the page's data, in the order of the report.
        let json: Value = serde_json::from_str(&report(fleet, "json")).unwrap();
        let names: Vec<&str> = json["communities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(page_names(&html), names, "{fleet}");
        // Each promotion edit and each redundant override to delete is in the page.
        for candidate in json["promotion_candidates"].as_array().unwrap() {
            let target = &candidate["edit"]["add_to"];
            assert!(html.contains(&format!(
                "<code>{}</code>",
                target["name"].as_str().unwrap()
            )));
        }
        for redundant in json["redundant"].as_array().unwrap() {
            let place = redundant["place"].as_str().unwrap();
            assert!(html.contains(&format!("delete <span class=\"where mono\">{place}</span>")));
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
        most_overridden: vec![drift::PathCount {
            path: "jupyterhub.hub.extraConfig.\"<i>|</i>\"".into(),
            communities: 1,
            tuned: 0,
            bespoke: 1,
        }],
    });
    report.promotion_candidates.push(drift::Candidate {
        path: "jupyterhub.hub.extraConfig.\"a|b\"".into(),
        value: "\"<script>alert(2)</script>\"".into(),
        communities: vec!["c/<b>x</b>".into()],
        class: "bespoke".into(),
        edit: drift::Edit {
            add_to: Some(drift::Target {
                kind: "archetype".into(),
                name: "a&b".into(),
                place: "<zp>.hub:1:1".into(),
            }),
            replace_at: Some("<zp>.hub:2:1".into()),
            statement: "jupyterhub.hub.extraConfig.\"a|b\" = \"<script>alert(2)</script>\"".into(),
            delete_at: vec!["<zx>.hub:1:1".into()],
            rewrite_at: vec![],
            newly_inheriting: 1,
        },
    });
    report.redundant.push(drift::Located {
        community: "c/<b>x</b>".into(),
        path: "p".into(),
        value: Some("\"<zem>\"".into()),
        place: "<zy>.hub:3:1".into(),
        statement: "p = \"<zem>\"".into(),
    });
    report
}

#[test]
fn html_escapes_every_text() {
    let html = drift_html::render(&hostile_report());
    assert_self_contained(&html);
    for raw in [
        "<script>alert",
        "<b>x</b>",
        "<i>|</i>",
        "<zp>",
        "<zx>",
        "<zy>",
        "<zem>",
    ] {
        assert!(!html.contains(raw), "{raw}");
    }
    assert!(html.contains("&lt;script&gt;alert(2)&lt;/script&gt;"));
    assert!(html.contains("c/&lt;b&gt;x&lt;/b&gt;"));
    assert!(html.contains("a&amp;b"));
    assert!(html.contains("&lt;zp&gt;.hub:2:1"));
    assert!(html.contains("&lt;zy&gt;.hub:3:1"));
    // In the data, text is escaped for JSON, and comes back whole.
    let data = page_data(&html);
    let strings: Vec<&str> = data["strings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    for text in [
        "c/<b>x</b>",
        "m\"q",
        "\"<script>alert(1)</script> `tick` | pipe\"",
    ] {
        assert!(strings.contains(&text), "{text}");
    }
    assert_eq!(page_names(&html), ["c/<b>x</b>"]);
}

#[test]
fn markdown_keeps_text_as_written() {
    let markdown = drift_markdown::render(&hostile_report());
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
    // Inside HTML tags, where Markdown is not read, text is escaped as HTML.
    assert!(markdown.contains("<summary><code>a&amp;b</code>"));
    assert!(markdown.contains("| `jupyterhub.hub.extraConfig.\"<i>\\|</i>\"` |"));
    // The edits keep their text as written, in code spans.
    assert!(markdown.contains("`<zp>.hub:2:1`"));
    assert!(markdown.contains("delete `<zy>.hub:3:1`: `p = \"<zem>\"`"));
}

/// Runs `tests/drift_html.sh` on `fleet`: Chromium, with the network off, draws the page and its
/// script lists the communities.
fn render_in_chromium(fleet: &str, test_name: &str) {
    let directory = TempDir::new(test_name);
    let output = std::process::Command::new("bash")
        .arg(common::root().join("tests/drift_html.sh"))
        .arg(env!("CARGO_BIN_EXE_hubc"))
        .arg(directory.path())
        .arg(fleet)
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

#[cfg_attr(hubc_no_chromium, ignore = "chromium is not installed")]
#[test]
fn the_html_report_renders_in_headless_chromium() {
    render_in_chromium("examples/drifting", "chromium");
}

/// A fleet of 1,000 communities with mixins, eight more settings each and many shared values:
/// the page stays under 1 MB, lists every community, and Chromium draws it. How long it takes is
/// measured by `cargo bench --bench drift_html`, not here.
#[cfg_attr(hubc_no_chromium, ignore = "chromium is not installed")]
#[test]
fn a_fleet_of_a_thousand_communities_gives_a_page_under_a_megabyte() {
    let directory = TempDir::new("thousand");
    let mut spec = common::fleet::Spec::new(1_000, 20);
    spec.extra_settings = 8;
    for (name, text) in common::fleet::generate(&spec) {
        directory.write(&name, text);
    }
    let fleet = directory.path().display().to_string();
    let html = report(&fleet, "html");
    assert!(html.len() < 1_000_000, "{} bytes", html.len());
    assert_self_contained(&html);
    let json: Value = serde_json::from_str(&report(&fleet, "json")).expect("the report is JSON");
    assert_eq!(json["totals"]["communities"], 1_000);
    assert!(json["promotion_candidates"].as_array().unwrap().len() > 100);
    assert_eq!(page_names(&html).len(), 1_000);
    // Only the first page of communities is drawn; the rest wait in the data.
    assert!(!html.contains("<details class=\"community\""));
    render_in_chromium(&fleet, "thousand-chromium");
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
