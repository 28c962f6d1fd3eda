//! What must hold for any input, whatever its bytes: one function per fuzz target (`fuzz/`), each
//! running an entry point of hubc over the input and panicking when an invariant breaks. The fuzz
//! targets include this file by path, and `tests/fuzz_fixtures.rs` runs every input the fuzzers
//! ever found wrong through the same functions.

#![allow(dead_code)]

use std::path::PathBuf;

use hubc::diagnostics::{self, Diagnostic, Format};
use hubc::driver::{self, Session};
use hubc::source::{SourceMap, Span};

use super::plain::{meaning, split_files};

/// The day every analysis runs on, so that a found input replays the same way.
const TODAY: (u16, u8, u8) = (2026, 11, 26);

/// At most this many files are made of one input by the fleet and import targets.
const MAX_FILES: usize = 24;

/// What a target checks of one input: it panics when an invariant breaks.
pub type Oracle = fn(&[u8]);

/// The targets, by name, as `fuzz/run` and the fixture test know them.
pub const TARGETS: &[(&str, Oracle)] = &[
    ("parse", parse),
    ("format", format),
    ("fleet", fleet),
    ("yaml", yaml),
    ("tfvars", tfvars),
    ("import", import),
];

/// Decoding and parsing one file, as `hubc check` reads it: every diagnostic points into the
/// text, on character boundaries, and every output format renders it.
pub fn parse(bytes: &[u8]) {
    let mut session = Session::default();
    driver::add_file(&mut session, PathBuf::from("fuzz.hub"), bytes);
    assert_diagnostics(&session.diagnostics, &session.sources);
}

/// `hubc fmt` on a file that parses: the output parses, means what the input meant, and
/// formatting it again changes nothing.
pub fn format(bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let before = hubc::syntax::parse(text);
    if !before.errors.is_empty() {
        return;
    }
    let formatted = hubc::format::format(text, &before.file);
    let after = hubc::syntax::parse(&formatted);
    assert!(
        after.errors.is_empty(),
        "the formatted text has syntax errors: {:?}\n--- formatted\n{formatted}",
        after.errors
    );
    assert_eq!(
        meaning(&before.file),
        meaning(&after.file),
        "the formatted text means something else\n--- formatted\n{formatted}"
    );
    let again = hubc::format::format(&formatted, &after.file);
    assert_eq!(formatted, again, "formatting twice changed the text");
}

/// A fleet of several files (`### path` lines start each, as in the test fixtures) with the
/// standard modules: resolution and checks report, never panic; a fleet without errors builds,
/// and its drift report renders in every format.
pub fn fleet(bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let mut session = Session::default();
    for (name, file_text) in split_files(text).into_iter().take(MAX_FILES) {
        driver::add_file(&mut session, PathBuf::from(name), file_text.as_bytes());
    }
    driver::load_imports(&mut session, None);
    let analysis = driver::analyze(&mut session, TODAY);
    assert_diagnostics(&session.diagnostics, &session.sources);
    let Some(analysis) = analysis else {
        return;
    };
    if session.diagnostics.iter().any(Diagnostic::is_error) {
        return;
    }
    let sources = &session.sources;
    let (output, errors) = hubc::emit::build(&analysis, &|file| sources.get(file).name.clone());
    assert!(
        errors.is_empty(),
        "`check` found no error but building failed: {}",
        errors
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("; ")
    );
    let (again, _) = hubc::emit::build(&analysis, &|file| sources.get(file).name.clone());
    assert!(
        output.files == again.files,
        "two builds of one fleet differ"
    );
    let report = hubc::report::drift::build(&analysis, sources, TODAY, 3);
    hubc::report::drift::json(&report);
    hubc::report::drift::text::render(&report);
    hubc::report::drift::markdown::render(&report);
    hubc::report::drift::html::render(&report);
}

/// One YAML values file, read as `hubc import` reads it: a value, or a coded error inside the
/// text.
pub fn yaml(bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let mut sources = SourceMap::new();
    let file = sources.add("values.yaml", text);
    if let Err(error) = hubc::import::yaml::parse(file, sources.get(file)) {
        let diagnostic = Diagnostic::from_located(&error);
        assert_diagnostics(&[diagnostic], &sources);
    }
}

/// One `.tfvars` file: its variables, or an error whose place is inside the text.
pub fn tfvars(bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    if let Err(error) = hubc::import::hcl::parse_tfvars(text) {
        assert!(
            error.offset <= error.end && error.end <= text.len(),
            "the error `{}` at {}..{} is outside the text of {} bytes",
            error.message,
            error.offset,
            error.end,
            text.len()
        );
    }
}

/// A whole fleet to import (`### path` lines start each file: `config/clusters/C/cluster.yaml`,
/// its values files, `terraform/P/projects/C.tfvars`): `hubc import` writes a fleet that checks
/// and builds back to what it read, or reports why not.
pub fn import(bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let mut input = hubc::import::ImportInput::default();
    for (name, file_text) in split_files(text).into_iter().take(MAX_FILES) {
        input.files.insert(name, file_text.into_bytes());
    }
    let mut session = Session::default();
    driver::import_input(&input, &mut session);
    assert_diagnostics(&session.diagnostics, &session.sources);
}

/// Every diagnostic points inside its file, on character boundaries, and renders in every
/// format (for people, those of [`SAMPLED`] from each end).
pub fn assert_diagnostics(found: &[Diagnostic], sources: &SourceMap) {
    for diagnostic in found {
        let text = &sources.get(diagnostic.file).text;
        assert_span(text, diagnostic.span, &diagnostic.message);
        for related in &diagnostic.related {
            assert_span(
                &sources.get(related.file).text,
                related.span,
                &related.message,
            );
        }
    }
    // The graphical report of a diagnostic is made on its own, so a few from each end of a long
    // list (inputs are full of syntax errors) find what all would, many times faster.
    let sample: Vec<Diagnostic> = if found.len() > 2 * SAMPLED {
        found[..SAMPLED]
            .iter()
            .chain(&found[found.len() - SAMPLED..])
            .cloned()
            .collect()
    } else {
        found.to_vec()
    };
    for (format, shown) in [
        (Format::Human, &sample[..]),
        (Format::Json, found),
        (Format::Github, found),
    ] {
        let rendered = diagnostics::render_all(shown, sources, format, false);
        assert_eq!(
            rendered.is_empty(),
            shown.is_empty(),
            "{format:?} rendering lost or invented diagnostics"
        );
    }
}

/// How many diagnostics from each end of a list [`assert_diagnostics`] renders for people.
const SAMPLED: usize = 8;

/// `span` lies inside `text`, on character boundaries.
pub fn assert_span(text: &str, span: Span, what: &str) {
    assert!(
        span.start <= span.end && span.end as usize <= text.len(),
        "span {span:?} of `{what}` is outside the text of {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start as usize) && text.is_char_boundary(span.end as usize),
        "span {span:?} of `{what}` is not on character boundaries"
    );
}
