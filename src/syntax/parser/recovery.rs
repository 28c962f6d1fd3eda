//! Recovery from a failed parse: skipping to the next statement or declaration boundary, and
//! turning the failure into a diagnostic that says what was expected and suggests a fix.

use nom::Err;

use super::items::starts_item;
use crate::source::Span;
use crate::syntax::error::{SyntaxError, source_span};
use crate::syntax::lexical::{Cx, PErr, sp};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Boundary {
    Statement,
    Item,
}

/// After an element: requires a separator (new line, `,`, `;`), a closing `}` or the end of
/// the file. Anything else is reported and skipped.
pub(super) fn end_of_line<'a>(cx: &Cx<'a>, input: &'a str, boundary: Boundary) -> &'a str {
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
pub(super) fn skip<'a>(cx: &Cx<'a>, start: &'a str, boundary: Boundary) -> &'a str {
    skip_with(cx, start, boundary, false)
}

pub(super) fn skip_with<'a>(
    cx: &Cx<'a>,
    start: &'a str,
    boundary: Boundary,
    balanced: bool,
) -> &'a str {
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
                index = quiet.offset(crate::syntax::lexical::skip_block_comment(&quiet, comment));
            }
            _ => index += 1,
        }
    }
    &text[text.len()..]
}

fn sp_skip_text_block<'a>(cx: &Cx<'a>, input: &'a str) -> &'a str {
    let quiet = Cx::new(cx.text);
    match crate::syntax::lexical::text_block(&quiet, input) {
        Ok((rest, _)) => rest,
        Err(_) => &input[3..],
    }
}

/// Turns a parse failure into a diagnostic. `Failure`s were reported where they happened.
pub(super) fn report_failure<'a>(cx: &Cx<'a>, error: Err<PErr<'a>>) {
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
    // A letter that only looks like an ASCII one (a Cyrillic `а` in `lаb`) is named as such.
    let help = match failure.at.chars().next() {
        Some(c) if !c.is_ascii() && c.is_alphanumeric() => Some(format!(
            "`{c}` is U+{:04X}, not an ASCII letter: names, keys and keywords are ASCII; retype it, or quote the key",
            c as u32
        )),
        _ => help_for(
            expected,
            failure.at,
            at > 0 && !cx.text.as_bytes()[at - 1].is_ascii_whitespace(),
        ),
    };
    cx.report(SyntaxError::UnexpectedToken {
        expected: expected.to_string(),
        found,
        span: source_span(Span::new(at, at + len)),
        help,
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
