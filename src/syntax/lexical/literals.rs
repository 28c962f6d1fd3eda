//! Literal tokens: quoted strings with their escapes, text blocks, numbers with their units
//! (quantities), and dates.

use nom::bytes::complete::take_while;

use super::{Cx, PErr, PResult};
use crate::diagnostics::suggest::did_you_mean;
use crate::source::Span;
use crate::syntax::error::{SyntaxError, source_span};

/// A one-line string with escapes, decoded.
pub fn string<'a>(cx: &Cx<'a>, input: &'a str) -> PResult<'a, String> {
    let Some(body) = input.strip_prefix('"') else {
        return Err(PErr::expected(input, "a string"));
    };
    let mut value = String::new();
    let mut chars = body.char_indices();
    while let Some((index, c)) = chars.next() {
        match c {
            '"' => return Ok((&body[index + 1..], value)),
            '\n' => break,
            '\\' => {
                let escape_start = index;
                match chars.next() {
                    Some((_, '"')) => value.push('"'),
                    Some((_, '\\')) => value.push('\\'),
                    Some((_, 'n')) => value.push('\n'),
                    Some((_, 't')) => value.push('\t'),
                    // Not escapes: the characters they would make are refused.
                    Some((_, 'r')) => {
                        report_control(cx, &body[escape_start..escape_start + 2], '\r');
                        value.push('\r');
                    }
                    Some((_, '0')) => {
                        report_control(cx, &body[escape_start..escape_start + 2], '\0');
                        value.push('\0');
                    }
                    Some((_, 'u')) => {
                        let after = &body[escape_start + 2..];
                        match unicode_escape(after) {
                            Some((len, decoded)) => {
                                if is_refused_control(decoded) {
                                    let escape = &body[escape_start..escape_start + 2 + len];
                                    report_control(cx, escape, decoded);
                                }
                                value.push(decoded);
                                for _ in 0..len {
                                    chars.next();
                                }
                            }
                            None => {
                                // `\u{...}` with bad digits spans to its `}`; a `\u` with no
                                // brace is just those two characters.
                                let len = if after.starts_with('{') {
                                    after.find(['}', '"', '\n']).map_or(after.len(), |end| {
                                        end + usize::from(after[end..].starts_with('}'))
                                    })
                                } else {
                                    0
                                };
                                report_escape(cx, body, escape_start, 2 + len);
                                value.push_str(&body[escape_start..escape_start + 2]);
                            }
                        }
                    }
                    Some((_, '\n')) | None => break,
                    Some((_, other)) => {
                        report_escape(cx, body, escape_start, 1 + other.len_utf8());
                        value.push('\\');
                        value.push(other);
                    }
                }
            }
            _ => {
                if is_refused_control(c) {
                    report_control(cx, &body[index..index + c.len_utf8()], c);
                }
                value.push(c);
            }
        }
    }
    let end = body.find('\n').unwrap_or(body.len());
    cx.report(SyntaxError::UnterminatedString {
        span: source_span(Span::new(cx.offset(input), cx.offset(&body[end..]))),
    });
    Ok((&body[end..], value))
}

/// Whether a string may not hold `c`: a control character (Unicode's `Cc`: U+0000 to U+001F,
/// U+007F to U+009F) other than tab and line feed. YAML and Terraform readers refuse or mangle
/// them, and they hide in review.
pub fn is_refused_control(c: char) -> bool {
    c.is_control() && c != '\t' && c != '\n'
}

/// Reports the control character `c`, written as `text` (itself, or an escape).
fn report_control(cx: &Cx<'_>, text: &str, c: char) {
    let start = cx.offset(text);
    cx.report(SyntaxError::ControlCharacter {
        name: format!("U+{:04X}", c as u32),
        span: source_span(Span::new(start, start + text.len())),
    });
}

fn report_escape(cx: &Cx<'_>, body: &str, start: usize, len: usize) {
    let text = &body[start..(start + len).min(body.len())];
    cx.report(SyntaxError::InvalidEscape {
        escape: text.to_string(),
        span: source_span(Span::new(
            cx.offset(&body[start..]),
            cx.offset(&body[start..]) + text.len(),
        )),
    });
}

/// Decodes `{HEX}` after `\u`: returns how many characters it spans and the character.
fn unicode_escape(after: &str) -> Option<(usize, char)> {
    let inner = after.strip_prefix('{')?;
    let close = inner.find('}')?;
    let hex = &inner[..close];
    if hex.is_empty() || hex.len() > 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let decoded = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
    Some((close + 2, decoded))
}

/// A `"""` text block: raw lines, with the closing delimiter's indentation removed.
pub fn text_block<'a>(cx: &Cx<'a>, input: &'a str) -> PResult<'a, String> {
    let Some(after_open) = input.strip_prefix("\"\"\"") else {
        return Err(PErr::expected(input, "a text block"));
    };
    let after_spaces = after_open.trim_start_matches([' ', '\t', '\r']);
    let Some(body) = after_spaces.strip_prefix('\n') else {
        return Err(PErr::expected(after_spaces, "a new line after `\"\"\"`"));
    };
    // Find the closing line: the first whose first non-blank characters are `"""`.
    let mut lines = Vec::new();
    let mut line_start = 0;
    loop {
        if line_start >= body.len() {
            cx.ran_off_end.set(true);
            cx.report(SyntaxError::UnterminatedTextBlock {
                span: source_span(Span::new(cx.offset(input), cx.offset(input) + 3)),
            });
            return Ok((&body[body.len()..], String::new()));
        }
        let line_end = body[line_start..]
            .find('\n')
            .map_or(body.len(), |end| line_start + end);
        let line = &body[line_start..line_end];
        let trimmed = line.trim_start_matches([' ', '\t']);
        if trimmed.starts_with("\"\"\"") {
            let indent = &line[..line.len() - trimmed.len()];
            let closing = &body[line_start + indent.len()..];
            let mut value = String::new();
            for &(offset, text) in &lines {
                let text: &str = text;
                let text = text.strip_suffix('\r').unwrap_or(text);
                for (index, c) in text.char_indices() {
                    if is_refused_control(c) {
                        report_control(cx, &text[index..index + c.len_utf8()], c);
                    }
                }
                if let Some(stripped) = text.strip_prefix(indent) {
                    value.push_str(stripped);
                } else if text.trim().is_empty() {
                    // Blank lines may be shorter than the indentation.
                } else {
                    let line_offset = cx.offset(&body[offset..]);
                    cx.report(SyntaxError::TextBlockIndent {
                        span: source_span(Span::new(line_offset, line_offset + text.len())),
                        closing: source_span(Span::new(cx.offset(closing), cx.offset(closing) + 3)),
                    });
                    value.push_str(text.trim_start());
                }
                value.push('\n');
            }
            return Ok((&closing[3..], value));
        }
        lines.push((line_start, line));
        line_start = line_end + 1;
    }
}

/// Every unit a quantity may carry.
pub const UNITS: &[&str] = &[
    "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "k", "K", "M",
    "G", "T", "P", "E", "KB", "MB", "GB", "TB", "PB", "EB", "B", "m", "ns", "us", "ms", "s", "min",
    "h", "d", "w",
];

/// What a number-like token turned out to be.
pub enum Numeric {
    Int(i64),
    Float(f64),
    Quantity { number: String, unit: String },
    Date { year: u16, month: u8, day: u8 },
}

/// An integer, float, quantity or date. Malformed ones are reported and read as zero.
pub fn numeric<'a>(cx: &Cx<'a>, input: &'a str) -> PResult<'a, Numeric> {
    if let Some((rest, date)) = date(cx, input) {
        return Ok((rest, date));
    }
    let start = input;
    let (mut rest, _) = take_while(|c: char| c == '-' || c == '+')(input)?;
    if cx.offset(rest) - cx.offset(start) > 1 || !rest.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(PErr::expected(input, "a number"));
    }
    let digits = |text: &'a str| take_while(|c: char| c.is_ascii_digit() || c == '_')(text);
    (rest, _) = digits(rest)?;
    let mut is_float = false;
    if let Some(after_dot) = rest.strip_prefix('.')
        && after_dot.starts_with(|c: char| c.is_ascii_digit())
    {
        (rest, _) = digits(after_dot)?;
        is_float = true;
    }
    if let Some(after_e) = rest.strip_prefix(['e', 'E']) {
        let after_sign = after_e.strip_prefix(['-', '+']).unwrap_or(after_e);
        if after_sign.starts_with(|c: char| c.is_ascii_digit()) {
            (rest, _) = digits(after_sign)?;
            is_float = true;
        }
    }
    let number = &start[..start.len() - rest.len()];
    let (after_unit, unit) = take_while(|c: char| c.is_ascii_alphanumeric() || c == '_')(rest)?;
    if !unit.is_empty() {
        if !UNITS.contains(&unit) {
            let span = cx.span(rest, after_unit);
            let help = match did_you_mean(unit, UNITS.iter().copied()) {
                Some(suggestion) => format!("did you mean `{number}{suggestion}`?"),
                None => format!(
                    "use a unit such as `GiB`, `Mi`, `G`, `m`, `s` or `h`; quote `\"{number}{unit}\"` if it is text"
                ),
            };
            cx.report(SyntaxError::UnknownUnit {
                unit: unit.to_string(),
                span: source_span(span),
                help,
            });
        }
        return Ok((
            after_unit,
            Numeric::Quantity {
                number: number.to_string(),
                unit: unit.to_string(),
            },
        ));
    }
    let clean: String = number.chars().filter(|&c| c != '_').collect();
    if is_float {
        return match clean.parse::<f64>() {
            Ok(value) if value.is_finite() => Ok((rest, Numeric::Float(value))),
            _ => {
                report_number(cx, start, rest, "it does not fit in a 64-bit float");
                Ok((rest, Numeric::Float(0.0)))
            }
        };
    }
    match clean.parse::<i64>() {
        Ok(value) => Ok((rest, Numeric::Int(value))),
        Err(_) => {
            report_number(cx, start, rest, "it does not fit in a 64-bit integer");
            Ok((rest, Numeric::Int(0)))
        }
    }
}

fn report_number<'a>(cx: &Cx<'a>, start: &'a str, rest: &'a str, reason: &'static str) {
    let text = &start[..start.len() - rest.len()];
    cx.report(SyntaxError::InvalidNumber {
        text: text.to_string(),
        reason,
        span: source_span(cx.span(start, rest)),
        help: format!("quote it as `\"{text}\"` if it is an identifier rather than a number"),
    });
}

/// A `YYYY-MM-DD` date, checked against the calendar.
fn date<'a>(cx: &Cx<'a>, input: &'a str) -> Option<(&'a str, Numeric)> {
    let bytes = input.as_bytes();
    let shape = b"dddd-dd-dd";
    if bytes.len() < shape.len()
        || !shape.iter().zip(bytes).all(|(&want, &got)| match want {
            b'd' => got.is_ascii_digit(),
            other => got == other,
        })
        || bytes.get(shape.len()).is_some_and(|&next| {
            next.is_ascii_alphanumeric() || next == b'_' || next == b'-' || next == b'.'
        })
    {
        return None;
    }
    let year: u16 = input[0..4].parse().ok()?;
    let month: u8 = input[5..7].parse().ok()?;
    let day: u8 = input[8..10].parse().ok()?;
    let rest = &input[10..];
    if !is_valid_date(year, month, day) {
        cx.report(SyntaxError::InvalidDate {
            text: input[..10].to_string(),
            span: source_span(cx.span(input, rest)),
        });
    }
    Some((rest, Numeric::Date { year, month, day }))
}

pub fn is_valid_date(year: u16, month: u8, day: u8) -> bool {
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    day >= 1 && day <= days_in_month
}
