//! `hubc diff`: the fleet against another version of it.

use std::path::Path;
use std::process::ExitCode;

use hubc::driver;

use super::*;

pub fn run(cx: &Context, base: &str, fleet: &Path) -> ExitCode {
    let checkout = match driver::checkout_base(base, fleet) {
        Ok(checkout) => checkout,
        Err(reason) => {
            return argument_error(
                cx,
                base,
                CliError::BaseUnavailable {
                    base: base.to_string(),
                    reason,
                    at: error::whole(base),
                },
            );
        }
    };
    // Places name `.hub` files from the repository root, so GitHub annotates the
    // lines of the pull request; the base from git is named as the same files.
    let head_root = driver::fleet_root(fleet);
    let prefix = driver::repository_of(&head_root).map(|(_, relative)| relative);
    let base_prefix = if checkout.from_git {
        prefix.clone()
    } else {
        None
    };
    let Some(old) = diff_side(cx, &checkout.fleet, base_prefix, base, base, BASE_TOLERATES) else {
        return ExitCode::from(1);
    };
    let Some(new) = diff_side(
        cx,
        fleet,
        prefix,
        "the working tree",
        &fleet.display().to_string(),
        &[],
    ) else {
        return ExitCode::from(1);
    };
    let old_names = |id| old.place_name(id);
    let new_names = |id| new.place_name(id);
    let report = hubc::report::diff::build(
        &old.side(base.to_string(), &old_names),
        &new.side("working tree".to_string(), &new_names),
    );
    drop(checkout);
    let text = match cx.format {
        OutputFormat::Json => hubc::report::diff::json(&report),
        OutputFormat::Markdown => hubc::report::diff::markdown(&report),
        OutputFormat::Github => hubc::report::diff::github(&report),
        _ => hubc::report::diff::text(&report),
    };
    out!("{text}");
    let n_policy = new
        .session
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .count();
    if n_policy > 0 {
        eprintln!(
            "note: the working tree has {n_policy} policy {}; `hubc check` shows {}",
            plural(n_policy, "error", "errors"),
            plural(n_policy, "it", "them"),
        );
    }
    eprintln!(
        "diff against `{base}`: {} in {}",
        if report.changed {
            "changes"
        } else {
            "no changes"
        },
        elapsed(cx.started.elapsed()),
    );
    ExitCode::from(hubc::report::diff::exit_code(&report))
}

/// One version of a fleet for `hubc diff`: loaded, analysed, built in memory, its drift
/// reported.
struct DiffSide {
    session: Session,
    analysis: hubc::analysis::Analysis,
    output: hubc::emit::Output,
    drift: hubc::report::drift::DriftReport,
    root: PathBuf,
    /// The fleet root relative to the repository root, when places are named from there.
    prefix: Option<PathBuf>,
}

impl DiffSide {
    /// How places name a `.hub` file: from the repository root when known, else as loaded.
    fn place_name(&self, id: hubc::source::FileId) -> String {
        let Some(file) = self.session.files.iter().find(|file| file.id == id) else {
            return self.session.sources.get(id).name.clone();
        };
        match (&self.prefix, file.path.strip_prefix(&self.root)) {
            (Some(prefix), Ok(relative)) => slashed(&prefix.join(relative)),
            _ => file.path.display().to_string(),
        }
    }

    fn side<'a>(
        &'a self,
        label: String,
        file_name: &'a dyn Fn(hubc::source::FileId) -> String,
    ) -> hubc::report::diff::Side<'a> {
        hubc::report::diff::Side {
            label,
            analysis: &self.analysis,
            sources: &self.session.sources,
            output: &self.output,
            drift: &self.drift,
            file_name,
        }
    }
}

/// A path with `/` between its parts, as GitHub and emitted headers name files.
fn slashed(path: &std::path::Path) -> String {
    path.components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// The errors the base may have and still be compared with: a literal credential committed
/// before is what a change that moves it into a secret file removes. The diff masks it.
const BASE_TOLERATES: &[&str] = &["hub::check::literal_secret"];

/// Loads, analyses and builds one version of a fleet for `hubc diff`; `argument` is how the
/// command line names it. Policy problems and the errors of the codes in `tolerated` are what
/// the diff reports on; any other error is printed, and there is no side.
fn diff_side(
    cx: &Context,
    fleet: &std::path::Path,
    prefix: Option<PathBuf>,
    label: &str,
    argument: &str,
    tolerated: &[&str],
) -> Option<DiffSide> {
    let today = cx.today;
    let mut session = load_fleet("diff", fleet, argument);
    let analysis = match analyze_for_report(&mut session, cx, tolerated) {
        Some(analysis) => analysis,
        None => {
            eprintln!("diff: the fleet at `{label}` has errors; fix them first");
            return None;
        }
    };
    let root = driver::fleet_root(fleet);
    // Headers name files from the fleet root, as `hubc build` writes them.
    let names: Vec<(hubc::source::FileId, String)> = session
        .files
        .iter()
        .map(|file| {
            let relative = file.path.strip_prefix(&root).unwrap_or(&file.path);
            (file.id, relative.display().to_string())
        })
        .collect();
    let (output, _) = hubc::emit::build(&analysis, &|id| {
        names
            .iter()
            .find(|(file, _)| *file == id)
            .map(|(_, name)| name.clone())
            .unwrap_or_default()
    });
    let drift = hubc::report::drift::build(&analysis, &session.sources, today, 3);
    Some(DiffSide {
        session,
        analysis,
        output,
        drift,
        root,
        prefix,
    })
}
