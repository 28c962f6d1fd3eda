//! Tests of `hubc fmt`: golden fixtures, idempotence and preserved meaning over every `.hub`
//! file of the repository, and the already-formatted state of `examples/` and `stdlib/`.

#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;

use std::path::{Path, PathBuf};

use common::plain::meaning;
use hubc::syntax::ast::{CommentKind, File};

#[test]
fn format_fixtures() {
    insta::glob!("fixtures/format/*.hub", |path| {
        let input = std::fs::read_to_string(path).expect("fixture is readable");
        let output = format_clean(&input, path);
        insta::assert_snapshot!(format!("{input}\n----- formatted -----\n{output}"));
    });
}

#[test]
fn formatting_twice_changes_nothing() {
    let mut failures = Vec::new();
    for (name, text) in formattable_files() {
        let once = hubc::format::format(&text, &hubc::syntax::parse(&text).file);
        let errors = common::syntax_errors(&once).concat();
        if !errors.is_empty() {
            failures.push(format!(
                "{name}: the formatted text has syntax errors:\n{errors}"
            ));
            continue;
        }
        let twice = hubc::format::format(&once, &hubc::syntax::parse(&once).file);
        if once != twice {
            failures.push(format!(
                "{name}: formatting the formatted text changed it:\n{}",
                first_difference(&once, &twice)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn formatting_keeps_the_meaning_and_every_comment() {
    let mut failures = Vec::new();
    for (name, text) in formattable_files() {
        let before = hubc::syntax::parse(&text).file;
        let formatted = hubc::format::format(&text, &before);
        let after = hubc::syntax::parse(&formatted).file;
        if meaning(&before) != meaning(&after) {
            failures.push(format!(
                "{name}: the formatted text parses to a different tree:\n{}",
                first_difference_within_line(&meaning(&before), &meaning(&after))
            ));
        }
        if comments(&before, &text) != comments(&after, &formatted) {
            failures.push(format!(
                "{name}: the formatted text has different comments:\n{:?}\n{:?}",
                comments(&before, &text),
                comments(&after, &formatted)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// What `hubc fmt --check` enforces on the repository's own `.hub` files.
#[test]
fn examples_and_stdlib_are_formatted() {
    let mut paths = common::hub_files(&common::root().join("examples"));
    paths.extend(common::hub_files(&common::root().join("stdlib")));
    assert!(paths.len() > 5, "the examples and stdlib were not found");
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("file is readable");
        let formatted = format_clean(&text, &path);
        assert!(
            formatted == text,
            "{} is not formatted; run `hubc fmt` on it:\n{}",
            path.display(),
            first_difference(&text, &formatted)
        );
    }
}

/// Formats text that must parse without errors, and checks that the result does too.
fn format_clean(text: &str, path: &Path) -> String {
    let parsed = hubc::syntax::parse(text);
    assert!(
        parsed.errors.is_empty(),
        "{} has syntax errors: {:?}",
        path.display(),
        parsed.errors
    );
    hubc::format::format(text, &parsed.file)
}

/// Every `.hub` file of the repository that `hubc fmt` would format (no error, though maybe a
/// warning), named for messages. Fixtures of several files are split into their files.
fn formattable_files() -> Vec<(String, String)> {
    let root = common::root();
    let mut paths: Vec<PathBuf> = Vec::new();
    for directory in ["examples", "stdlib", "tests/fixtures"] {
        paths.extend(common::hub_files(&root.join(directory)));
    }
    let mut files = Vec::new();
    for path in &paths {
        let text = std::fs::read_to_string(path).expect("file is readable");
        for (part, part_text) in common::split_files(&text) {
            if common::syntax_errors(&part_text).is_empty() {
                let relative = path.strip_prefix(root).unwrap_or(path);
                files.push((format!("{} ({part})", relative.display()), part_text));
            }
        }
    }
    assert!(
        files.len() > 20,
        "too few formattable files found: {}",
        files.len()
    );
    files
}

/// Every comment of a file, in order, with its kind and text.
fn comments(file: &File, text: &str) -> Vec<(CommentKind, String)> {
    file.comments
        .iter()
        .map(|comment| (comment.kind, text[comment.span.range()].to_string()))
        .collect()
}

/// Where two long one-line texts first differ, with some context.
fn first_difference_within_line(expected: &str, actual: &str) -> String {
    let at = expected
        .chars()
        .zip(actual.chars())
        .position(|(left, right)| left != right)
        .unwrap_or(expected.chars().count().min(actual.chars().count()));
    let window = |text: &str| -> String {
        text.chars()
            .skip(at.saturating_sub(120))
            .take(240)
            .collect()
    };
    format!(
        "first difference at character {at}\n--- before\n{}\n--- after\n{}",
        window(expected),
        window(actual)
    )
}

/// The first line where two texts differ, with its neighbours, for failure messages.
fn first_difference(expected: &str, actual: &str) -> String {
    let expected_lines: Vec<&str> = expected.lines().collect();
    let actual_lines: Vec<&str> = actual.lines().collect();
    let index = expected_lines
        .iter()
        .zip(&actual_lines)
        .position(|(left, right)| left != right)
        .unwrap_or(expected_lines.len().min(actual_lines.len()));
    let from = index.saturating_sub(2);
    let show = |lines: &[&str]| -> String {
        lines
            .iter()
            .enumerate()
            .skip(from)
            .take(5)
            .map(|(number, line)| format!("{:>5} | {line}\n", number + 1))
            .collect()
    };
    format!(
        "first difference at line {}\n--- before\n{}--- after\n{}",
        index + 1,
        show(&expected_lines),
        show(&actual_lines)
    )
}
