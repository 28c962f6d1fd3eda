//! Values, paths and annotations: the expression level of the grammar.

use nom::Err;

use super::ast::{Annotation, Entry, Ident, Path, Value, ValueKind};
use super::error::{SyntaxError, source_span};
use super::lexical::{
    Cx, Numeric, PErr, PResult, exact, expect, ident, is_ident_start, key, numeric, sp, sp_nl,
    string, text_block,
};
use crate::diagnostics::suggest::did_you_mean;

/// The annotations the language knows.
pub const ANNOTATIONS: &[&str] = &["reason", "ticket", "expires", "deprecated"];

/// The most keys one path may have. Real values trees are about fifteen levels deep.
pub const MAX_PATH_KEYS: usize = 64;

/// The most values one list literal may hold. Lists of users or groups run to thousands.
pub const MAX_LIST_VALUES: usize = 100_000;

/// A dotted path of keys with no spaces around the dots.
pub fn path<'a>(cx: &Cx<'a>, input: &'a str) -> PResult<'a, Path> {
    let (mut rest, first) = expect(key(cx, input), input, "a path")?;
    let mut keys = vec![first];
    while let Some(after_dot) = rest.strip_prefix('.') {
        let (after_key, next) = expect(key(cx, after_dot), after_dot, "a key after `.`")?;
        keys.push(next);
        rest = after_key;
    }
    // Every pass over values recurses along paths: the depth the input controls is bounded.
    if keys.len() > MAX_PATH_KEYS {
        cx.report(SyntaxError::PathTooLong {
            count: keys.len(),
            limit: MAX_PATH_KEYS,
            span: source_span(cx.span(input, rest)),
        });
        return Err(nom::Err::Failure(PErr {
            at: input,
            expected: "",
            open: None,
        }));
    }
    Ok((
        rest,
        Path {
            keys: exact(keys),
            span: cx.span(input, rest),
        },
    ))
}

/// Any value.
pub fn value<'a>(cx: &Cx<'a>, input: &'a str) -> PResult<'a, Value> {
    let make = |rest: &'a str, kind| {
        Ok((
            rest,
            Value {
                kind,
                span: cx.span(input, rest),
            },
        ))
    };
    let Some(first) = input.chars().next() else {
        return Err(PErr::expected(input, "a value"));
    };
    match first {
        '"' if input.starts_with("\"\"\"") => {
            let (rest, value) = text_block(cx, input)?;
            make(rest, ValueKind::Str { value, block: true })
        }
        '"' => {
            let (rest, value) = string(cx, input)?;
            make(
                rest,
                ValueKind::Str {
                    value,
                    block: false,
                },
            )
        }
        '[' => {
            let (rest, values) = list(cx, input)?;
            make(rest, ValueKind::List(values))
        }
        '{' => {
            let (rest, entries) = map(cx, input)?;
            make(rest, ValueKind::Map(entries))
        }
        '0'..='9' | '-' | '+' => {
            let (rest, number) = expect(numeric(cx, input), input, "a value")?;
            let kind = match number {
                Numeric::Int(value) => ValueKind::Int(value),
                Numeric::Float(value) => ValueKind::Float(value),
                Numeric::Quantity { number, unit } => ValueKind::Quantity { number, unit },
                Numeric::Date { year, month, day } => ValueKind::Date { year, month, day },
            };
            make(rest, kind)
        }
        c if is_ident_start(c) => ident_led(cx, input),
        _ => Err(PErr::expected(input, "a value")),
    }
}

/// A value that starts with a name: a literal keyword, a call, a tagged map or a reference.
fn ident_led<'a>(cx: &Cx<'a>, input: &'a str) -> PResult<'a, Value> {
    let (rest, name) = ident(cx, input)?;
    let make = |rest: &'a str, kind| {
        Ok((
            rest,
            Value {
                kind,
                span: cx.span(input, rest),
            },
        ))
    };
    match name.name.as_str() {
        "true" => return make(rest, ValueKind::Bool(true)),
        "false" => return make(rest, ValueKind::Bool(false)),
        "null" => return make(rest, ValueKind::Null),
        _ => {}
    }
    if rest.starts_with('(') {
        let (rest, args) = arguments(cx, rest)?;
        return make(rest, ValueKind::Call { name, args });
    }
    let after_space = sp(cx, rest);
    if after_space.starts_with('{') {
        let (rest, entries) = map(cx, after_space)?;
        return make(rest, ValueKind::Tagged { tag: name, entries });
    }
    let mut names = vec![name];
    let mut rest = rest;
    while let Some(after_dot) = rest.strip_prefix('.') {
        let (after_name, next) = expect(ident(cx, after_dot), after_dot, "a name after `.`")?;
        names.push(next);
        rest = after_name;
    }
    make(rest, ValueKind::Reference(exact(names)))
}

/// `( value, ... )`
pub fn arguments<'a>(cx: &Cx<'a>, input: &'a str) -> PResult<'a, Vec<Value>> {
    cx.nested(input, || arguments_inner(cx, input))
}

fn arguments_inner<'a>(cx: &Cx<'a>, input: &'a str) -> PResult<'a, Vec<Value>> {
    let open = cx.offset(input);
    let mut rest = sp_nl(cx, &input[1..]);
    let mut args = Vec::new();
    loop {
        if let Some(after) = rest.strip_prefix(')') {
            return Ok((after, exact(args)));
        }
        if rest.starts_with([']', '}']) || rest.is_empty() {
            return Err(Err::Error(PErr {
                at: rest,
                expected: "a value or `)`",
                open: Some(('(', open)),
            }));
        }
        let (after_value, argument) = value(cx, rest)?;
        args.push(argument);
        rest = sp_nl(cx, after_value);
        if let Some(after_comma) = rest.strip_prefix(',') {
            rest = sp_nl(cx, after_comma);
        } else if !rest.starts_with(')') {
            return Err(Err::Error(PErr {
                at: rest,
                expected: "`,` or `)`",
                open: Some(('(', open)),
            }));
        }
    }
}

/// Skips a list or map separator: a comma or newlines, with comments around them. Returns
/// whether a separator was there.
fn separator<'a>(cx: &Cx<'a>, input: &'a str) -> (&'a str, bool) {
    let rest = sp(cx, input);
    if let Some(after) = rest.strip_prefix(',') {
        return (sp_nl(cx, after), true);
    }
    if rest.starts_with('\n') {
        return (sp_nl(cx, rest), true);
    }
    (rest, false)
}

/// `[ value, ... ]`: elements separated by commas or newlines.
pub fn list<'a>(cx: &Cx<'a>, input: &'a str) -> PResult<'a, Vec<Value>> {
    cx.nested(input, || list_inner(cx, input))
}

fn list_inner<'a>(cx: &Cx<'a>, input: &'a str) -> PResult<'a, Vec<Value>> {
    let open = cx.offset(input);
    let mut rest = sp_nl(cx, &input[1..]);
    let mut values = Vec::new();
    loop {
        if let Some(after) = rest.strip_prefix(']') {
            // Kept, and reported: the fleet is checked further, but never built.
            if values.len() > MAX_LIST_VALUES {
                cx.report(SyntaxError::ListTooLong {
                    count: values.len(),
                    limit: MAX_LIST_VALUES,
                    span: source_span(cx.span(input, after)),
                });
            }
            return Ok((after, exact(values)));
        }
        if rest.starts_with(['}', ')']) || rest.is_empty() {
            return Err(Err::Error(PErr {
                at: rest,
                expected: "a value or `]`",
                open: Some(('[', open)),
            }));
        }
        let (after_value, element) = expect(value(cx, rest), rest, "a value or `]`")?;
        values.push(element);
        let (after_separator, separated) = separator(cx, after_value);
        rest = after_separator;
        if !separated && !rest.starts_with(']') {
            return Err(Err::Error(PErr {
                at: rest,
                expected: "`,`, a new line or `]`",
                open: Some(('[', open)),
            }));
        }
    }
}

/// `{ path = value, ... }`: entries separated by commas or newlines.
pub fn map<'a>(cx: &Cx<'a>, input: &'a str) -> PResult<'a, Vec<Entry>> {
    cx.nested(input, || map_inner(cx, input))
}

fn map_inner<'a>(cx: &Cx<'a>, input: &'a str) -> PResult<'a, Vec<Entry>> {
    let open = cx.offset(input);
    let mut rest = sp_nl(cx, &input[1..]);
    let mut entries = Vec::new();
    loop {
        if let Some(after) = rest.strip_prefix('}') {
            return Ok((after, exact(entries)));
        }
        if rest.starts_with([']', ')']) || rest.is_empty() {
            return Err(Err::Error(PErr {
                at: rest,
                expected: "a key or `}`",
                open: Some(('{', open)),
            }));
        }
        let start = rest;
        let (after_path, entry_path) = expect(path(cx, rest), rest, "a key or `}`")?;
        let after_space = sp(cx, after_path);
        let Some(after_equals) = after_space.strip_prefix('=') else {
            return Err(PErr::expected(after_space, "`=`"));
        };
        let value_start = sp_nl(cx, after_equals);
        let (after_value, entry_value) = expect(value(cx, value_start), value_start, "a value")?;
        entries.push(Entry {
            path: entry_path,
            value: entry_value,
            span: cx.span(start, after_value),
        });
        let (after_separator, separated) = separator(cx, after_value);
        rest = after_separator;
        if !separated && !rest.starts_with('}') {
            return Err(Err::Error(PErr {
                at: rest,
                expected: "`,`, a new line or `}`",
                open: Some(('{', open)),
            }));
        }
    }
}

/// `@name` or `@name(args)`. Unknown names are reported but kept.
pub fn annotation<'a>(cx: &Cx<'a>, input: &'a str) -> PResult<'a, Annotation> {
    let Some(after_at) = input.strip_prefix('@') else {
        return Err(PErr::expected(input, "`@`"));
    };
    let (mut rest, name) = expect(ident(cx, after_at), after_at, "an annotation name")?;
    if !ANNOTATIONS.contains(&name.name.as_str()) {
        report_unknown_annotation(cx, &name);
    }
    let mut args = Vec::new();
    if rest.starts_with('(') {
        (rest, args) = arguments(cx, rest)?;
    }
    Ok((
        rest,
        Annotation {
            name,
            args,
            span: cx.span(input, rest),
        },
    ))
}

fn report_unknown_annotation(cx: &Cx<'_>, name: &Ident) {
    let help = match did_you_mean(&name.name, ANNOTATIONS.iter().copied()) {
        Some(suggestion) => format!("did you mean `@{suggestion}`?"),
        None => "the known annotations are `@reason`, `@ticket`, `@expires` and `@deprecated`"
            .to_string(),
    };
    cx.report(SyntaxError::UnknownAnnotation {
        name: name.name.clone(),
        span: source_span(name.span),
        help,
    });
}
