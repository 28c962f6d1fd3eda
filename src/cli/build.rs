//! `hubc build`: check a fleet and write what the deploy tools consume.

use std::path::Path;
use std::process::ExitCode;

use hubc::diagnostics::Tally;
use hubc::driver;

use super::*;

pub fn run(cx: &Context, fleet: &Path, out: &Path, check: bool) -> ExitCode {
    let today = cx.today;
    if !check && let Some(code) = up_to_date(cx, fleet, out) {
        return code;
    }
    let mut session = load_fleet("build", fleet, &fleet.display().to_string());
    let analysis = driver::analyze(&mut session, today);
    let root = if fleet.is_dir() {
        fleet.to_path_buf()
    } else {
        fleet.parent().map(PathBuf::from).unwrap_or_default()
    };
    let built = analysis.map(|analysis| {
        let names: Vec<String> = session
            .files
            .iter()
            .map(|file| {
                file.path
                    .strip_prefix(&root)
                    .unwrap_or(&file.path)
                    .display()
                    .to_string()
            })
            .collect();
        // Analysis already reported what building finds wrong.
        let (output, _) = hubc::emit::build(&analysis, &|file| {
            names.get(file.0 as usize).cloned().unwrap_or_default()
        });
        output
    });
    let tally = Tally::of(&session.diagnostics);
    let output = match built {
        Some(output) if tally.errors == 0 => output,
        _ => {
            print_diagnostics(&session, cx);
            eprintln!("build failed: nothing was written");
            return ExitCode::from(1);
        }
    };
    print_diagnostics(&session, cx);
    if check {
        let stale = match driver::stale_output(out, &output.files) {
            Ok(stale) => stale,
            Err(error) => {
                driver::report_output_error(&mut session, out, error);
                print_diagnostics(&session, cx);
                return ExitCode::from(1);
            }
        };
        for path in &stale {
            outln!("{}", out.join(path).display());
        }
        eprintln!(
            "{} of {} {} in `{}` {} stale in {}",
            stale.len(),
            output.files.len(),
            plural(output.files.len(), "file", "files"),
            out.display(),
            if stale.len() == 1 { "is" } else { "are" },
            elapsed(cx.started.elapsed()),
        );
        return if stale.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(2)
        };
    }
    // A progress line, only for a build slow enough to wait for, on a terminal.
    let show_progress = std::io::stderr().is_terminal();
    let mut shown = false;
    let mut progress = |done: usize, total: usize| {
        if show_progress
            && (done.is_multiple_of(100) || done == total)
            && cx.started.elapsed() > Duration::from_secs(1)
        {
            eprint!("\rwriting files: {done}/{total}");
            shown = true;
        }
    };
    let record = driver::cache::records(&session).map(|diagnostics| driver::Record {
        inputs: driver::cache::session_digest(&session, today),
        diagnostics,
    });
    let written = driver::write_output(out, &output.files, record.as_ref(), &mut progress);
    if shown {
        eprint!("\r\x1b[2K");
    }
    let (result, recovered) = match written {
        Ok(mut report) => {
            let recovered = std::mem::take(&mut report.recovered);
            (Ok(report), recovered)
        }
        Err((error, recovered)) => (Err(error), recovered),
    };
    if !recovered.is_empty() {
        let mut notices = Session::default();
        for notice in recovered {
            driver::report_output_error(&mut notices, out, notice);
        }
        print_diagnostics(&notices, cx);
    }
    match result {
        Ok(report) => {
            eprintln!(
                "built {} {} on {} {}: {} written, {} unchanged, {} removed in {}",
                output.n_communities,
                plural(output.n_communities, "community", "communities"),
                output.n_clusters,
                plural(output.n_clusters, "cluster", "clusters"),
                report.written,
                report.unchanged,
                report.removed,
                elapsed(cx.started.elapsed()),
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            let mut failure = Session::default();
            driver::report_output_error(&mut failure, out, error);
            print_diagnostics(&failure, cx);
            eprintln!("build failed: the output directory was left as it was");
            ExitCode::from(1)
        }
    }
}

/// The build cache (`driver::cache`): when `out` holds what a build of the same inputs wrote,
/// as it wrote it, reports that build's diagnostics again and writes nothing. `None` when the
/// fleet must be built.
fn up_to_date(cx: &Context, fleet: &Path, out: &Path) -> Option<ExitCode> {
    let inputs = driver::cache::fleet_inputs(fleet, cx.today)?;
    let (record, recovered) = driver::previous_build(out).ok()?;
    if !recovered.is_empty() {
        let mut notices = Session::default();
        for notice in recovered {
            driver::report_output_error(&mut notices, out, notice);
        }
        print_diagnostics(&notices, cx);
    }
    let record = record.filter(|record| record.inputs == inputs.digest)?;
    let session = driver::cache::replay(&inputs, &record.diagnostics)?;
    print_diagnostics(&session, cx);
    eprintln!(
        "`{}` is up to date with `{}`: nothing written in {}",
        out.display(),
        fleet.display(),
        elapsed(cx.started.elapsed()),
    );
    Some(ExitCode::SUCCESS)
}
