//! Edits: formatting (the `hubc fmt` layout), and code actions for the diagnostics whose help is
//! an edit (a did-you-mean, an override to delete, an `@expires` to extend) and for the overrides
//! of a community (promote it into the archetype, make it tunable there, give it `@reason` or
//! `@expires`).

// `Uri` keys edits by document as the protocol does; its cached parts do not change its hash.
#![allow(clippy::mutable_key_type)]

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, Position, Range, TextEdit,
    Uri, WorkspaceEdit,
};

use super::Document;
use super::text::{LineIndex, uri_of};
use crate::check::policy::{Class, Day, Override};
use crate::diagnostics::Diagnostic;
use crate::resolve::value::{DeclId, path_text, value_text};
use crate::source::Span;
use crate::syntax::ast::{self, ItemKind, StatementKind};

pub fn format(doc: &Document<'_>) -> Option<Vec<TextEdit>> {
    // A file that does not parse has no layout to restore: formatting it would drop what did
    // not parse.
    if !doc.file.parsed.errors.is_empty() {
        return None;
    }
    let formatted = crate::format::format(doc.text, &doc.file.parsed.file);
    if formatted == doc.text {
        return Some(Vec::new());
    }
    let end = doc.lines.position(doc.text.len() as u32);
    Some(vec![TextEdit::new(
        Range::new(Position::new(0, 0), end),
        formatted,
    )])
}

pub fn code_actions(
    doc: &Document<'_>,
    params: &CodeActionParams,
    today: Day,
) -> Option<Vec<CodeActionOrCommand>> {
    let uri = &params.text_document.uri;
    let start = doc.offset(params.range.start);
    let end = doc.offset(params.range.end);
    let touches = |span: Span| span.start <= end && start <= span.end;
    let mut actions = Vec::new();
    let here: Vec<&Diagnostic> = doc
        .fleet
        .session
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.file == doc.file.id && touches(diagnostic.span))
        .collect();
    for diagnostic in here {
        for (title, edits) in fixes(doc, diagnostic, today) {
            actions.push(action(&title, CodeActionKind::QUICKFIX, uri, edits));
        }
    }
    if let Some(analysis) = doc.analysis {
        for (community, found) in overrides_at(doc, start, end) {
            actions.extend(override_actions(doc, analysis, community, found, today));
        }
    }
    Some(actions)
}

fn action(
    title: &str,
    kind: CodeActionKind,
    uri: &Uri,
    edits: Vec<TextEdit>,
) -> CodeActionOrCommand {
    CodeActionOrCommand::CodeAction(CodeAction {
        title: title.to_string(),
        kind: Some(kind),
        edit: Some(WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            ..Default::default()
        }),
        ..Default::default()
    })
}

/// The edits a diagnostic's help names.
fn fixes(doc: &Document<'_>, diagnostic: &Diagnostic, today: Day) -> Vec<(String, Vec<TextEdit>)> {
    let mut out = Vec::new();
    let help = diagnostic.help.as_deref().unwrap_or("");
    if let Some(suggestion) = did_you_mean(help) {
        let span = whole_token(doc.text, diagnostic.span, suggestion);
        let written = doc.text.get(span.range()).unwrap_or("");
        if let Some((span, replacement)) = replacement(span, written, suggestion) {
            out.push((
                format!("Replace with `{replacement}`"),
                vec![TextEdit::new(doc.lines.range(span), replacement)],
            ));
        }
    }
    let statement = statement_at(&doc.file.parsed.file, diagnostic.span.start);
    match diagnostic.code.as_str() {
        "hub::policy::redundant"
        | "hub::policy::locked"
        | "hub::policy::out_of_bounds"
        | "hub::policy::below_base"
        | "hub::policy::expired" => {
            if let Some(statement) = statement {
                out.push((
                    "Delete this override".to_string(),
                    vec![delete_lines(doc, statement)],
                ));
            }
        }
        _ => {}
    }
    if diagnostic.code == "hub::policy::expired"
        && let Some(statement) = statement
        && let Some(expires) = statement
            .annotations
            .iter()
            .find(|annotation| annotation.name.name == "expires")
    {
        let date = later(today);
        let mut edits = vec![TextEdit::new(
            doc.lines.range(expires.span),
            format!("@expires({date})"),
        )];
        if !statement
            .annotations
            .iter()
            .any(|a| a.name.name == "reason")
        {
            edits.push(insert_above(doc, statement, "@reason(\"\")"));
        }
        out.push((format!("Extend `@expires` to {date}"), edits));
    }
    out
}

/// The suggestion of a help such as "did you mean `research_group`?".
fn did_you_mean(help: &str) -> Option<&str> {
    let rest = &help[help.find("did you mean `")? + "did you mean `".len()..];
    Some(&rest[..rest.find('`')?])
}

/// The span widened back to the start of its token when the suggestion spells that part too:
/// `GiBB` in `16GiBB` becomes `16GiBB` for the suggestion `16GiB`.
fn whole_token(text: &str, span: Span, suggestion: &str) -> Span {
    let start = span.start as usize;
    let token_start = text[..start]
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
        .map_or(0, |index| index + 1);
    let before = &text[token_start..start];
    if !before.is_empty() && suggestion.starts_with(before) {
        Span::new(token_start, span.end as usize)
    } else {
        span
    }
}

/// What to replace with a suggestion: the whole span, or its last key when the span is a path
/// and the suggestion one key.
fn replacement(span: Span, written: &str, suggestion: &str) -> Option<(Span, String)> {
    let suggestion = if written.starts_with('@') || !suggestion.starts_with('@') {
        suggestion
    } else {
        &suggestion[1..]
    };
    if written.is_empty() || written.contains('\n') {
        return None;
    }
    if !suggestion.contains('.')
        && let Some(dot) = written.rfind('.')
        && !written.starts_with('"')
    {
        let start = span.start as usize + dot + 1;
        return Some((Span::new(start, span.end as usize), suggestion.to_string()));
    }
    Some((span, suggestion.to_string()))
}

/// The innermost statement that holds `offset`.
fn statement_at(file: &ast::File, offset: u32) -> Option<&ast::Statement> {
    let mut statements: &[ast::Statement] =
        file.items.iter().find_map(|item| match &item.kind {
            ItemKind::Decl(decl) if item.span.start <= offset && offset <= item.span.end => {
                Some(decl.body.statements.as_slice())
            }
            _ => None,
        })?;
    let mut found = None;
    'descend: loop {
        for statement in statements {
            if statement.span.start <= offset && offset <= statement.span.end {
                found = Some(statement);
                if let StatementKind::Nested { block, .. } | StatementKind::Labelled { block, .. } =
                    &statement.kind
                {
                    statements = &block.statements;
                    continue 'descend;
                }
                break 'descend;
            }
        }
        break;
    }
    found
}

/// Deletes the lines of a statement, with its doc comment.
fn delete_lines(doc: &Document<'_>, statement: &ast::Statement) -> TextEdit {
    let start = statement
        .doc
        .as_ref()
        .map_or(statement.span.start, |doc| doc.span.start) as usize;
    let line_start = doc.text[..start].rfind('\n').map_or(0, |index| index + 1);
    let end = statement.span.end as usize;
    let line_end = doc.text[end..]
        .find('\n')
        .map_or(doc.text.len(), |index| end + index + 1);
    TextEdit::new(
        doc.lines.range(Span::new(line_start, line_end)),
        String::new(),
    )
}

/// Inserts a line above a statement, with its indentation.
fn insert_above(doc: &Document<'_>, statement: &ast::Statement, line: &str) -> TextEdit {
    let start = statement.span.start as usize;
    let line_start = doc.text[..start].rfind('\n').map_or(0, |index| index + 1);
    let indent: String = doc.text[line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let at = doc.lines.position(line_start as u32);
    TextEdit::new(Range::new(at, at), format!("{indent}{line}\n"))
}

/// A date three months from `today`, for a new `@expires`.
fn later(today: Day) -> String {
    let (year, month, day) = today;
    let months = u32::from(month) - 1 + 3;
    let (year, month) = (u32::from(year) + months / 12, months % 12 + 1);
    format!("{year:04}-{month:02}-{:02}", day.min(28))
}

/// The overrides of communities set by statements of this file in the range.
fn overrides_at<'a>(doc: &'a Document<'_>, start: u32, end: u32) -> Vec<(DeclId, &'a Override)> {
    let Some(analysis) = doc.analysis else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for drift in &analysis.drift {
        for found in &drift.overrides {
            let span = found.statement.span;
            if found.statement.file == doc.file.id
                && found.layer == drift.community
                && span.start <= end
                && start <= span.end
            {
                out.push((drift.community, found));
            }
        }
    }
    out
}

/// For one override: promote it into the archetype, make its path tunable there, and give it
/// the annotations that say why and until when.
fn override_actions(
    doc: &Document<'_>,
    analysis: &crate::analysis::Analysis,
    community: DeclId,
    found: &Override,
    today: Day,
) -> Vec<CodeActionOrCommand> {
    let mut out = Vec::new();
    let names = &analysis.names;
    let fleet = &analysis.fleet;
    let path = path_text(&found.path, names);
    let uri = &doc.uri;
    let Some(statement) = statement_at(&doc.file.parsed.file, found.statement.span.start) else {
        return out;
    };
    let has = |name: &str| statement.annotations.iter().any(|a| a.name.name == name);
    if matches!(found.class, Class::Bespoke | Class::Tuned) {
        if !has("reason") {
            out.push(action(
                &format!("Add `@reason` to the override of `{path}`"),
                CodeActionKind::REFACTOR,
                uri,
                vec![insert_above(doc, statement, "@reason(\"\")")],
            ));
        }
        if !has("expires") {
            out.push(action(
                &format!("Add `@expires` to the override of `{path}`"),
                CodeActionKind::REFACTOR,
                uri,
                vec![insert_above(
                    doc,
                    statement,
                    &format!("@expires({})", later(today)),
                )],
            ));
        }
    }
    let Some(archetype) = fleet.decl(community).parent else {
        return out;
    };
    let Some(value) = &found.value else {
        return out;
    };
    if found.class != Class::Bespoke {
        return out;
    }
    let target = fleet.decl(archetype);
    let Some(loaded) = doc
        .fleet
        .session
        .files
        .iter()
        .find(|file| file.id == target.file)
    else {
        return out;
    };
    let Some(target_uri) = uri_of(&loaded.path).filter(|_| loaded.path.is_absolute()) else {
        return out;
    };
    let target_text = &doc.fleet.session.sources.get(target.file).text;
    let lines = LineIndex::new(target_text, doc.encoding);
    // Before the closing brace of the archetype.
    let close = target.span.end.saturating_sub(1) as usize;
    let line_start = target_text[..close]
        .rfind('\n')
        .map_or(0, |index| index + 1);
    let at = lines.position(line_start as u32);
    let operator = if found.appends { "+=" } else { "=" };
    let promoted = format!("  {path} {operator} {}\n", value_text(value, names));
    let mut promote = HashMap::from([(
        target_uri.clone(),
        vec![TextEdit::new(Range::new(at, at), promoted)],
    )]);
    promote
        .entry(uri.clone())
        .or_insert_with(Vec::new)
        .push(delete_lines(doc, statement));
    out.push(CodeActionOrCommand::CodeAction(CodeAction {
        title: format!("Promote `{path}` into archetype `{}`", target.display),
        kind: Some(CodeActionKind::REFACTOR),
        edit: Some(WorkspaceEdit {
            changes: Some(promote),
            ..Default::default()
        }),
        ..Default::default()
    }));
    out.push(CodeActionOrCommand::CodeAction(CodeAction {
        title: format!("Make `{path}` tunable in archetype `{}`", target.display),
        kind: Some(CodeActionKind::REFACTOR),
        edit: Some(WorkspaceEdit {
            changes: Some(HashMap::from([(
                target_uri,
                vec![TextEdit::new(
                    Range::new(at, at),
                    format!("  tunable {path}\n"),
                )],
            )])),
            ..Default::default()
        }),
        ..Default::default()
    }));
    out
}
