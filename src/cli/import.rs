//! `hubc import`: a YAML fleet as `.hub` files.

use std::path::Path;
use std::process::ExitCode;

use hubc::driver;

use super::*;

pub fn run(cx: &Context, directory: &Path, out: &Path) -> ExitCode {
    let mut session = Session::default();
    let imported = driver::import(directory, &mut session);
    let tally = print_diagnostics(&session, cx);
    let imported = match imported {
        Some(imported) if tally.errors == 0 => imported,
        _ => {
            eprintln!("import failed: nothing was written");
            return ExitCode::from(1);
        }
    };
    if let Err(error) = driver::write_new_directory(out, &imported.files) {
        let mut failure = Session::default();
        driver::report_output_error(&mut failure, out, error);
        print_diagnostics(&failure, cx);
        eprintln!("import failed: nothing was written");
        return ExitCode::from(1);
    }
    eprintln!(
        "imported {} {} with {} {} ({} placed in a standard archetype, {} {} found for groups of hubs, {} fleet-wide {}, the defaults of {} {}) into `{}`: {} files, {} {} in {}",
        imported.n_clusters,
        plural(imported.n_clusters, "cluster", "clusters"),
        imported.n_hubs,
        plural(imported.n_hubs, "hub", "hubs"),
        imported.n_fitted,
        imported.groups.len(),
        plural(imported.groups.len(), "archetype", "archetypes"),
        imported.n_mixins,
        plural(imported.n_mixins, "mixin", "mixins"),
        imported.charts.len(),
        plural(imported.charts.len(), "chart", "charts"),
        out.display(),
        imported.files.len(),
        tally.warnings,
        plural(tally.warnings, "warning", "warnings"),
        elapsed(cx.started.elapsed()),
    );
    let summary = &imported.summary;
    eprintln!(
        "input: {} {} read, {} referenced (secrets, chart overrides), {} not imported (each named in a warning); Terraform: {} {} ({} matched to a cluster by name, {} by contents, {} on {} own)",
        summary.n_imported,
        plural(summary.n_imported, "file", "files"),
        summary.n_referenced,
        summary.n_not_imported,
        summary.n_projects(),
        plural(summary.n_projects(), "project", "projects"),
        summary.n_projects_by_name,
        summary.n_projects_by_contents,
        summary.n_projects_alone,
        if summary.n_projects_alone == 1 {
            "its"
        } else {
            "their"
        },
    );
    ExitCode::SUCCESS
}
