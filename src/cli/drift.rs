//! `hubc drift`: what each community customizes, against its archetype.

use std::path::Path;
use std::process::ExitCode;

use super::*;

pub fn run(cx: &Context, fleet: &Path, check: bool, promote_at: usize) -> ExitCode {
    let today = cx.today;
    let mut session = load_fleet("drift", fleet, &fleet.display().to_string());
    let Some(analysis) = analyze_for_report(&mut session, cx, &[]) else {
        eprintln!("drift: the fleet has errors; fix them first");
        return ExitCode::from(1);
    };
    let report = hubc::report::drift::build(&analysis, &session.sources, today, promote_at);
    let text = match cx.format {
        OutputFormat::Json => hubc::report::drift::json(&report),
        OutputFormat::Sarif => hubc::report::drift::sarif(&report, &session),
        OutputFormat::Markdown => hubc::report::drift::markdown::render(&report),
        OutputFormat::Html => hubc::report::drift::html::render(&report),
        _ => hubc::report::drift::text::render(&report),
    };
    out!("{text}");
    if check && hubc::report::drift::fails_check(&report) {
        eprintln!(
            "drift check failed: {} over budget, {} expired, {} {}",
            report.totals.over_budget,
            report.totals.expired,
            report.totals.violations,
            plural(report.totals.violations, "violation", "violations"),
        );
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
