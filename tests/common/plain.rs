//! Helpers that need nothing but the library, shared by the integration tests and the fuzz
//! targets (`fuzz/`, which include this file by path).

#![allow(dead_code)]

use hubc::syntax::ast::File;

/// Splits a fixture into files. A fixture is one file, or several introduced by
/// `### path/to/file.hub` lines.
/// Lines before the first `###` line describe the fixture and belong to no file.
pub fn split_files(fixture: &str) -> Vec<(String, String)> {
    if !fixture.lines().any(|line| line.starts_with("### ")) {
        return vec![("input.hub".to_string(), fixture.to_string())];
    }
    let mut files: Vec<(String, String)> = Vec::new();
    for line in fixture.split_inclusive('\n') {
        if let Some(name) = line.strip_prefix("### ") {
            files.push((name.trim().to_string(), String::new()));
        } else if let Some((_, text)) = files.last_mut() {
            text.push_str(line);
        }
    }
    files
}

/// The tree of a file without what layout may change: spans, and whether a key was quoted.
pub fn meaning(file: &File) -> String {
    let debug = format!("{:?}\n{:?}", file.inner_docs, file.items);
    let debug = without_spans(&debug);
    debug
        .replace("quoted: true", "quoted: _")
        .replace("quoted: false", "quoted: _")
}

/// Replaces every `Span { start: N, end: M }` of a Debug print with `Span`.
fn without_spans(debug: &str) -> String {
    const OPEN: &str = "Span { start: ";
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(&rest[..at]);
        let after_open = &rest[at + OPEN.len()..];
        match span_fields_len(after_open) {
            Some(len) => {
                out.push_str("Span");
                rest = &after_open[len..];
            }
            None => {
                // Not a span after all (some string that reads like one): keep it as it is.
                out.push_str(OPEN);
                rest = after_open;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The length of `N, end: M }` at the start of `text`, if that is what it starts with.
fn span_fields_len(text: &str) -> Option<usize> {
    let digits = |text: &str| text.bytes().take_while(u8::is_ascii_digit).count();
    let start_len = digits(text);
    let after_start = text[start_len..].strip_prefix(", end: ")?;
    let end_len = digits(after_start);
    let after_end = after_start[end_len..].strip_prefix(" }")?;
    (start_len > 0 && end_len > 0).then_some(text.len() - after_end.len())
}
