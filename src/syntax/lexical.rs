//! Tokens with nom: trivia, identifiers, keys, strings, text blocks, numbers, quantities, dates.
//!
//! Every parser takes the parse context [`Cx`] and the remaining input. Problems that do not
//! stop parsing (an unknown escape, an unknown unit) are pushed to the context; problems that do
//! return a [`PErr`] naming what was expected, and the statement loop recovers from them.

use std::cell::{Cell, RefCell};

use nom::bytes::complete::{tag, take_while, take_while1};
use nom::error::{ErrorKind, ParseError};
use nom::{Err, IResult};

use super::ast::{Comment, CommentKind, Ident};
use super::error::{SyntaxError, source_span};
use crate::diagnostics::suggest::did_you_mean;
use crate::source::Span;

pub type PResult<'a, T> = IResult<&'a str, T, PErr<'a>>;

/// The parse context: the whole text (for offsets) and the diagnostics found so far.
pub struct Cx<'a> {
    pub text: &'a str,
    pub errors: RefCell<Vec<SyntaxError>>,
    /// How many brackets the parser is inside of, to bound its recursion.
    depth: Cell<usize>,
    /// Set when a construct nested too deeply: recovery then skips by brackets alone.
    too_deep: Cell<bool>,
    /// Set when an unterminated text block or comment ran to the end of the file, after which
    /// every open bracket is unclosed and saying so again would only be noise.
    pub ran_off_end: Cell<bool>,
}

/// The deepest nesting of blocks, lists, maps and types the parser accepts. Real values files
/// nest about fifteen levels; the limit keeps recursion far from the end of any thread's stack.
pub const MAX_DEPTH: usize = 64;

impl<'a> Cx<'a> {
    pub fn new(text: &'a str) -> Cx<'a> {
        Cx {
            text,
            errors: RefCell::new(Vec::new()),
            depth: Cell::new(0),
            too_deep: Cell::new(false),
            ran_off_end: Cell::new(false),
        }
    }

    /// Whether a construct nested too deeply since the last call.
    pub fn take_too_deep(&self) -> bool {
        self.too_deep.replace(false)
    }

    /// Runs `parse` one nesting level deeper, or reports that the input nests too deeply.
    pub fn nested<T>(
        &self,
        input: &'a str,
        parse: impl FnOnce() -> PResult<'a, T>,
    ) -> PResult<'a, T> {
        if self.depth.get() >= MAX_DEPTH {
            let at = self.offset(input);
            self.report(SyntaxError::NestingTooDeep {
                limit: MAX_DEPTH,
                span: source_span(Span::new(
                    at,
                    at + input.chars().next().map_or(0, char::len_utf8),
                )),
            });
            self.too_deep.set(true);
            return Err(Err::Failure(PErr {
                at: input,
                expected: "",
                open: None,
            }));
        }
        self.depth.set(self.depth.get() + 1);
        let result = parse();
        self.depth.set(self.depth.get() - 1);
        result
    }

    /// Byte offset of the start of `rest` within the whole text.
    pub fn offset(&self, rest: &str) -> usize {
        rest.as_ptr() as usize - self.text.as_ptr() as usize
    }

    /// The span from `start` (an earlier remainder) to `rest`.
    pub fn span(&self, start: &str, rest: &str) -> Span {
        Span::new(self.offset(start), self.offset(rest))
    }

    pub fn report(&self, error: SyntaxError) {
        self.errors.borrow_mut().push(error);
    }

    /// Column (0-based, in bytes) of a position: 0 means the start of a line.
    pub fn at_line_start(&self, rest: &str) -> bool {
        let offset = self.offset(rest);
        offset == 0 || self.text.as_bytes()[offset - 1] == b'\n'
    }
}

/// A parse failure: where, what was expected there, and the delimiter it was inside of.
#[derive(Debug, Clone)]
pub struct PErr<'a> {
    pub at: &'a str,
    pub expected: &'static str,
    /// The opening delimiter and its offset, when the failure is a missing closing one.
    pub open: Option<(char, usize)>,
}

impl<'a> PErr<'a> {
    pub fn expected(at: &'a str, expected: &'static str) -> Err<PErr<'a>> {
        Err::Error(PErr {
            at,
            expected,
            open: None,
        })
    }
}

impl<'a> ParseError<&'a str> for PErr<'a> {
    fn from_error_kind(input: &'a str, _kind: ErrorKind) -> Self {
        PErr {
            at: input,
            expected: "",
            open: None,
        }
    }

    fn append(_input: &'a str, _kind: ErrorKind, other: Self) -> Self {
        other
    }

    fn or(self, other: Self) -> Self {
        // Keep the error that got further; it says the most about what went wrong.
        if other.at.len() < self.at.len() || self.expected.is_empty() {
            other
        } else {
            self
        }
    }
}

/// Replaces the expectation of a failed parser with a readable one, keeping its position.
pub fn expect<'a, T>(
    result: PResult<'a, T>,
    at: &'a str,
    expected: &'static str,
) -> PResult<'a, T> {
    result.map_err(|error| match error {
        Err::Error(inner) if inner.expected.is_empty() || inner.at.len() == at.len() => {
            PErr::expected(at, expected)
        }
        other => other,
    })
}

pub fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

pub fn is_ident_continue(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Skips spaces, tabs, carriage returns and comments, but not newlines.
pub fn sp<'a>(cx: &Cx<'a>, mut input: &'a str) -> &'a str {
    loop {
        let trimmed = input.trim_start_matches([' ', '\t', '\r']);
        if trimmed.starts_with("//") {
            input = trimmed
                .find('\n')
                .map_or(&trimmed[trimmed.len()..], |end| &trimmed[end..]);
        } else if trimmed.starts_with("/*") {
            input = skip_block_comment(cx, trimmed);
        } else {
            return trimmed;
        }
    }
}

/// Skips all whitespace, newlines included, and comments.
pub fn sp_nl<'a>(cx: &Cx<'a>, mut input: &'a str) -> &'a str {
    loop {
        let rest = sp(cx, input);
        match rest.strip_prefix('\n') {
            Some(after) => input = after,
            None => return rest,
        }
    }
}

/// Skips a `/* ... */` comment, which may nest. Reports an unterminated one and skips to the end.
pub fn skip_block_comment<'a>(cx: &Cx<'a>, input: &'a str) -> &'a str {
    match block_comment_len(input) {
        Some(len) => &input[len..],
        None => {
            cx.ran_off_end.set(true);
            cx.report(SyntaxError::UnterminatedComment {
                span: source_span(Span::new(cx.offset(input), cx.offset(input) + 2)),
            });
            &input[input.len()..]
        }
    }
}

/// Length of the block comment at the start of `input`, or `None` when it is never closed.
fn block_comment_len(input: &str) -> Option<usize> {
    let bytes = input.as_bytes();
    let mut depth = 0usize;
    let mut index = 0;
    while index + 1 < bytes.len() {
        match (bytes[index], bytes[index + 1]) {
            (b'/', b'*') => {
                depth += 1;
                index += 2;
            }
            (b'*', b'/') => {
                depth -= 1;
                index += 2;
                if depth == 0 {
                    return Some(index);
                }
            }
            _ => index += 1,
        }
    }
    None
}

/// An identifier: a letter or `_`, then letters, digits, `_` or `-`.
pub fn ident<'a>(cx: &Cx<'a>, input: &'a str) -> PResult<'a, Ident> {
    if !input.starts_with(is_ident_start) {
        return Err(PErr::expected(input, "a name"));
    }
    let (rest, name) = take_while1(is_ident_continue)(input)?;
    Ok((
        rest,
        Ident {
            name: name.to_string(),
            span: cx.span(input, rest),
            quoted: false,
        },
    ))
}

/// A specific keyword, not followed by more identifier characters.
pub fn keyword<'a>(input: &'a str, word: &'static str) -> PResult<'a, &'a str> {
    let (rest, matched) = tag(word)(input)?;
    if rest.starts_with(is_ident_continue) {
        return Err(PErr::expected(input, word));
    }
    Ok((rest, matched))
}

/// The identifier-like word at the start of `input`, if any (for lookahead).
pub fn peek_word(input: &str) -> Option<&str> {
    if !input.starts_with(is_ident_start) {
        return None;
    }
    let end = input
        .find(|c: char| !is_ident_continue(c))
        .unwrap_or(input.len());
    Some(&input[..end])
}

/// A key of a path: a bare key (which may start with a digit) or a quoted string.
pub fn key<'a>(cx: &Cx<'a>, input: &'a str) -> PResult<'a, Ident> {
    if input.starts_with('"') && !input.starts_with("\"\"\"") {
        let (rest, value) = string(cx, input)?;
        return Ok((
            rest,
            Ident {
                name: value,
                span: cx.span(input, rest),
                quoted: true,
            },
        ));
    }
    if !input.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
        return Err(PErr::expected(input, "a key"));
    }
    let (rest, name) = take_while1(is_ident_continue)(input)?;
    Ok((
        rest,
        Ident {
            name: name.to_string(),
            span: cx.span(input, rest),
            quoted: false,
        },
    ))
}

/// A name: an identifier or a quoted string.
pub fn name<'a>(cx: &Cx<'a>, input: &'a str) -> PResult<'a, Ident> {
    if input.starts_with('"') && !input.starts_with("\"\"\"") {
        let (rest, value) = string(cx, input)?;
        return Ok((
            rest,
            Ident {
                name: value,
                span: cx.span(input, rest),
                quoted: true,
            },
        ));
    }
    expect(ident(cx, input), input, "a name")
}

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
                    Some((_, 'r')) => value.push('\r'),
                    Some((_, '0')) => value.push('\0'),
                    Some((_, 'u')) => {
                        let after = &body[escape_start + 2..];
                        match unicode_escape(after) {
                            Some((len, decoded)) => {
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
            _ => value.push(c),
        }
    }
    let end = body.find('\n').unwrap_or(body.len());
    cx.report(SyntaxError::UnterminatedString {
        span: source_span(Span::new(cx.offset(input), cx.offset(&body[end..]))),
    });
    Ok((&body[end..], value))
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

/// Every comment of a file in order, found by a linear scan that skips strings and text blocks.
pub fn scan_comments(text: &str) -> Vec<Comment> {
    let bytes = text.as_bytes();
    let mut comments = Vec::new();
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'"' if text[index..].starts_with("\"\"\"") => {
                index = skip_text_block_raw(text, index);
            }
            b'"' => {
                index += 1;
                while index < bytes.len() && bytes[index] != b'"' && bytes[index] != b'\n' {
                    index += if bytes[index] == b'\\'
                        && index + 1 < bytes.len()
                        && bytes[index + 1] != b'\n'
                    {
                        2
                    } else {
                        1
                    };
                }
                index += 1;
            }
            b'/' if text[index..].starts_with("//") => {
                let end = text[index..]
                    .find('\n')
                    .map_or(text.len(), |end| index + end);
                let line = &text[index..end];
                let kind = if line.starts_with("///") && !line.starts_with("////") {
                    CommentKind::Doc
                } else if line.starts_with("//!") {
                    CommentKind::InnerDoc
                } else {
                    CommentKind::Line
                };
                let trimmed_end = index + line.trim_end().len();
                comments.push(Comment {
                    kind,
                    span: Span::new(index, trimmed_end),
                });
                index = end;
            }
            b'/' if text[index..].starts_with("/*") => {
                let len = block_comment_len(&text[index..]).unwrap_or(text.len() - index);
                comments.push(Comment {
                    kind: CommentKind::Block,
                    span: Span::new(index, index + len),
                });
                index += len;
            }
            _ => index += 1,
        }
    }
    comments
}

/// The end offset of the text block starting at `start`, by the same rule as [`text_block`].
fn skip_text_block_raw(text: &str, start: usize) -> usize {
    let after_open = start + 3;
    let Some(first_newline) = text[after_open..].find('\n') else {
        return text.len();
    };
    if !text[after_open..after_open + first_newline]
        .trim_matches([' ', '\t', '\r'])
        .is_empty()
    {
        return after_open;
    }
    let mut line_start = after_open + first_newline + 1;
    while line_start < text.len() {
        let line_end = text[line_start..]
            .find('\n')
            .map_or(text.len(), |end| line_start + end);
        let line = &text[line_start..line_end];
        let trimmed = line.trim_start_matches([' ', '\t']);
        if trimmed.starts_with("\"\"\"") {
            return line_start + (line.len() - trimmed.len()) + 3;
        }
        line_start = line_end + 1;
    }
    text.len()
}
