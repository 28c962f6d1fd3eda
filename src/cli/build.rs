//! `hubc build`: check a fleet and write what the deploy tools consume.

use std::path::Path;
use std::process::ExitCode;

use hubc::diagnostics::Tally;
use hubc::driver::{self, IoError, OutputDir};
use hubc::emit::Output;
use hubc::source::FileId;

use super::*;

pub fn run(cx: &Context, fleet: &Path, out: &Path, check: bool) -> ExitCode {
    if check {
        return run_check(cx, fleet, out);
    }
    let today = cx.today;
    let root = fleet_root(fleet);
    let source_name = |name: &str| relative_name(Path::new(name), &root);
    // The fleet's files, read and digested, and the output directory, locked, with what the
    // build that wrote it recorded (`driver::cache`).
    let (inputs, mut directory) = rayon::join(
        || {
            let _phase = hubc::timings::phase("read fleet");
            driver::cache::fleet_inputs(fleet, today)
        },
        || OutputDir::open_unchecked(out),
    );
    if let Ok(directory) = &mut directory
        && !directory.recovered.is_empty()
    {
        let mut notices = Session::default();
        for notice in std::mem::take(&mut directory.recovered) {
            driver::report_output_error(&mut notices, out, notice);
        }
        print_diagnostics(&notices, cx);
    }
    // What the record allows is worked out beside the check that the output is still what the
    // record says, and kept only if it is.
    let mut attempt = None;
    if let Ok(opened) = &mut directory {
        let intact = match (&inputs, opened.recorded_build()) {
            (Some(inputs), Some(previous)) => {
                let (intact, incremental) = rayon::join(
                    || opened.is_as_recorded(),
                    || Incremental::of(inputs, &previous, today, &source_name),
                );
                attempt = incremental;
                intact
            }
            (None, Some(_)) => opened.is_as_recorded(),
            (_, None) => false,
        };
        opened.checked(intact);
        attempt = attempt.filter(|_| intact);
    }
    match attempt {
        Some(Incremental::UpToDate(session)) => {
            print_diagnostics(&session, cx);
            eprintln!(
                "`{}` is up to date with `{}`: nothing written in {}",
                out.display(),
                fleet.display(),
                elapsed(cx.started.elapsed()),
            );
            return ExitCode::SUCCESS;
        }
        Some(Incremental::Rebuilt(rebuilt)) => {
            let built = Built {
                session: rebuilt.session,
                output: rebuilt.output,
                kept: rebuilt.kept,
                record: Some(rebuilt.record),
                n_rebuilt: Some(rebuilt.n_rebuilt),
            };
            return finish(cx, out, directory, built);
        }
        None => {}
    }
    let phase = hubc::timings::phase("parse and declare");
    let mut session = match &inputs {
        Some(inputs) => driver::cache::load(inputs),
        None => load_fleet_in(
            Session::declaring(),
            "build",
            fleet,
            &fleet.display().to_string(),
        ),
    };
    drop(phase);
    let names = source_names(&session, &root);
    let source = |file: FileId| names.get(file.0 as usize).cloned().unwrap_or_default();
    let (analysis, output) = match driver::analyze_and_build(&mut session, today, &source) {
        Some((analysis, output)) => (Some(analysis), output),
        None => (None, None),
    };
    let phase = hubc::timings::phase("record");
    let record = match (&inputs, &analysis) {
        (Some(inputs), Some(analysis)) => driver::cache::record(inputs, &session, analysis),
        _ => None,
    };
    drop(phase);
    let built = Built {
        session,
        output,
        kept: Vec::new(),
        record,
        n_rebuilt: None,
    };
    let code = finish(cx, out, directory, built);
    super::leave(analysis);
    code
}

/// What the record of the last build lets this one do without building the whole fleet.
enum Incremental {
    /// Nothing: the fleet is as recorded; the recorded diagnostics, to show again.
    UpToDate(Session),
    /// Build the clusters some edits touched (`driver::cache::rebuild`).
    Rebuilt(driver::cache::Rebuilt),
}

impl Incremental {
    fn of(
        inputs: &driver::cache::Inputs,
        previous: &driver::PreviousBuild<'_>,
        today: hubc::check::policy::Day,
        source_name: &(dyn Fn(&str) -> String + Sync),
    ) -> Option<Incremental> {
        if previous.record.inputs == inputs.digest
            && let Some(session) = driver::cache::replay(inputs, &previous.record.diagnostics)
        {
            return Some(Incremental::UpToDate(session));
        }
        driver::cache::rebuild(inputs, previous, today, source_name).map(Incremental::Rebuilt)
    }
}

/// What a build made, to write.
struct Built {
    session: Session,
    output: Option<Output>,
    /// Files of the earlier output kept as they are (a partial build).
    kept: Vec<String>,
    record: Option<driver::Record>,
    /// For a partial build, how many clusters it built again.
    n_rebuilt: Option<usize>,
}

/// The directory that names in emitted files are relative to.
fn fleet_root(fleet: &Path) -> PathBuf {
    if fleet.is_dir() {
        fleet.to_path_buf()
    } else {
        fleet.parent().map(PathBuf::from).unwrap_or_default()
    }
}

fn relative_name(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Every file of an analysed fleet. Analysis already reported what building finds wrong.
fn emit(session: &Session, analysis: &hubc::analysis::Analysis, root: &Path) -> Output {
    let names = source_names(session, root);
    let source = |file: FileId| names.get(file.0 as usize).cloned().unwrap_or_default();
    hubc::emit::build(analysis, &source).0
}

/// The name of each file of the session (by id) in the headers of the files a build writes.
fn source_names(session: &Session, root: &Path) -> Vec<String> {
    session
        .files
        .iter()
        .map(|file| relative_name(&file.path, root))
        .collect()
}

/// Reports what was built and writes it into the output directory.
fn finish(
    cx: &Context,
    out: &Path,
    directory: Result<OutputDir, IoError>,
    mut built: Built,
) -> ExitCode {
    let session = &built.session;
    let tally = Tally::of(&session.diagnostics);
    let output = match &built.output {
        Some(output) if tally.errors == 0 => output,
        _ => {
            print_diagnostics(session, cx);
            eprintln!("build failed: nothing was written");
            return ExitCode::from(1);
        }
    };
    let phase = hubc::timings::phase("print diagnostics");
    print_diagnostics(session, cx);
    drop(phase);
    let failed = |error: IoError| {
        let mut failure = Session::default();
        driver::report_output_error(&mut failure, out, error);
        print_diagnostics(&failure, cx);
        eprintln!("build failed: the output directory was left as it was");
        ExitCode::from(1)
    };
    let directory = match directory {
        Ok(directory) => directory,
        Err(error) => return failed(error),
    };
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
    let new_output = driver::NewOutput {
        files: &output.files,
        owners: &output.owners,
        kept: std::mem::take(&mut built.kept),
    };
    let phase = hubc::timings::phase("write");
    let written = directory.write(&new_output, built.record.as_ref(), &mut progress);
    drop(phase);
    if shown {
        eprint!("\r\x1b[2K");
    }
    let report = match written {
        Ok(report) => report,
        Err(error) => return failed(error),
    };
    let rebuilt = match built.n_rebuilt {
        Some(n) => format!(" ({n} {} built again)", plural(n, "cluster", "clusters")),
        None => String::new(),
    };
    eprintln!(
        "built {} {} on {} {}{rebuilt}: {} written, {} unchanged, {} removed in {}",
        output.n_communities,
        plural(output.n_communities, "community", "communities"),
        output.n_clusters,
        plural(output.n_clusters, "cluster", "clusters"),
        report.written,
        report.unchanged,
        report.removed,
        elapsed(cx.started.elapsed()),
    );
    super::leave(built);
    ExitCode::SUCCESS
}

/// `hubc build --check`: lists the files of `out` that a build would change, writing nothing.
fn run_check(cx: &Context, fleet: &Path, out: &Path) -> ExitCode {
    let mut session = load_fleet_in(
        Session::declaring(),
        "build",
        fleet,
        &fleet.display().to_string(),
    );
    let analysis = driver::analyze(&mut session, cx.today);
    let root = fleet_root(fleet);
    let output = analysis
        .as_ref()
        .map(|analysis| emit(&session, analysis, &root));
    let tally = Tally::of(&session.diagnostics);
    let output = match output {
        Some(output) if tally.errors == 0 => output,
        _ => {
            print_diagnostics(&session, cx);
            eprintln!("build failed: nothing was written");
            return ExitCode::from(1);
        }
    };
    print_diagnostics(&session, cx);
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
    if stale.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}
