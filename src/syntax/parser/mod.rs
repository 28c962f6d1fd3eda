//! Items, blocks and statements, with recovery at statement and declaration boundaries.
//!
//! nom parsers stop at the first failure. Here every failure is turned into a diagnostic, the
//! input is skipped to the next statement (or declaration) boundary, and parsing goes on, so one
//! typo never hides the next.
//!
//! This file holds the frame every construct shares: the file, braced blocks, and the doc
//! comments and annotations before an item or statement. `items.rs` parses top-level items,
//! `statements.rs` the statements of a block, and `recovery.rs` skips to a boundary and reports
//! what went wrong.

mod items;
mod recovery;
mod statements;

use super::ast::{Annotation, Block, Doc, File, Item, ItemKind};
use super::error::{SyntaxError, source_span};
use super::lexical::{Cx, PErr, PResult, exact, scan_comments, sp, sp_nl};
use super::values::annotation;
use crate::source::Span;
use items::{item, starts_item};
use recovery::{Boundary, end_of_line, report_failure, skip, skip_with};
use statements::statement;

/// Words that start a top-level item.
pub const ITEM_KEYWORDS: &[&str] = &[
    "import",
    "chart",
    "platform",
    "archetype",
    "mixin",
    "community",
    "cluster",
    "instance_type",
    "type",
    "schema",
];

/// Words that start a policy or delete statement.
pub const STATEMENT_KEYWORDS: &[&str] = &["tunable", "locked", "identity", "budget", "delete"];

/// Parses a whole file. Never fails: errors are collected in the context.
pub fn file<'a>(cx: &Cx<'a>) -> File {
    let comments = scan_comments(cx.text);
    let mut inner_docs = Vec::new();
    let mut items = Vec::new();
    let mut rest = cx.text.strip_prefix('\u{feff}').unwrap_or(cx.text);
    loop {
        let (after, doc) = leading(cx, rest, Some(&mut inner_docs));
        rest = after;
        if rest.is_empty() {
            report_dangling(cx, &doc);
            break;
        }
        if let Some(delimiter) = rest.chars().next().filter(|c| matches!(c, '}' | ']' | ')')) {
            cx.report(SyntaxError::UnmatchedDelimiter {
                delimiter,
                span: source_span(Span::new(cx.offset(rest), cx.offset(rest) + 1)),
            });
            rest = &rest[1..];
            continue;
        }
        let start = rest;
        let (after_annotations, annotations) = annotations(cx, rest);
        let n_errors = cx.errors.borrow().len();
        match item(cx, after_annotations) {
            Ok((after, kind)) => {
                // A type whose body lost a field may be missing any key.
                if matches!(kind, ItemKind::Type(_) | ItemKind::Schema(_))
                    && cx.errors.borrow().len() > n_errors
                {
                    cx.lost.borrow_mut().types = true;
                }
                items.push(Item {
                    doc,
                    annotations,
                    kind,
                    span: cx.span(start, after),
                });
                rest = end_of_line(cx, after, Boundary::Item);
            }
            Err(error) => {
                report_failure(cx, error);
                rest = skip(cx, start, Boundary::Item);
                record_lost(cx, &start[..start.len() - rest.len()]);
            }
        }
    }
    File {
        inner_docs,
        items: exact(items),
        comments,
    }
}

/// Records what the text of an item that failed to parse would have declared: the first item
/// keyword in it and the name after that. Text without such a keyword declares nothing.
fn record_lost(cx: &Cx<'_>, text: &str) {
    let mut words = text
        .split(|c: char| c.is_whitespace() || matches!(c, '{' | ':' | '='))
        .filter(|word| !word.is_empty());
    let mut lost = cx.lost.borrow_mut();
    while let Some(word) = words.next() {
        if !ITEM_KEYWORDS.contains(&word) {
            continue;
        }
        match word {
            "import" => lost.import = true,
            "type" | "schema" => lost.types = true,
            _ => {}
        }
        // A stray character glued to the name (`%leap`) does not hide it.
        let name = words.next().map(|name| {
            name.trim_matches(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        });
        match name.filter(|name| crate::syntax::is_bare_key(name)) {
            Some(name) => lost.names.push(name.to_string()),
            None => lost.unnamed = true,
        }
        return;
    }
    // No declaration keyword: text that declares nothing.
}

/// Parses `{ ... }` with `parse_one` for each element, recovering at element boundaries.
/// Returns the rest of the input, the elements and the span of the braces.
pub fn braced<'a, T>(
    cx: &Cx<'a>,
    input: &'a str,
    what: &'static str,
    mut parse_one: impl FnMut(&Cx<'a>, &'a str, Option<Doc>, Vec<Annotation>) -> PResult<'a, T>,
) -> (&'a str, Vec<T>, Span) {
    let open = cx.offset(input);
    let mut rest = &input[1..];
    let mut elements = Vec::new();
    loop {
        let (after, doc) = leading(cx, rest, None);
        rest = after;
        if let Some(after_close) = rest.strip_prefix('}') {
            report_dangling(cx, &doc);
            return (
                after_close,
                exact(elements),
                Span::new(open, cx.offset(after_close)),
            );
        }
        if rest.is_empty() || (cx.at_line_start(rest) && starts_item(cx, rest)) {
            report_dangling(cx, &doc);
            if !(rest.is_empty() && cx.ran_off_end.get()) {
                // Point just after the last text before the place the block had to end.
                let before = cx.text[..cx.offset(rest)].trim_end().len();
                cx.report(SyntaxError::UnclosedDelimiter {
                    delimiter: '{',
                    closing: '}',
                    what,
                    span: source_span(Span::empty(before)),
                    open: source_span(Span::new(open, open + 1)),
                });
            }
            return (rest, exact(elements), Span::new(open, cx.offset(rest)));
        }
        let start = rest;
        let (after_annotations, annotations) = annotations(cx, rest);
        let parsed = parse_one(cx, after_annotations, doc, annotations);
        match parsed {
            Ok((after, element)) => {
                elements.push(element);
                rest = end_of_line(cx, after, Boundary::Statement);
            }
            Err(error) => {
                let failed_at = match &error {
                    nom::Err::Error(failure) | nom::Err::Failure(failure) => Some(failure.at),
                    nom::Err::Incomplete(_) => None,
                };
                report_failure(cx, error);
                let too_deep = cx.take_too_deep();
                rest = skip_with(cx, start, Boundary::Statement, too_deep);
                // The failed element was read as far as where it failed, its nested blocks
                // recovered on the way: resuming before that would read them again, once more
                // for each level of nesting, which is exponential in the depth.
                if let Some(at) = failed_at.filter(|at| cx.offset(at) > cx.offset(rest)) {
                    rest = skip_with(cx, at, Boundary::Statement, too_deep);
                }
            }
        }
    }
}

/// A block of statements.
pub fn block<'a>(cx: &Cx<'a>, input: &'a str) -> PResult<'a, Block> {
    if !input.starts_with('{') {
        return Err(PErr::expected(input, "`{`"));
    }
    cx.nested(input, || {
        let (rest, statements, span) = braced(cx, input, "block", statement);
        Ok((rest, Block { statements, span }))
    })
}

/// Skips separators, blank lines and comments, collecting `///` lines as a doc comment and, at
/// the top of a file, `//!` lines.
fn leading<'a>(
    cx: &Cx<'a>,
    mut input: &'a str,
    mut inner_docs: Option<&mut Vec<String>>,
) -> (&'a str, Option<Doc>) {
    let mut doc: Option<Doc> = None;
    loop {
        let trimmed = input.trim_start_matches([' ', '\t', '\r', '\n', ',', ';']);
        if trimmed.starts_with("///") && !trimmed.starts_with("////") {
            let end = trimmed.find('\n').unwrap_or(trimmed.len());
            let line = trimmed[3..end].trim_end();
            let line = line.strip_prefix(' ').unwrap_or(line);
            let span = Span::new(cx.offset(trimmed), cx.offset(trimmed) + end);
            match &mut doc {
                Some(doc) => {
                    doc.text.push('\n');
                    doc.text.push_str(line);
                    doc.span = doc.span.to(span);
                }
                None => {
                    doc = Some(Doc {
                        text: line.to_string(),
                        span,
                    })
                }
            }
            input = &trimmed[end..];
        } else if trimmed.starts_with("//!") {
            let end = trimmed.find('\n').unwrap_or(trimmed.len());
            if let Some(docs) = inner_docs.as_deref_mut() {
                let line = trimmed[3..end].trim_end();
                docs.push(line.strip_prefix(' ').unwrap_or(line).to_string());
            }
            input = &trimmed[end..];
        } else if trimmed.starts_with("//") || trimmed.starts_with("/*") {
            input = sp(cx, trimmed);
        } else {
            return (trimmed, doc);
        }
    }
}

fn report_dangling(cx: &Cx<'_>, doc: &Option<Doc>) {
    if let Some(doc) = doc {
        cx.report(SyntaxError::DanglingDocComment {
            span: source_span(doc.span),
        });
    }
}

/// `@name(...)` annotations, each followed by any whitespace. One that does not parse is
/// reported and dropped alone: the item or statement it annotates is kept.
fn annotations<'a>(cx: &Cx<'a>, mut input: &'a str) -> (&'a str, Vec<Annotation>) {
    let mut found = Vec::new();
    while input.starts_with('@') {
        let after = match annotation(cx, input) {
            Ok((after, parsed)) => {
                found.push(parsed);
                after
            }
            Err(error) => {
                report_failure(cx, error);
                cx.take_too_deep();
                let after = skip_annotation(input);
                cx.dropped_annotations
                    .borrow_mut()
                    .push(cx.span(input, after));
                after
            }
        };
        input = sp_nl(cx, after);
    }
    (input, exact(found))
}

/// Skips an annotation that did not parse: `@`, its name, and its arguments up to the `)` that
/// closes them or the end of the line, whichever comes first.
fn skip_annotation(input: &str) -> &str {
    let after_at = &input[1..];
    let name_len = after_at
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(after_at.len());
    let rest = &after_at[name_len..];
    if !rest.starts_with('(') {
        return rest;
    }
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (index, c) in rest.char_indices() {
        match c {
            '\n' => return &rest[index..],
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '(' | '[' | '{' if !in_string => depth += 1,
            ')' | ']' | '}' if !in_string => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return &rest[index + 1..];
                }
            }
            _ => {}
        }
    }
    &rest[rest.len()..]
}
