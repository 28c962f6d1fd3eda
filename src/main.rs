//! The `hubc` command line: parses arguments, runs the driver, prints, picks the exit code.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand, ValueEnum};
use hubc::diagnostics::{self, Format, Tally};
use hubc::driver::{self, FormatOutcome, Session};

const EXIT_CODES: &str = "\
Exit codes:
  0  clean
  1  errors (or, for `fmt --check`, files that are not formatted)
  2  differences found (reserved for `diff` and the `--check` forms of `build` and `drift`)";

#[derive(Parser)]
#[command(name = "hubc", version, about = "A compiler for .hub files: one typed source for a fleet of JupyterHubs", after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,

    /// How to print diagnostics.
    #[arg(long, global = true, value_enum, default_value_t = Format::Human)]
    format: Format,

    /// When to use colour in human output.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
enum Command {
    /// Parse and check `.hub` files and report every problem found.
    #[command(after_help = EXIT_CODES)]
    Check {
        /// Files or directories (searched recursively for `*.hub`).
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
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
            let session = driver::load(&paths);
            let tally = print_diagnostics(&session, cli.format, color);
            eprintln!(
                "checked {} {}, {} {}: {} {}, {} {} in {}",
                session.files.len(),
                plural(session.files.len(), "file", "files"),
                session.n_declarations(),
                plural(session.n_declarations(), "declaration", "declarations"),
                tally.errors,
                plural(tally.errors, "error", "errors"),
                tally.warnings,
                plural(tally.warnings, "warning", "warnings"),
                elapsed(started.elapsed()),
            );
            exit_for(tally, false)
        }
        Command::Fmt { check, paths } => {
            let mut session = driver::load(&paths);
            let outcomes = driver::format_files(&mut session, check);
            let tally = print_diagnostics(&session, cli.format, color);
            let mut n_reformatted = 0;
            for (path, outcome) in &outcomes {
                if *outcome == FormatOutcome::Reformatted {
                    n_reformatted += 1;
                    if check {
                        println!("{}", path.display());
                    } else {
                        println!("formatted {}", path.display());
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

/// Prints diagnostics: human reports on stderr, machine formats on stdout.
fn print_diagnostics(session: &Session, format: Format, color: bool) -> Tally {
    let rendered = diagnostics::render_all(&session.diagnostics, &session.sources, format, color);
    match format {
        Format::Human => eprint!("{rendered}"),
        Format::Json | Format::Github => print!("{rendered}"),
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
