//! Statements inside a block: assignments, nested blocks, `delete`, and the policy statements
//! (`tunable`, `locked`, `identity`, `budget`) with their labels and bounds.

use nom::Err;

use super::{ITEM_KEYWORDS, STATEMENT_KEYWORDS, block};
use crate::diagnostics::suggest::did_you_mean;
use crate::syntax::ast::{
    Annotation, Bound, BoundTarget, CompareOp, Doc, Statement, StatementKind, Value,
};
use crate::syntax::error::{SyntaxError, source_span};
use crate::syntax::lexical::{
    Cx, PErr, PResult, expect, ident, is_ident_start, keyword, name, peek_word, sp, sp_nl,
};
use crate::syntax::types::compare_op;
use crate::syntax::values::{list, path, value};

/// One statement, after its doc comment and annotations.
pub(super) fn statement<'a>(
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
    kind: crate::syntax::ast::Ident,
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
            if !matches!(limit.kind, crate::syntax::ast::ValueKind::Int(_)) {
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
            kind: crate::syntax::ast::ValueKind::List(values),
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
