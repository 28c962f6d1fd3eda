//! Syntax errors: the `hub::syntax::*` diagnostics the parser reports.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

use crate::source::Span;

/// Every error the parser reports. Variants hold spans only; the source text is attached when
/// the diagnostic is rendered.
#[derive(Debug, Clone, Error, Diagnostic, PartialEq, Eq)]
pub enum SyntaxError {
    #[error("expected {expected}, found {found}")]
    #[diagnostic(code(hub::syntax::unexpected_token))]
    UnexpectedToken {
        expected: String,
        found: String,
        #[label("expected {expected}")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("unclosed `{delimiter}`")]
    #[diagnostic(
        code(hub::syntax::unclosed_delimiter),
        help("add the closing `{closing}` where the {what} ends")
    )]
    UnclosedDelimiter {
        delimiter: char,
        closing: char,
        what: &'static str,
        #[label(primary, "expected `{closing}` before this")]
        span: SourceSpan,
        #[label("`{delimiter}` opened here")]
        open: SourceSpan,
    },

    #[error("unexpected closing `{delimiter}`")]
    #[diagnostic(
        code(hub::syntax::unmatched_delimiter),
        help("remove it, or add the opening bracket it was meant to close")
    )]
    UnmatchedDelimiter {
        delimiter: char,
        #[label("nothing to close here")]
        span: SourceSpan,
    },

    #[error("unterminated string")]
    #[diagnostic(
        code(hub::syntax::unterminated_string),
        help(
            "close the string with `\"` on the same line, or use a `\"\"\"` text block for text that spans lines"
        )
    )]
    UnterminatedString {
        #[label("this string is never closed")]
        span: SourceSpan,
    },

    #[error("unterminated text block")]
    #[diagnostic(
        code(hub::syntax::unterminated_text_block),
        help("end the text block with `\"\"\"` as the first thing on a line (it may be indented)")
    )]
    UnterminatedTextBlock {
        #[label("this text block is never closed")]
        span: SourceSpan,
    },

    #[error("text block line is indented less than its closing `\"\"\"`")]
    #[diagnostic(
        code(hub::syntax::text_block_indent),
        help("indent every line of the text block at least as far as the closing `\"\"\"`")
    )]
    TextBlockIndent {
        #[label("this line")]
        span: SourceSpan,
        #[label("the closing `\"\"\"` sets the indentation here")]
        closing: SourceSpan,
    },

    #[error("unterminated block comment")]
    #[diagnostic(
        code(hub::syntax::unterminated_comment),
        help("close the comment with `*/`")
    )]
    UnterminatedComment {
        #[label("this comment is never closed")]
        span: SourceSpan,
    },

    #[error("a string cannot hold the control character {name}")]
    #[diagnostic(
        code(hub::syntax::control_character),
        help(
            "remove {name} from the string: strings hold tabs and newlines, but no other control character"
        )
    )]
    ControlCharacter {
        /// `U+0000`
        name: String,
        #[label("{name} here")]
        span: SourceSpan,
    },

    #[error("unknown escape `{escape}` in string")]
    #[diagnostic(
        code(hub::syntax::invalid_escape),
        help(
            "use one of `\\\"`, `\\\\`, `\\n`, `\\t` or `\\u{{...}}`; write `\\\\` for a backslash"
        )
    )]
    InvalidEscape {
        escape: String,
        #[label("not a known escape")]
        span: SourceSpan,
    },

    #[error("unknown unit `{unit}`")]
    #[diagnostic(code(hub::syntax::unknown_unit))]
    UnknownUnit {
        unit: String,
        #[label("not a unit of memory, cpu or time")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("invalid number `{text}`: {reason}")]
    #[diagnostic(code(hub::syntax::invalid_number))]
    InvalidNumber {
        text: String,
        reason: &'static str,
        #[label("{reason}")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`{text}` is not a valid date")]
    #[diagnostic(
        code(hub::syntax::invalid_date),
        help("write a calendar date as `YYYY-MM-DD`, such as `2026-12-31`")
    )]
    InvalidDate {
        text: String,
        #[label("no such date")]
        span: SourceSpan,
    },

    #[error("unknown keyword `{word}`")]
    #[diagnostic(code(hub::syntax::unknown_keyword))]
    UnknownKeyword {
        word: String,
        #[label("not a keyword")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("unknown annotation `@{name}`")]
    #[diagnostic(code(hub::syntax::unknown_annotation))]
    UnknownAnnotation {
        name: String,
        #[label("not a known annotation")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("doc comment documents nothing")]
    #[diagnostic(
        code(hub::syntax::dangling_doc_comment),
        severity(Warning),
        help(
            "put the `///` comment right before a declaration, statement or field, or make it a `//` comment"
        )
    )]
    DanglingDocComment {
        #[label("nothing follows this doc comment")]
        span: SourceSpan,
    },

    #[error("nesting deeper than {limit} levels")]
    #[diagnostic(
        code(hub::syntax::nesting_too_deep),
        help(
            "flatten the value with dotted paths (`a.b.c = 1`) or split it into several statements"
        )
    )]
    NestingTooDeep {
        limit: usize,
        #[label("too deep here")]
        span: SourceSpan,
    },

    #[error("a path of {count} keys, more than {limit}")]
    #[diagnostic(
        code(hub::syntax::path_too_long),
        help("no values tree is this deep: check how the path was written or generated")
    )]
    PathTooLong {
        count: usize,
        limit: usize,
        #[label("this path")]
        span: SourceSpan,
    },

    #[error("a list of {count} values, more than {limit}")]
    #[diagnostic(
        code(hub::syntax::list_too_long),
        help(
            "no chart setting takes a list this long: keep such data in a file the hub reads, \
              or split the list"
        )
    )]
    ListTooLong {
        count: usize,
        limit: usize,
        #[label("this list")]
        span: SourceSpan,
    },

    #[error("file is not valid UTF-8")]
    #[diagnostic(
        code(hub::syntax::invalid_utf8),
        help("save the file as UTF-8; the bytes here were replaced with `\u{FFFD}`")
    )]
    InvalidUtf8 {
        #[label("invalid UTF-8 starts here")]
        span: SourceSpan,
    },
}

impl SyntaxError {
    /// Whether the parser lost text after this error: it skipped to a boundary, or guessed where
    /// a construct ends. The other errors (an unknown unit, an invalid date or escape, ...) are
    /// reported where they are and the value is kept as written, so nothing is missing.
    pub fn loses_text(&self) -> bool {
        matches!(
            self,
            SyntaxError::UnexpectedToken { .. }
                | SyntaxError::UnclosedDelimiter { .. }
                | SyntaxError::UnmatchedDelimiter { .. }
                | SyntaxError::UnterminatedString { .. }
                | SyntaxError::UnterminatedTextBlock { .. }
                | SyntaxError::UnterminatedComment { .. }
                | SyntaxError::UnknownKeyword { .. }
                | SyntaxError::NestingTooDeep { .. }
                | SyntaxError::PathTooLong { .. }
        )
    }

    /// Where the error points, for ordering and deduplication.
    pub fn primary_offset(&self) -> usize {
        let span = match self {
            SyntaxError::UnexpectedToken { span, .. }
            | SyntaxError::UnclosedDelimiter { span, .. }
            | SyntaxError::UnmatchedDelimiter { span, .. }
            | SyntaxError::UnterminatedString { span }
            | SyntaxError::UnterminatedTextBlock { span }
            | SyntaxError::TextBlockIndent { span, .. }
            | SyntaxError::UnterminatedComment { span }
            | SyntaxError::InvalidEscape { span, .. }
            | SyntaxError::ControlCharacter { span, .. }
            | SyntaxError::UnknownUnit { span, .. }
            | SyntaxError::InvalidNumber { span, .. }
            | SyntaxError::InvalidDate { span, .. }
            | SyntaxError::UnknownKeyword { span, .. }
            | SyntaxError::UnknownAnnotation { span, .. }
            | SyntaxError::DanglingDocComment { span }
            | SyntaxError::NestingTooDeep { span, .. }
            | SyntaxError::PathTooLong { span, .. }
            | SyntaxError::ListTooLong { span, .. }
            | SyntaxError::InvalidUtf8 { span } => span,
        };
        span.offset()
    }
}

/// Converts a byte span to miette's span type.
pub fn source_span(span: Span) -> SourceSpan {
    SourceSpan::new((span.start as usize).into(), span.len())
}
