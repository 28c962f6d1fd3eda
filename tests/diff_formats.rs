//! The renderers of `hubc diff`, through the real binary, over generated fleets (a property test
//! over changes of every kind, and one fleet of thousands of communities), the example fleet and
//! the real corpus. The Markdown comment is read by a real CommonMark parser (pulldown-cmark,
//! with GitHub's tables): every table, list and heading renders as one, the only HTML is
//! `<details>` and `<summary>`, it stays under GitHub's limit on a comment whatever changes, and
//! every section the report has something for is there. A community that changes archetype is
//! reported as such in every format.

#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;

use std::ops::Range;
use std::path::Path;

use common::fleet::{Spec, generate};
use common::{TempDir, copy_dir, run};
use proptest::prelude::*;
use pulldown_cmark::{Event, Options, Parser, Tag};
use serde_json::Value as Json;

/// GitHub's limit on the body of a comment, in characters.
const LIMIT: usize = 65_536;

/// Writes the files of a fleet under `directory`.
fn write_fleet(directory: &Path, files: &[(String, String)]) {
    for (name, text) in files {
        let path = directory.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// The diff of two generated fleets in `format`: the exit code and stdout.
fn diff_of(dir: &TempDir, base: &Spec, head: &Spec, format: &str) -> (i32, String) {
    write_fleet(&dir.join("base"), &generate(base));
    write_fleet(&dir.join("fleet"), &generate(head));
    diff_in(dir.path(), format)
}

/// `hubc diff --base base fleet --format FORMAT` in `directory`: the exit code and stdout.
fn diff_in(directory: &Path, format: &str) -> (i32, String) {
    let (code, stdout, stderr) = run(
        directory,
        &["diff", "--base", "base", "fleet", "--format", format],
    );
    assert!(code == 0 || code == 2, "exit {code}: {stderr}");
    (code, stdout)
}

/// What a CommonMark reader saw in a comment.
struct Rendered {
    /// The text of every code span.
    code: Vec<String>,
}

/// Reads `markdown` as GitHub does (CommonMark with tables) and checks that it reads as
/// written: each line that starts a table row, a list item or a heading is one, every table
/// delimiter row makes a table, `<details>` blocks are balanced and are the only HTML, and the
/// whole is under GitHub's limit.
fn read_commonmark(markdown: &str) -> Rendered {
    assert!(
        markdown.len() <= LIMIT && markdown.chars().count() <= LIMIT,
        "{} bytes",
        markdown.len()
    );
    let mut tables: Vec<Range<usize>> = Vec::new();
    let mut items: Vec<Range<usize>> = Vec::new();
    let mut headings: Vec<Range<usize>> = Vec::new();
    let mut code = Vec::new();
    let (mut opened, mut closed) = (0, 0);
    for (event, range) in Parser::new_ext(markdown, Options::ENABLE_TABLES).into_offset_iter() {
        match event {
            Event::Start(Tag::Table(_)) => tables.push(range),
            Event::Start(Tag::Item) => items.push(range),
            Event::Start(Tag::Heading { .. }) => headings.push(range),
            Event::Code(text) => code.push(text.to_string()),
            Event::InlineHtml(html) => panic!("inline HTML `{html}` in\n{markdown}"),
            Event::Html(html) => {
                let html = html.trim_end();
                let rest = html
                    .replace("<details>", "")
                    .replace("</details>", "")
                    .replace("<summary>", "")
                    .replace("</summary>", "");
                assert!(
                    !rest.contains('<') && (html.starts_with("<details>") || html == "</details>"),
                    "HTML other than <details> and <summary>: `{html}` in\n{markdown}"
                );
                opened += html.matches("<details>").count();
                closed += html.matches("</details>").count();
            }
            _ => {}
        }
    }
    assert_eq!(opened, closed, "unbalanced <details> in\n{markdown}");
    let within = |ranges: &[Range<usize>], at: usize| ranges.iter().any(|r| r.contains(&at));
    let mut at = 0;
    let mut delimiter_rows = 0;
    for line in markdown.split_inclusive('\n') {
        if line.starts_with('|') {
            assert!(
                within(&tables, at),
                "not in a table: `{line}` in\n{markdown}"
            );
        }
        if line.starts_with("- ") {
            assert!(
                within(&items, at),
                "not a list item: `{line}` in\n{markdown}"
            );
        }
        if line.starts_with('#') {
            assert!(
                within(&headings, at),
                "not a heading: `{line}` in\n{markdown}"
            );
        }
        if line.starts_with("| --- |") {
            delimiter_rows += 1;
        }
        at += line.len();
    }
    assert_eq!(
        delimiter_rows,
        tables.len(),
        "a table did not render in\n{markdown}"
    );
    Rendered { code }
}

/// Checks that the comment has a section for everything in the JSON report, and that it says
/// how to see everything when it left something out.
fn assert_sections(markdown: &str, report: &Json) {
    let sections = [
        ("stale_overrides", "### \u{26a0}\u{fe0f} Stale overrides"),
        ("declarations", "### Blast radius"),
        ("secrets", "### Secret files"),
        ("files", "### Files"),
    ];
    for (field, heading) in sections {
        let expected = !report[field].as_array().unwrap().is_empty();
        assert_eq!(
            markdown.contains(heading),
            expected,
            "{heading}:\n{markdown}"
        );
    }
    let drift = &report["drift"];
    let moved = !drift["archetype_changes"].as_array().unwrap().is_empty();
    assert_eq!(markdown.contains("### Archetype changes"), moved);
    if moved || !drift["bespoke_added"].as_array().unwrap().is_empty() {
        assert!(markdown.contains("### Drift"), "{markdown}");
    }
    if markdown.contains("**Left out**") {
        assert!(
            markdown
                .trim_end()
                .ends_with("or `--format json` for machines."),
            "{markdown}"
        );
        assert!(markdown.contains("--format text"), "{markdown}");
    }
}

fn array(report: &Json, path: &[&str]) -> Vec<Json> {
    let mut value = report;
    for key in path {
        value = &value[key];
    }
    value.as_array().unwrap().clone()
}

/// Text that Markdown, HTML or GitHub would read as something else.
fn awkward() -> impl Strategy<Value = String> {
    "[a-z0-9 |`<>*_@&#!~\\\\\\[\\]\n-]{0,24}"
}

proptest! {
    #![proptest_config(common::proptest_config(16))]

    #[test]
    fn any_change_gives_valid_commonmark_under_the_limit(
        // Mostly small fleets, whose comment shows everything; now and then one whose comment
        // must leave things out.
        (communities, clusters) in (prop_oneof![4 => 0usize..48, 1 => 300usize..800], 1usize..8),
        added in -8i64..8,
        raise_timeout: bool,
        change_gpu: bool,
        course_budget in 1u32..3,
        move_every in prop::option::of(1usize..6),
        extra_every in prop::option::of(1usize..5),
        value in awkward(),
        reason in awkward(),
        distinct: bool,
        secret_every in prop::option::of(1usize..6),
    ) {
        let base = Spec::new(communities, clusters);
        let head = Spec {
            communities: (communities as i64 + added).max(0) as usize,
            cull_timeout: if raise_timeout { 7200 } else { 3600 },
            gpu_capabilities: if change_gpu { "all".into() } else { base.gpu_capabilities.clone() },
            course_budget,
            move_every,
            extra_every,
            extra_value: value.clone(),
            extra_reason: reason,
            distinct,
            secret_every,
            ..base.clone()
        };
        let dir = TempDir::new("diff-formats-any");
        let (code, markdown) = diff_of(&dir, &base, &head, "markdown");
        let (json_code, json) = diff_in(dir.path(), "json");
        let report: Json = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(code, json_code);
        prop_assert_eq!(code == 2, report["changed"] == true);
        let rendered = read_commonmark(&markdown);
        assert_sections(&markdown, &report);
        // Every community that keeps its name and moves is reported as moving, and no other.
        let per_cluster = |spec: &Spec| spec.communities / spec.clusters;
        let both = per_cluster(&base).min(per_cluster(&head));
        let moving = (0..both).filter(|i| move_every.is_some_and(|n| i.is_multiple_of(n))).count();
        let moved = array(&report, &["drift", "archetype_changes"]);
        prop_assert_eq!(moved.len(), moving * clusters);
        // When nothing was left out, the awkward value is there as written, in code.
        let bespoke = array(&report, &["drift", "bespoke_added"]);
        if !markdown.contains("**Left out**") && value.len() < 100 {
            for change in bespoke.iter().filter(|c| c["path"] == "jupyterhub.singleuser.extraEnv.EXTRA") {
                let shown = change["value"].as_str().unwrap();
                prop_assert!(
                    rendered.code.iter().any(|c| c == shown),
                    "`{}` is not in a code span of\n{}", shown, markdown
                );
            }
        }
    }
}

#[test]
fn thousands_of_changed_communities_fit_in_one_comment() {
    let base = Spec::new(3000, 30);
    let head = Spec {
        communities: 3030,
        cull_timeout: 7200,
        gpu_capabilities: "all".to_string(),
        course_budget: 1,
        move_every: Some(3),
        extra_every: Some(1),
        extra_value: "`a | b` <i>".to_string(),
        extra_reason: "- not a list | not a cell".to_string(),
        distinct: true,
        secret_every: Some(2),
        ..base.clone()
    };
    let dir = TempDir::new("diff-formats-thousands");
    let (code, markdown) = diff_of(&dir, &base, &head, "markdown");
    assert_eq!(code, 2);
    let (_, json) = diff_in(dir.path(), "json");
    let report: Json = serde_json::from_str(&json).unwrap();
    // A third of the 100 communities of each of the 30 clusters move.
    assert_eq!(
        array(&report, &["drift", "archetype_changes"]).len(),
        34 * 30
    );
    assert!(array(&report, &["files"]).len() > 3000);
    read_commonmark(&markdown);
    assert_sections(&markdown, &report);
    for heading in [
        "### Blast radius",
        "### Archetype changes",
        "### Drift",
        "### Secret files",
        "### Files",
    ] {
        assert!(markdown.contains(heading), "{heading}");
    }
    // Each file changes its own way: the section counts them per directory before it lists the
    // largest groups, and the comment says what it left out.
    assert!(markdown.contains("| directory | added | removed | changed | values changed |"));
    assert!(markdown.contains("<details><summary>changed: "));
    assert!(markdown.contains("**Left out**"));
    assert!(markdown.contains("groups of changed files"));
    eprintln!(
        "{} bytes of Markdown for {} changed files",
        markdown.len(),
        report["files"].as_array().unwrap().len()
    );
}

/// Replaces the one occurrence of `from` in `file` with `to`.
fn edit(file: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    assert_eq!(text.matches(from).count(), 1, "`{from}` once in {file:?}");
    std::fs::write(file, text.replacen(from, to, 1)).unwrap();
}

/// `examples/fleet` as `base`, and changed as `fleet`: hhmi/staging moves from
/// `research_group` to `essential`, the platform raises the proxy's memory, and hhmi/spyglass
/// gets a bespoke override whose reason is awkward Markdown.
fn example_change(dir: &TempDir) {
    let examples = common::root().join("examples/fleet");
    copy_dir(&examples, &dir.join("base"));
    copy_dir(&examples, &dir.join("fleet"));
    let fleet = dir.join("fleet");
    edit(
        &fleet.join("clusters/hhmi/staging.hub"),
        "community \"staging\" : research_group {",
        "community \"staging\" : essential {",
    );
    edit(
        &fleet.join("platform.hub"),
        "limits.memory = 512MiB",
        "limits.memory = 768MiB",
    );
    edit(
        &fleet.join("clusters/hhmi/spyglass.hub"),
        "community \"spyglass\" : research_group {\n",
        "community \"spyglass\" : research_group {\n  @reason(\"asked by @alice | see `notes` <b>now</b>\")\n  jupyterhub.singleuser.extraEnv.NOTE = \"a|b`c\"\n",
    );
}

#[test]
fn a_community_that_changes_archetype_is_reported_in_every_format() {
    let dir = TempDir::new("diff-formats-archetype");
    example_change(&dir);
    let (code, json) = diff_in(dir.path(), "json");
    assert_eq!(code, 2);
    let report: Json = serde_json::from_str(&json).unwrap();
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["totals"]["archetype_changes"], 1);
    let moved = array(&report, &["drift", "archetype_changes"]);
    assert_eq!(moved.len(), 1, "{moved:?}");
    let moved = &moved[0];
    assert_eq!(moved["community"], "hhmi/staging");
    assert_eq!(moved["archetype_before"], "research_group");
    assert_eq!(moved["archetype_after"], "essential");
    // `essential` locks `nfs`: the two values hhmi/staging tuned under `nfs.pv` break its policy
    // now; what else it sets is tuned, or bespoke as it was.
    let counts = [("bespoke", 1, 1), ("tuned", 10, 8), ("violations", 0, 2)];
    for (count, before, after) in counts {
        assert_eq!(moved[format!("{count}_before")], before, "{moved}");
        assert_eq!(moved[format!("{count}_after")], after, "{moved}");
    }
    let counts = "bespoke 1 -> 1, tuned 10 -> 8, violations 0 -> 2";

    let (_, text) = diff_in(dir.path(), "text");
    assert!(text.contains("1 community changes archetype"), "{text}");
    assert!(
        text.contains(&format!(
            "  1 community moved from archetype research_group -> essential: {counts}\n    hhmi/staging: {counts}\n"
        )),
        "{text}"
    );
    let (_, github) = diff_in(dir.path(), "github");
    assert!(github.contains("1 community changes archetype"), "{github}");

    let (_, markdown) = diff_in(dir.path(), "markdown");
    read_commonmark(&markdown);
    assert_sections(&markdown, &report);
    let arrows = "1 \u{2192} 1 | 10 \u{2192} 8 | 0 \u{2192} 2 |";
    assert!(
        markdown.contains(&format!(
            "| `hhmi/staging` | `research_group` | `essential` | {arrows}"
        )),
        "{markdown}"
    );
}

#[test]
fn the_example_change_as_a_comment() {
    let dir = TempDir::new("diff-formats-snapshot");
    example_change(&dir);
    let (_, markdown) = diff_in(dir.path(), "markdown");
    let rendered = read_commonmark(&markdown);
    // The awkward value reads back as written.
    assert!(rendered.code.iter().any(|c| c == "\"a|b`c\""), "{markdown}");
    insta::assert_snapshot!("examples_markdown", markdown);
}

#[cfg_attr(hubc_no_corpus, ignore = "../shared/corpus is missing")]
#[test]
fn a_corpus_change_that_moves_a_cluster_out_of_its_archetype_fits_in_a_comment() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let dir = TempDir::new("diff-formats-corpus");
    let (code, _, stderr) = run(
        dir.path(),
        &[
            "import",
            corpus.join("2i2c").to_str().unwrap(),
            "-o",
            "fleet",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    copy_dir(&dir.join("fleet"), &dir.join("base"));
    // A change that takes cloudbank's hubs out of the archetype found for them, into `imported`
    // (they lose every value it gave them, and their customization shows as bespoke), and
    // raises the culling timeout in that archetype: the largest diff a fleet gets.
    let mut moving = 0;
    for file in common::files_under(&dir.join("fleet/clusters/cloudbank")) {
        let text = std::fs::read_to_string(&file).unwrap();
        if text.contains(" : hubs_cloudbank {") {
            std::fs::write(&file, text.replace(" : hubs_cloudbank {", " : imported {")).unwrap();
            moving += 1;
        }
    }
    assert!(moving > 80, "{moving}");
    edit(
        &dir.join("fleet/clusters/cloudbank/cluster.hub"),
        "    cull.timeout = 3600\n",
        "    cull.timeout = 7200\n",
    );
    let (code, json) = diff_in(dir.path(), "json");
    assert_eq!(code, 2);
    let report: Json = serde_json::from_str(&json).unwrap();
    let moved = array(&report, &["drift", "archetype_changes"]);
    assert_eq!(moved.len(), moving);
    assert!(
        moved
            .iter()
            .all(|m| m["archetype_before"] == "hubs_cloudbank"
                && m["archetype_after"] == "imported"
                && m["community"].as_str().unwrap().starts_with("cloudbank/"))
    );
    let bespoke_added = array(&report, &["drift", "bespoke_added"]).len();
    assert!(bespoke_added > 100, "{bespoke_added}");

    let (_, markdown) = diff_in(dir.path(), "markdown");
    read_commonmark(&markdown);
    assert_sections(&markdown, &report);
    assert!(
        markdown.contains(&format!("| `hubs_cloudbank` | `imported` | {moving} |")),
        "{markdown}"
    );
    assert!(markdown.contains("in communities that changed archetype"));
    let cull = "- `jupyterhub.cull.timeout`: `3600` → `7200`";
    assert!(markdown.contains(cull), "{markdown}");
    assert!(markdown.contains("**Left out**"));
    let (_, text) = diff_in(dir.path(), "text");
    eprintln!(
        "corpus: {} bytes of Markdown; the text report is {} bytes",
        markdown.len(),
        text.len()
    );
}

#[test]
fn the_ci_workflow_keeps_the_whole_diff_as_an_artifact() {
    let steps = common::ci_workflow_steps();
    let step = |name: &str| common::step(&steps, name);
    let diff = step("hubc diff")["run"].as_str().unwrap();
    for output in ["diff.md", "hubc-diff/diff.txt", "hubc-diff/diff.json"] {
        assert!(diff.contains(&format!("> {output}")), "{diff}");
    }
    let upload = step("Upload the whole diff");
    assert_eq!(upload["with"]["path"].as_str(), Some("hubc-diff/"));
    let comment = step("Comment on the pull request")["run"].as_str().unwrap();
    assert!(comment.contains("--body-file diff.md"), "{comment}");
}
