//! Every `--format` of every command, through the real binary. A format the command prints
//! gives output of that format: JSON that parses, GitHub lines that start with `::`, Markdown,
//! an HTML page. Any other is refused before the command does anything, as a command line
//! that does not parse: `hub::cli::usage`, exit 64, printed in the requested format where that
//! is a diagnostic format, with a help listing the formats the command takes.

#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;

use std::path::Path;
use std::process::Stdio;

use common::{ALL_FORMATS, FORMATS, TempDir, copy_dir, prints};
use serde_json::Value;

/// The arguments of a run of `command` that has something to print, in `scratch`.
fn arguments(command: &str, scratch: &Path) -> Vec<String> {
    let root = common::root();
    let drifting = root.join("examples/drifting").display().to_string();
    let at = |name: &str| scratch.join(name).display().to_string();
    let words: Vec<String> = match command {
        // A fleet with policy errors: diagnostics to print.
        "check" => vec![drifting],
        "build" => vec![drifting, "--out".into(), at("out")],
        "explain" => vec![
            "--fleet".into(),
            drifting,
            "campus/physics".into(),
            "jupyterhub.proxy".into(),
        ],
        "fmt" => vec!["--check".into(), at("broken")],
        "import" => vec![at("no-such-fleet"), "--out".into(), at("imported")],
        "drift" => vec![root.join("examples/fleet").display().to_string()],
        // The proxy's memory raised, as in the README: stale overrides to annotate.
        "diff" => vec!["--base".into(), at("base"), at("fleet")],
        "doc" => vec![
            root.join("examples/fleet").display().to_string(),
            "--out".into(),
            at("out"),
        ],
        // A refused name: a diagnostic to print, and nothing written.
        "new" => vec![
            "community".into(),
            "a/b".into(),
            "--archetype".into(),
            "course".into(),
            "--cluster".into(),
            "temple".into(),
            root.join("examples/fleet").display().to_string(),
        ],
        "lsp" => Vec::new(),
        other => panic!("no arguments for `{other}`"),
    };
    std::iter::once(command.to_string()).chain(words).collect()
}

fn scratch(name: &str) -> TempDir {
    let scratch = TempDir::new(name);
    let fleet = common::root().join("examples/fleet");
    copy_dir(&fleet, &scratch.join("base"));
    copy_dir(&fleet, &scratch.join("fleet"));
    let platform = scratch.join("fleet/platform.hub");
    let text = std::fs::read_to_string(&platform).unwrap();
    std::fs::write(
        &platform,
        text.replace("limits.memory = 512MiB", "limits.memory = 768MiB"),
    )
    .unwrap();
    scratch.write("broken/platform.hub", "platform {\n");
    scratch
}

struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[String], format: &str) -> Ran {
    let output = common::hubc()
        .args(args)
        .args([
            "--format",
            format,
            "--color",
            "never",
            "--today",
            "2026-11-26",
        ])
        .stdin(Stdio::null())
        .output()
        .expect("hubc runs");
    Ran {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The lines of stdout that are JSON diagnostics, each parsed; a line that starts as one must
/// parse.
fn json_lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .filter(|line| line.starts_with('{'))
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

/// What a command prints in a format it takes.
fn assert_printed(command: &str, format: &str, ran: &Ran) {
    let shown = format!(
        "hubc {command} --format {format}: exit {}\nstdout:\n{}\nstderr:\n{}",
        ran.code, ran.stdout, ran.stderr
    );
    assert_ne!(ran.code, 64, "{shown}");
    assert!(!ran.stderr.contains("hub::cli::usage"), "{shown}");
    match (command, format) {
        ("lsp", _) => {}
        ("drift" | "diff", "json") => {
            let report: Value = serde_json::from_str(&ran.stdout).expect(&shown);
            assert!(report["schema_version"].is_number(), "{shown}");
        }
        ("drift", "human" | "text") => assert!(ran.stdout.starts_with("drift of "), "{shown}"),
        ("diff", "human" | "text") => assert!(ran.stdout.starts_with("hubc diff: "), "{shown}"),
        ("drift" | "diff", "markdown") => assert!(ran.stdout.starts_with("## "), "{shown}"),
        ("drift", "html") => assert!(ran.stdout.starts_with("<!DOCTYPE html>"), "{shown}"),
        // One log, whatever it holds (tests/sarif.rs validates it).
        (_, "sarif") => {
            let log: Value = serde_json::from_str(&ran.stdout).expect(&shown);
            assert_eq!(log["version"], "2.1.0", "{shown}");
            assert!(
                !log["runs"][0]["results"]
                    .as_array()
                    .expect(&shown)
                    .is_empty(),
                "{shown}"
            );
            assert!(!ran.stderr.contains('×'), "{shown}");
        }
        // The pages are files; the summary names them.
        ("doc", _) => {
            assert_eq!(ran.code, 0, "{shown}");
            assert!(ran.stderr.starts_with("documented "), "{shown}");
        }
        (_, "json") => {
            let lines = json_lines(&ran.stdout);
            assert!(!lines.is_empty(), "{shown}");
            assert!(lines.iter().all(|line| line["code"].is_string()), "{shown}");
            assert!(!ran.stderr.contains('×'), "{shown}");
        }
        (_, "github") => {
            let annotations: Vec<&str> = ran
                .stdout
                .lines()
                .filter(|line| line.starts_with("::"))
                .collect();
            assert!(!annotations.is_empty(), "{shown}");
            assert!(!ran.stderr.contains('×'), "{shown}");
        }
        (_, "human" | "text") => assert!(ran.stderr.contains("hub::"), "{shown}"),
        _ => panic!("no expectation for {shown}"),
    }
    // `explain` prints its explanation as text in every format it takes.
    if command == "explain" {
        assert!(ran.stdout.contains("community campus/physics"), "{shown}");
    }
}

/// What a command prints for a format it does not take.
fn assert_refused(command: &str, format: &str, ran: &Ran, scratch: &Path) {
    let shown = format!(
        "hubc {command} --format {format}: exit {}\nstdout:\n{}\nstderr:\n{}",
        ran.code, ran.stdout, ran.stderr
    );
    assert_eq!(ran.code, 64, "{shown}");
    let taken = FORMATS.iter().find(|(name, _)| *name == command).unwrap().1;
    let (message, help) = match format {
        "json" => {
            let lines = json_lines(&ran.stdout);
            assert_eq!(lines.len(), 1, "{shown}");
            assert_eq!(lines[0]["code"], "hub::cli::usage", "{shown}");
            (
                lines[0]["message"].as_str().unwrap().to_string(),
                lines[0]["help"].as_str().unwrap().to_string(),
            )
        }
        "sarif" => {
            let log: Value = serde_json::from_str(&ran.stdout).expect(&shown);
            let results = log["runs"][0]["results"].as_array().expect(&shown);
            assert_eq!(results.len(), 1, "{shown}");
            assert_eq!(results[0]["ruleId"], "hub::cli::usage", "{shown}");
            let text = results[0]["message"]["text"].as_str().unwrap().to_string();
            (text.clone(), text)
        }
        "github" => {
            assert!(ran.stdout.starts_with("::error "), "{shown}");
            assert!(ran.stdout.contains("hub%3A%3Acli%3A%3Ausage"), "{shown}");
            (ran.stdout.clone(), ran.stdout.clone())
        }
        _ => {
            assert!(ran.stdout.is_empty(), "{shown}");
            assert!(ran.stderr.starts_with("hub::cli::usage\n"), "{shown}");
            (ran.stderr.clone(), ran.stderr.clone())
        }
    };
    assert!(
        message.contains(&format!("`hubc {command}` does not print `{format}`")),
        "{shown}"
    );
    for taken in taken {
        assert!(help.contains(&format!("`{taken}`")), "{shown}");
    }
    // Refused before any work: nothing is written.
    for written in ["out", "imported"] {
        assert!(!scratch.join(written).exists(), "{shown}");
    }
}

#[test]
fn every_command_prints_the_formats_it_takes_and_refuses_the_others() {
    let scratch = scratch("every");
    for (command, _) in FORMATS {
        let args = arguments(command, scratch.path());
        for format in ALL_FORMATS {
            let ran = run(&args, format);
            if prints(command, format) {
                assert_printed(command, format, &ran);
                let _ = std::fs::remove_dir_all(scratch.join("out"));
            } else {
                assert_refused(command, format, &ran, scratch.path());
            }
        }
    }
}

#[test]
fn a_refused_format_given_before_the_command_is_pointed_at() {
    let args: Vec<String> = ["--format", "html", "check", "examples/fleet"]
        .iter()
        .map(|word| word.to_string())
        .collect();
    let output = common::hubc()
        .args(&args)
        .args(["--color", "never"])
        .current_dir(common::root())
        .output()
        .expect("hubc runs");
    assert_eq!(output.status.code(), Some(64));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(" 1 │ hubc --format html check examples/fleet"),
        "{stderr}"
    );
    assert!(
        stderr.contains("help: `hubc check` prints `human`, `json`, `github` or `sarif`"),
        "{stderr}"
    );
}
