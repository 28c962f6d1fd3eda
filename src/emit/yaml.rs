//! YAML encoding: one block-style document that every YAML 1.1 and 1.2 parser reads back as the
//! same tree.
//!
//! The layout is the one `helm` and `yq` write by default:
//!
//! - a map is written as `key: value` lines, and a map nested under a key is indented by two
//!   spaces;
//! - a list under a key is written in the compact style, with its `- ` items at the same
//!   indentation as the key itself (`key:\n- a\n- b`), and a map inside a list starts on the
//!   item's line (`- name: x\n  value: y`);
//! - an empty map is `{}` and an empty list is `[]`, written inline;
//! - keys keep the order they are given in (the caller sorts them).
//!
//! Scalars are written so that no parser can read them as anything else:
//!
//! - null is `null`, booleans are `true` and `false`, integers are decimal;
//! - floats always carry a `.` (`1.0`, `0.5`) or an exponent with a sign (`1.0e+30`), which both
//!   the YAML 1.1 and the YAML 1.2 float patterns accept, and infinities and NaN are `.inf`,
//!   `-.inf` and `.nan`;
//! - a string is written plain only when no YAML 1.1 or 1.2 resolver could read it as a null, a
//!   boolean, a number, a timestamp, a merge key or a value key, and when it holds no indicator
//!   that would change its meaning (`is_plain_safe` and `looks_numeric` below list the rules);
//! - otherwise it is single-quoted, or double-quoted with escapes when it holds a control
//!   character, a tab, a carriage return, a character that YAML 1.1 treats as a line break
//!   (U+0085, U+2028, U+2029) or a byte order mark;
//! - a string with a line feed is a literal block scalar (`|`, `|-` or `|+` by its trailing line
//!   feeds, with the indentation indicator `2` when its first line starts with a space), unless
//!   some line would end with a space or a tab or start with a tab, in which case it is
//!   double-quoted.
//!
//! A key is written by the same rules as a string value, except that it is never a literal
//! block, and a key longer than 1000 bytes as written becomes an explicit `? key` entry.
//!
//! The document has no `---` marker, no anchors, aliases or tags, no trailing spaces on any line,
//! and ends with exactly one line feed.

use std::fmt::Write as _;

use super::Value;

/// The longest key, in bytes as written, that is still written as an implicit `key: value`
/// entry. YAML limits implicit keys to 1024 characters (and libyaml and PyYAML enforce it), so a
/// longer key is written as an explicit `? key` entry instead.
const LONGEST_IMPLICIT_KEY: usize = 1000;

/// The indentation that each nesting level adds.
const INDENT_STEP: usize = 2;

/// Encodes a value as a complete YAML document, ending with exactly one line feed.
pub fn to_string(value: &Value) -> String {
    let mut out = String::with_capacity(1024);
    write_document(value, &mut out);
    out
}

/// Appends a value encoded as a complete YAML document to `out`, so that a caller writing many
/// files can reuse one buffer.
pub fn write_document(value: &Value, out: &mut String) {
    let mut writer = Writer { out };
    match value {
        Value::Map(entries) if !entries.is_empty() => writer.write_map(entries, 0, false, true),
        Value::List(items) if !items.is_empty() => writer.write_list(items, 0, false, true),
        scalar => writer.write_scalar_line(
            scalar,
            Place {
                collection_column: 0,
                is_root: true,
                is_last: true,
            },
        ),
    }
}

/// Where a scalar value is written, which decides the block styles open to it.
#[derive(Clone, Copy)]
struct Place {
    /// The column of the innermost block collection holding the scalar: the column of its map
    /// keys or of its list dashes. A literal block's content is indented two columns past it.
    collection_column: usize,
    /// Whether the scalar is the whole document. A root literal block gets no indentation
    /// indicator, because YAML 1.2 and libyaml disagree on what the indicator means there.
    is_root: bool,
    /// Whether nothing follows the scalar in the document. Keeping trailing line feeds (`|+`)
    /// would then end the document with more than one line feed, so such a string is
    /// double-quoted instead.
    is_last: bool,
}

/// How a string is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
}

struct Writer<'out> {
    out: &'out mut String,
}

impl Writer<'_> {
    fn write_indent(&mut self, column: usize) {
        const SPACES: &str = "                                ";
        let mut remaining = column;
        while remaining > SPACES.len() {
            self.out.push_str(SPACES);
            remaining -= SPACES.len();
        }
        self.out.push_str(&SPACES[..remaining]);
    }

    /// Writes the entries of a non-empty map with their keys at `column`. When `first_inline`
    /// is set, the first entry continues the current line (after a list item's `- `).
    fn write_map(
        &mut self,
        entries: &[(String, Value)],
        column: usize,
        first_inline: bool,
        is_last: bool,
    ) {
        let entry_count = entries.len();
        for (index, (key, value)) in entries.iter().enumerate() {
            if index > 0 || !first_inline {
                self.write_indent(column);
            }
            let entry_is_last = is_last && index + 1 == entry_count;
            let key_start = self.out.len();
            self.write_key(key);
            let explicit = self.out.len() - key_start > LONGEST_IMPLICIT_KEY;
            if explicit {
                // A key too long to be implicit becomes `? key` with its value on a `: ` line.
                self.out.insert_str(key_start, "? ");
                self.out.push('\n');
                self.write_indent(column);
            }
            self.out.push(':');
            match value {
                Value::Map(nested) if !nested.is_empty() => {
                    self.out.push('\n');
                    self.write_map(nested, column + INDENT_STEP, false, entry_is_last);
                }
                Value::List(items) if !items.is_empty() => {
                    self.out.push('\n');
                    // The compact style puts the dashes at the key's column. After an explicit
                    // `:` the list is indented like a nested map, which every parser reads.
                    let list_column = if explicit {
                        column + INDENT_STEP
                    } else {
                        column
                    };
                    self.write_list(items, list_column, false, entry_is_last);
                }
                scalar => {
                    self.out.push(' ');
                    self.write_scalar_line(
                        scalar,
                        Place {
                            collection_column: column,
                            is_root: false,
                            is_last: entry_is_last,
                        },
                    );
                }
            }
        }
    }

    /// Writes the items of a non-empty list with their dashes at `column`. When `first_inline`
    /// is set, the first item continues the current line (after an outer list item's `- `).
    fn write_list(&mut self, items: &[Value], column: usize, first_inline: bool, is_last: bool) {
        let item_count = items.len();
        for (index, item) in items.iter().enumerate() {
            if index > 0 || !first_inline {
                self.write_indent(column);
            }
            let item_is_last = is_last && index + 1 == item_count;
            self.out.push_str("- ");
            match item {
                Value::Map(entries) if !entries.is_empty() => {
                    self.write_map(entries, column + INDENT_STEP, true, item_is_last);
                }
                Value::List(nested) if !nested.is_empty() => {
                    self.write_list(nested, column + INDENT_STEP, true, item_is_last);
                }
                scalar => self.write_scalar_line(
                    scalar,
                    Place {
                        collection_column: column,
                        is_root: false,
                        is_last: item_is_last,
                    },
                ),
            }
        }
    }

    /// Writes a scalar (or an empty collection) and the line feed that ends its line, or the
    /// whole literal block for a multi-line string.
    fn write_scalar_line(&mut self, value: &Value, place: Place) {
        match value {
            Value::Null => self.out.push_str("null"),
            Value::Bool(true) => self.out.push_str("true"),
            Value::Bool(false) => self.out.push_str("false"),
            Value::Int(number) => {
                // Writing into a String cannot fail.
                let _ = write!(self.out, "{number}");
            }
            Value::Float(number) => write_float(self.out, *number),
            Value::Str(text) => match choose_style(text, Some(place)) {
                Style::Literal => return self.write_literal(text, place),
                style => self.write_flow_string(text, style),
            },
            Value::List(_) => self.out.push_str("[]"),
            Value::Map(_) => self.out.push_str("{}"),
        }
        self.out.push('\n');
    }

    fn write_key(&mut self, key: &str) {
        let style = choose_style(key, None);
        self.write_flow_string(key, style);
    }

    fn write_flow_string(&mut self, text: &str, style: Style) {
        match style {
            Style::Plain => self.out.push_str(text),
            Style::SingleQuoted => write_single_quoted(self.out, text),
            Style::DoubleQuoted | Style::Literal => write_double_quoted(self.out, text),
        }
    }

    /// Writes a literal block scalar: the header, then every line indented two columns past
    /// the enclosing collection. Empty lines are written without indentation.
    fn write_literal(&mut self, text: &str, place: Place) {
        let content = text.trim_end_matches('\n');
        let trailing_line_feeds = text.len() - content.len();
        self.out.push('|');
        let first_line = content
            .split('\n')
            .find(|line| !line.is_empty())
            .unwrap_or("");
        if first_line.starts_with(' ') {
            // The content's indentation cannot be detected from a line that starts with a
            // space, so it is given explicitly, relative to the enclosing collection.
            self.out.push('2');
        }
        match trailing_line_feeds {
            0 => self.out.push('-'),
            1 => {}
            _ => self.out.push('+'),
        }
        self.out.push('\n');
        let content_column = place.collection_column + INDENT_STEP;
        for line in content.split('\n') {
            if !line.is_empty() {
                self.write_indent(content_column);
                self.out.push_str(line);
            }
            self.out.push('\n');
        }
        for _ in 1..trailing_line_feeds {
            self.out.push('\n');
        }
    }
}

/// Writes a float so that it reads back as the same `f64`, and as a float, in YAML 1.1 and 1.2.
fn write_float(out: &mut String, number: f64) {
    if number.is_nan() {
        out.push_str(".nan");
        return;
    }
    if number.is_infinite() {
        out.push_str(if number > 0.0 { ".inf" } else { "-.inf" });
        return;
    }
    let start = out.len();
    let magnitude = number.abs();
    if magnitude == 0.0 || (1e-5..1e16).contains(&magnitude) {
        // Rust writes the shortest digits that read back as the same number, without an
        // exponent; YAML 1.1 needs a `.` to see a float.
        let _ = write!(out, "{number}");
        if !out[start..].contains('.') {
            out.push_str(".0");
        }
        return;
    }
    // The shortest digits again, in scientific form (`1e30`, `1.5e-7`). YAML 1.1 needs a `.` in
    // the mantissa and a sign on the exponent, so `1e30` becomes `1.0e+30`.
    let _ = write!(out, "{number:e}");
    let exponent_at = start
        + out[start..]
            .find('e')
            .expect("scientific notation has an exponent");
    let sign_at = if out[start..exponent_at].contains('.') {
        exponent_at + 1
    } else {
        out.insert_str(exponent_at, ".0");
        exponent_at + 3
    };
    if out.as_bytes()[sign_at] != b'-' {
        out.insert(sign_at, '+');
    }
}

/// Whether a character must be written as an escape in a double-quoted string: control
/// characters, characters YAML does not allow raw, characters that YAML 1.1 reads as line
/// breaks, and the byte order mark. Tabs and line feeds are handled by the caller.
fn needs_escape(character: char) -> bool {
    matches!(
        character,
        '\u{0}'..='\u{8}'
            | '\u{b}'..='\u{1f}'
            | '\u{7f}'..='\u{9f}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{feff}'
            | '\u{fffe}'
            | '\u{ffff}'
    )
}

/// Chooses how to write a string. `place` is where a value is written; keys pass `None`, which
/// rules out literal blocks.
fn choose_style(text: &str, place: Option<Place>) -> Style {
    if text.is_empty() {
        return Style::SingleQuoted;
    }
    let mut has_line_feed = false;
    let mut has_tab = false;
    for character in text.chars() {
        match character {
            '\n' => has_line_feed = true,
            '\t' => has_tab = true,
            other if needs_escape(other) => return Style::DoubleQuoted,
            _ => {}
        }
    }
    if has_line_feed {
        return match place {
            Some(place) if literal_fits(text, place) => Style::Literal,
            _ => Style::DoubleQuoted,
        };
    }
    if has_tab {
        return Style::DoubleQuoted;
    }
    if is_plain_safe(text) {
        Style::Plain
    } else {
        Style::SingleQuoted
    }
}

/// Whether a multi-line string without escapes can be a literal block that reads back exactly.
fn literal_fits(text: &str, place: Place) -> bool {
    let content = text.trim_end_matches('\n');
    let trailing_line_feeds = text.len() - content.len();
    if trailing_line_feeds > 1 && place.is_last {
        return false;
    }
    let mut first_line = None;
    for line in content.split('\n') {
        if line.ends_with([' ', '\t']) || line.starts_with('\t') {
            return false;
        }
        if first_line.is_none() && !line.is_empty() {
            first_line = Some(line);
        }
    }
    match first_line {
        // A string made only of line feeds has no content line to carry it.
        None => false,
        Some(line) => !(place.is_root && line.starts_with(' ')),
    }
}

/// Whether a non-empty string without line feeds, tabs or escapes can be written plain. It
/// cannot when:
///
/// - it starts with an indicator (`-`, `?`, `:`, `,`, `[`, `]`, `{`, `}`, `#`, `&`, `*`, `!`, `|`,
///   `>`, `'`, `"`, `%`, `@`, `` ` ``) or a space;
/// - it ends with a space or `:`;
/// - it contains `: ` or ` #`;
/// - it starts with `...` (the document end marker);
/// - it is a null, boolean or special word in any letter case: `null`, `~`, `true`, `false`,
///   `yes`, `no`, `on`, `off`, `y`, `n`, or `<<` (merge key) or `=` (value key);
/// - it could be a number or a timestamp (see [`looks_numeric`]).
fn is_plain_safe(text: &str) -> bool {
    let bytes = text.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    if matches!(
        first,
        b'-' | b'?'
            | b':'
            | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
            | b' '
    ) {
        return false;
    }
    if last == b' ' || last == b':' {
        return false;
    }
    if bytes.windows(2).any(|pair| pair == b": " || pair == b" #") {
        return false;
    }
    if text.starts_with("...") {
        return false;
    }
    !is_reserved_word(text) && !looks_numeric(text)
}

/// Whether a string is one of the words a YAML 1.1 or 1.2 resolver reads as something other
/// than a string. Letter case is ignored, which quotes a few more spellings than needed.
fn is_reserved_word(text: &str) -> bool {
    const WORDS: [&str; 12] = [
        "null", "~", "true", "false", "yes", "no", "on", "off", "y", "n", "<<", "=",
    ];
    text.len() <= 5 && WORDS.iter().any(|word| word.eq_ignore_ascii_case(text))
}

/// Whether a string could be read as a number or a timestamp by some YAML 1.1 or 1.2 parser.
///
/// This is deliberately broad: after any leading signs, a string that starts with a digit or a
/// `.` and is made only of characters that appear in numbers and timestamps (digits, hex
/// letters, `x`, `o`, `t`, `z`, `_`, `,`, `.`, `:`, `+`, `-` and spaces) is treated as numeric.
/// That covers decimal, octal (`0777`, `0o17`), hex (`0x1F`), binary (`0b101`), digit
/// separators (`1_000`, and `1,000` for Ruby's Psych), exponents (`1e3`), sexagesimal numbers
/// (`1:20`, `190:20:30`), dotted versions that YAML 1.1 reads as floats (`1.2.3`) and dates and
/// timestamps (`2024-06-10`, `2001-12-14 21:59:43.10 -5`). The spellings of infinity and NaN
/// (`.inf`, `-.Inf`, `.NaN`) in any letter case are numeric too.
fn looks_numeric(text: &str) -> bool {
    // Signs are skipped however many there are: some parsers strip a `+` before reading a
    // signed number, so `+-1` and `++1` are numbers to them.
    let unsigned = text.trim_start_matches(['+', '-']);
    match unsigned.as_bytes().first() {
        Some(b'0'..=b'9') => {}
        Some(b'.') => {
            if unsigned.eq_ignore_ascii_case(".inf") || unsigned.eq_ignore_ascii_case(".nan") {
                return true;
            }
        }
        _ => return false,
    }
    unsigned.bytes().all(|byte| {
        matches!(
            byte,
            b'0'..=b'9'
                | b'a'..=b'f'
                | b'A'..=b'F'
                | b'x'
                | b'X'
                | b'o'
                | b'O'
                | b't'
                | b'T'
                | b'z'
                | b'Z'
                | b'_'
                | b','
                | b'.'
                | b':'
                | b'+'
                | b'-'
                | b' '
        )
    })
}

fn write_single_quoted(out: &mut String, text: &str) {
    out.push('\'');
    let mut pieces = text.split('\'');
    if let Some(first) = pieces.next() {
        out.push_str(first);
    }
    for piece in pieces {
        out.push_str("''");
        out.push_str(piece);
    }
    out.push('\'');
}

/// Writes a double-quoted string on one line, escaping only what must be escaped, with escapes
/// that YAML 1.1 and 1.2 share.
fn write_double_quoted(out: &mut String, text: &str) {
    out.push('"');
    let mut copied_up_to = 0;
    for (index, character) in text.char_indices() {
        let escape = match character {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\t' => "\\t",
            '\r' => "\\r",
            '\0' => "\\0",
            other if needs_escape(other) => "",
            _ => continue,
        };
        out.push_str(&text[copied_up_to..index]);
        if escape.is_empty() {
            let code = u32::from(character);
            if code <= 0xff {
                let _ = write!(out, "\\x{code:02X}");
            } else {
                let _ = write!(out, "\\u{code:04X}");
            }
        } else {
            out.push_str(escape);
        }
        copied_up_to = index + character.len_utf8();
    }
    out.push_str(&text[copied_up_to..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn text(value: &str) -> Value {
        Value::Str(value.to_string())
    }

    fn map(entries: &[(&str, Value)]) -> Value {
        Value::map_of(entries)
    }

    /// The document for `key: <value>`, to look at how one scalar is written.
    fn entry(value: Value) -> String {
        to_string(&map(&[("key", value)]))
    }

    /// How a string is written as a map value, without the `key: ` and the final line feed.
    fn written(value: &str) -> String {
        let document = entry(text(value));
        document
            .strip_prefix("key: ")
            .and_then(|rest| rest.strip_suffix('\n'))
            .unwrap_or(&document)
            .to_string()
    }

    /// Reads a YAML document back into the emit data model with `serde_yaml_ng`.
    fn read_back(document: &str) -> Value {
        let parsed: serde_yaml_ng::Value = serde_yaml_ng::from_str(document)
            .unwrap_or_else(|error| panic!("unreadable YAML: {error}\n{document}"));
        convert(&parsed)
    }

    fn convert(parsed: &serde_yaml_ng::Value) -> Value {
        use serde_yaml_ng::Value as Yaml;
        match parsed {
            Yaml::Null => Value::Null,
            Yaml::Bool(flag) => Value::Bool(*flag),
            Yaml::Number(number) if number.is_f64() => Value::Float(number.as_f64().unwrap()),
            Yaml::Number(number) => Value::Int(
                number
                    .as_i64()
                    .unwrap_or_else(|| panic!("integer out of range: {number}")),
            ),
            Yaml::String(string) => Value::Str(string.clone()),
            Yaml::Sequence(items) => Value::List(items.iter().map(convert).collect()),
            Yaml::Mapping(entries) => Value::Map(
                entries
                    .iter()
                    .map(|(key, value)| match key {
                        Yaml::String(key) => (key.clone(), convert(value)),
                        other => panic!("key read back as a non-string: {other:?}"),
                    })
                    .collect(),
            ),
            Yaml::Tagged(tagged) => panic!("unexpected tag: {tagged:?}"),
        }
    }

    /// Equality that compares floats bit for bit (any NaN equals any NaN) and never mixes
    /// integers with floats.
    fn same(left: &Value, right: &Value) -> bool {
        match (left, right) {
            (Value::Float(left), Value::Float(right)) => {
                (left.is_nan() && right.is_nan()) || left.to_bits() == right.to_bits()
            }
            (Value::List(left), Value::List(right)) => {
                left.len() == right.len()
                    && left
                        .iter()
                        .zip(right)
                        .all(|(left, right)| same(left, right))
            }
            (Value::Map(left), Value::Map(right)) => {
                left.len() == right.len()
                    && left
                        .iter()
                        .zip(right)
                        .all(|(left, right)| left.0 == right.0 && same(&left.1, &right.1))
            }
            _ => left == right,
        }
    }

    fn assert_round_trip(value: &Value) {
        let document = to_string(value);
        let back = read_back(&document);
        assert!(
            same(value, &back),
            "round trip changed the value\nvalue: {value:?}\ndocument:\n{document}\nread back: {back:?}"
        );
    }

    // Layout.

    #[test]
    fn writes_nested_maps_indented_by_two_spaces() {
        let value = map(&[
            ("a", map(&[("b", map(&[("c", Value::Int(1))]))])),
            ("d", text("x")),
        ]);
        assert_eq!(to_string(&value), "a:\n  b:\n    c: 1\nd: x\n");
    }

    #[test]
    fn writes_lists_under_a_key_in_the_compact_style() {
        let value = map(&[
            ("list", Value::List(vec![text("a"), text("b")])),
            ("nested", map(&[("list", Value::List(vec![Value::Int(1)]))])),
        ]);
        assert_eq!(
            to_string(&value),
            "list:\n- a\n- b\nnested:\n  list:\n  - 1\n"
        );
    }

    #[test]
    fn writes_maps_inside_lists_from_the_item_line() {
        let value = Value::List(vec![
            map(&[("name", text("x")), ("value", text("z"))]),
            map(&[("items", Value::List(vec![text("a"), text("b")]))]),
        ]);
        assert_eq!(
            to_string(&value),
            "- name: x\n  value: z\n- items:\n  - a\n  - b\n"
        );
    }

    #[test]
    fn writes_lists_inside_lists_from_the_item_line() {
        let value = Value::List(vec![
            Value::List(vec![Value::Int(1), Value::Int(2)]),
            Value::List(vec![Value::List(vec![text("deep")])]),
        ]);
        assert_eq!(to_string(&value), "- - 1\n  - 2\n- - - deep\n");
        assert_round_trip(&value);
    }

    #[test]
    fn writes_empty_collections_inline() {
        let value = map(&[
            ("map", Value::Map(vec![])),
            ("list", Value::List(vec![])),
            (
                "items",
                Value::List(vec![Value::Map(vec![]), Value::List(vec![])]),
            ),
        ]);
        assert_eq!(to_string(&value), "map: {}\nlist: []\nitems:\n- {}\n- []\n");
        assert_eq!(to_string(&Value::Map(vec![])), "{}\n");
        assert_eq!(to_string(&Value::List(vec![])), "[]\n");
        assert_round_trip(&value);
    }

    #[test]
    fn keeps_keys_in_the_order_given() {
        let value = map(&[
            ("zebra", Value::Int(1)),
            ("apple", Value::Int(2)),
            ("mango", Value::Int(3)),
        ]);
        assert_eq!(to_string(&value), "zebra: 1\napple: 2\nmango: 3\n");
        assert_round_trip(&value);
    }

    #[test]
    fn writes_scalar_documents_on_one_line() {
        assert_eq!(to_string(&Value::Null), "null\n");
        assert_eq!(to_string(&text("hello")), "hello\n");
        assert_eq!(to_string(&text("...")), "'...'\n");
        assert_eq!(to_string(&text("---")), "'---'\n");
    }

    #[test]
    fn writes_no_document_markers_and_ends_with_one_line_feed() {
        let value = map(&[
            ("a", text("trailing\n\n")),
            ("b", Value::List(vec![text("x\n\n\n")])),
        ]);
        let document = to_string(&value);
        assert!(!document.contains("---"));
        assert!(document.ends_with('\n') && !document.ends_with("\n\n"));
        assert_round_trip(&value);
    }

    // Scalars other than strings.

    #[test]
    fn writes_null_booleans_and_integers() {
        assert_eq!(entry(Value::Null), "key: null\n");
        assert_eq!(entry(Value::Bool(true)), "key: true\n");
        assert_eq!(entry(Value::Bool(false)), "key: false\n");
        assert_eq!(entry(Value::Int(-42)), "key: -42\n");
        assert_eq!(entry(Value::Int(i64::MIN)), "key: -9223372036854775808\n");
        assert_eq!(entry(Value::Int(i64::MAX)), "key: 9223372036854775807\n");
    }

    #[test]
    fn writes_floats_that_read_back_as_floats() {
        let cases = [
            (1.0, "1.0"),
            (0.5, "0.5"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (1e30, "1.0e+30"),
            (1.5e-7, "1.5e-7"),
            (-2.5e300, "-2.5e+300"),
            (1e15, "1000000000000000.0"),
            (1e16, "1.0e+16"),
            (0.0001, "0.0001"),
            (f64::INFINITY, ".inf"),
            (f64::NEG_INFINITY, "-.inf"),
            (f64::NAN, ".nan"),
        ];
        for (number, expected) in cases {
            assert_eq!(entry(Value::Float(number)), format!("key: {expected}\n"));
            assert_round_trip(&map(&[("key", Value::Float(number))]));
        }
        for number in [
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            0.1 + 0.2,
            123456.789,
            -1e-5,
        ] {
            assert_round_trip(&map(&[("key", Value::Float(number))]));
        }
    }

    // Plain and quoted strings.

    #[test]
    fn writes_ordinary_strings_plain() {
        for plain in [
            "hello",
            "hello world",
            "quay.io/jupyter/scipy-notebook:2026-10-07",
            "https://example.org/a#fragment",
            "500m",
            "4Gi",
            "2i2c",
            "10.0.0.0/8",
            "a-b",
            "under_score",
            "x:y",
            "~user",
            "+",
            "ünïcödé",
            "日本語",
            "a, b [c] {d}",
            "<<foo",
            "yes please",
            ".hidden",
        ] {
            assert_eq!(written(plain), plain, "{plain:?} should be plain");
            assert_round_trip(&map(&[("key", text(plain))]));
        }
    }

    #[test]
    fn quotes_the_empty_string_and_null_words() {
        for word in ["", "null", "Null", "NULL", "nUlL", "~"] {
            assert_eq!(written(word), format!("'{word}'"));
            assert_round_trip(&map(&[("key", text(word))]));
        }
    }

    #[test]
    fn quotes_yaml_1_1_booleans_in_any_case() {
        for word in [
            "true", "True", "TRUE", "false", "FALSE", "yes", "Yes", "YES", "no", "No", "NO", "on",
            "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N", "yEs", "oFf",
        ] {
            assert_eq!(written(word), format!("'{word}'"));
            assert_round_trip(&map(&[("key", text(word))]));
        }
    }

    #[test]
    fn quotes_anything_that_looks_like_a_number() {
        for number in [
            "0",
            "42",
            "-1",
            "+1",
            "1.0",
            ".5",
            "-.5",
            "1.",
            "1e3",
            "1E3",
            "1.5e-7",
            "0o17",
            "0x1F",
            "0X1f",
            "0b101",
            "0777",
            "007",
            "1_000",
            "1,000",
            "1:20",
            "190:20:30",
            "190:20:30.15",
            ".inf",
            "-.inf",
            "+.inf",
            ".Inf",
            ".INF",
            ".nan",
            ".NaN",
            ".NAN",
            "1.2.3",
            ".",
            "-0",
            "+-1",
            "++1",
        ] {
            assert_eq!(written(number), format!("'{number}'"));
            assert_round_trip(&map(&[("key", text(number))]));
        }
    }

    #[test]
    fn quotes_dates_and_timestamps() {
        for date in [
            "2024-06-10",
            "2024-06-10T10:00:00Z",
            "2001-12-14t21:59:43.10-05:00",
            "2001-12-14 21:59:43.10 -5",
            "2002-12-14",
        ] {
            assert_eq!(written(date), format!("'{date}'"));
            assert_round_trip(&map(&[("key", text(date))]));
        }
    }

    #[test]
    fn quotes_strings_that_start_with_an_indicator_or_a_space() {
        for indicator in [
            "-", "?", ":", ",", "[", "]", "{", "}", "#", "&", "*", "!", "|", ">", "\"", "%", "@",
            "`", " ",
        ] {
            let value = format!("{indicator}x");
            assert_eq!(written(&value), format!("'{value}'"));
            assert_round_trip(&map(&[("key", Value::Str(value))]));
        }
        assert_eq!(written("'x"), "'''x'");
        assert_eq!(written("- item"), "'- item'");
        assert_eq!(written("{{ .Values.x }}"), "'{{ .Values.x }}'");
    }

    #[test]
    fn quotes_strings_that_end_with_a_space_or_a_colon() {
        assert_eq!(written("x "), "'x '");
        assert_eq!(written("x:"), "'x:'");
        assert_eq!(written("   "), "'   '");
        assert_round_trip(&map(&[("key", text("x:")), ("other", text("x "))]));
    }

    #[test]
    fn quotes_strings_with_a_colon_space_or_a_space_hash() {
        assert_eq!(written("a: b"), "'a: b'");
        assert_eq!(written("a #b"), "'a #b'");
        assert_eq!(written("a#b"), "a#b");
        assert_round_trip(&map(&[("key", text("a: b")), ("other", text("a #b"))]));
    }

    #[test]
    fn quotes_merge_and_value_keys() {
        assert_eq!(written("<<"), "'<<'");
        assert_eq!(written("="), "'='");
        let value = map(&[("<<", text("=")), ("=", text("<<"))]);
        assert_eq!(to_string(&value), "'<<': '='\n'=': '<<'\n");
        assert_round_trip(&value);
    }

    #[test]
    fn doubles_single_quotes_inside_single_quoted_strings() {
        assert_eq!(written("'quoted'"), "'''quoted'''");
        assert_eq!(written("it's"), "it's");
        assert_eq!(written("it's: x"), "'it''s: x'");
        assert_round_trip(&map(&[("key", text("'quoted'"))]));
    }

    #[test]
    fn double_quotes_control_characters_and_yaml_1_1_line_breaks() {
        let cases = [
            ("tab\there", r#""tab\there""#),
            ("carriage\rreturn", r#""carriage\rreturn""#),
            ("nul\0", r#""nul\0""#),
            ("bell\u{7}", r#""bell\x07""#),
            ("escape\u{1b}", r#""escape\x1B""#),
            ("delete\u{7f}", r#""delete\x7F""#),
            ("next\u{85}line", r#""next\x85line""#),
            ("line\u{2028}separator", r#""line\u2028separator""#),
            (
                "paragraph\u{2029}separator",
                r#""paragraph\u2029separator""#,
            ),
            ("\u{feff}bom", r#""\uFEFFbom""#),
            ("quote\" and \\ with\ttab", r#""quote\" and \\ with\ttab""#),
        ];
        for (value, expected) in cases {
            assert_eq!(written(value), expected);
            assert_round_trip(&map(&[("key", text(value))]));
        }
    }

    // Multi-line strings.

    #[test]
    fn writes_multi_line_strings_as_literal_blocks() {
        assert_eq!(entry(text("a\nb\n")), "key: |\n  a\n  b\n");
        assert_eq!(entry(text("a\nb")), "key: |-\n  a\n  b\n");
        assert_eq!(
            to_string(&map(&[("key", text("a\nb\n\n")), ("next", Value::Int(1))])),
            "key: |+\n  a\n  b\n\nnext: 1\n"
        );
        assert_eq!(entry(text("a\n\nb\n")), "key: |\n  a\n\n  b\n");
        for value in [
            "a\nb\n",
            "a\nb",
            "a\n\nb\n",
            "\n\nleading\n",
            "# not a comment\n- x\n",
        ] {
            assert_round_trip(&map(&[("key", text(value))]));
        }
    }

    #[test]
    fn gives_an_indentation_indicator_when_the_first_line_starts_with_a_space() {
        assert_eq!(
            entry(text("  indented\nnot\n")),
            "key: |2\n    indented\n  not\n"
        );
        assert_eq!(entry(text("\n  indented")), "key: |2-\n\n    indented\n");
        let value = Value::List(vec![map(&[(
            "script",
            Value::List(vec![text(" one\ntwo\n"), text("  x\n")]),
        )])]);
        assert_eq!(
            to_string(&value),
            "- script:\n  - |2\n     one\n    two\n  - |2\n      x\n"
        );
        assert_round_trip(&value);
        assert_round_trip(&map(&[("key", text("  indented\nnot\n"))]));
        assert_round_trip(&map(&[("key", text("\n  indented"))]));
    }

    #[test]
    fn indents_literal_blocks_past_the_enclosing_collection() {
        let value = map(&[(
            "outer",
            map(&[
                ("inner", text("line one\nline two\n")),
                ("list", Value::List(vec![text("x\ny")])),
            ]),
        )]);
        assert_eq!(
            to_string(&value),
            "outer:\n  inner: |\n    line one\n    line two\n  list:\n  - |-\n    x\n    y\n"
        );
        assert_round_trip(&value);
    }

    #[test]
    fn double_quotes_multi_line_strings_that_a_literal_block_would_change() {
        let cases = [
            ("trailing space \nx", r#""trailing space \nx""#),
            ("x\ntrailing tab\t", r#""x\ntrailing tab\t""#),
            ("\tleading tab\nx", r#""\tleading tab\nx""#),
            ("windows\r\nline\r\n", r#""windows\r\nline\r\n""#),
            ("\n", r#""\n""#),
            ("\n\n", r#""\n\n""#),
            ("x\n  \ny", r#""x\n  \ny""#),
        ];
        for (value, expected) in cases {
            assert_eq!(written(value), expected);
            assert_round_trip(&map(&[("key", text(value))]));
        }
        assert_eq!(written("mid\tline\ntab"), "|-\n  mid\tline\n  tab");
    }

    #[test]
    fn double_quotes_kept_line_feeds_at_the_end_of_the_document() {
        let value = map(&[("first", text("a\n\n")), ("last", text("b\n\n"))]);
        assert_eq!(to_string(&value), "first: |+\n  a\n\nlast: \"b\\n\\n\"\n");
        assert_round_trip(&value);
        assert_eq!(to_string(&text("root\n\n")), "\"root\\n\\n\"\n");
    }

    #[test]
    fn writes_root_literal_blocks_without_an_indentation_indicator() {
        assert_eq!(to_string(&text("a\nb\n")), "|\n  a\n  b\n");
        assert_eq!(to_string(&text(" a\nb\n")), "\" a\\nb\\n\"\n");
        assert_round_trip(&text("a\nb\n"));
        assert_round_trip(&text(" a\nb\n"));
    }

    // Keys.

    #[test]
    fn quotes_keys_by_the_same_rules() {
        let value = map(&[
            ("on", Value::Int(1)),
            ("1", Value::Int(2)),
            ("null", Value::Int(3)),
            ("", Value::Int(4)),
            ("a: b", Value::Int(5)),
            ("multi\nline", Value::Int(6)),
            ("plain", Value::Int(7)),
            ("2024-06-10", Value::Int(8)),
        ]);
        assert_eq!(
            to_string(&value),
            "'on': 1\n'1': 2\n'null': 3\n'': 4\n'a: b': 5\n\"multi\\nline\": 6\nplain: 7\n\
             '2024-06-10': 8\n"
        );
        assert_round_trip(&value);
    }

    #[test]
    fn writes_very_long_keys_as_explicit_entries() {
        let long_key = "k".repeat(1500);
        let value = map(&[
            (&long_key, text("short")),
            ("after", Value::Int(1)),
            (&long_key[..1400], map(&[("nested", Value::Bool(true))])),
            (&long_key[..1300], Value::List(vec![text("item")])),
            (&long_key[..1200], text("line\nbreak\n")),
        ]);
        let document = to_string(&value);
        assert!(document.starts_with(&format!("? {long_key}\n: short\nafter: 1\n? ")));
        assert_round_trip(&value);
        let in_list = Value::List(vec![value]);
        assert_round_trip(&in_list);
    }

    // Properties.

    /// Pieces that strings are built from: every ambiguous word, indicator and troublesome
    /// character the encoder has a rule for.
    const NASTY_PIECES: &[&str] = &[
        "",
        "a",
        "b c",
        "x",
        "null",
        "Null",
        "NULL",
        "~",
        "true",
        "False",
        "TRUE",
        "yes",
        "No",
        "on",
        "OFF",
        "y",
        "N",
        "0",
        "1",
        "007",
        "0o17",
        "0x1F",
        "0b101",
        "0777",
        "1_000",
        "1,000",
        "1e3",
        "1.0",
        ".5",
        "+1",
        "-1",
        "-.inf",
        ".NaN",
        ".inf",
        "inf",
        "nan",
        "1:20",
        "190:20:30",
        "2024-06-10",
        "2024-06-10T10:00:00Z",
        "2001-12-14 21:59:43.10 -5",
        " ",
        "  ",
        ":",
        ": ",
        " #",
        "#",
        "-",
        "- ",
        "?",
        "? ",
        ",",
        "[",
        "]",
        "{",
        "}",
        "&",
        "*",
        "!",
        "|",
        ">",
        "'",
        "\"",
        "%",
        "@",
        "`",
        "<<",
        "=",
        "...",
        "---",
        "\n",
        "\n\n",
        "\t",
        "\r",
        "\r\n",
        "\\",
        "é",
        "日本",
        "😀",
        "\u{85}",
        "\u{a0}",
        "\u{2028}",
        "\u{2029}",
        "\u{feff}",
        "\u{7f}",
        "\0",
        "\u{1b}",
        "\u{9f}",
        "e",
        "E",
        "_",
        ".",
        "+",
    ];

    fn nasty_string() -> impl Strategy<Value = String> {
        prop_oneof![
            8 => prop::collection::vec(prop::sample::select(NASTY_PIECES), 0..6)
                .prop_map(|pieces| pieces.concat()),
            1 => any::<String>(),
            1 => "[0-9a-fA-F.:_+\\- xoeTZ]{0,12}",
        ]
    }

    fn value_tree() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::Int),
            any::<f64>().prop_map(Value::Float),
            prop_oneof![
                Just(0.0),
                Just(-0.0),
                Just(1.0),
                Just(0.5),
                Just(1e30),
                Just(f64::NAN),
                Just(f64::INFINITY),
                Just(f64::NEG_INFINITY),
                Just(5e-324),
            ]
            .prop_map(Value::Float),
            nasty_string().prop_map(Value::Str),
            nasty_string().prop_map(Value::Str),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::List),
                prop::collection::vec((nasty_string(), inner), 0..6).prop_map(|entries| {
                    // Keys in a map are unique; the first of each is kept, in order.
                    let mut unique: Vec<(String, Value)> = Vec::with_capacity(entries.len());
                    for (key, value) in entries {
                        if !unique.iter().any(|(seen, _)| *seen == key) {
                            unique.push((key, value));
                        }
                    }
                    Value::Map(unique)
                }),
            ]
        })
    }

    /// The patterns by which YAML 1.1 (the spec and PyYAML) and YAML 1.2 (the core schema)
    /// resolve plain scalars to something other than a string.
    fn non_string_patterns() -> Vec<regex_lite::Regex> {
        [
            // YAML 1.1 booleans, null, merge and value keys.
            r"^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$",
            r"^(~|null|Null|NULL|)$",
            r"^(<<|=)$",
            // YAML 1.1 integers, floats (the spec's and PyYAML's) and timestamps.
            r"^([-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+)$",
            r"^([-+]?([0-9][0-9_]*)?\.[0-9.]*([eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$",
            r"^([-+]?([0-9][0-9_]*)\.[0-9_]*([eE][-+][0-9]+)?|\.[0-9][0-9_]*([eE][-+][0-9]+)?)$",
            r"^([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(\.[0-9]*)?([ \t]*(Z|[-+][0-9]{1,2}(:[0-9]{2})?))?)$",
            // YAML 1.2 core schema integers and floats.
            r"^([-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$",
            r"^([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$",
        ]
        .iter()
        .map(|pattern| regex_lite::Regex::new(pattern).unwrap())
        .collect()
    }

    #[test]
    fn known_numbers_match_the_resolver_patterns() {
        // The patterns are only useful if they do recognise what they should.
        let patterns = non_string_patterns();
        for known in [
            "yes",
            "~",
            "<<",
            "0777",
            "1:20",
            "1.2.3",
            "2001-12-14 21:59:43.10 -5",
            "0o17",
            "1e3",
            ".NaN",
        ] {
            assert!(
                patterns.iter().any(|pattern| pattern.is_match(known)),
                "{known}"
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn plain_strings_never_resolve_to_anything_else(value in nasty_string()) {
            if choose_style(&value, None) == Style::Plain {
                for pattern in non_string_patterns() {
                    prop_assert!(!pattern.is_match(&value), "{value:?} matches {pattern:?}");
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn documents_read_back_as_the_same_tree(value in value_tree()) {
            let document = to_string(&value);
            prop_assert!(document.ends_with('\n') && !document.ends_with("\n\n"), "{document:?}");
            for line in document.lines() {
                prop_assert!(!line.ends_with([' ', '\t']), "trailing space in {document:?}");
            }
            let back = read_back(&document);
            prop_assert!(
                same(&value, &back),
                "value: {value:?}\ndocument:\n{document}\nread back: {back:?}"
            );
        }
    }
}
