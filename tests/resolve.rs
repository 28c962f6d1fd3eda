//! Resolution snapshots: each fixture is a small fleet with `// explain: COMMUNITY [PATH]` lines;
//! the snapshot holds the fleet and what `hubc explain` prints for each, so every merge rule is
//! shown with the provenance of every value.

#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;

#[test]
fn resolve_fixtures() {
    insta::glob!("fixtures/resolve/*.hub", |path| {
        let fixture = std::fs::read_to_string(path).expect("fixture is readable");
        let (session, analysis) = common::analyze_fixture(&fixture);
        let mut output = String::new();
        if !session.diagnostics.is_empty() {
            output.push_str(&hubc::diagnostics::render_all(
                &session.diagnostics,
                &session.sources,
                hubc::diagnostics::Format::Human,
                false,
            ));
        }
        let analysis = analysis.expect("the fixture parses");
        for line in fixture.lines() {
            let Some(request) = line.trim().strip_prefix("// explain:") else {
                continue;
            };
            let mut words = request.split_whitespace();
            let community = words.next().expect("a community to explain");
            let path = words.next().unwrap_or("");
            let id = analysis
                .fleet
                .find_community(community, &analysis.names)
                .expect("the community exists");
            let keys = hubc::explain::split_path(path).expect("a valid path");
            output.push_str(&format!("$ hubc explain {community} {path}\n"));
            match hubc::explain::explain(&analysis, &session.sources, id, &keys) {
                Ok(text) => output.push_str(&text),
                Err(missing) => output.push_str(&format!("no value at `{}`\n", missing.path)),
            }
            output.push('\n');
        }
        insta::assert_snapshot!(format!("{fixture}\n----- resolved -----\n{output}"));
    });
}
