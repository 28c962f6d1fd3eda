//! `hubc doc` end to end, through the binary: the pages of `examples/fleet` and of the imported
//! corpus, in HTML and Markdown, each page there for each platform, archetype and mixin with its
//! policy and communities; every relative link and `#anchor` of every page leads somewhere that
//! exists; two runs write the same bytes; a directory hubc did not write is refused and a fleet
//! with errors writes nothing; headless Chromium renders the pages and runs the search
//! (`tests/doc_html.sh`).

#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::TempDir;

/// Runs `hubc doc FLEET -o OUT [--format FORMAT]`: exit code and stderr.
fn doc(fleet: &Path, out: &Path, format: &str) -> (i32, String) {
    let output = common::run_hubc(&[
        "doc",
        &fleet.display().to_string(),
        "-o",
        &out.display().to_string(),
        "--format",
        format,
    ]);
    (
        output.status.code().unwrap_or(-1),
        common::stderr_text(&output),
    )
}

fn files(directory: &Path) -> BTreeMap<String, Vec<u8>> {
    common::file_tree(directory)
}

/// The links of a page: `href="..."` in HTML, `](...)` and `](<...>)` in Markdown.
fn links(page: &str, text: &str) -> Vec<String> {
    let mut found = Vec::new();
    if page.ends_with(".html") {
        for part in text.split("href=\"").skip(1) {
            found.push(part[..part.find('"').unwrap()].replace("&amp;", "&"));
        }
    } else {
        for part in text.split("](").skip(1) {
            let link = match part.strip_prefix('<') {
                Some(angled) => &angled[..angled.find('>').unwrap()],
                None => &part[..part.find(')').unwrap()],
            };
            found.push(link.to_string());
        }
    }
    found
}

/// Checks that every link of every page leads to a file of the output, and its anchor to an
/// element of that file (a line of a fleet file copied beside Markdown pages); returns how many
/// links were followed.
fn assert_links_resolve(directory: &Path) -> usize {
    let written = files(directory);
    let mut followed = 0;
    for (page, bytes) in &written {
        if !(page.ends_with(".html") || page.ends_with(".md")) {
            continue;
        }
        let text = String::from_utf8(bytes.clone()).unwrap();
        let base = Path::new(page).parent().unwrap_or(Path::new(""));
        for link in links(page, &text) {
            assert!(
                !link.contains("://") && !link.starts_with("//"),
                "{page} links off the documentation: {link}"
            );
            let (target, anchor) = link.split_once('#').unwrap_or((&link, ""));
            let target = if target.is_empty() {
                page.clone()
            } else {
                normalise(&base.join(target))
            };
            let Some(found) = written.get(&target) else {
                panic!("{page} links to {link}: no file `{target}`");
            };
            if !anchor.is_empty() {
                let found = String::from_utf8_lossy(found);
                let exists = if target.ends_with(".html") {
                    found.contains(&format!("id=\"{anchor}\""))
                } else if target.ends_with(".md") {
                    found.contains(&format!("<a id=\"{anchor}\"></a>"))
                } else {
                    let line: usize = anchor.strip_prefix('L').unwrap().parse().unwrap();
                    line >= 1 && line <= found.lines().count()
                };
                assert!(exists, "{page} links to {link}: no anchor `{anchor}` there");
            }
            followed += 1;
        }
    }
    followed
}

/// `a/../b` as `b`.
fn normalise(path: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                parts.pop();
            }
            std::path::Component::Normal(name) => parts.push(name.to_string_lossy().into_owned()),
            _ => {}
        }
    }
    parts.join("/")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_example_fleet_is_documented_page_by_page_in_html() {
    let scratch = TempDir::new("html");
    let fleet = common::root().join("examples/fleet");
    let out = scratch.join("doc");
    let (code, stderr) = doc(&fleet, &out, "html");
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.starts_with("documented 2 platforms, 5 archetypes, 8 mixins and 11 schemas"),
        "{stderr}"
    );
    for page in [
        "index.html",
        "platform-basehub.html",
        "platform-daskhub.html",
        "archetype-research_group.html",
        "archetype-course.html",
        "archetype-dask_lab.html",
        "archetype-essential.html",
        "archetype-workshop.html",
        "mixin-gpu_t4.html",
        "mixin-shared_public_dir.html",
        "mixin-leap_common.html",
        "schema-basehub.html",
        "schema-types.html",
        "source/archetypes.hub.html",
        "source/std/basehub.hub.html",
    ] {
        assert!(out.join(page).is_file(), "{page} is missing");
    }
    // A research group's page: its tunables with their bounds and docs, what is locked, its
    // budget, what a community gets and where it is set, and its communities.
    let research = read(&out.join("archetype-research_group.html"));
    for expected in [
        "<code>&gt;= 1GiB</code>, <code>&lt;= 16GiB</code>",
        "Above 16GiB a group needs a profile list of node shares, or the dask_lab tier.",
        "<code>&gt;= base</code>",
        "href=\"schema-basehub.html#f-jupyterhub.singleuser.memory.limit\"",
        "at most 5 bespoke overrides per community",
        "Idle culling is what keeps a group&#39;s cloud bill predictable.",
        "href=\"source/archetypes.hub.html#L18\">archetypes.hub:18</a>",
        "<code>temple/research</code></td><td>temple</td><td>research.temple.2i2c.cloud</td>",
    ] {
        assert!(research.contains(expected), "no `{expected}` in the page");
    }
    let locked = &research[research.find("id=\"locked\"").unwrap()..];
    let locked = &locked[..locked.find("<h2").unwrap()];
    assert!(locked.contains("<code>jupyterhub.<wbr>cull</code>"));
    assert!(locked.contains("<code>jupyterhub.<wbr>singleuser.<wbr>cloudMetadata</code>"));
    // The values a community starts from, with the layer that set them: here the archetype's
    // memory over the platform's, and the platform's culler.
    assert!(research.contains("<code class=\"value\">4GiB</code>"));
    assert!(research.contains("href=\"source/platform.hub.html#L29\">platform.hub:29</a>"));
    // A course lists its communities with their cluster and domain.
    let course = read(&out.join("archetype-course.html"));
    assert!(course.contains(
        "<td><code>cloudbank/ccsf</code></td><td>cloudbank</td><td>ccsf.cloudbank.2i2c.cloud</td>"
    ));
    // The schema reference gives types, units, allowed values and docs.
    let schema = read(&out.join("schema-basehub.html"));
    assert!(schema.contains("id=\"f-jupyterhub.singleuser.memory.limit\""));
    assert!(schema.contains("written in Kubernetes units") || schema.contains("KubeSpawner"));
    assert!(schema.contains("one of <code>"));
    // The pages stand alone: nothing is loaded from elsewhere, and only the index has a script.
    for (page, bytes) in files(&out) {
        let text = String::from_utf8(bytes).unwrap();
        assert!(!text.contains(" src=") && !text.contains("<link"), "{page}");
        assert_eq!(text.contains("<script>"), page == "index.html", "{page}");
    }
    assert!(assert_links_resolve(&out) > 1000);
    // The second run replaces the first, byte for byte the same.
    let first = files(&out);
    let (code, stderr) = doc(&fleet, &out, "html");
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(files(&out), first);
    let again = scratch.join("again");
    assert_eq!(doc(&fleet, &again, "html").0, 0);
    assert_eq!(files(&again), first);
}

#[test]
fn the_example_fleet_is_documented_in_markdown() {
    let scratch = TempDir::new("markdown");
    let fleet = common::root().join("examples/fleet");
    let out = scratch.join("doc");
    let (code, stderr) = doc(&fleet, &out, "markdown");
    assert_eq!(code, 0, "{stderr}");
    let course = read(&out.join("archetype-course.md"));
    for expected in [
        "# archetype `course`",
        "| [`jupyterhub.singleuser.memory.limit`](schema-basehub.md#f-jupyterhub.singleuser.memory.limit) |",
        "`>= base`, `<= 4GiB`",
        "`in [30min, 1h, 2h]`",
        "- budget: `bespoke <= 3` per community",
        "[archetypes.hub:48](<source/archetypes.hub#L48>)",
        "| `cloudbank/ccsf` | cloudbank | ccsf.cloudbank.2i2c.cloud |",
    ] {
        assert!(course.contains(expected), "no `{expected}` in the page");
    }
    // Every table reads as a table: each row has as many cells as its header.
    for (page, bytes) in files(&out) {
        if !page.ends_with(".md") {
            continue;
        }
        let text = String::from_utf8(bytes).unwrap();
        let mut columns = 0;
        for line in text.lines() {
            if !line.starts_with('|') {
                columns = 0;
                continue;
            }
            let cells = line.replace("\\|", "").matches('|').count();
            if columns == 0 {
                columns = cells;
            }
            assert_eq!(cells, columns, "{page}: {line}");
        }
    }
    assert_eq!(
        read(&out.join("source/archetypes.hub")),
        read(&fleet.join("archetypes.hub"))
    );
    assert!(assert_links_resolve(&out) > 1000);
}

#[test]
fn a_directory_hubc_did_not_write_is_refused_and_a_fleet_with_errors_writes_nothing() {
    let scratch = TempDir::new("refused");
    let fleet = common::root().join("examples/fleet");
    let mine = scratch.write("mine/notes.txt", "my own notes");
    let (code, stderr) = doc(&fleet, &scratch.join("mine"), "html");
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("hub::io::foreign_output"), "{stderr}");
    assert_eq!(read(&mine), "my own notes");
    assert_eq!(files(&scratch.join("mine")).len(), 1);
    // A page changed by hand is not hubc's any more either.
    let out = scratch.join("doc");
    assert_eq!(doc(&fleet, &out, "html").0, 0);
    std::fs::write(out.join("index.html"), "edited").unwrap();
    let (code, stderr) = doc(&fleet, &out, "html");
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("hub::io::foreign_output"), "{stderr}");
    assert_eq!(read(&out.join("index.html")), "edited");
    // Policy errors are errors: the fleet is documented once it checks.
    let drifting = common::root().join("examples/drifting");
    let (code, stderr) = doc(&drifting, &scratch.join("drifting"), "html");
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("hub::policy::below_base"), "{stderr}");
    assert!(
        stderr.ends_with("doc failed: nothing was written\n"),
        "{stderr}"
    );
    assert!(!scratch.join("drifting").exists());
}

#[test]
fn the_imported_corpus_is_documented() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let scratch = TempDir::new("corpus");
    let fleet = scratch.join("fleet");
    let output = common::run_hubc(&[
        "import",
        &corpus.join("2i2c").display().to_string(),
        "-o",
        &fleet.display().to_string(),
    ]);
    assert!(output.status.success(), "{}", common::stderr_text(&output));
    for format in ["html", "markdown"] {
        let out = scratch.join(format);
        let (code, stderr) = doc(&fleet, &out, format);
        assert_eq!(code, 0, "{stderr}");
        assert!(assert_links_resolve(&out) > 1000, "{format}");
        let first = files(&out);
        assert_eq!(doc(&fleet, &out, format).0, 0);
        assert_eq!(files(&out), first, "{format}");
    }
    // Each of the 127 hubs is listed on the page of its archetype, the standard archetypes'
    // pages show their policy from `std.platform`, and the identity settings of a basehub hub.
    let index = read(&scratch.join("html/index.html"));
    assert!(index.contains("127 communities."), "{index}");
    let pages: Vec<String> = files(&scratch.join("html"))
        .into_keys()
        .filter(|page| page.starts_with("archetype-"))
        .collect();
    let listed: usize = pages
        .iter()
        .map(|page| {
            let text = read(&scratch.join("html").join(page));
            let communities = &text[text.find("id=\"communities\"").unwrap()..];
            communities.matches("<tr><td><code>").count()
        })
        .sum();
    assert_eq!(listed, 127);
    let research = read(&scratch.join("html/archetype-research_group.html"));
    assert!(research.contains("href=\"source/std/platform.hub.html#L"));
    assert!(research.contains(
        "<code>jupyterhub.<wbr>hub.<wbr>config.<wbr>Authenticator.<wbr>admin_users</code>"
    ));
    if !cfg!(hubc_no_chromium) {
        render_in_chromium(&fleet, "corpus-chromium");
    }
}

/// Runs `tests/doc_html.sh` on `fleet`: Chromium, with the network off, draws the index and an
/// archetype page, and the index's script keeps the paths that contain `memory.limit`.
fn render_in_chromium(fleet: &Path, test_name: &str) {
    let directory = TempDir::new(test_name);
    let output = std::process::Command::new("bash")
        .arg(common::root().join("tests/doc_html.sh"))
        .arg(env!("CARGO_BIN_EXE_hubc"))
        .arg(directory.path())
        .arg(fleet)
        .arg("memory.limit")
        .current_dir(common::root())
        .output()
        .expect("bash runs");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "tests/doc_html.sh failed:\n{said}");
    assert!(said.contains("searched: 'memory.limit' keeps "), "{said}");
    eprint!("{said}");
}

#[cfg_attr(hubc_no_chromium, ignore = "chromium is not installed")]
#[test]
fn the_html_pages_render_in_headless_chromium_and_the_index_searches_paths() {
    render_in_chromium(&common::root().join("examples/fleet"), "chromium");
}
