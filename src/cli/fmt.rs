//! `hubc fmt`: `.hub` files in the canonical layout.

use std::process::ExitCode;

use hubc::driver::{self, FormatOutcome};

use super::*;

pub fn run(cx: &Context, check: bool, paths: &[PathBuf]) -> ExitCode {
    let mut session = driver::load(paths);
    let outcomes = driver::format_files(&mut session, check);
    let tally = print_diagnostics(&session, cx);
    let mut n_reformatted = 0;
    for (path, outcome) in &outcomes {
        if *outcome == FormatOutcome::Reformatted {
            n_reformatted += 1;
            if check {
                outln!("{}", path.display());
            } else {
                outln!("formatted {}", path.display());
            }
        }
    }
    let n_skipped = outcomes
        .iter()
        .filter(|(_, outcome)| *outcome == FormatOutcome::Skipped)
        .count();
    let verb = if check {
        "would reformat"
    } else {
        "reformatted"
    };
    eprintln!(
        "{verb} {n_reformatted} of {} {}{} in {}",
        outcomes.len(),
        plural(outcomes.len(), "file", "files"),
        if n_skipped > 0 {
            format!(", skipped {n_skipped} with errors")
        } else {
            String::new()
        },
        elapsed(cx.started.elapsed()),
    );
    exit_for(tally, check && n_reformatted > 0)
}
