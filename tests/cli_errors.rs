//! Every way a command can be called wrongly ends in a coded diagnostic, in every diagnostic
//! format: a command line that does not parse (`hub::cli::usage`, exit 64) and a command whose
//! arguments name something that is not there (exit 1). Help and the version are not errors.

#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;

use std::process::Output;

use common::TempDir;
use serde_json::Value;

/// The exit code of a command line that does not parse, `EX_USAGE`.
const USAGE: i32 = 64;

/// A wrong call: its arguments, the code it must report, and the exit code.
struct Case {
    args: Vec<String>,
    code: &'static str,
    exit: i32,
}

fn case(args: &[&str], code: &'static str, exit: i32) -> Case {
    Case {
        args: args.iter().map(|arg| arg.to_string()).collect(),
        code,
        exit,
    }
}

fn fleet() -> String {
    common::root().join("examples/fleet").display().to_string()
}

fn missing() -> String {
    common::root()
        .join("tests/fixtures/no-such-fleet")
        .display()
        .to_string()
}

/// The wrong calls that take `--format`. `scratch` is outside any git repository, and holds a
/// fleet and an empty directory.
fn cases(scratch: &std::path::Path) -> Vec<Case> {
    let (fleet, missing) = (fleet(), missing());
    let outside_git = &scratch.join("fleet").display().to_string();
    let empty = &scratch.join("empty").display().to_string();
    let out = std::env::temp_dir().join("hubc-cli-errors-unwritten");
    let out = out.display().to_string();
    vec![
        case(&["check", &missing], "hub::io::not_found", 1),
        case(&["build", &missing, "--out", &out], "hub::io::not_found", 1),
        case(&["drift", &missing], "hub::io::not_found", 1),
        case(&["fmt", "--check", &missing], "hub::io::not_found", 1),
        case(
            &["import", &missing, "--out", &out],
            "hub::import::no_fleet",
            1,
        ),
        case(
            &["explain", "--fleet", &fleet, "leap/stagin"],
            "hub::cli::unknown_community",
            1,
        ),
        case(
            &["explain", "--fleet", &fleet, "leap/staging", "a..b"],
            "hub::cli::invalid_path",
            1,
        ),
        // A revision git does not know, and a fleet outside any repository.
        case(
            &["diff", "--base", "no-such-revision", &fleet],
            "hub::cli::base_unavailable",
            1,
        ),
        case(
            &["diff", "--base", "HEAD", outside_git],
            "hub::cli::base_unavailable",
            1,
        ),
        // A base that is fine, and a working tree that is not there.
        case(
            &["diff", "--base", &fleet, &missing],
            "hub::io::not_found",
            1,
        ),
        // A fleet with no `.hub` files, which only `hubc check` accepts.
        case(&["build", empty, "--out", &out], "hub::cli::empty_fleet", 1),
        case(&["drift", empty], "hub::cli::empty_fleet", 1),
        case(&["doc", empty, "--out", &out], "hub::cli::empty_fleet", 1),
        case(
            &["explain", "--fleet", empty, "leap/staging"],
            "hub::cli::empty_fleet",
            1,
        ),
        case(
            &["diff", "--base", &fleet, empty],
            "hub::cli::empty_fleet",
            1,
        ),
        // Command lines that do not parse.
        case(&["lsp", "--bogus"], "hub::cli::usage", USAGE),
        case(&[], "hub::cli::usage", USAGE),
        case(&["chek", &fleet], "hub::cli::usage", USAGE),
        case(
            &["check", "--today", "2026-02-30", &fleet],
            "hub::cli::usage",
            USAGE,
        ),
        case(
            &["check", "--color", "purple", &fleet],
            "hub::cli::usage",
            USAGE,
        ),
        case(&["check", "--today"], "hub::cli::usage", USAGE),
        case(&["explain", "--fleet", &fleet], "hub::cli::usage", USAGE),
        case(&["diff", &fleet], "hub::cli::usage", USAGE),
        case(&["import", &missing], "hub::cli::usage", USAGE),
        case(&["build", "--chek", &fleet], "hub::cli::usage", USAGE),
        case(
            &["drift", "--promote-at", "many", &fleet],
            "hub::cli::usage",
            USAGE,
        ),
        case(&["fmt", "--check", "--check"], "hub::cli::usage", USAGE),
    ]
}

fn run(args: &[String], format: Option<&str>) -> Output {
    let mut command = common::hubc();
    command.env_remove("HUBC_TODAY").arg("--color=never");
    if let Some(format) = format {
        command.args(["--format", format]);
    }
    command.args(args).output().expect("hubc runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// What to show when a run is not as expected.
fn shown(args: &[String], output: &Output) -> String {
    format!(
        "hubc {}\nexit: {:?}\nstdout:\n{}\nstderr:\n{}",
        args.join(" "),
        output.status.code(),
        text(&output.stdout),
        text(&output.stderr)
    )
}

/// A scratch directory outside any git repository, with a fleet and an empty directory; tests
/// that run at once name theirs apart.
fn scratch(name: &str) -> TempDir {
    let directory = TempDir::new(name);
    directory.write(
        "fleet/platform.hub",
        "platform basehub { chart = \"basehub\" }\n",
    );
    std::fs::create_dir(directory.join("empty")).expect("the scratch directory is writable");
    directory
}

/// Runs every wrong call in `format`, checks its exit code, and hands over what it printed.
fn each_wrong_call(format: Option<&str>, check: impl Fn(&Case, &Output)) {
    let scratch = scratch(&format!("scratch-{}", format.unwrap_or("human")));
    for mut case in cases(scratch.path()) {
        // A format the command does not print is refused before anything else.
        if let (Some(format), Some(command)) = (format, case.args.first())
            && !common::prints(command, format)
        {
            case.code = "hub::cli::usage";
            case.exit = USAGE;
        }
        let output = run(&case.args, format);
        assert_eq!(
            output.status.code(),
            Some(case.exit),
            "{}",
            shown(&case.args, &output)
        );
        check(&case, &output);
    }
}

#[test]
fn a_wrong_call_is_a_coded_diagnostic_for_people() {
    each_wrong_call(None, |case, output| {
        assert!(
            text(&output.stderr).contains(&format!("{}\n", case.code)),
            "the code `{}` is shown\n{}",
            case.code,
            shown(&case.args, output)
        );
    });
}

#[test]
fn a_wrong_call_is_a_coded_diagnostic_in_json() {
    each_wrong_call(Some("json"), |case, output| {
        let stdout = text(&output.stdout);
        let records: Vec<Value> = stdout
            .lines()
            .map(|line| {
                serde_json::from_str(line).unwrap_or_else(|error| {
                    panic!("a line is JSON ({error})\n{}", shown(&case.args, output))
                })
            })
            .collect();
        let record = records
            .iter()
            .find(|record| record["code"] == case.code)
            .unwrap_or_else(|| {
                panic!(
                    "a `{}` record is printed\n{}",
                    case.code,
                    shown(&case.args, output)
                )
            });
        assert_eq!(record["severity"], "error");
        for field in ["file", "message", "help"] {
            assert!(
                record[field]
                    .as_str()
                    .is_some_and(|value| !value.is_empty()),
                "the record has a `{field}`\n{}",
                shown(&case.args, output)
            );
        }
        // Nothing meant for people goes to stdout, whatever went wrong.
        assert!(!stdout.contains('×'), "{}", shown(&case.args, output));
    });
}

#[test]
fn a_wrong_call_is_a_coded_annotation_for_github() {
    each_wrong_call(Some("github"), |case, output| {
        let title = format!("title={}::", case.code.replace(':', "%3A"));
        assert!(
            text(&output.stdout)
                .lines()
                .any(|line| line.starts_with("::error ") && line.contains(&title)),
            "an `::error` line titled `{}`\n{}",
            case.code,
            shown(&case.args, output)
        );
    });
}

#[test]
fn a_bad_format_is_a_usage_error_for_people() {
    for args in [
        vec!["--format", "xml", "check"],
        vec!["check", "--format=yaml"],
        vec!["check", "--format"],
    ] {
        let args: Vec<String> = args.iter().map(|arg| arg.to_string()).collect();
        let output = run(&args, None);
        assert_eq!(
            output.status.code(),
            Some(USAGE),
            "{}",
            shown(&args, &output)
        );
        assert!(
            text(&output.stderr).starts_with("hub::cli::usage\n"),
            "{}",
            shown(&args, &output)
        );
        assert!(output.stdout.is_empty(), "{}", shown(&args, &output));
    }
}

#[test]
fn a_usage_error_points_at_the_argument_and_passes_on_the_suggestion() {
    let args: Vec<String> = ["--format", "json", "buld", "examples/fleet"]
        .iter()
        .map(|arg| arg.to_string())
        .collect();
    let output = run(&args, None);
    let record: Value = serde_json::from_slice(&output.stdout).expect("one JSON record");
    assert_eq!(record["file"], "<command line>");
    assert_eq!(record["message"], "no command `buld`");
    assert_eq!(record["help"], "did you mean `build`?");
    // `hubc --color=never --format json buld`: `buld` starts at column 34.
    assert_eq!(
        (&record["line"], &record["column"]),
        (&1.into(), &34.into())
    );
    assert_eq!(record["end"]["column"], 38);
}

#[test]
fn an_invalid_today_from_the_environment_names_the_variable() {
    let output = common::hubc()
        .env("HUBC_TODAY", "tomorrow")
        .args(["--color=never", "--format", "json", "check", &fleet()])
        .output()
        .expect("hubc runs");
    assert_eq!(output.status.code(), Some(USAGE));
    let record: Value = serde_json::from_slice(&output.stdout).expect("one JSON record");
    assert_eq!(record["code"], "hub::cli::usage");
    assert_eq!(record["label"], "`--today` is set by `HUBC_TODAY`");
}

#[test]
fn help_and_version_are_not_errors() {
    for args in [
        &["--help"][..],
        &["-h"],
        &["--version"],
        &["check", "--help"],
        &["help"],
        &["help", "diff"],
    ] {
        let args: Vec<String> = args.iter().map(|arg| arg.to_string()).collect();
        let output = run(&args, None);
        assert_eq!(output.status.code(), Some(0), "{}", shown(&args, &output));
        assert!(!output.stdout.is_empty(), "{}", shown(&args, &output));
        assert!(output.stderr.is_empty(), "{}", shown(&args, &output));
    }
    let help = text(&run(&["--help".to_string()], None).stdout);
    assert!(
        help.contains("\n  64 the command line does not parse"),
        "`hubc --help` documents exit 64:\n{help}"
    );
}
