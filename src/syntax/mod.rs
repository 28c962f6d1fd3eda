//! The `.hub` front end: lexical rules, the nom parser with recovery, and the AST.
//!
//! Parsing never fails: [`parse`] returns a tree and every syntax error of the file. This module
//! knows nothing of Helm, Terraform or schemas, and does no IO.

pub mod ast;
mod error;
mod lexical;
mod parser;
mod types;
mod values;

pub use error::SyntaxError;
pub use lexical::{Lost, UNITS, is_refused_control, is_valid_date};
pub use parser::{ITEM_KEYWORDS, STATEMENT_KEYWORDS};
pub use values::ANNOTATIONS;

use std::borrow::Cow;

use crate::source::Span;

/// A parsed file and the syntax errors found in it, in source order.
#[derive(Debug)]
pub struct Parsed {
    pub file: ast::File,
    pub errors: Vec<SyntaxError>,
    /// What the items that failed to parse would have declared.
    pub lost: Lost,
    /// The items of `file` that parsed only in part, in source order.
    pub incomplete: Vec<Incomplete>,
}

/// An item kept with what parsed of it: a syntax error inside it lost some of its text (a
/// statement, its parent or mixins, its whole body). Errors that keep the value as written (an
/// unknown unit, an invalid date) and annotations that were dropped alone do not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Incomplete {
    /// The item's span, as in the tree.
    pub item: Span,
    /// Where the first text of its body was lost. After it the parser guessed where the broken
    /// construct ends, so what follows in the item may be misread. `None` when only the header
    /// lost text (a parent, mixins, the opening `{`): what was kept was read where it stands.
    pub misread_from: Option<u32>,
}

/// Parses `.hub` source text.
pub fn parse(text: &str) -> Parsed {
    let cx = lexical::Cx::new(text);
    let file = parser::file(&cx);
    let mut errors = cx.errors.into_inner();
    // Backtracking may meet the same problem twice; report each once, in source order.
    errors.sort_by_key(SyntaxError::primary_offset);
    errors.dedup();
    let mut dropped_annotations = cx.dropped_annotations.take();
    dropped_annotations.sort_by_key(|span| (span.start, span.end));
    dropped_annotations.dedup();
    let incomplete = incomplete_items(&file, &errors, &dropped_annotations);
    Parsed {
        file,
        errors,
        lost: cx.lost.into_inner(),
        incomplete,
    }
}

/// A module a file imports: `import std.jupyterhub` names `std.jupyterhub`, at the span of its
/// dotted name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleImport {
    pub module: String,
    pub span: Span,
}

/// The modules `file` imports, in source order: what loading a fleet and checking its imports
/// read, so that neither needs the tree.
pub fn module_imports(file: &ast::File) -> Vec<ModuleImport> {
    file.items
        .iter()
        .filter_map(|item| match &item.kind {
            ast::ItemKind::Import(import) => {
                let parts: Vec<&str> = import.path.iter().map(|part| part.name.as_str()).collect();
                Some(ModuleImport {
                    module: parts.join("."),
                    span: import.path[0].span.to(import.path[parts.len() - 1].span),
                })
            }
            _ => None,
        })
        .collect()
}

/// The items inside which an error lost text, but not only a dropped annotation. Errors and
/// items are both in source order, so each is looked up by bisection.
fn incomplete_items(
    file: &ast::File,
    errors: &[SyntaxError],
    dropped_annotations: &[Span],
) -> Vec<Incomplete> {
    let in_dropped_annotation = |at: u32| {
        let next = dropped_annotations.partition_point(|span| span.start <= at);
        next > 0 && at < dropped_annotations[next - 1].end
    };
    let losses: Vec<u32> = errors
        .iter()
        .filter(|error| error.loses_text())
        .map(|error| error.primary_offset() as u32)
        .filter(|&at| !in_dropped_annotation(at))
        .collect();
    file.items
        .iter()
        .filter_map(|item| {
            let first = losses.partition_point(|&at| at < item.span.start);
            let inside = losses[first..]
                .iter()
                .copied()
                .take_while(|&at| at <= item.span.end);
            let body_start = match &item.kind {
                ast::ItemKind::Decl(decl) => decl.body.span.start,
                _ => item.span.start,
            };
            let mut any = false;
            let mut misread_from: Option<u32> = None;
            for at in inside {
                any = true;
                if at >= body_start && misread_from.is_none() {
                    misread_from = Some(at);
                }
            }
            any.then_some(Incomplete {
                item: item.span,
                misread_from,
            })
        })
        .collect()
}

/// Decodes file bytes as UTF-8, replacing invalid sequences and reporting the first one.
pub fn decode(bytes: &[u8]) -> (Cow<'_, str>, Option<SyntaxError>) {
    match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), None),
        Err(error) => {
            let at = error.valid_up_to();
            // The replacement character is three bytes where the invalid sequence may be fewer,
            // so the span is computed in the decoded text.
            let decoded = String::from_utf8_lossy(bytes).into_owned();
            let len = '\u{FFFD}'.len_utf8();
            let error = SyntaxError::InvalidUtf8 {
                span: error::source_span(Span::new(at, at + len)),
            };
            (Cow::Owned(decoded), Some(error))
        }
    }
}

/// [`decode`] into a shared text: valid UTF-8 (all but broken files) becomes the text without
/// a copy, sharing the allocation of `bytes`.
pub fn decode_shared(bytes: &std::sync::Arc<[u8]>) -> (std::sync::Arc<str>, Option<SyntaxError>) {
    match decode(bytes) {
        (Cow::Borrowed(_), None) => {
            let raw = std::sync::Arc::into_raw(bytes.clone()) as *const str;
            // SAFETY: a `str` is a `[u8]` that is UTF-8, with the same layout, and `decode`
            // has just found these bytes UTF-8 (the standard library's `From<Arc<str>> for
            // Arc<[u8]>` is this cast the other way). The bytes behind an `Arc` never change.
            (unsafe { std::sync::Arc::from_raw(raw) }, None)
        }
        (text, error) => (std::sync::Arc::from(text), error),
    }
}

/// Whether a key can be written without quotes in a path.
pub fn is_bare_key(key: &str) -> bool {
    key.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Writes a string literal with the escapes the lexer reads back. A control character other
/// than tab and newline is written `\\u{...}`, which the lexer reads but refuses.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
