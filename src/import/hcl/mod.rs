//! Reading Terraform `.tfvars` files: top-level `name = expression` attributes, evaluated as
//! Terraform evaluates a variables file, into [`Value`]s.
//!
//! hcl-edit parses the file (all of HCL's syntax, with the span of every node, and a cap on
//! nesting); `eval.rs`, `template.rs`, `types.rs` and `number.rs` evaluate it as Terraform does:
//! arithmetic on 512-bit binary floats, comparison and logic, conditionals, `for` expressions,
//! indexes and splats, templates with interpolations and directives, heredocs. What Terraform
//! refuses in a variables file is refused here with [`HclErrorKind::Refused`]: references,
//! function calls and blocks.
//!
//! Object entries keep the order they are written in, and a repeated key keeps its last value,
//! as in Terraform. A number is a [`Value::Int`] when it is whole and fits in an `i64`, as
//! `terraform show -json` prints `1.0`, `7/7` and `2e3` as integers, and a [`Value::Float`]
//! otherwise (`10/4` is 2.5): the nearest `f64`, or the integer it equals when that is whole
//! (beyond 2^53, where an `f64` has no fraction left).

mod eval;
mod number;
mod template;
mod traversal;
mod types;

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // the tests read the corpus
mod tests;

use hcl_edit::structure::Structure;

use crate::emit::Value;
use eval::{Evaluator, Range, Val, span_of};

/// A problem with a variables file: where it is (byte offsets into the text), what it is, and
/// whether the file is broken or holds something a variables file may not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HclError {
    pub offset: usize,
    pub end: usize,
    /// For [`HclErrorKind::Malformed`], a lowercase message without trailing period; for
    /// [`HclErrorKind::Refused`], the construct, as "a function call `max(...)`".
    pub message: String,
    pub kind: HclErrorKind,
}

/// What kind of problem an [`HclError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HclErrorKind {
    /// Not HCL, or an expression Terraform cannot evaluate (a type error, a division by zero).
    Malformed,
    /// A reference, a function call or a block, which a variables file cannot hold.
    Refused,
}

impl HclError {
    pub fn new(span: Range, message: impl Into<String>, kind: HclErrorKind) -> HclError {
        HclError {
            offset: span.start,
            end: span.end.max(span.start),
            message: message.into(),
            kind,
        }
    }
}

/// Parses a `.tfvars` file: top-level `name = expression` attributes, in order, evaluated.
pub fn parse_tfvars(text: &str) -> Result<Vec<(String, Value)>, HclError> {
    let body = parse_body(text)?;
    let mut evaluator = Evaluator::new(text);
    let mut variables = Vec::new();
    for structure in body.iter() {
        let attribute = match structure {
            Structure::Attribute(attribute) => attribute,
            Structure::Block(block) => {
                let construct = format!("a block `{} {{ ... }}`", block.ident.as_str());
                let span = span_of(&block.ident);
                return Err(HclError::new(span, construct, HclErrorKind::Refused));
            }
        };
        // hcl-edit refuses a repeated attribute, as Terraform does.
        let name = attribute.key.as_str();
        let value = evaluator.evaluate(&attribute.value)?;
        variables.push((
            name.to_string(),
            value_of(value, span_of(&attribute.value))?,
        ));
    }
    Ok(variables)
}

/// The deepest brackets may nest in a file read, outside strings, comments and heredocs.
/// hcl-edit's parser takes time exponential in the depth of some nestings (`a[o<b -(` repeated,
/// or objects whose keys are long operator chains: 2^depth), so the text is measured first;
/// brackets left open are refused before parsing whatever their depth ([`parse_body`]). Real
/// variables files nest a few levels (the deepest of the corpus, 8).
pub const MAX_NESTING: usize = 16;

/// Parses HCL text into its body, or the first syntax error.
///
/// A text that leaves a bracket open cannot parse, and is refused before hcl-edit's parser sees
/// it: that parser backtracks through every open level, in time exponential in their number
/// (sixteen unclosed `{` among operator chains took 16 s in 2 KB).
pub fn parse_body(text: &str) -> Result<hcl_edit::structure::Body, HclError> {
    match scan(text, MAX_NESTING) {
        Scanned::TooDeep(at) => {
            let end = at + text[at..].chars().next().map_or(0, char::len_utf8);
            let message = format!("brackets nested more than {MAX_NESTING} deep");
            return Err(HclError::new(at..end, message, HclErrorKind::Malformed));
        }
        // Strings, comments and heredocs left open are better told by the parser, which is
        // linear on them.
        Scanned::Unclosed(at, opener) if matches!(opener, "{" | "[" | "(" | "${" | "%{") => {
            return Err(never_closed(at, opener));
        }
        Scanned::Unclosed(..) | Scanned::Closed => {}
    }
    hcl_edit::parser::parse_body(text).map_err(|error| syntax_error(text, &error))
}

/// The value of an expression of `text`, as [`parse_tfvars`] gives a variable's.
pub fn evaluate(text: &str, expression: &hcl_edit::expr::Expression) -> Result<Value, HclError> {
    let value = Evaluator::new(text).evaluate(expression)?;
    value_of(value, span_of(expression))
}

/// An evaluated value as a [`Value`]; `span` is the expression's, for a number out of range.
fn value_of(value: Val, span: Range) -> Result<Value, HclError> {
    Ok(match value {
        Val::Null => Value::Null,
        Val::Bool(boolean) => Value::Bool(boolean),
        Val::Number(number) => match number.to_i64() {
            Some(integer) => Value::Int(integer),
            None => match number.to_f64() {
                // Beyond 2^53 every f64 is whole: the integer it equals is written back exactly,
                // where its shortest decimal form (`63050394783186950`) is another number to
                // Terraform.
                Ok(float) if float.fract() == 0.0 && (-I64_LIMIT..I64_LIMIT).contains(&float) => {
                    Value::Int(float as i64)
                }
                Ok(float) => Value::Float(float),
                Err(_) => {
                    let message = format!(
                        "the number {} is out of range: a variable holds numbers up to about 1.8e308",
                        abbreviated(&number.to_text())
                    );
                    return Err(HclError::new(span, message, HclErrorKind::Malformed));
                }
            },
        },
        Val::String(text) => Value::Str(text),
        Val::Tuple(elements) => Value::List(
            elements
                .into_iter()
                .map(|element| value_of(element, span.clone()))
                .collect::<Result<_, _>>()?,
        ),
        Val::Object(entries) => Value::Map(
            entries
                .into_iter()
                .map(|(key, value)| Ok((key, value_of(value, span.clone())?)))
                .collect::<Result<_, _>>()?,
        ),
    })
}

/// 2^63: the floats below it in magnitude are `i64`s.
const I64_LIMIT: f64 = 9_223_372_036_854_775_808.0;

/// A long number's first digits and its length, for messages.
fn abbreviated(digits: &str) -> String {
    if digits.len() <= 24 {
        return format!("`{digits}`");
    }
    format!("`{}...` ({} digits)", &digits[..12], digits.len())
}

/// A syntax error of hcl-edit as an [`HclError`]. A number too large for hcl-edit (which reads
/// numbers as `f64`) fails at its exponent; that is reported as the number out of range.
fn syntax_error(text: &str, error: &hcl_edit::parser::Error) -> HclError {
    // hcl-edit may place an error inside a multi-byte character: at its start, then.
    let mut offset = error.location().offset().min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let digits_before = before.len()
        - before
            .trim_end_matches(|c: char| c.is_ascii_digit() || c == '.')
            .len();
    if digits_before > 0 && text[offset..].starts_with(['e', 'E']) {
        let start = offset - digits_before;
        let end = text[offset + 1..]
            .find(|c: char| !(c.is_ascii_digit() || c == '+' || c == '-'))
            .map_or(text.len(), |length| offset + 1 + length);
        let message = format!("the number `{}` is out of range", &text[start..end]);
        return HclError::new(start..end, message, HclErrorKind::Malformed);
    }
    // hcl-edit reports some unclosed brackets and strings at the start of the file.
    if (offset == 0 || offset == text.len())
        && let Some((at, opener)) = unclosed(text)
    {
        return never_closed(at, opener);
    }
    let end = offset + text[offset..].chars().next().map_or(0, char::len_utf8);
    HclError::new(offset..end, error.message(), HclErrorKind::Malformed)
}

/// The error of `opener`, at `at`, left open to the end of the text.
fn never_closed(at: usize, opener: &str) -> HclError {
    let message = format!("`{opener}` is never closed");
    HclError::new(at..at + opener.len(), message, HclErrorKind::Malformed)
}

/// The innermost bracket, string, comment or heredoc the text leaves open, if any: its offset
/// and its opening text.
fn unclosed(text: &str) -> Option<(usize, &str)> {
    match scan(text, usize::MAX) {
        Scanned::Unclosed(at, opener) => Some((at, opener)),
        Scanned::TooDeep(_) | Scanned::Closed => None,
    }
}

/// What a linear scan of HCL text finds.
enum Scanned<'a> {
    /// Where brackets (strings' `${` among them) first nest deeper than the limit.
    TooDeep(usize),
    /// The innermost opener left open: its offset and text.
    Unclosed(usize, &'a str),
    Closed,
}

fn scan(text: &str, limit: usize) -> Scanned<'_> {
    // Each opener on the stack; a string's `${` is a `{` whose closing returns to the string.
    let mut open: Vec<(usize, &str)> = Vec::new();
    let mut at = 0;
    while at < text.len() {
        let rest = &text[at..];
        let in_string = open.last().is_some_and(|(_, opener)| *opener == "\"");
        let step = if in_string {
            if rest.starts_with("$${") || rest.starts_with("%%{") {
                3
            } else if rest.starts_with("${") || rest.starts_with("%{") {
                open.push((at, &text[at..at + 2]));
                2
            } else if let Some(escaped) = rest.strip_prefix('\\') {
                1 + escaped.chars().next().map_or(0, char::len_utf8)
            } else {
                if rest.starts_with('"') {
                    open.pop();
                }
                rest.chars().next().map_or(1, char::len_utf8)
            }
        } else if rest.starts_with('#') || rest.starts_with("//") {
            rest.find('\n').unwrap_or(rest.len())
        } else if rest.starts_with("/*") {
            match rest.find("*/") {
                Some(end) => end + 2,
                None => return Scanned::Unclosed(at, "/*"),
            }
        } else if let Some(heredoc) = rest.strip_prefix("<<") {
            let marker = heredoc.trim_start_matches('-');
            let length = marker
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
                .unwrap_or(marker.len());
            let (marker, body) = marker.split_at(length);
            let closing = body
                .split_inclusive('\n')
                .scan(0, |offset, line| {
                    *offset += line.len();
                    Some((*offset, line.trim()))
                })
                .skip(1)
                .find(|(_, line)| !marker.is_empty() && *line == marker);
            match closing {
                Some((end, _)) => rest.len() - body.len() + end,
                None => return Scanned::Unclosed(at, "<<"),
            }
        } else {
            match rest.as_bytes()[0] {
                b'"' => open.push((at, "\"")),
                b'{' => open.push((at, "{")),
                b'[' => open.push((at, "[")),
                b'(' => open.push((at, "(")),
                b'}' | b']' | b')' => {
                    open.pop();
                }
                _ => {}
            }
            rest.chars().next().map_or(1, char::len_utf8)
        };
        if open.len() > limit {
            return Scanned::TooDeep(at);
        }
        at += step;
    }
    open.pop().map_or(Scanned::Closed, |(at, opener)| {
        Scanned::Unclosed(at, opener)
    })
}
