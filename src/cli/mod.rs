//! The command line: the arguments (clap), one file per command, and what they share: how
//! diagnostics print, the summary lines, exit codes. The only code besides the driver that
//! prints or reads the environment.

#![allow(clippy::disallowed_methods)] // the command line is an edge: it reads and writes

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand, ValueEnum};
use hubc::analysis::Session;
use hubc::check::policy::Day;
use hubc::diagnostics::{self, Format, Tally};
use hubc::driver;

/// Writes to standard output; a reader that went away (`hubc drift | head`) ends the program
/// quietly instead of with a panic.
pub fn write_stdout(text: std::fmt::Arguments<'_>) {
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
        $crate::cli::write_stdout(format_args!($($argument)*))
    };
}

macro_rules! outln {
    ($($argument:tt)*) => {{
        $crate::cli::write_stdout(format_args!($($argument)*));
        $crate::cli::write_stdout(format_args!("\n"));
    }};
}

mod build;
mod check;
mod diff;
mod doc;
mod drift;
mod error;
mod explain;
mod fmt;
mod import;
mod lsp;
mod new;
mod usage;

pub use error::CliError;

const EXIT_CODES: &str = "\
Exit codes:
  0  clean
  1  errors (for `fmt --check`: files that are not formatted; for `drift --check`: a community
     over budget, an expired override or a policy violation)
  2  differences found (`build --check`: stale output; `diff`: the fleet changes)
  64 the command line does not parse (an unknown option or command, a bad value, a missing
     argument), reported as `hub::cli::usage`";

#[derive(Parser)]
#[command(name = "hubc", version, about = "A compiler for .hub files: one typed source for a fleet of JupyterHubs", after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// How to print: diagnostics as `human`, `json`, `github` or `sarif`; the drift report as
    /// `text`, `markdown`, `json`, `html` or `sarif`; the diff as `text`, `markdown`, `json` or
    /// `github`. A format the command does not print is a usage error.
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,

    /// When to use colour in human output.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    pub color: Color,

    /// In human output, how many warnings of one code to show in full; the rest are counted in
    /// one line per code. 0 shows every warning. JSON and GitHub output list them all.
    #[arg(long, global = true, env = "HUBC_WARNING_LIMIT", default_value_t = 20)]
    pub warning_limit: usize,

    /// The date `@expires` is checked against (YYYY-MM-DD); today in UTC by default.
    #[arg(long, global = true, env = "HUBC_TODAY", value_parser = parse_today)]
    pub today: Option<Day>,
}

fn parse_today(text: &str) -> Result<Day, String> {
    hubc::check::policy::parse_day(text).ok_or_else(|| "not a date like 2026-12-31".to_string())
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
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
    /// One SARIF 2.1.0 log, for code-scanning views: diagnostics, and the drift report's
    /// findings.
    Sarif,
}

impl OutputFormat {
    /// How diagnostics print under this format: report formats print them for people.
    pub fn diagnostics(self) -> Format {
        match self {
            OutputFormat::Json => Format::Json,
            OutputFormat::Github => Format::Github,
            OutputFormat::Sarif => Format::Sarif,
            _ => Format::Human,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
pub enum Command {
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
    /// Write the documentation of a fleet for the people who use it: a page per archetype
    /// (what a community gets, what it may change and within which bounds, what is locked, the
    /// identity settings, the budget, the communities), per platform and mixin, the schema
    /// reference and an index; HTML, or Markdown with `--format markdown`.
    #[command(after_help = EXIT_CODES)]
    Doc {
        /// The fleet: a directory, or a file and its imports.
        #[arg(default_value = ".")]
        fleet: PathBuf,
        /// The directory to write the pages into; replaced whole, when hubc wrote it.
        #[arg(short, long)]
        out: PathBuf,
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
    /// Start a community or a cluster: write its file, with what it must set as `todo("...")`
    /// placeholders (errors until they are filled in) and what it may set as commented-out
    /// lines with their docs, bounds and inherited values.
    #[command(after_help = EXIT_CODES)]
    New {
        #[command(subcommand)]
        what: new::NewCommand,
    },
    /// Serve editors over the Language Server Protocol on stdin and stdout: diagnostics as you
    /// type, hover with values and provenance, definitions, references, symbols, completion,
    /// formatting and code actions. Each open file's fleet is the highest folder above it that
    /// holds `.hub` files, below the repository's top.
    Lsp,
}

impl Command {
    /// The name a command is typed as.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Check { .. } => "check",
            Command::Drift { .. } => "drift",
            Command::Explain { .. } => "explain",
            Command::Build { .. } => "build",
            Command::Diff { .. } => "diff",
            Command::Doc { .. } => "doc",
            Command::Import { .. } => "import",
            Command::Fmt { .. } => "fmt",
            Command::New { .. } => "new",
            Command::Lsp => "lsp",
        }
    }

    /// The formats a command prints; any other `--format` is a usage error. `human`, the
    /// default, is every command's own: diagnostics for people, and the text of a report.
    /// Commands whose output is diagnostics print them as `json` or `github` too; `explain`
    /// prints its explanation as text whatever the format of its diagnostics. The language
    /// server speaks its protocol.
    pub fn formats(&self) -> &'static [OutputFormat] {
        use OutputFormat::*;
        match self {
            Command::Check { .. } => &[Human, Json, Github, Sarif],
            Command::Build { .. }
            | Command::Import { .. }
            | Command::Fmt { .. }
            | Command::New { .. } => &[Human, Json, Github],
            Command::Explain { .. } => &[Human, Text, Json, Github],
            Command::Drift { .. } => &[Human, Text, Markdown, Json, Html, Sarif],
            Command::Diff { .. } => &[Human, Text, Markdown, Json, Github],
            Command::Doc { .. } => &[Human, Markdown, Html],
            Command::Lsp => &[Human],
        }
    }
}

/// What every command is run with.
pub struct Context {
    pub format: OutputFormat,
    pub color: bool,
    /// How many warnings of one code human output shows in full (0: all).
    pub warning_limit: usize,
    /// The day `@expires` dates are checked against.
    pub today: Day,
    pub started: Instant,
}

/// Parses the arguments and runs the command.
pub fn run() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(error) => return usage::report(error, &args),
    };
    let accepted = cli.command.formats();
    if !accepted.contains(&cli.format) {
        return usage::unsupported_format(&args, cli.command.name(), cli.format, accepted);
    }
    let cx = Context {
        format: cli.format,
        color: use_color(cli.color),
        warning_limit: cli.warning_limit,
        today: cli.today.unwrap_or_else(hubc::check::policy::today),
        started: Instant::now(),
    };
    match cli.command {
        Command::Check { paths } => check::run(&cx, &paths),
        Command::Drift {
            fleet,
            check,
            promote_at,
        } => drift::run(&cx, &fleet, check, promote_at),
        Command::Explain {
            community,
            path,
            fleet,
        } => explain::run(&cx, &community, path.as_deref(), &fleet),
        Command::Build { fleet, out, check } => build::run(&cx, &fleet, &out, check),
        Command::Diff { base, fleet } => diff::run(&cx, &base, &fleet),
        Command::Doc { fleet, out } => doc::run(&cx, &fleet, &out),
        Command::Import { directory, out } => import::run(&cx, &directory, &out),
        Command::Fmt { check, paths } => fmt::run(&cx, check, &paths),
        Command::New { what } => new::run(&cx, &what),
        Command::Lsp => lsp::run(&cx),
    }
}

/// Lets `value` go without dropping it: a command about to return from `main` leaves its
/// fleet-sized structures to the end of the process, which gives their memory back at once,
/// rather than freeing them node by node (a tenth of a 10,000-community build).
pub(crate) fn leave<T>(value: T) {
    std::mem::forget(value);
}

/// Whether human output is in colour: as asked, or on a terminal unless `NO_COLOR` is set.
fn use_color(color: Color) -> bool {
    match color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    }
}

/// Reports a problem with an argument, printed as every diagnostic is, and fails.
pub fn argument_error(cx: &Context, argument: &str, error: CliError) -> ExitCode {
    let mut session = Session::default();
    let file = session.sources.add("<command line>", argument);
    session
        .diagnostics
        .push(hubc::diagnostics::Diagnostic::from_miette(file, &error));
    print_diagnostics(&session, cx);
    ExitCode::from(1)
}

/// Loads the fleet a command builds or reports on. A fleet with no `.hub` files is only a
/// warning for `hubc check`; here there is nothing to work on, so it is an error,
/// `hub::cli::empty_fleet`, which takes the warning's place. `argument` is the fleet as given
/// on the command line.
pub fn load_fleet(command: &'static str, fleet: &std::path::Path, argument: &str) -> Session {
    load_fleet_in(Session::default(), command, fleet, argument)
}

/// [`load_fleet`] into `session`: an empty one, such as [`Session::declaring`].
pub fn load_fleet_in(
    session: Session,
    command: &'static str,
    fleet: &std::path::Path,
    argument: &str,
) -> Session {
    let mut session = driver::load_fleet_in(session, fleet);
    if session.files.is_empty() && !session.diagnostics.iter().any(|d| d.is_error()) {
        session
            .diagnostics
            .retain(|d| d.code != "hub::io::no_hub_files");
        let file = session.sources.add("<command line>", argument);
        let error = CliError::EmptyFleet {
            command,
            fleet: argument.to_string(),
            at: error::whole(argument),
        };
        session
            .diagnostics
            .push(hubc::diagnostics::Diagnostic::from_miette(file, &error));
    }
    session
}

/// Analyses a fleet for a report. Policy problems are what drift and diff report on, and so are
/// the errors of the codes in `tolerated`; any other error is printed, in the diagnostic format
/// asked for, and there is nothing to report.
pub fn analyze_for_report(
    session: &mut Session,
    cx: &Context,
    tolerated: &[&str],
) -> Option<hubc::analysis::Analysis> {
    let analysis = driver::analyze(session, cx.today);
    let blocking = session.diagnostics.iter().any(|d| {
        d.is_error()
            && !d.code.starts_with("hub::policy::")
            && !tolerated.contains(&d.code.as_str())
    });
    match analysis {
        Some(analysis) if !blocking => Some(analysis),
        _ => {
            print_diagnostics(session, cx);
            None
        }
    }
}

/// Prints diagnostics as a command was asked to: see [`print_diagnostics_as`].
pub fn print_diagnostics(session: &Session, cx: &Context) -> Tally {
    print_diagnostics_as(session, cx.format.diagnostics(), cx.color, cx.warning_limit)
}

/// Prints diagnostics: human reports on stderr, at most `warning_limit` warnings of one code
/// in full (0: all); machine formats, all of them, on stdout.
pub fn print_diagnostics_as(
    session: &Session,
    format: Format,
    color: bool,
    warning_limit: usize,
) -> Tally {
    let rendered = diagnostics::render_limited(
        &session.diagnostics,
        &session.sources,
        format,
        color,
        warning_limit,
    );
    match format {
        Format::Human => eprint!("{rendered}"),
        Format::Json | Format::Github | Format::Sarif => out!("{rendered}"),
    }
    Tally::of(&session.diagnostics)
}

pub fn exit_for(tally: Tally, failed_check: bool) -> ExitCode {
    if tally.errors > 0 || failed_check {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

pub fn plural(count: usize, one: &'static str, many: &'static str) -> &'static str {
    if count == 1 { one } else { many }
}

pub fn elapsed(duration: Duration) -> String {
    if duration.as_secs() >= 1 {
        format!("{:.2}s", duration.as_secs_f64())
    } else {
        format!("{:.1}ms", duration.as_secs_f64() * 1000.0)
    }
}
