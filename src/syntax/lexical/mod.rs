//! Tokens with nom: trivia, identifiers, keys, strings, text blocks, numbers, quantities, dates.
//!
//! Every parser takes the parse context [`Cx`] and the remaining input. Problems that do not
//! stop parsing (an unknown escape, an unknown unit) are pushed to the context; problems that do
//! return a [`PErr`] naming what was expected, and the statement loop recovers from them.
//!
//! This file holds the context, trivia, identifiers, keys and the comment scan; `literals.rs`
//! holds strings, text blocks, numbers and dates.

mod literals;

use std::cell::{Cell, RefCell};

use nom::bytes::complete::{tag, take_while1};
use nom::error::{ErrorKind, ParseError};
use nom::{Err, IResult};

use super::ast::{Comment, CommentKind, Ident};
use super::error::{SyntaxError, source_span};
use crate::source::Span;

pub use literals::{
    Numeric, UNITS, is_refused_control, is_valid_date, numeric, string, text_block,
};

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
    /// The names declared by items that failed to parse, and whether an import did.
    pub lost: RefCell<Lost>,
    /// Annotations that did not parse and were dropped, their item or statement kept: what
    /// went wrong inside them loses only the annotation.
    pub dropped_annotations: RefCell<Vec<Span>>,
}

/// What the items that could not be parsed would have declared, so that later phases do not
/// report their names as unknown.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Lost {
    /// The names of lost declarations and types, as written.
    pub names: Vec<String>,
    /// An `import` was lost: any name of this file may have come from it.
    pub import: bool,
    /// A `type` or `schema` was lost or broken: any key may have been one of its fields.
    pub types: bool,
    /// An item was lost whose name cannot be read: any name may be missing.
    pub unnamed: bool,
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
            lost: RefCell::new(Lost::default()),
            dropped_annotations: RefCell::new(Vec::new()),
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

/// A finished list of tree nodes with its spare capacity given back. A fleet's trees live as
/// long as its analysis, and a vector grown by pushing holds up to four times what it was given
/// (room for four values where one was written), which at fleet scale is most of a tree's size.
pub fn exact<T>(mut nodes: Vec<T>) -> Vec<T> {
    nodes.shrink_to_fit();
    nodes
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
