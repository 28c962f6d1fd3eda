//! Types and schemas: `type NAME = TYPE`, `schema NAME { ... }` and struct members.

use nom::Err;

use super::ast::{
    Annotation, CompareOp, Doc, Field, Member, MemberKind, Struct, Type, TypeKind, Value, ValueKind,
};
use super::lexical::{
    Cx, Numeric, PErr, PResult, expect, ident, is_ident_start, key, keyword, numeric, sp, sp_nl,
    string,
};
use super::parser::braced;
use super::values::{path, value};

/// `A | B | C`, where a newline may come before a `|`.
pub fn type_expr<'a>(cx: &Cx<'a>, input: &'a str) -> PResult<'a, Type> {
    let (mut rest, first) = postfix(cx, input)?;
    let mut alternatives = vec![first];
    loop {
        let ahead = sp_nl(cx, rest);
        let Some(after_bar) = ahead.strip_prefix('|') else {
            break;
        };
        let start = sp_nl(cx, after_bar);
        let (after, next) = postfix(cx, start)?;
        alternatives.push(next);
        rest = after;
    }
    if alternatives.len() == 1 {
        return Ok((rest, alternatives.pop().expect("one alternative")));
    }
    Ok((
        rest,
        Type {
            kind: TypeKind::Union(alternatives),
            span: cx.span(input, rest),
        },
    ))
}

/// A primary type followed by `matching "regex"`, `keyed by FIELD` or a bound such as `>= 0`.
fn postfix<'a>(cx: &Cx<'a>, input: &'a str) -> PResult<'a, Type> {
    let (mut rest, mut ty) = primary(cx, input)?;
    loop {
        let ahead = sp(cx, rest);
        if let Ok((after, _)) = keyword(ahead, "matching") {
            let pattern_start = sp(cx, after);
            let (after_pattern, pattern) =
                expect(value(cx, pattern_start), pattern_start, "a pattern string")?;
            if !matches!(pattern.kind, ValueKind::Str { .. }) {
                return Err(PErr::expected(pattern_start, "a pattern string"));
            }
            rest = after_pattern;
            ty = Type {
                kind: TypeKind::Matching {
                    ty: Box::new(ty),
                    pattern,
                },
                span: cx.span(input, rest),
            };
        } else if let Ok((after, _)) = keyword(ahead, "keyed") {
            let by_start = sp(cx, after);
            let (after_by, _) = expect(keyword(by_start, "by"), by_start, "`by`")?;
            let key_start = sp(cx, after_by);
            let (after_key, key_name) = expect(ident(cx, key_start), key_start, "a field name")?;
            rest = after_key;
            ty = Type {
                kind: TypeKind::KeyedBy {
                    ty: Box::new(ty),
                    key: key_name,
                },
                span: cx.span(input, rest),
            };
        } else if let Some((after, op, limit)) = bound(cx, ahead) {
            rest = after;
            ty = Type {
                kind: TypeKind::Bounded {
                    ty: Box::new(ty),
                    op,
                    limit,
                },
                span: cx.span(input, rest),
            };
        } else {
            return Ok((rest, ty));
        }
    }
}

/// `>= 0`, `> 0`, `<= 100` or `< 100` after a type: a comparison followed by a number. Anything
/// else, such as the `>` that closes `list<int>`, is not a bound. A quantity is read too, so that
/// the schema can say that bounds apply to numbers only.
fn bound<'a>(cx: &Cx<'a>, input: &'a str) -> Option<(&'a str, CompareOp, Value)> {
    let (after_op, op) = compare_op(input).ok()?;
    if !matches!(
        op,
        CompareOp::Ge | CompareOp::Gt | CompareOp::Le | CompareOp::Lt
    ) {
        return None;
    }
    let number_start = sp(cx, after_op);
    if !number_start.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
        return None;
    }
    let (rest, number) = numeric(cx, number_start).ok()?;
    let kind = match number {
        Numeric::Int(int) => ValueKind::Int(int),
        Numeric::Float(float) => ValueKind::Float(float),
        Numeric::Quantity { number, unit } => ValueKind::Quantity { number, unit },
        Numeric::Date { .. } => return None,
    };
    let limit = Value {
        kind,
        span: cx.span(number_start, rest),
    };
    Some((rest, op, limit))
}

fn primary<'a>(cx: &Cx<'a>, input: &'a str) -> PResult<'a, Type> {
    cx.nested(input, || primary_inner(cx, input))
}

fn primary_inner<'a>(cx: &Cx<'a>, input: &'a str) -> PResult<'a, Type> {
    let make = |rest: &'a str, kind| {
        Ok((
            rest,
            Type {
                kind,
                span: cx.span(input, rest),
            },
        ))
    };
    match input.chars().next() {
        Some('{') => {
            let (rest, body) = struct_body(cx, input)?;
            make(rest, TypeKind::Struct(body))
        }
        Some('(') => {
            let inner_start = sp_nl(cx, &input[1..]);
            let (after, inner) = type_expr(cx, inner_start)?;
            let close = sp_nl(cx, after);
            let Some(rest) = close.strip_prefix(')') else {
                return Err(Err::Error(PErr {
                    at: close,
                    expected: "`)`",
                    open: Some(('(', cx.offset(input))),
                }));
            };
            Ok((rest, inner))
        }
        Some('"') => {
            let (rest, text) = string(cx, input)?;
            let literal = Value {
                kind: ValueKind::Str {
                    value: text,
                    block: false,
                },
                span: cx.span(input, rest),
            };
            make(rest, TypeKind::Literal(literal))
        }
        Some('0'..='9' | '-') => {
            let (rest, number) = numeric(cx, input)?;
            let kind = match number {
                Numeric::Int(int) => ValueKind::Int(int),
                Numeric::Float(float) => ValueKind::Float(float),
                _ => return Err(PErr::expected(input, "a type")),
            };
            let literal = Value {
                kind,
                span: cx.span(input, rest),
            };
            make(rest, TypeKind::Literal(literal))
        }
        Some(c) if is_ident_start(c) => {
            let (mut rest, name) = ident(cx, input)?;
            let mut args = Vec::new();
            if let Some(after_angle) = rest.strip_prefix('<') {
                let mut at = sp_nl(cx, after_angle);
                loop {
                    let (after, argument) = expect(type_expr(cx, at), at, "a type")?;
                    args.push(argument);
                    let ahead = sp_nl(cx, after);
                    if let Some(after_comma) = ahead.strip_prefix(',') {
                        at = sp_nl(cx, after_comma);
                    } else if let Some(after_close) = ahead.strip_prefix('>') {
                        rest = after_close;
                        break;
                    } else {
                        return Err(Err::Error(PErr {
                            at: ahead,
                            expected: "`,` or `>`",
                            open: Some(('<', cx.offset(rest))),
                        }));
                    }
                }
            }
            make(rest, TypeKind::Named { name, args })
        }
        _ => Err(PErr::expected(input, "a type")),
    }
}

/// `{ member ... }` with recovery at member boundaries.
pub fn struct_body<'a>(cx: &Cx<'a>, input: &'a str) -> PResult<'a, Struct> {
    let (rest, members, span) = braced(cx, input, "struct", member);
    let open = members
        .iter()
        .find_map(|member: &Member| match member.kind {
            MemberKind::Open => Some(member.span),
            _ => None,
        });
    Ok((
        rest,
        Struct {
            members,
            open,
            span,
        },
    ))
}

fn member<'a>(
    cx: &Cx<'a>,
    input: &'a str,
    doc: Option<Doc>,
    annotations: Vec<Annotation>,
) -> PResult<'a, Member> {
    let start = annotations
        .first()
        .map_or(input, |first| &cx.text[first.span.start as usize..]);
    let make = |rest: &'a str, kind| {
        Ok((
            rest,
            Member {
                doc,
                annotations,
                kind,
                span: cx.span(start, rest),
            },
        ))
    };
    if let Some(rest) = input.strip_prefix("...") {
        return make(rest, MemberKind::Open);
    }
    if let Ok((after, _)) = keyword(input, "check") {
        let left_start = sp(cx, after);
        if !left_start.starts_with(':') {
            let (after_left, left) = path(cx, left_start)?;
            let op_start = sp(cx, after_left);
            let (after_op, op) = compare_op(op_start)?;
            let right_start = sp(cx, after_op);
            let (rest, right) = path(cx, right_start)?;
            return make(rest, MemberKind::Check { left, op, right });
        }
    }
    let mut rest = input;
    let mut required = false;
    if let Ok((after, _)) = keyword(input, "required") {
        let ahead = sp(cx, after);
        if !ahead.starts_with(':') {
            required = true;
            rest = ahead;
        }
    }
    let (after_key, field_key) = expect(key(cx, rest), rest, "a field")?;
    let colon = sp(cx, after_key);
    let Some(after_colon) = colon.strip_prefix(':') else {
        return Err(PErr::expected(colon, "`:` and a type"));
    };
    let type_start = sp_nl(cx, after_colon);
    let (after_type, ty) = expect(type_expr(cx, type_start), type_start, "a type")?;
    let mut rest = after_type;
    let mut default = None;
    let ahead = sp(cx, after_type);
    if let Some(after_equals) = ahead.strip_prefix('=') {
        let value_start = sp_nl(cx, after_equals);
        let (after_value, default_value) =
            expect(value(cx, value_start), value_start, "a default value")?;
        default = Some(default_value);
        rest = after_value;
    }
    make(
        rest,
        MemberKind::Field(Field {
            required,
            key: field_key,
            ty,
            default,
        }),
    )
}

/// `<=`, `<`, `>=`, `>`, `==` or `!=`.
pub fn compare_op(input: &str) -> PResult<'_, CompareOp> {
    for (text, op) in [
        ("<=", CompareOp::Le),
        (">=", CompareOp::Ge),
        ("==", CompareOp::Eq),
        ("!=", CompareOp::Ne),
        ("<", CompareOp::Lt),
        (">", CompareOp::Gt),
    ] {
        if let Some(rest) = input.strip_prefix(text) {
            return Ok((rest, op));
        }
    }
    Err(PErr::expected(
        input,
        "a comparison (`<=`, `<`, `>=`, `>`, `==` or `!=`)",
    ))
}
