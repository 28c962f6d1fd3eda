//! Robustness of everything after parsing: the example fleets changed by edits that keep them
//! parseable (a word or literal swapped for another, a line dropped or repeated) must never make
//! resolution, checking, building or the drift reports panic, and every diagnostic they give
//! must point inside its file.

#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;

use std::path::PathBuf;
use std::sync::OnceLock;

use hubc::diagnostics::{self, Format};
use hubc::driver::{self, Session};
use proptest::prelude::*;
use proptest::sample::Index;

const TODAY: (u16, u8, u8) = (2026, 11, 26);

/// Literals worth putting where a word or value was: wrong types, extreme numbers, quantities of
/// every kind, empty collections and constructor calls.
const LITERALS: &[&str] = &[
    "0",
    "-1",
    "99999999999999999999",
    "1.5",
    "1GiB",
    "0Mi",
    "500m",
    "16",
    "1h",
    "90s",
    "\"\"",
    "\"x\"",
    "true",
    "null",
    "[]",
    "{}",
    "base",
    "std",
    "image(\"a:b\")",
    "secret(\"s\")",
    "2020-01-01",
];

#[derive(Debug, Clone)]
enum Mutation {
    /// Replace a word or literal with one from elsewhere in the fleet or from `LITERALS`.
    Replace { token: Index, with: Replacement },
    /// Drop a line that opens or closes no block.
    DropLine { line: Index },
    /// Repeat a line that opens or closes no block.
    RepeatLine { line: Index },
}

#[derive(Debug, Clone)]
enum Replacement {
    Word(Index),
    Literal(Index),
}

proptest! {
    #![proptest_config(common::proptest_config(96))]

    #[test]
    fn mutated_fleets_never_break_analysis_or_output(
        fleet in any::<Index>(),
        file in any::<Index>(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let fleets = fleets();
        let files = &fleets[fleet.index(fleets.len())];
        let target = file.index(files.len());
        let mut texts: Vec<(PathBuf, String)> = files.clone();
        for mutation in &mutations {
            texts[target].1 = apply(&texts[target].1, mutation);
        }
        run_everything(&texts);
    }
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let replacement = prop_oneof![
        any::<Index>().prop_map(Replacement::Word),
        any::<Index>().prop_map(Replacement::Literal),
    ];
    prop_oneof![
        5 => (any::<Index>(), replacement).prop_map(|(token, with)| Mutation::Replace { token, with }),
        2 => any::<Index>().prop_map(|line| Mutation::DropLine { line }),
        1 => any::<Index>().prop_map(|line| Mutation::RepeatLine { line }),
    ]
}

/// The files of `examples/fleet` and `examples/drifting`, by path from their fleet's root.
fn fleets() -> &'static [Vec<(PathBuf, String)>] {
    static FLEETS: OnceLock<Vec<Vec<(PathBuf, String)>>> = OnceLock::new();
    FLEETS.get_or_init(|| {
        ["fleet", "drifting"]
            .iter()
            .map(|name| {
                let root = common::root().join("examples").join(name);
                let files: Vec<(PathBuf, String)> = common::hub_files(&root)
                    .into_iter()
                    .map(|path| {
                        let text = std::fs::read_to_string(&path).expect("example is readable");
                        let relative = path.strip_prefix(&root).expect("under root").to_path_buf();
                        (relative, text)
                    })
                    .collect();
                assert!(files.len() >= 3, "examples/{name} was not found");
                files
            })
            .collect()
    })
}

/// Every word of every example: names of declarations, paths, keywords.
fn words() -> &'static [String] {
    static WORDS: OnceLock<Vec<String>> = OnceLock::new();
    WORDS.get_or_init(|| {
        let mut words: Vec<String> = fleets()
            .iter()
            .flatten()
            .flat_map(|(_, text)| {
                tokens(text)
                    .into_iter()
                    .map(|(start, end)| text[start..end].to_string())
            })
            .collect();
        words.sort();
        words.dedup();
        words
    })
}

/// Byte ranges of words, numbers and quantities (outside strings and comments) and of
/// one-line string literals.
fn tokens(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        if byte == b'/' && bytes.get(at + 1) == Some(&b'/') {
            while at < bytes.len() && bytes[at] != b'\n' {
                at += 1;
            }
        } else if byte == b'"' {
            let start = at;
            at += 1;
            while at < bytes.len() && bytes[at] != b'"' && bytes[at] != b'\n' {
                at += if bytes[at] == b'\\' { 2 } else { 1 };
            }
            if bytes.get(at) == Some(&b'"') {
                at += 1;
                found.push((start, at));
            }
        } else if byte.is_ascii_alphanumeric() || byte == b'_' {
            let start = at;
            while at < bytes.len() && (bytes[at].is_ascii_alphanumeric() || bytes[at] == b'_') {
                at += 1;
            }
            found.push((start, at));
        } else {
            at += 1;
        }
    }
    found
}

fn apply(text: &str, mutation: &Mutation) -> String {
    match mutation {
        Mutation::Replace { token, with } => {
            let tokens = tokens(text);
            if tokens.is_empty() {
                return text.to_string();
            }
            let (start, end) = tokens[token.index(tokens.len())];
            let replacement = match with {
                Replacement::Word(index) => words()[index.index(words().len())].as_str(),
                Replacement::Literal(index) => LITERALS[index.index(LITERALS.len())],
            };
            format!("{}{replacement}{}", &text[..start], &text[end..])
        }
        Mutation::DropLine { line } | Mutation::RepeatLine { line } => {
            let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
            let plain: Vec<usize> = (0..lines.len())
                .filter(|&index| !lines[index].contains(['{', '}', '[', ']', '(', ')', '"']))
                .collect();
            if plain.is_empty() {
                return text.to_string();
            }
            let chosen = plain[line.index(plain.len())];
            if matches!(mutation, Mutation::DropLine { .. }) {
                lines.remove(chosen);
            } else {
                lines.insert(chosen, lines[chosen]);
            }
            lines.concat()
        }
    }
}

/// Loads the files as the editor server would (keeping every tree), then analyses, builds, and
/// renders every report; and checks that `hubc build`'s way of loading them (each file
/// declared as it is parsed, its tree let go) finds and builds the same.
fn run_everything(files: &[(PathBuf, String)]) {
    let mut session = Session::default();
    for (path, text) in files {
        driver::add_file(&mut session, path.clone(), text.as_bytes());
    }
    driver::load_imports(&mut session, None);
    let declared = load_and_build(Session::declaring(), files);
    let kept = load_and_build(Session::default(), files);
    assert_eq!(
        declared, kept,
        "declaring each file as it loads changed what the fleet gives"
    );
    if let Some(analysis) = driver::analyze(&mut session, TODAY) {
        let errors = hubc::emit::check(&analysis);
        let (output, build_errors) =
            hubc::emit::build(&analysis, &|file| format!("file-{}", file.0));
        assert_eq!(
            errors.len(),
            build_errors.len(),
            "`hubc check` and `hubc build` disagree about the fleet"
        );
        if build_errors.is_empty() {
            for (name, contents) in &output.files {
                assert!(!contents.is_empty(), "{name} was built empty");
            }
        }
        let report = hubc::report::drift::build(&analysis, &session.sources, TODAY, 3);
        for rendered in [
            hubc::report::drift::json(&report),
            hubc::report::drift::text::render(&report),
            hubc::report::drift::markdown::render(&report),
            hubc::report::drift::html::render(&report),
        ] {
            assert!(!rendered.is_empty());
        }
    }
    assert_spans(&session);
}

/// The diagnostics (as JSON) and the built files of `files` loaded at once into `session`, as
/// `hubc build` loads a fleet.
fn load_and_build(
    mut session: Session,
    files: &[(PathBuf, String)],
) -> (String, Option<Vec<(String, String)>>) {
    let loaded = files
        .iter()
        .map(|(path, text)| {
            let bytes: std::sync::Arc<[u8]> = text.as_bytes().into();
            (path.clone(), driver::module_name(path), bytes)
        })
        .collect();
    hubc::analysis::add_modules(&mut session, loaded);
    driver::load_imports(&mut session, None);
    let built = driver::analyze_and_build(&mut session, TODAY, &|file| format!("file-{}", file.0))
        .and_then(|(_, output)| output)
        .map(|output| output.files.into_iter().collect());
    let diagnostics =
        diagnostics::render_all(&session.diagnostics, &session.sources, Format::Json, false);
    (diagnostics, built)
}

fn assert_spans(session: &Session) {
    let in_bounds = |file, span: hubc::source::Span, what: &str| {
        let text = &session.sources.get(file).text;
        assert!(
            span.start <= span.end
                && (span.end as usize) <= text.len()
                && text.is_char_boundary(span.start as usize)
                && text.is_char_boundary(span.end as usize),
            "span {span:?} of {what} is outside its file of {} bytes",
            text.len()
        );
    };
    common::assert_every_diagnostic_names_a_fix(session);
    for diagnostic in &session.diagnostics {
        in_bounds(diagnostic.file, diagnostic.span, &diagnostic.message);
        for related in &diagnostic.related {
            in_bounds(related.file, related.span, &related.message);
        }
    }
    for format in [Format::Human, Format::Json, Format::Github] {
        let rendered =
            diagnostics::render_all(&session.diagnostics, &session.sources, format, false);
        assert_eq!(rendered.is_empty(), session.diagnostics.is_empty());
    }
}
