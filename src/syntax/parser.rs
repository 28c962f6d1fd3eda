//! Items, blocks and statements, with recovery at statement and declaration boundaries.
//!
//! nom parsers stop at the first failure. Here every failure is turned into a diagnostic, the
//! input is skipped to the next statement (or declaration) boundary, and parsing goes on, so one
//! typo never hides the next.

use nom::Err;

use super::ast::{
    Annotation, Block, Bound, BoundTarget, CompareOp, Decl, DeclKind, Doc, File, Import, Item,
    ItemKind, SchemaDecl, Statement, StatementKind, TypeDecl, Value,
};
use super::error::{SyntaxError, source_span};
use super::lexical::{
    Cx, PErr, PResult, expect, ident, is_ident_start, keyword, name, peek_word, scan_comments, sp,
    sp_nl,
};
use super::types::{compare_op, struct_body, type_expr};
use super::values::{annotation, list, path, value};
use crate::diagnostics::suggest::did_you_mean;
use crate::source::Span;

/// Words that start a top-level item.
pub const ITEM_KEYWORDS: &[&str] = &[
    "import",
    "chart",
    "platform",
    "archetype",
    "mixin",
    "community",
    "cluster",
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
        let (after_annotations, annotations) = match annotations(cx, rest) {
            Ok(parsed) => parsed,
            Err(error) => {
                report_failure(cx, error);
                rest = skip(cx, start, Boundary::Item);
                continue;
            }
        };
        match item(cx, after_annotations) {
            Ok((after, kind)) => {
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
            }
        }
    }
    File {
        inner_docs,
        items,
        comments,
    }
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
                elements,
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
            return (rest, elements, Span::new(open, cx.offset(rest)));
        }
        let start = rest;
        let parsed = annotations(cx, rest)
            .and_then(|(after, annotations)| parse_one(cx, after, doc, annotations));
        match parsed {
            Ok((after, element)) => {
                elements.push(element);
                rest = end_of_line(cx, after, Boundary::Statement);
            }
            Err(error) => {
                report_failure(cx, error);
                rest = skip_with(cx, start, Boundary::Statement, cx.take_too_deep());
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

/// `@name(...)` annotations, each followed by any whitespace.
fn annotations<'a>(cx: &Cx<'a>, mut input: &'a str) -> PResult<'a, Vec<Annotation>> {
    let mut found = Vec::new();
    while input.starts_with('@') {
        let (after, parsed) = annotation(cx, input)?;
        found.push(parsed);
        input = sp_nl(cx, after);
    }
    Ok((input, found))
}

/// Whether a line starts a declaration, which ends a block that was never closed.
fn starts_item(cx: &Cx<'_>, input: &str) -> bool {
    let Some(word) = peek_word(input) else {
        return input.starts_with('@') || input.starts_with("///");
    };
    if !ITEM_KEYWORDS.contains(&word) {
        return false;
    }
    let after = sp(cx, &input[word.len()..]);
    after.len() < input.len() - word.len()
        && after.starts_with(|c: char| is_ident_start(c) || c == '"')
}

fn item<'a>(cx: &Cx<'a>, input: &'a str) -> PResult<'a, ItemKind> {
    let Some(word) = peek_word(input) else {
        return Err(PErr::expected(input, "a declaration"));
    };
    let keyword_end = &input[word.len()..];
    let keyword_span = cx.span(input, keyword_end);
    let resolved = if ITEM_KEYWORDS.contains(&word) {
        word
    } else if let Some(suggestion) = did_you_mean(word, ITEM_KEYWORDS.iter().copied()) {
        cx.report(SyntaxError::UnknownKeyword {
            word: word.to_string(),
            span: source_span(keyword_span),
            help: format!("did you mean `{suggestion}`?"),
        });
        suggestion
    } else {
        return Err(PErr::expected(input, "a declaration"));
    };
    let after_keyword = sp(cx, keyword_end);
    if after_keyword.len() == keyword_end.len() && !keyword_end.is_empty() {
        return Err(PErr::expected(keyword_end, "a space after the keyword"));
    }
    match resolved {
        "import" => import(cx, after_keyword),
        "type" => {
            let (after_name, type_name) =
                expect(ident(cx, after_keyword), after_keyword, "a type name")?;
            let equals = sp(cx, after_name);
            let Some(after_equals) = equals.strip_prefix('=') else {
                return Err(PErr::expected(equals, "`=`"));
            };
            let type_start = sp_nl(cx, after_equals);
            let (rest, ty) = expect(type_expr(cx, type_start), type_start, "a type")?;
            Ok((
                rest,
                ItemKind::Type(TypeDecl {
                    name: type_name,
                    ty,
                }),
            ))
        }
        "schema" => {
            let (after_name, schema_name) = name(cx, after_keyword)?;
            let brace = sp(cx, after_name);
            if !brace.starts_with('{') {
                return Err(PErr::expected(brace, "`{`"));
            }
            let (rest, body) = struct_body(cx, brace)?;
            Ok((
                rest,
                ItemKind::Schema(SchemaDecl {
                    name: schema_name,
                    body,
                }),
            ))
        }
        keyword_text => {
            let kind = DeclKind::ALL
                .into_iter()
                .find(|kind| kind.keyword() == keyword_text)
                .expect("item keywords cover every declaration kind");
            decl(cx, kind, keyword_span, after_keyword)
        }
    }
}

fn import<'a>(cx: &Cx<'a>, input: &'a str) -> PResult<'a, ItemKind> {
    let (mut rest, first) = expect(
        ident(cx, input),
        input,
        "a module path such as `std.jupyterhub`",
    )?;
    let mut module = vec![first];
    while let Some(after_dot) = rest.strip_prefix('.') {
        let (after, next) = expect(ident(cx, after_dot), after_dot, "a name after `.`")?;
        module.push(next);
        rest = after;
    }
    let mut alias = None;
    let ahead = sp(cx, rest);
    if let Ok((after_as, _)) = keyword(ahead, "as") {
        let alias_start = sp(cx, after_as);
        let (after_alias, alias_name) = expect(ident(cx, alias_start), alias_start, "a name")?;
        alias = Some(alias_name);
        rest = after_alias;
    }
    Ok((
        rest,
        ItemKind::Import(Import {
            path: module,
            alias,
        }),
    ))
}

fn decl<'a>(
    cx: &Cx<'a>,
    kind: DeclKind,
    keyword_span: Span,
    input: &'a str,
) -> PResult<'a, ItemKind> {
    let (after_name, decl_name) = name(cx, input)?;
    let mut rest = sp(cx, after_name);
    let mut parent = None;
    let mut mixins = Vec::new();
    match kind {
        DeclKind::Chart | DeclKind::Platform | DeclKind::Archetype => {
            if let Ok((after, _)) = keyword(rest, "extends") {
                let parent_start = sp(cx, after);
                let (after_parent, parent_name) = name(cx, parent_start)?;
                parent = Some(parent_name);
                rest = sp(cx, after_parent);
            } else if kind == DeclKind::Archetype {
                return Err(PErr::expected(
                    rest,
                    "`extends` and the parent of the archetype",
                ));
            }
        }
        DeclKind::Community => {
            let Some(after_colon) = rest.strip_prefix(':') else {
                return Err(PErr::expected(
                    rest,
                    "`:` and the archetype of the community",
                ));
            };
            let parent_start = sp(cx, after_colon);
            let (after_parent, parent_name) = name(cx, parent_start)?;
            parent = Some(parent_name);
            rest = sp(cx, after_parent);
            if let Ok((after_with, _)) = keyword(rest, "with") {
                let mut at = sp(cx, after_with);
                loop {
                    let (after_mixin, mixin) = name(cx, at)?;
                    mixins.push(mixin);
                    let ahead = sp(cx, after_mixin);
                    match ahead.strip_prefix(',') {
                        Some(after_comma) => at = sp(cx, after_comma),
                        None => {
                            rest = ahead;
                            break;
                        }
                    }
                }
            }
        }
        DeclKind::Mixin | DeclKind::Cluster => {}
    }
    let (rest, body) = block(cx, rest)?;
    Ok((
        rest,
        ItemKind::Decl(Decl {
            kind,
            keyword_span,
            name: decl_name,
            parent,
            mixins,
            body,
        }),
    ))
}

/// One statement, after its doc comment and annotations.
fn statement<'a>(
    cx: &Cx<'a>,
    input: &'a str,
    doc: Option<Doc>,
    annotations: Vec<Annotation>,
) -> PResult<'a, Statement> {
    let start = annotations
        .first()
        .map_or(input, |first| &cx.text[first.span.start as usize..]);
    let (rest, kind) = statement_kind(cx, input)?;
    Ok((
        rest,
        Statement {
            doc,
            annotations,
            kind,
            span: cx.span(start, rest),
        },
    ))
}

fn statement_kind<'a>(cx: &Cx<'a>, input: &'a str) -> PResult<'a, StatementKind> {
    if let Some(word) = peek_word(input).filter(|word| STATEMENT_KEYWORDS.contains(word)) {
        let after_word = &input[word.len()..];
        let ahead = sp(cx, after_word);
        let is_key = ahead.starts_with('=')
            || ahead.starts_with("+=")
            || ahead.starts_with('{')
            || after_word.starts_with('.');
        if !is_key {
            return keyword_statement(cx, word, ahead);
        }
    }
    if input.is_empty()
        || !input.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '"')
    {
        return Err(PErr::expected(input, "a statement"));
    }
    let (after_path, target) = path(cx, input)?;
    let ahead = sp(cx, after_path);
    if let Some(after_op) = ahead.strip_prefix("+=") {
        let value_start = sp_nl(cx, after_op);
        let (rest, appended) = expect(value(cx, value_start), value_start, "a value")?;
        return Ok((
            rest,
            StatementKind::Append {
                path: target,
                value: appended,
            },
        ));
    }
    if let Some(after_op) = ahead.strip_prefix('=') {
        let value_start = sp_nl(cx, after_op);
        let (rest, assigned) = expect(value(cx, value_start), value_start, "a value")?;
        return Ok((
            rest,
            StatementKind::Assign {
                path: target,
                value: assigned,
            },
        ));
    }
    if ahead.starts_with('{') {
        let (rest, nested) = block(cx, ahead)?;
        return Ok((
            rest,
            StatementKind::Nested {
                path: target,
                block: nested,
            },
        ));
    }
    let single_word = target.keys.len() == 1 && !target.keys[0].quoted;
    if single_word {
        let word = &target.keys[0];
        let labelled = labelled(cx, ahead, word.clone());
        if labelled.is_err()
            && !ahead.starts_with(['\n', '\r'])
            && let Some(suggestion) = did_you_mean(
                &word.name,
                STATEMENT_KEYWORDS.iter().chain(ITEM_KEYWORDS).copied(),
            )
        {
            cx.report(SyntaxError::UnknownKeyword {
                word: word.name.clone(),
                span: source_span(word.span),
                help: format!("did you mean `{suggestion}`?"),
            });
            return Err(Err::Failure(PErr {
                at: input,
                expected: "",
                open: None,
            }));
        }
        if ahead.starts_with(|c: char| is_ident_start(c) || c == '"') && labelled.is_ok() {
            return labelled;
        }
    }
    Err(PErr::expected(ahead, "`=`, `+=` or `{` after the path"))
}

/// `kind "label" { ... }`
fn labelled<'a>(
    cx: &Cx<'a>,
    input: &'a str,
    kind: super::ast::Ident,
) -> PResult<'a, StatementKind> {
    let (after_label, label) = name(cx, input)?;
    let brace = sp(cx, after_label);
    let (rest, body) = block(cx, brace)?;
    Ok((
        rest,
        StatementKind::Labelled {
            kind,
            label,
            block: body,
        },
    ))
}

fn keyword_statement<'a>(cx: &Cx<'a>, word: &str, input: &'a str) -> PResult<'a, StatementKind> {
    match word {
        "delete" => {
            let (rest, target) = path(cx, input)?;
            Ok((rest, StatementKind::Delete { path: target }))
        }
        "locked" => {
            let (rest, target) = path(cx, input)?;
            Ok((rest, StatementKind::Locked { path: target }))
        }
        "identity" => {
            // `required` is a word of the statement when a path follows it after a space; a
            // path that starts with the key `required` is written `identity required.x`.
            let (input, required) = match keyword(input, "required") {
                Ok((after, _)) if after.starts_with([' ', '\t']) => (sp(cx, after), true),
                _ => (input, false),
            };
            let (rest, target) = path(cx, input)?;
            Ok((
                rest,
                StatementKind::Identity {
                    path: target,
                    required,
                },
            ))
        }
        "budget" => {
            let (after_kind, kind) =
                expect(ident(cx, input), input, "a budget kind such as `bespoke`")?;
            let op_start = sp(cx, after_kind);
            let Some(after_op) = op_start.strip_prefix("<=") else {
                return Err(PErr::expected(op_start, "`<=`"));
            };
            let limit_start = sp(cx, after_op);
            let (rest, limit) = expect(value(cx, limit_start), limit_start, "a whole number")?;
            if !matches!(limit.kind, super::ast::ValueKind::Int(_)) {
                return Err(PErr::expected(limit_start, "a whole number"));
            }
            Ok((rest, StatementKind::Budget { kind, limit }))
        }
        _ => {
            let (mut rest, target) = path(cx, input)?;
            let mut bounds = Vec::new();
            let mut ahead = sp(cx, rest);
            loop {
                if bounds.is_empty() || ahead.starts_with(',') {
                    let at = if bounds.is_empty() {
                        ahead
                    } else {
                        sp(cx, &ahead[1..])
                    };
                    match bound(cx, at)? {
                        Some((after, parsed)) => {
                            bounds.push(parsed);
                            rest = after;
                            ahead = sp(cx, rest);
                            continue;
                        }
                        None => break,
                    }
                }
                break;
            }
            Ok((
                rest,
                StatementKind::Tunable {
                    path: target,
                    bounds,
                },
            ))
        }
    }
}

/// One bound of a `tunable` statement, or `None` when none starts here.
fn bound<'a>(cx: &Cx<'a>, input: &'a str) -> Result<Option<(&'a str, Bound)>, Err<PErr<'a>>> {
    if let Ok((after_in, _)) = keyword(input, "in") {
        let list_start = sp(cx, after_in);
        if !list_start.starts_with('[') {
            return Err(PErr::expected(list_start, "a list of allowed values"));
        }
        let (rest, values) = list(cx, list_start)?;
        let target = Value {
            kind: super::ast::ValueKind::List(values),
            span: cx.span(list_start, rest),
        };
        return Ok(Some((
            rest,
            Bound {
                op: CompareOp::In,
                op_span: cx.span(input, after_in),
                target: BoundTarget::Value(target),
                span: cx.span(input, rest),
            },
        )));
    }
    let Ok((after_op, op)) = compare_op(input) else {
        return Ok(None);
    };
    if matches!(op, CompareOp::Eq | CompareOp::Ne) {
        return Err(PErr::expected(input, "`<=`, `<`, `>=`, `>` or `in`"));
    }
    let target_start = sp(cx, after_op);
    let (rest, target) = match keyword(target_start, "base") {
        Ok((after_base, _)) => (
            after_base,
            BoundTarget::Base(cx.span(target_start, after_base)),
        ),
        Err(_) => {
            let (after, bound_value) =
                expect(value(cx, target_start), target_start, "a value or `base`")?;
            (after, BoundTarget::Value(bound_value))
        }
    };
    Ok(Some((
        rest,
        Bound {
            op,
            op_span: cx.span(input, after_op),
            target,
            span: cx.span(input, rest),
        },
    )))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Boundary {
    Statement,
    Item,
}

/// After an element: requires a separator (new line, `,`, `;`), a closing `}` or the end of
/// the file. Anything else is reported and skipped.
fn end_of_line<'a>(cx: &Cx<'a>, input: &'a str, boundary: Boundary) -> &'a str {
    let ahead = sp(cx, input);
    if ahead.is_empty()
        || ahead.starts_with(['\n', ',', ';'])
        || (boundary == Boundary::Statement && ahead.starts_with('}'))
        || cx.at_line_start(ahead)
    {
        return ahead;
    }
    report_failure(
        cx,
        PErr::expected(
            ahead,
            match boundary {
                Boundary::Statement => "a new line or `,` after the statement",
                Boundary::Item => "a new line after the declaration",
            },
        ),
    );
    skip(cx, ahead, boundary)
}

/// Skips from `start` to the next boundary: the end of the statement (a separator outside
/// brackets, or a line indented no deeper than the statement that does not continue its
/// brackets), or for items the next line that starts a declaration. With `balanced`, only
/// brackets count: used after a construct that nested too deeply, whose lines may not be
/// indented at all.
fn skip<'a>(cx: &Cx<'a>, start: &'a str, boundary: Boundary) -> &'a str {
    skip_with(cx, start, boundary, false)
}

fn skip_with<'a>(cx: &Cx<'a>, start: &'a str, boundary: Boundary, balanced: bool) -> &'a str {
    let text = cx.text;
    let bytes = text.as_bytes();
    let start_offset = cx.offset(start);
    let line_start = text[..start_offset]
        .rfind('\n')
        .map_or(0, |index| index + 1);
    let indent = text[line_start..start_offset]
        .bytes()
        .take_while(|&byte| byte == b' ' || byte == b'\t')
        .count();
    // The brackets opened since `start` and not yet closed.
    let mut open: Vec<u8> = Vec::new();
    let mut index = start_offset;
    while index < bytes.len() {
        match bytes[index] {
            b'\n' => {
                index += 1;
                let next_line = &text[index..];
                if boundary == Boundary::Item {
                    if starts_item(cx, next_line) || (open.is_empty() && next_line.starts_with('}'))
                    {
                        return next_line;
                    }
                    continue;
                }
                if open.is_empty() || (!balanced && starts_item(cx, next_line)) {
                    return next_line;
                }
                let trimmed = next_line.trim_start_matches([' ', '\t']);
                let next_indent = next_line.len() - trimmed.len();
                if !balanced
                    && next_indent <= indent
                    && !trimmed.is_empty()
                    && !trimmed.starts_with(['\n', '\r', ']', ')', '}'])
                {
                    return next_line;
                }
            }
            byte @ (b'{' | b'[' | b'(') => {
                open.push(byte);
                index += 1;
            }
            byte @ (b'}' | b']' | b')') => {
                let opening = match byte {
                    b'}' => b'{',
                    b']' => b'[',
                    _ => b'(',
                };
                // A closing bracket also closes every bracket opened after its partner, which
                // were never closed. A `}` with no partner closes the enclosing block.
                match open.iter().rposition(|&candidate| candidate == opening) {
                    Some(position) => open.truncate(position),
                    None if byte == b'}' && boundary == Boundary::Statement => {
                        return &text[index..];
                    }
                    None => {}
                }
                index += 1;
            }
            b',' | b';'
                if open.is_empty() && boundary == Boundary::Statement && index > start_offset =>
            {
                return &text[index + 1..];
            }
            b'"' if text[index..].starts_with("\"\"\"") => {
                let after = sp_skip_text_block(cx, &text[index..]);
                index = cx.offset(after).max(index + 3);
            }
            b'"' => {
                index += 1;
                while index < bytes.len() && bytes[index] != b'"' && bytes[index] != b'\n' {
                    index += if bytes[index] == b'\\' { 2 } else { 1 };
                }
                if index < bytes.len() && bytes[index] == b'"' {
                    index += 1;
                }
            }
            b'/' if text[index..].starts_with("//") => {
                index = text[index..]
                    .find('\n')
                    .map_or(text.len(), |end| index + end);
            }
            b'/' if text[index..].starts_with("/*") => {
                let comment = &text[index..];
                let quiet = Cx::new(cx.text);
                index = quiet.offset(super::lexical::skip_block_comment(&quiet, comment));
            }
            _ => index += 1,
        }
    }
    &text[text.len()..]
}

fn sp_skip_text_block<'a>(cx: &Cx<'a>, input: &'a str) -> &'a str {
    let quiet = Cx::new(cx.text);
    match super::lexical::text_block(&quiet, input) {
        Ok((rest, _)) => rest,
        Err(_) => &input[3..],
    }
}

/// Turns a parse failure into a diagnostic. `Failure`s were reported where they happened.
fn report_failure<'a>(cx: &Cx<'a>, error: Err<PErr<'a>>) {
    let failure = match error {
        Err::Error(failure) => failure,
        Err::Failure(_) | Err::Incomplete(_) => return,
    };
    let at = cx.offset(failure.at);
    if let Some((delimiter, open)) = failure.open {
        let at_end = failure.at.trim_start().is_empty();
        let wrong_closer = failure.at.starts_with([']', ')', '}']);
        let later_line = cx.text[open..at].contains('\n');
        if at_end || wrong_closer || later_line {
            if at_end && cx.ran_off_end.get() {
                return;
            }
            // Point at the line where the closing bracket is missing: its first token, or the
            // wrong closing bracket, or the end of the text.
            let place = if at_end {
                cx.text.trim_end().len()
            } else if wrong_closer {
                at
            } else {
                let line_start = cx.text[..at].rfind('\n').map_or(0, |index| index + 1);
                let line = &cx.text[line_start..at];
                line_start + (line.len() - line.trim_start().len())
            };
            let (closing, what) = match delimiter {
                '(' => (')', "argument list"),
                '[' => (']', "list"),
                '<' => ('>', "type arguments"),
                _ => ('}', "map"),
            };
            cx.report(SyntaxError::UnclosedDelimiter {
                delimiter,
                closing,
                what,
                span: source_span(Span::empty(place)),
                open: source_span(Span::new(open, open + 1)),
            });
            return;
        }
    }
    let (found, len) = describe(failure.at);
    let expected = if failure.expected.is_empty() {
        "a statement"
    } else {
        failure.expected
    };
    cx.report(SyntaxError::UnexpectedToken {
        expected: expected.to_string(),
        found,
        span: source_span(Span::new(at, at + len)),
        help: help_for(
            expected,
            failure.at,
            at > 0 && !cx.text.as_bytes()[at - 1].is_ascii_whitespace(),
        ),
    });
}

/// Describes the token at the start of `input` for an error message, with its length.
fn describe(input: &str) -> (String, usize) {
    let Some(first) = input.chars().next() else {
        return ("the end of the file".to_string(), 0);
    };
    if first == '\n' || input.starts_with("\r\n") {
        return ("the end of the line".to_string(), 0);
    }
    if first == '"' {
        let len = input[1..]
            .find(['"', '\n'])
            .map_or(input.len(), |end| end + 2)
            .min(input.len());
        return ("a string".to_string(), len);
    }
    if first.is_ascii_alphanumeric() || first == '_' {
        let len = input
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.'))
            .unwrap_or(input.len());
        return (format!("`{}`", &input[..len]), len);
    }
    for operator in ["+=", "<=", ">=", "==", "!=", "..."] {
        if input.starts_with(operator) {
            return (format!("`{operator}`"), operator.len());
        }
    }
    (format!("`{first}`"), first.len_utf8())
}

/// The help for a failure; `glued` says the unexpected token directly follows the previous one.
fn help_for(expected: &str, at: &str, glued: bool) -> Option<String> {
    let help = match expected {
        "a declaration" => {
            if at.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '"') {
                "settings go inside a declaration: `platform`, `archetype`, `mixin`, `community` or `cluster`, each followed by `{ ... }`"
            } else {
                "start a declaration with `import`, `platform`, `archetype`, `mixin`, `community`, `cluster`, `type` or `schema`"
            }
        }
        "a value" | "a value or `]`" => {
            "write a value such as `\"text\"`, `42`, `4GiB`, `true`, `[...]` or `{ key = value }`"
        }
        "`=`, `+=` or `{` after the path" => {
            "assign with `path = value`, append with `path += value`, or open a block with `path { ... }`"
        }
        "a new line or `,` after the statement" => {
            if glued {
                "quote the value if it is text, such as a version: `\"1.5.3\"`"
            } else {
                "put each statement on its own line"
            }
        }
        "a new line after the declaration" => "start the next declaration on a new line",
        "`:` and the archetype of the community" => {
            "name the community's archetype: `community \"name\" : archetype { ... }`"
        }
        "`extends` and the parent of the archetype" => {
            "an archetype extends a platform or another archetype: `archetype name extends basehub { ... }`"
        }
        "a statement" => {
            "a statement is `path = value`, `path += value`, `delete path`, or a policy such as `tunable path`"
        }
        "`,` or `)`" | "a value or `)`" => {
            "separate arguments with `,` and close the list with `)`"
        }
        "`,` or `>`" => "separate type arguments with `,` and close them with `>`",
        "a whole number" => "a budget is a whole number of overrides: `budget bespoke <= 5`",
        "a type" | "a type name" => {
            "write a type such as `string`, `memory`, `list<string>`, `\"a\" | \"b\"` or a declared type's name"
        }
        "a name" | "a field name" | "a key" | "a path" => {
            "a name is letters, digits, `_` and `-`, starting with a letter or `_`; quote other keys: `\"key.with.dots\"`"
        }
        "a name after `.`" | "a key after `.`" => "remove the trailing `.` or finish the path",
        "a value or `base`" => "a floor is a value or `base`: `tunable path >= base`",
        "`<=`, `<`, `>=`, `>` or `in`" => {
            "bound a tunable path with a comparison: `tunable path <= 16GiB`"
        }
        _ if expected.starts_with("`,`") => "separate elements with `,` or new lines",
        _ => {
            return Some(format!(
                "write {expected} here; lang/reference.md shows the syntax"
            ));
        }
    };
    Some(help.to_string())
}
