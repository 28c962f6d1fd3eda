//! Reading Terraform `.tfvars` files: top-level `name = value` attributes whose values are HCL
//! literals (strings, heredocs, numbers, booleans, null, lists and objects), as [`Value`]s.
//!
//! Only literal syntax is accepted, as in Terraform's own variable files: references, function
//! calls and string interpolation are errors. Object entries keep the order they are written
//! in. Integers become [`Value::Int`]; numbers written with a fraction or an exponent become
//! [`Value::Float`], even when they are integral (`1.0`). A repeated object key is an error,
//! although Terraform itself silently keeps the last value.

use std::collections::HashSet;

use nom::Parser as _;
use nom::bytes::complete::take_while;
use nom::character::complete::{char, digit1, one_of, satisfy};
use nom::combinator::{opt, recognize};
use nom::sequence::pair;

use crate::emit::Value;

/// A parse failure: byte offset in the text, and a lowercase message without trailing period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HclError {
    pub offset: usize,
    pub message: String,
}

/// The deepest nesting of lists and objects accepted, which keeps the recursive reader far from
/// the end of any thread's stack. Real variable files nest about five levels.
const MAX_DEPTH: usize = 64;

/// Parses a `.tfvars` file: top-level `name = expression` attributes, in order.
pub fn parse_tfvars(text: &str) -> Result<Vec<(String, Value)>, HclError> {
    let mut reader = Reader {
        text,
        rest: text,
        depth: 0,
    };
    reader.entries(None)
}

/// The result of a token parser. Tokens carry no error detail: every caller reports a message
/// of its own.
type TokenResult<'a> = nom::IResult<&'a str, &'a str, ()>;

/// An HCL identifier: a letter or `_`, then letters, digits, `_` and `-`.
fn identifier_token(input: &str) -> TokenResult<'_> {
    recognize(pair(
        satisfy(|character| character.is_alphabetic() || character == '_'),
        take_while(|character: char| {
            character.is_alphanumeric() || character == '_' || character == '-'
        }),
    ))
    .parse(input)
}

/// An unsigned number: digits, then an optional fraction and an optional exponent.
fn number_token(input: &str) -> TokenResult<'_> {
    recognize((
        digit1,
        opt((char('.'), digit1)),
        opt((one_of("eE"), opt(one_of("+-")), digit1)),
    ))
    .parse(input)
}

/// An error at `offset` with `message`.
fn error_at(offset: usize, message: impl Into<String>) -> HclError {
    HclError {
        offset,
        message: message.into(),
    }
}

/// The reader's position in the text, and how many lists and objects it is inside of.
struct Reader<'a> {
    text: &'a str,
    rest: &'a str,
    depth: usize,
}

impl<'a> Reader<'a> {
    /// The byte offset of the reader in the text.
    fn offset(&self) -> usize {
        self.text.len() - self.rest.len()
    }

    /// An error at the reader's position.
    fn error(&self, message: impl Into<String>) -> HclError {
        error_at(self.offset(), message)
    }

    /// Moves past `bytes` bytes, which the caller has checked end on a character boundary.
    fn advance(&mut self, bytes: usize) {
        self.rest = &self.rest[bytes..];
    }

    /// Moves past `token` if the remaining text starts with it.
    fn eat(&mut self, token: &str) -> bool {
        match self.rest.strip_prefix(token) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    /// Whether the reader is at the end of a line: a line break, a line comment (which runs to
    /// the line break) or the end of the text.
    fn at_line_end(&self) -> bool {
        self.rest.is_empty()
            || ["\n", "\r\n", "#", "//"]
                .iter()
                .any(|end| self.rest.starts_with(end))
    }

    /// Skips spaces, tabs and block comments and, with `newlines`, also line breaks and line
    /// comments. A block comment never ends a line, even when it spans several, as in HCL.
    fn skip_trivia(&mut self, newlines: bool) -> Result<(), HclError> {
        loop {
            self.rest = self.rest.trim_start_matches([' ', '\t']);
            if self.rest.starts_with("/*") {
                let Some(end) = self.rest[2..].find("*/") else {
                    return Err(self.error("unterminated block comment"));
                };
                self.advance(end + 4);
            } else if !newlines {
                return Ok(());
            } else if self.rest.starts_with('#') || self.rest.starts_with("//") {
                self.advance(self.rest.find('\n').unwrap_or(self.rest.len()));
            } else if !(self.eat("\n") || self.eat("\r\n")) {
                return Ok(());
            }
        }
    }

    /// Reads an identifier, if one starts here.
    fn identifier(&mut self) -> Option<&'a str> {
        let (rest, name) = identifier_token(self.rest).ok()?;
        self.rest = rest;
        Some(name)
    }

    /// Reads one expression, which must be a literal value.
    fn value(&mut self) -> Result<Value, HclError> {
        match self.rest.chars().next() {
            Some('"') => self.quoted_string().map(Value::Str),
            Some('<') if self.rest.starts_with("<<") => self.heredoc().map(Value::Str),
            Some('[') => self.nested(Self::list),
            Some('{') => self.nested(Self::object),
            Some('-' | '0'..='9') => self.number(),
            _ => self.word(),
        }
    }

    /// Reads a list or an object one level deeper, unless that is too deep. An error ends the
    /// whole parse, so the depth only needs restoring after a success.
    fn nested(
        &mut self,
        read: fn(&mut Self) -> Result<Value, HclError>,
    ) -> Result<Value, HclError> {
        if self.depth >= MAX_DEPTH {
            let message = format!("lists and objects nest more than {MAX_DEPTH} levels deep");
            return Err(self.error(message));
        }
        self.depth += 1;
        let value = read(self)?;
        self.depth -= 1;
        Ok(value)
    }

    /// Reads `true`, `false` or `null`; any other word starts a reference or a function call,
    /// which variable files cannot hold.
    fn word(&mut self) -> Result<Value, HclError> {
        let start = self.offset();
        let Some(word) = self.identifier() else {
            return Err(self.error("expected a value"));
        };
        match word {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            "null" => Ok(Value::Null),
            _ if self.rest.trim_start_matches([' ', '\t']).starts_with('(') => Err(error_at(
                start,
                "function calls are not supported in .tfvars",
            )),
            _ => Err(error_at(start, "references are not supported in .tfvars")),
        }
    }

    /// Reads a number, with an optional minus sign before it (spaces may follow the sign, as
    /// HCL reads it as an operator).
    fn number(&mut self) -> Result<Value, HclError> {
        let start = self.offset();
        let sign = if self.eat("-") { "-" } else { "" };
        self.skip_trivia(false)?;
        let Ok((rest, digits)) = number_token(self.rest) else {
            return Err(self.error("expected a number"));
        };
        self.rest = rest;
        let literal = format!("{sign}{digits}");
        let value = if digits.contains(['.', 'e', 'E']) {
            literal
                .parse()
                .ok()
                .filter(|float: &f64| float.is_finite())
                .map(Value::Float)
        } else {
            literal.parse().ok().map(Value::Int)
        };
        value.ok_or_else(|| error_at(start, format!("number `{literal}` is out of range")))
    }

    /// Reads a list: elements separated by commas, with an optional trailing comma. Line
    /// breaks inside the brackets mean nothing.
    fn list(&mut self) -> Result<Value, HclError> {
        let open = self.offset();
        self.advance(1);
        let mut items = Vec::new();
        loop {
            self.skip_trivia(true)?;
            if self.eat("]") {
                return Ok(Value::List(items));
            }
            if self.rest.is_empty() {
                return Err(error_at(open, "unclosed `[`"));
            }
            items.push(self.value()?);
            self.skip_trivia(true)?;
            if !self.eat(",") && !self.rest.starts_with(']') && !self.rest.is_empty() {
                return Err(self.error("expected `,` or `]` after a list element"));
            }
        }
    }

    /// Reads an object, whose entries [`Reader::entries`] describes.
    fn object(&mut self) -> Result<Value, HclError> {
        let open = self.offset();
        self.advance(1);
        self.entries(Some(open)).map(Value::Map)
    }

    /// Reads `name = value` entries: the attributes of the file when `open` is `None`, or else
    /// the entries of the object whose `{` is at offset `open`. Objects also allow quoted keys,
    /// `:` instead of `=`, and a comma or the closing brace instead of a line break after a
    /// value.
    fn entries(&mut self, open: Option<usize>) -> Result<Vec<(String, Value)>, HclError> {
        let (kind, assign, separator) = match open {
            Some(_) => ("key", "`=` or `:`", "`,` or a newline"),
            None => ("attribute", "`=`", "a newline"),
        };
        let mut entries = Vec::new();
        let mut names = HashSet::new();
        loop {
            self.skip_trivia(true)?;
            if open.is_some() && self.eat("}") {
                return Ok(entries);
            }
            if self.rest.is_empty() {
                return open.map_or(Ok(entries), |open| Err(error_at(open, "unclosed `{`")));
            }
            let start = self.offset();
            let name = match self.identifier() {
                Some(name) => name.to_string(),
                None if open.is_some() && self.rest.starts_with('"') => self.quoted_string()?,
                None if open.is_some() => return Err(self.error("expected an object key")),
                None => return Err(self.error("expected an attribute name")),
            };
            if !names.insert(name.clone()) {
                return Err(error_at(start, format!("duplicate {kind} `{name}`")));
            }
            self.skip_trivia(false)?;
            if !(self.eat("=") || open.is_some() && self.eat(":")) {
                return Err(self.error(format!("expected {assign} after the {kind}")));
            }
            self.skip_trivia(false)?;
            entries.push((name, self.value()?));
            self.skip_trivia(false)?;
            let separated = open.is_some() && (self.eat(",") || self.rest.starts_with('}'));
            if !separated && !self.at_line_end() {
                return Err(self.error(format!("expected {separator} after the value")));
            }
        }
    }

    /// Reads a quoted string, which may not span lines, and unescapes it.
    fn quoted_string(&mut self) -> Result<String, HclError> {
        let open = self.offset();
        self.advance(1);
        let mut text = String::new();
        loop {
            match self.rest.chars().next() {
                None => return Err(error_at(open, "unterminated string")),
                Some('"') => {
                    self.advance(1);
                    return Ok(text);
                }
                Some('\n') => return Err(error_at(open, "unterminated string: use a heredoc")),
                Some('\\') => {
                    let Some((character, length)) = escape(self.rest) else {
                        return Err(self.error("invalid escape sequence"));
                    };
                    text.push(character);
                    self.advance(length);
                }
                Some('$' | '%') => {
                    let (literal, length) =
                        template_sigil(self.rest).map_err(|message| self.error(message))?;
                    text.push_str(literal);
                    self.advance(length);
                }
                Some(character) => {
                    text.push(character);
                    self.advance(character.len_utf8());
                }
            }
        }
    }

    /// Reads a heredoc, `<<MARKER` or `<<-MARKER`, up to the line holding only the marker
    /// (indentation allowed). The `-` form strips the smallest indentation of the lines that
    /// are not blank, counting every whitespace character as one; blank lines are kept whole.
    fn heredoc(&mut self) -> Result<String, HclError> {
        let open = self.offset();
        self.advance(2);
        let strip_indentation = self.eat("-");
        let Some(marker) = self.identifier() else {
            return Err(self.error("expected a heredoc marker after `<<`"));
        };
        if !self.eat("\n") && !self.eat("\r\n") {
            return Err(self.error("expected a newline after the heredoc marker"));
        }
        let mut lines: Vec<(usize, &str)> = Vec::new();
        loop {
            if self.rest.is_empty() {
                return Err(error_at(
                    open,
                    format!("heredoc without a closing `{marker}`"),
                ));
            }
            let length = self.rest.find('\n').map_or(self.rest.len(), |end| end + 1);
            let line = &self.rest[..length];
            let content = line.strip_suffix('\n').unwrap_or(line);
            let content = content.strip_suffix('\r').unwrap_or(content);
            if content.trim_start() == marker {
                // The line break after the marker is left to end the attribute or entry.
                self.advance(content.len());
                break;
            }
            lines.push((self.offset(), line));
            self.advance(length);
        }
        let is_blank = |line: &&str| line.chars().all(char::is_whitespace);
        let indentation = |line: &&str| line.chars().take_while(|c| c.is_whitespace()).count();
        let indented = lines
            .iter()
            .map(|(_, line)| line)
            .filter(|line| !is_blank(line));
        let strip = if strip_indentation {
            indented.map(indentation).min()
        } else {
            None
        };
        let mut text = String::new();
        for (offset, line) in lines {
            let mut rest = match line.char_indices().nth(strip.unwrap_or(0)) {
                Some((start, _)) if !is_blank(&line) => &line[start..],
                _ => line,
            };
            while let Some(position) = rest.find(['$', '%']) {
                text.push_str(&rest[..position]);
                rest = &rest[position..];
                let at = offset + line.len() - rest.len();
                let (literal, length) =
                    template_sigil(rest).map_err(|message| error_at(at, message))?;
                text.push_str(literal);
                rest = &rest[length..];
            }
            text.push_str(rest);
        }
        Ok(text)
    }
}

/// The character an escape sequence at the start of `rest` (which starts with `\`) stands for,
/// and the sequence's length in bytes; `None` if it is not one of HCL's escapes.
fn escape(rest: &str) -> Option<(char, usize)> {
    let hex = |digits: usize| {
        let code = rest.get(2..2 + digits)?;
        if !code.bytes().all(|byte| byte.is_ascii_hexdigit()) {
            return None;
        }
        let character = char::from_u32(u32::from_str_radix(code, 16).ok()?)?;
        Some((character, 2 + digits))
    };
    match rest.as_bytes().get(1)? {
        b'"' => Some(('"', 2)),
        b'\\' => Some(('\\', 2)),
        b'n' => Some(('\n', 2)),
        b'r' => Some(('\r', 2)),
        b't' => Some(('\t', 2)),
        b'u' => hex(4),
        b'U' => hex(8),
        _ => None,
    }
}

/// How the `$` or `%` at the start of `rest` reads in a string or heredoc, and how many bytes
/// it takes: `$${` and `%%{` are the literal text `${` and `%{`, a lone `${` or `%{` would
/// start an interpolation or a directive (an error here), and any other `$` or `%` is itself.
fn template_sigil(rest: &str) -> Result<(&'static str, usize), &'static str> {
    match rest.as_bytes() {
        [b'$', b'$', b'{', ..] => Ok(("${", 3)),
        [b'%', b'%', b'{', ..] => Ok(("%{", 3)),
        [b'$', b'{', ..] => Err("interpolation is not supported in .tfvars"),
        [b'%', b'{', ..] => Err("template directives are not supported in .tfvars"),
        [b'%', ..] => Ok(("%", 1)),
        _ => Ok(("$", 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks that each expression, assigned to `x`, reads as the value with that debug text.
    fn assert_values(cases: &[(&str, &str)]) {
        for (expression, expected) in cases {
            let text = format!("x = {expression}\n");
            match parse_tfvars(&text).as_deref() {
                Ok([(_, value)]) => assert_eq!(format!("{value:?}"), *expected, "{text:?}"),
                other => panic!("{text:?} parsed as {other:?}"),
            }
        }
    }

    /// Checks that each text fails at the given offset with the given message.
    fn assert_errors(cases: &[(&str, usize, &str)]) {
        for (text, offset, message) in cases {
            assert_eq!(
                parse_tfvars(text),
                Err(error_at(*offset, *message)),
                "{text:?}"
            );
        }
    }

    #[test]
    #[rustfmt::skip]
    fn scalars() {
        assert_values(&[
            ("true", "Bool(true)"), ("false", "Bool(false)"), ("null", "Null"),
            ("42", "Int(42)"), ("- 7", "Int(-7)"), ("007", "Int(7)"),
            ("-9223372036854775808", "Int(-9223372036854775808)"),
            ("1.0", "Float(1.0)"), ("-2.5", "Float(-2.5)"), ("1e3", "Float(1000.0)"),
            ("1.5E-2", "Float(0.015)"),
        ]);
        assert_errors(&[
            ("x = 9223372036854775808", 4, "number `9223372036854775808` is out of range"),
            ("x = 1e400", 4, "number `1e400` is out of range"),
            ("x = 1.\n", 5, "expected a newline after the value"),
            ("x = -[1]\n", 5, "expected a number"),
            ("x = .5\n", 4, "expected a value"),
            ("x = var.y\n", 4, "references are not supported in .tfvars"),
            ("x = file (\"a\")\n", 4, "function calls are not supported in .tfvars"),
        ]);
    }

    #[test]
    #[rustfmt::skip]
    fn strings() {
        assert_values(&[
            (r#""a\"b\\c\nd\re\tf""#, r#"Str("a\"b\\c\nd\re\tf")"#),
            (r#""\u00e9\U0001F600 日本""#, r#"Str("é😀 日本")"#),
            (r#""$${a} %%{b} $$${c} $ % $$ %% 5$""#, r#"Str("${a} %{b} $${c} $ % $$ %% 5$")"#),
            ("\"tab\tinside\"", r#"Str("tab\tinside")"#),
        ]);
        assert_errors(&[
            (r#"x = "a ${b}""#, 7, "interpolation is not supported in .tfvars"),
            (r#"x = "%{if a}""#, 5, "template directives are not supported in .tfvars"),
            (r#"x = "\x""#, 5, "invalid escape sequence"),
            (r#"x = "\ud800""#, 5, "invalid escape sequence"),
            (r#"x = "\u00""#, 5, "invalid escape sequence"),
            (r#"x = "\u+0ff""#, 5, "invalid escape sequence"),
            ("x = \"é\\u1é\"", 7, "invalid escape sequence"),
            ("x = \"abc", 4, "unterminated string"),
            ("x = \"a\nb\"", 4, "unterminated string: use a heredoc"),
        ]);
    }

    #[test]
    #[rustfmt::skip]
    fn heredocs() {
        assert_values(&[
            ("<<EOT\n  a\n    b\nEOT", r#"Str("  a\n    b\n")"#),
            ("<<EOT\n    a\n  EOT", r#"Str("    a\n")"#),
            ("<<EOT\nEOT", r#"Str("")"#),
            ("<<-EOT\n    {\n      \"a\": 1\n    }\n  EOT", r#"Str("{\n  \"a\": 1\n}\n")"#),
            // Every whitespace character counts as one column, and blank lines are kept whole
            // and do not count, as in Terraform.
            ("<<-EOT\n\t\ta\n\t  b\n  EOT", r#"Str("a\n b\n")"#),
            ("<<-EOT\n    a\n\n      \n    b\nEOT", r#"Str("a\n\n      \nb\n")"#),
            ("<<-EOT\n\u{2003}\u{2003}a\n b\nEOT", r#"Str("\u{2003}a\nb\n")"#),
            ("<<-EOT\n  $${a} %%{b} \\n EOTX\nEOT", r#"Str("${a} %{b} \\n EOTX\n")"#),
            ("<<EOT\r\na\r\nEOT\r", r#"Str("a\r\n")"#),
        ]);
        assert_errors(&[
            ("x = <<EOT\na\nEOF\n", 4, "heredoc without a closing `EOT`"),
            ("x = <<-EOT\n  a\n  b${c}\nEOT\n", 18, "interpolation is not supported in .tfvars"),
            ("x = <<EOT x\nEOT\n", 9, "expected a newline after the heredoc marker"),
            ("x = << EOT\nEOT\n", 6, "expected a heredoc marker after `<<`"),
        ]);
    }

    #[test]
    #[rustfmt::skip]
    fn lists() {
        assert_values(&[
            ("[]", "List([])"),
            ("[1, \"a\", null,]", r#"List([Int(1), Str("a"), Null])"#),
            ("[\n  1\n  ,\n  # note\n  [2],\n]", "List([Int(1), List([Int(2)])])"),
        ]);
        let nested = |depth: usize| format!("x = {}{}", "[".repeat(depth), "]".repeat(depth));
        assert!(parse_tfvars(&nested(MAX_DEPTH)).is_ok());
        assert_errors(&[
            ("x = [,]", 5, "expected a value"),
            ("x = [1 2]", 7, "expected `,` or `]` after a list element"),
            ("x = [1,\n", 4, "unclosed `[`"),
            (&nested(MAX_DEPTH + 1), 4 + MAX_DEPTH, "lists and objects nest more than 64 levels deep"),
        ]);
    }

    #[test]
    #[rustfmt::skip]
    fn objects() {
        assert_values(&[
            ("{}", "Map([])"),
            ("{ a = 1, b-c : 2, \"k/é\" = 3 }", r#"Map([("a", Int(1)), ("b-c", Int(2)), ("k/é", Int(3))])"#),
            ("{\n  true : 1\n\n  for = {}, }", r#"Map([("true", Int(1)), ("for", Map([]))])"#),
            ("{\n  a = 1 # c\n  b = [2] // d\n}", r#"Map([("a", Int(1)), ("b", List([Int(2)]))])"#),
        ]);
        assert_errors(&[
            ("x = { a = 1, a = 2 }", 13, "duplicate key `a`"),
            ("x = { \"a\" = 1 b = 2 }", 14, "expected `,` or a newline after the value"),
            ("x = { a = 1 /*\n*/ b = 2 }", 18, "expected `,` or a newline after the value"),
            ("x = { a = 1,, }", 12, "expected an object key"),
            ("x = { a = 1\n, b = 2 }", 12, "expected an object key"),
            ("x = { a =\n 1 }", 9, "expected a value"),
            ("x = { a.b = 1 }", 7, "expected `=` or `:` after the key"),
            ("x = { a = 1", 4, "unclosed `{`"),
        ]);
    }

    #[test]
    #[rustfmt::skip]
    fn files_and_comments() {
        let text = "# 1\n\n// 2\na = 1 # 3\nb = /* 4 */ \"b\" // 5\r\n/* 6\n 7 */\nc = [\n]";
        let expected = r#"Ok([("a", Int(1)), ("b", Str("b")), ("c", List([]))])"#;
        assert_eq!(format!("{:?}", parse_tfvars(text)), expected);
        assert_eq!(parse_tfvars(""), Ok(Vec::new()));
        assert_errors(&[
            ("x = 1\nx = 2\n", 6, "duplicate attribute `x`"),
            ("x = 1 y = 2\n", 6, "expected a newline after the value"),
            ("x =\n 1\n", 3, "expected a value"),
            ("x : 1\n", 2, "expected `=` after the attribute"),
            ("\"x\" = 1\n", 0, "expected an attribute name"),
            ("x = 1 /* open\n", 6, "unterminated block comment"),
        ]);
    }

    /// Every prefix of a text using every construct reads without a panic, and every error
    /// offset lies within the text read.
    #[test]
    fn truncated_input_never_panics() {
        let text = "a = { \"é\\u00e9\" : [1, -2.5e3, null], b = <<-EOT\n  x $${y}\n  EOT\n} # c\n";
        for (end, _) in text.char_indices() {
            if let Err(error) = parse_tfvars(&text[..end]) {
                assert!(error.offset <= end, "{error:?} for {:?}", &text[..end]);
            }
        }
        assert!(parse_tfvars(text).is_ok());
    }

    /// Every Terraform variable file of the corpus parses, and encoding it again with the
    /// tfvars writer and parsing that gives the same values.
    #[test]
    fn corpus_round_trips() {
        let root = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/corpus/2i2c/terraform"
        );
        let Ok(providers) = std::fs::read_dir(root) else {
            return eprintln!("skipped: no corpus at {root}");
        };
        let mut files: Vec<_> = (providers.flatten())
            .filter_map(|provider| std::fs::read_dir(provider.path().join("projects")).ok())
            .flat_map(|projects| projects.flatten().map(|entry| entry.path()))
            .filter(|path| {
                path.extension()
                    .is_some_and(|extension| extension == "tfvars")
            })
            .collect();
        files.sort();
        assert!(!files.is_empty(), "no .tfvars file under {root}");
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let parsed = parse_tfvars(&text).unwrap_or_else(|error| panic!("{path:?}: {error:?}"));
            let written = crate::emit::hcl::tfvars(&parsed);
            assert_eq!(parse_tfvars(&written).as_ref(), Ok(&parsed), "{path:?}");
        }
    }
}
