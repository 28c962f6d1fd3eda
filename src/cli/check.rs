//! `hubc check`: syntax, names, types, quantities and policy of fleets; every problem found.

use std::process::ExitCode;

use hubc::diagnostics::Tally;
use hubc::driver;

use super::*;

pub fn run(cx: &Context, paths: &[PathBuf]) -> ExitCode {
    let today = cx.today;
    let mut tally = Tally::default();
    let (mut n_files, mut n_declarations) = (0, 0);
    // One SARIF log holds the findings of every fleet.
    let sarif = cx.format == OutputFormat::Sarif;
    let mut findings = Vec::new();
    for (index, path) in paths.iter().enumerate() {
        let mut session = driver::load_fleet_in(Session::declaring(), path);
        let analysis = driver::analyze(&mut session, today);
        let found = if sarif {
            findings.extend(hubc::diagnostics::sarif::findings(
                &session.diagnostics,
                &session.sources,
            ));
            Tally::of(&session.diagnostics)
        } else {
            print_diagnostics(&session, cx)
        };
        tally.errors += found.errors;
        tally.warnings += found.warnings;
        n_files += session.files.len();
        n_declarations += session.n_declarations();
        // The last fleet's memory goes back with the process; the others' before the next.
        if index + 1 == paths.len() {
            leave((analysis, session));
        }
    }
    if sarif {
        out!("{}", hubc::diagnostics::sarif::log(&findings, &[]));
    }
    eprintln!(
        "checked {} {}, {} {}: {} {}, {} {} in {}",
        n_files,
        plural(n_files, "file", "files"),
        n_declarations,
        plural(n_declarations, "declaration", "declarations"),
        tally.errors,
        plural(tally.errors, "error", "errors"),
        tally.warnings,
        plural(tally.warnings, "warning", "warnings"),
        elapsed(cx.started.elapsed()),
    );
    exit_for(tally, false)
}
