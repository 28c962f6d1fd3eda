//! The bundled examples: `examples/fleet` checks clean, and `examples/drifting` reports exactly
//! the problems it was written to show.

#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;

use hubc::diagnostics::{self, Format};
use hubc::driver;

fn check(directory: &str) -> String {
    let mut session = driver::load_fleet(&common::root().join(directory));
    driver::analyze(&mut session, common::TODAY);
    let rendered =
        diagnostics::render_all(&session.diagnostics, &session.sources, Format::Human, false);
    // Paths are shown relative to the project, as a reader runs `hubc check` from there.
    rendered.replace(&format!("{}/", common::root().display()), "")
}

#[test]
fn the_example_fleet_checks_clean() {
    assert_eq!(check("examples/fleet"), "");
}

#[test]
fn the_drifting_fleet_reports_its_problems() {
    insta::assert_snapshot!(check("examples/drifting"));
}

#[test]
fn every_standard_module_checks_clean() {
    for (module, _) in hubc::stdlib::MODULES {
        let (session, analysis) = common::analyze_fixture(&format!("import {module}\n"));
        assert!(analysis.is_some());
        assert!(
            session.diagnostics.is_empty(),
            "{module}: {:?}",
            session.diagnostics
        );
    }
}
