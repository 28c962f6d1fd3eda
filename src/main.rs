//! The `hubc` command line: parses arguments, runs the driver, prints, picks the exit code.

#![allow(clippy::disallowed_methods)] // the command line is an edge: it reads and writes

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand, ValueEnum};

/// A compiler allocates many small nodes and frees them together; mimalloc does both several
/// times faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use hubc::check::policy::Day;
use hubc::diagnostics::{self, Format, Tally};
use hubc::driver::{self, FormatOutcome, Session};

const EXIT_CODES: &str = "\
Exit codes:
  0  clean
  1  errors (for `fmt --check`: files that are not formatted; for `drift --check`: a community
     over budget, an expired override or a policy violation)
  2  differences found (`build --check`: stale output; `diff`: the fleet changes)";

#[derive(Parser)]
#[command(name = "hubc", version, about = "A compiler for .hub files: one typed source for a fleet of JupyterHubs", after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,

    /// How to print: diagnostics as `human`, `json` or `github`; the drift report as `text`,
    /// `markdown`, `json` or `html`; the diff as `text`, `markdown`, `json` or `github`.
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Human)]
    format: OutputFormat,

    /// When to use colour in human output.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    color: Color,

    /// The date `@expires` is checked against (YYYY-MM-DD); today in UTC by default.
    #[arg(long, global = true, env = "HUBC_TODAY", value_parser = parse_today)]
    today: Option<Day>,
}

fn parse_today(text: &str) -> Result<Day, String> {
    hubc::check::policy::parse_day(text)
        .ok_or_else(|| format!("`{text}` is not a date like 2026-12-31"))
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    /// Diagnostics as miette's graphical report.
    Human,
    /// One JSON object per diagnostic, or the drift report or the diff as JSON.
    Json,
    /// GitHub Actions workflow commands: diagnostics, or the diff's annotations.
    Github,
    /// The drift report or the diff, for a terminal.
    Text,
    /// The drift report or the diff as a pull-request comment.
    Markdown,
    /// The drift report as one self-contained HTML page.
    Html,
}

impl OutputFormat {
    /// How diagnostics print under this format: report formats print them for people.
    fn diagnostics(self) -> Format {
        match self {
            OutputFormat::Json => Format::Json,
            OutputFormat::Github => Format::Github,
            _ => Format::Human,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
enum Command {
    /// Check fleets: syntax, names, types, quantities and policy; report every problem found.
    #[command(after_help = EXIT_CODES)]
    Check {
        /// Fleets: each a directory (searched recursively for `*.hub`) or a file and its imports.
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
    },
    /// Report the drift of a fleet: what each community customizes, against its archetype.
    #[command(after_help = EXIT_CODES)]
    Drift {
        /// The fleet: a directory, or a file and its imports.
        #[arg(default_value = ".")]
        fleet: PathBuf,
        /// Exit 1 when a community is over its budget, has an expired override or a policy
        /// violation.
        #[arg(long)]
        check: bool,
        /// How many communities must set a path to one value for it to be a promotion candidate.
        #[arg(long, default_value_t = 3)]
        promote_at: usize,
    },
    /// Show the values a community ends up with, how each is classified, and where it comes from.
    #[command(after_help = EXIT_CODES)]
    Explain {
        /// The community: `cluster/name`, or `name` when it is unique.
        community: String,
        /// Only values under this path, such as `jupyterhub.singleuser`.
        path: Option<String>,
        /// The fleet: a directory, or a file and its imports.
        #[arg(long, default_value = ".")]
        fleet: PathBuf,
    },
    /// Check a fleet and write what the deploy tools consume: Helm values per hub, a deploy
    /// manifest and Terraform variables per cluster.
    #[command(after_help = EXIT_CODES)]
    Build {
        /// The fleet: a directory, or a file and its imports.
        #[arg(default_value = ".")]
        fleet: PathBuf,
        /// The output directory; replaced whole by every build.
        #[arg(short, long, default_value = "out")]
        out: PathBuf,
        /// Write nothing; list the files that differ from what a build would write and exit 2
        /// if there are any.
        #[arg(long)]
        check: bool,
    },
    /// Compare the fleet with another version of it: what changes in every emitted file, how
    /// drift moves, the blast radius of each platform, archetype or mixin that changed, and the
    /// overrides a changed base value left stale. Exits 2 when anything changes.
    #[command(after_help = EXIT_CODES)]
    Diff {
        /// The version to compare with: a git revision of the repository the fleet is in (such
        /// as `origin/main`), or a directory holding that version of the fleet.
        #[arg(long)]
        base: String,
        /// The fleet, as it is in the working tree: a directory, or a file and its imports.
        #[arg(default_value = ".")]
        fleet: PathBuf,
    },
    /// Import a fleet of YAML values files and Terraform variables as `.hub` files.
    #[command(after_help = EXIT_CODES)]
    Import {
        /// The fleet to import, laid out as `config/clusters/<cluster>/cluster.yaml` with the
        /// values files beside it, and `terraform/<provider>/projects/<cluster>.tfvars`.
        directory: PathBuf,
        /// The directory to write the `.hub` fleet into; it must not exist or be empty.
        #[arg(short, long)]
        out: PathBuf,
    },
    /// Rewrite `.hub` files in the canonical layout, keeping comments.
    #[command(after_help = EXIT_CODES)]
    Fmt {
        /// Write nothing; list the files that are not formatted and exit 1 if there are any.
        #[arg(long)]
        check: bool,
        /// Files or directories (searched recursively for `*.hub`).
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
    },
}

/// Writes to standard output; a reader that went away (`hubc drift | head`) ends the program
/// quietly instead of with a panic.
fn write_stdout(text: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if let Err(error) = stdout.write_fmt(text).and_then(|()| stdout.flush())
        && error.kind() == std::io::ErrorKind::BrokenPipe
    {
        std::process::exit(0);
    }
}

macro_rules! out {
    ($($argument:tt)*) => {
        write_stdout(format_args!($($argument)*))
    };
}

macro_rules! outln {
    ($($argument:tt)*) => {{
        write_stdout(format_args!($($argument)*));
        write_stdout(format_args!("\n"));
    }};
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = match cli.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let started = Instant::now();
    match cli.command {
        Command::Check { paths } => {
            let today = cli.today.unwrap_or_else(hubc::check::policy::today);
            let mut tally = Tally::default();
            let (mut n_files, mut n_declarations) = (0, 0);
            for path in &paths {
                let mut session = driver::load_fleet(path);
                driver::analyze(&mut session, today);
                let found = print_diagnostics(&session, cli.format.diagnostics(), color);
                tally.errors += found.errors;
                tally.warnings += found.warnings;
                n_files += session.files.len();
                n_declarations += session.n_declarations();
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
                elapsed(started.elapsed()),
            );
            exit_for(tally, false)
        }
        Command::Drift {
            fleet,
            check,
            promote_at,
        } => {
            let today = cli.today.unwrap_or_else(hubc::check::policy::today);
            let mut session = driver::load_fleet(&fleet);
            let Some(analysis) = analyze_for_report(&mut session, today, color) else {
                eprintln!("drift: the fleet has errors; fix them first");
                return ExitCode::from(1);
            };
            let report = hubc::report::drift::build(&analysis, &session.sources, today, promote_at);
            let text = match cli.format {
                OutputFormat::Json => hubc::report::drift::json(&report),
                OutputFormat::Markdown => hubc::report::drift_markdown::render(&report),
                OutputFormat::Html => hubc::report::drift_html::render(&report),
                _ => hubc::report::drift_text::render(&report),
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
        Command::Explain {
            community,
            path,
            fleet,
        } => {
            let today = cli.today.unwrap_or_else(hubc::check::policy::today);
            let mut session = driver::load_fleet(&fleet);
            let analysis = driver::analyze(&mut session, today);
            let tally = Tally::of(&session.diagnostics);
            if tally.errors > 0 {
                print_diagnostics(&session, cli.format.diagnostics(), color);
            }
            let Some(analysis) = analysis else {
                return ExitCode::from(1);
            };
            let Some(keys) = hubc::explain::split_path(path.as_deref().unwrap_or("")) else {
                eprintln!(
                    "error: `{}` is not a path like `jupyterhub.singleuser.image`",
                    path.unwrap_or_default()
                );
                return ExitCode::from(1);
            };
            let id = match analysis.fleet.find_community(&community, &analysis.names) {
                Ok(id) => id,
                Err(several) if !several.is_empty() => {
                    eprintln!(
                        "error: `{community}` is ambiguous; name one of `{}`",
                        several.join("`, `")
                    );
                    return ExitCode::from(1);
                }
                Err(_) => {
                    let known: Vec<&str> = analysis
                        .fleet
                        .communities
                        .iter()
                        .map(|&id| analysis.fleet.decl(id).display.as_str())
                        .collect();
                    let hint = hubc::diagnostics::suggest::did_you_mean(&community, known)
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default();
                    eprintln!("error: no community `{community}` in the fleet{hint}");
                    return ExitCode::from(1);
                }
            };
            match hubc::explain::explain(&analysis, &session.sources, id, &keys) {
                Ok(text) => {
                    out!("{text}");
                    exit_for(tally, false)
                }
                Err(missing) => {
                    let hint = missing
                        .suggestion
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default();
                    eprintln!(
                        "error: `{community}` has no value at `{}`{hint}",
                        missing.path
                    );
                    ExitCode::from(1)
                }
            }
        }
        Command::Build { fleet, out, check } => {
            let today = cli.today.unwrap_or_else(hubc::check::policy::today);
            let mut session = driver::load_fleet(&fleet);
            let analysis = driver::analyze(&mut session, today);
            let root = if fleet.is_dir() {
                fleet.clone()
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
                    print_diagnostics(&session, cli.format.diagnostics(), color);
                    eprintln!("build failed: nothing was written");
                    return ExitCode::from(1);
                }
            };
            print_diagnostics(&session, cli.format.diagnostics(), color);
            if check {
                let stale = match driver::stale_output(&out, &output.files) {
                    Ok(stale) => stale,
                    Err(error) => {
                        driver::report_output_error(&mut session, &out, error);
                        print_diagnostics(&session, cli.format.diagnostics(), color);
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
                    elapsed(started.elapsed()),
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
                    && started.elapsed() > Duration::from_secs(1)
                {
                    eprint!("\rwriting files: {done}/{total}");
                    shown = true;
                }
            };
            let written = driver::write_output(&out, &output.files, &mut progress);
            if shown {
                eprint!("\r\x1b[2K");
            }
            match written {
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
                        elapsed(started.elapsed()),
                    );
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    let mut failure = Session::default();
                    driver::report_output_error(&mut failure, &out, error);
                    print_diagnostics(&failure, cli.format.diagnostics(), color);
                    eprintln!("build failed: the output directory was left as it was");
                    ExitCode::from(1)
                }
            }
        }
        Command::Diff { base, fleet } => {
            let today = cli.today.unwrap_or_else(hubc::check::policy::today);
            if cli.format == OutputFormat::Html {
                eprintln!("error: `hubc diff` prints `text`, `markdown`, `json` or `github`");
                return ExitCode::from(1);
            }
            let checkout = match driver::checkout_base(&base, &fleet) {
                Ok(checkout) => checkout,
                Err(message) => {
                    eprintln!("error: {message}");
                    return ExitCode::from(1);
                }
            };
            // Places name `.hub` files from the repository root, so GitHub annotates the
            // lines of the pull request; the base from git is named as the same files.
            let head_root = driver::fleet_root(&fleet);
            let prefix = driver::repository_of(&head_root).map(|(_, relative)| relative);
            let base_prefix = if checkout.from_git {
                prefix.clone()
            } else {
                None
            };
            let Some(old) = diff_side(&checkout.fleet, base_prefix, &base, today, color) else {
                return ExitCode::from(1);
            };
            let Some(new) = diff_side(&fleet, prefix, "the working tree", today, color) else {
                return ExitCode::from(1);
            };
            let old_names = |id| old.place_name(id);
            let new_names = |id| new.place_name(id);
            let report = hubc::report::diff::build(
                &old.side(base.clone(), &old_names),
                &new.side("working tree".to_string(), &new_names),
            );
            drop(checkout);
            let text = match cli.format {
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
                elapsed(started.elapsed()),
            );
            ExitCode::from(hubc::report::diff::exit_code(&report))
        }
        Command::Import { directory, out } => {
            let mut session = Session::default();
            let imported = driver::import(&directory, &mut session);
            let tally = print_diagnostics(&session, cli.format.diagnostics(), color);
            let imported = match imported {
                Some(imported) if tally.errors == 0 => imported,
                _ => {
                    eprintln!("import failed: nothing was written");
                    return ExitCode::from(1);
                }
            };
            if let Err(error) = driver::write_new_directory(&out, &imported.files) {
                let mut failure = Session::default();
                driver::report_output_error(&mut failure, &out, error);
                print_diagnostics(&failure, cli.format.diagnostics(), color);
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
                elapsed(started.elapsed()),
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
        Command::Fmt { check, paths } => {
            let mut session = driver::load(&paths);
            let outcomes = driver::format_files(&mut session, check);
            let tally = print_diagnostics(&session, cli.format.diagnostics(), color);
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
                elapsed(started.elapsed()),
            );
            exit_for(tally, check && n_reformatted > 0)
        }
    }
}

/// One version of a fleet for `hubc diff`: loaded, analysed, built in memory, its drift
/// reported.
struct DiffSide {
    session: Session,
    analysis: hubc::driver::Analysis,
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

/// Loads, analyses and builds one version of a fleet for `hubc diff`. Policy problems are what
/// the diff reports on; any other error is printed, and there is no side.
fn diff_side(
    fleet: &std::path::Path,
    prefix: Option<PathBuf>,
    label: &str,
    today: Day,
    color: bool,
) -> Option<DiffSide> {
    let mut session = driver::load_fleet(fleet);
    let analysis = match analyze_for_report(&mut session, today, color) {
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

/// Analyses a fleet for a report. Policy problems are what drift and diff report on; any other
/// error is printed, and there is nothing to report.
fn analyze_for_report(
    session: &mut Session,
    today: Day,
    color: bool,
) -> Option<hubc::driver::Analysis> {
    let analysis = driver::analyze(session, today);
    let blocking = session
        .diagnostics
        .iter()
        .any(|d| d.is_error() && !d.code.starts_with("hub::policy::"));
    match analysis {
        Some(analysis) if !blocking => Some(analysis),
        _ => {
            print_diagnostics(session, Format::Human, color);
            None
        }
    }
}

/// Prints diagnostics: human reports on stderr, machine formats on stdout.
fn print_diagnostics(session: &Session, format: Format, color: bool) -> Tally {
    let rendered = diagnostics::render_all(&session.diagnostics, &session.sources, format, color);
    match format {
        Format::Human => eprint!("{rendered}"),
        Format::Json | Format::Github => out!("{rendered}"),
    }
    Tally::of(&session.diagnostics)
}

fn exit_for(tally: Tally, failed_check: bool) -> ExitCode {
    if tally.errors > 0 || failed_check {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn plural(count: usize, one: &'static str, many: &'static str) -> &'static str {
    if count == 1 { one } else { many }
}

fn elapsed(duration: Duration) -> String {
    if duration.as_secs() >= 1 {
        format!("{:.2}s", duration.as_secs_f64())
    } else {
        format!("{:.1}ms", duration.as_secs_f64() * 1000.0)
    }
}
