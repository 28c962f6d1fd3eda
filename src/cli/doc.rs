//! `hubc doc`: the documentation of a fleet for the people who use it, written as a directory
//! of HTML or Markdown pages.

use std::path::Path;
use std::process::ExitCode;

use hubc::driver::{self, OutputDir};
use hubc::report::doc;

use super::*;

pub fn run(cx: &Context, fleet: &Path, out: &Path) -> ExitCode {
    let mut session = load_fleet("doc", fleet, &fleet.display().to_string());
    let analysis = driver::analyze(&mut session, cx.today);
    let tally = print_diagnostics(&session, cx);
    let analysis = match analysis {
        Some(analysis) if tally.errors == 0 => analysis,
        _ => {
            eprintln!("doc failed: nothing was written");
            return ExitCode::from(1);
        }
    };
    let root = if fleet.is_dir() {
        fleet.to_path_buf()
    } else {
        fleet.parent().map(PathBuf::from).unwrap_or_default()
    };
    // Files are named relative to the fleet; the standard modules, which are not on disk, as
    // `std/NAME.hub`.
    let source_name = |file: hubc::source::FileId| {
        let name = &session.sources.get(file).name;
        match name.strip_prefix("<std>/") {
            Some(module) => format!("std/{module}"),
            None => Path::new(name)
                .strip_prefix(&root)
                .unwrap_or(Path::new(name))
                .components()
                .map(|part| part.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/"),
        }
    };
    let title = std::fs::canonicalize(&root)
        .ok()
        .and_then(|path| path.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "fleet".to_string());
    let documented = doc::build(&session, &analysis, &title, &source_name);
    let format = match cx.format {
        OutputFormat::Markdown => doc::Format::Markdown,
        _ => doc::Format::Html,
    };
    let files = doc::render(&documented, format);
    // Written as a build writes its output: all or nothing, replacing only what hubc wrote.
    let written = OutputDir::open(out).and_then(|directory| {
        let output = driver::NewOutput {
            files: &files,
            owners: &Default::default(),
            kept: Vec::new(),
        };
        directory.write(&output, None, &mut |_, _| {})
    });
    if let Err(error) = written {
        let mut failure = Session::default();
        driver::report_output_error(&mut failure, out, error);
        print_diagnostics(&failure, cx);
        eprintln!("doc failed: the output directory was left as it was");
        return ExitCode::from(1);
    }
    let count = |kind| {
        documented
            .layers
            .iter()
            .filter(|layer| layer.kind == kind)
            .count()
    };
    use hubc::syntax::ast::DeclKind;
    let (platforms, archetypes, mixins) = (
        count(DeclKind::Platform),
        count(DeclKind::Archetype),
        count(DeclKind::Mixin),
    );
    eprintln!(
        "documented {platforms} {}, {archetypes} {}, {mixins} {} and {} {} into `{}`: {} files in {}",
        plural(platforms, "platform", "platforms"),
        plural(archetypes, "archetype", "archetypes"),
        plural(mixins, "mixin", "mixins"),
        documented.schemas.len(),
        plural(documented.schemas.len(), "schema", "schemas"),
        out.display(),
        files.len(),
        elapsed(cx.started.elapsed()),
    );
    ExitCode::SUCCESS
}
