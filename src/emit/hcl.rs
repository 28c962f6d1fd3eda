//! HCL encoding: Terraform `.tfvars` files, written in exactly the layout `terraform fmt` keeps.
//!
//! Every value has one canonical layout, and `terraform fmt` leaves it byte for byte unchanged:
//!
//! - A file is one `name = value` line (or block) per variable, in the given order, and ends
//!   with a newline. Variable names must be HCL identifiers.
//! - Scalars: `null`, `true`, `false`, integers in decimal, and floats in the shortest text
//!   that reads back as the same `f64`: plain decimal when the magnitude is between `1e-7` and
//!   `1e21`, scientific (`1e21`, `5e-324`) otherwise. Integral floats lose their fraction
//!   (`2.0` is written `2`), which HCL's single number type cannot tell apart anyway.
//! - Strings are quoted with HCL's escapes: `\"`, `\\`, `\n`, `\r`, `\t`, and `\uNNNN` for
//!   the other control characters (C0, DEL and C1). `${` becomes `$${` and `%{` becomes `%%{`,
//!   so no interpolation or template directive ever happens. Other Unicode text is written as
//!   it is.
//! - Lists: `[]` when empty; `[a, b, c]` on one line when every element is a scalar and that
//!   line is at most 80 characters; otherwise one element per line, each followed by a comma,
//!   with the closing `]` on its own line.
//! - Objects (maps): `{}` when empty; otherwise always multi-line, one `key = value` entry per
//!   line in the given order, with the closing `}` on its own line and no commas. Keys are bare
//!   when they are ASCII identifiers (`[A-Za-z_][A-Za-z0-9_-]*`) other than the words HCL
//!   reads as something else (`null`, `true`, `false`, `for`, `in`, `if`); every other key is
//!   a quoted string, escaped like a string value and with every non-ASCII character also
//!   written as `\uNNNN` or `\UNNNNNNNN`, so that every key is plain ASCII. Keys should be
//!   unique: HCL rejects an object with a repeated key.
//! - Indentation is two spaces per level of nesting.
//! - Alignment: like `terraform fmt`, the `=` of consecutive single-line entries is aligned one
//!   space after the longest key of the run. A multi-line entry ends a run, because
//!   `terraform fmt` only aligns lines that hold a whole `key = value`. Column counting is
//!   exact because keys are ASCII.
//! - Blank lines: at the top level of the file, every multi-line variable is separated from
//!   its neighbours by one blank line, while consecutive single-line variables stay together
//!   as one aligned group. Inside objects there are no blank lines.

use super::Value;

/// The widest one-line list, in characters including its brackets.
const ONE_LINE_LIST_WIDTH: usize = 80;

/// One level of indentation.
const INDENT: &str = "  ";

/// The words that are not written as bare object keys, because HCL reads them as literals
/// (`null`, `true`, `false`) or as the start of an expression (`for`, `in`, `if`).
const RESERVED_WORDS: [&str; 6] = ["null", "true", "false", "for", "in", "if"];

/// The text of a `.tfvars` file that assigns each variable, in the given order.
///
/// # Panics
///
/// Panics if a variable name is not an HCL identifier, or if any value holds a float that is
/// not finite (HCL has no literal for infinity or NaN).
pub fn tfvars(variables: &[(String, Value)]) -> String {
    let attributes: Vec<(String, &Value)> = variables
        .iter()
        .map(|(name, value)| {
            assert!(
                is_ascii_identifier(name),
                "the tfvars variable name {name:?} is not an HCL identifier"
            );
            (name.clone(), value)
        })
        .collect();
    let mut output = String::new();
    write_attributes(&mut output, &attributes, 0, true);
    output
}

/// The text of one HCL expression for `value`, laid out as it would be at the top level of a
/// file: multi-line values end with their closing bracket at column zero, and there is no
/// trailing newline.
///
/// # Panics
///
/// Panics if the value holds a float that is not finite.
pub fn value(value: &Value) -> String {
    let mut output = String::new();
    write_value(&mut output, value, 0);
    output
}

/// Writes `key = value` lines at the given depth, aligning the `=` of each run of consecutive
/// single-line attributes. With `blank_lines_around_multi_line`, a blank line separates every
/// multi-line attribute from its neighbours.
fn write_attributes(
    output: &mut String,
    attributes: &[(String, &Value)],
    depth: usize,
    blank_lines_around_multi_line: bool,
) {
    let single_line: Vec<bool> = attributes
        .iter()
        .map(|(_, value)| is_single_line(value))
        .collect();
    // The key width each attribute is padded to: the longest key of its run of single-line
    // attributes, or its own width when it is multi-line and so aligns with nothing.
    let mut padded_widths: Vec<usize> = attributes.iter().map(|(key, _)| key.len()).collect();
    let mut run_start = 0;
    while run_start < attributes.len() {
        if !single_line[run_start] {
            run_start += 1;
            continue;
        }
        let mut run_end = run_start;
        while run_end < attributes.len() && single_line[run_end] {
            run_end += 1;
        }
        let widest = padded_widths[run_start..run_end]
            .iter()
            .copied()
            .max()
            .unwrap_or(0);
        padded_widths[run_start..run_end].fill(widest);
        run_start = run_end;
    }

    for (index, (key, value)) in attributes.iter().enumerate() {
        let next_to_multi_line = index > 0 && !(single_line[index - 1] && single_line[index]);
        if blank_lines_around_multi_line && next_to_multi_line {
            output.push('\n');
        }
        push_indent(output, depth);
        output.push_str(key);
        for _ in key.len()..padded_widths[index] {
            output.push(' ');
        }
        output.push_str(" = ");
        write_value(output, value, depth);
        output.push('\n');
    }
}

/// Writes the expression for `value`, whose first line continues the current line and whose
/// closing bracket, if it spans several lines, is indented to `depth`.
fn write_value(output: &mut String, value: &Value, depth: usize) {
    match value {
        Value::Null | Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Str(_) => {
            write_scalar(output, value);
        }
        Value::List(items) if items.is_empty() => output.push_str("[]"),
        Value::List(items) => {
            if let Some(line) = one_line_list(items) {
                output.push_str(&line);
                return;
            }
            output.push_str("[\n");
            for item in items {
                push_indent(output, depth + 1);
                write_value(output, item, depth + 1);
                output.push_str(",\n");
            }
            push_indent(output, depth);
            output.push(']');
        }
        Value::Map(entries) if entries.is_empty() => output.push_str("{}"),
        Value::Map(entries) => {
            let attributes: Vec<(String, &Value)> = entries
                .iter()
                .map(|(key, value)| (object_key(key), value))
                .collect();
            output.push_str("{\n");
            write_attributes(output, &attributes, depth + 1, false);
            push_indent(output, depth);
            output.push('}');
        }
    }
}

/// Writes a scalar: null, a boolean, a number or a string.
fn write_scalar(output: &mut String, value: &Value) {
    match value {
        Value::Null => output.push_str("null"),
        Value::Bool(true) => output.push_str("true"),
        Value::Bool(false) => output.push_str("false"),
        Value::Int(integer) => output.push_str(&integer.to_string()),
        Value::Float(float) => output.push_str(&float_text(*float)),
        Value::Str(text) => write_quoted(output, text, false),
        Value::List(_) | Value::Map(_) => unreachable!("write_scalar is only called on scalars"),
    }
}

/// Whether `value` is written on a single line.
fn is_single_line(value: &Value) -> bool {
    match value {
        Value::List(items) => items.is_empty() || one_line_list(items).is_some(),
        Value::Map(entries) => entries.is_empty(),
        Value::Null | Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Str(_) => true,
    }
}

/// Whether `value` is null, a boolean, a number or a string.
fn is_scalar(value: &Value) -> bool {
    !matches!(value, Value::List(_) | Value::Map(_))
}

/// The one-line form `[a, b]` of a non-empty list, if every element is a scalar and the line
/// is no wider than [`ONE_LINE_LIST_WIDTH`].
fn one_line_list(items: &[Value]) -> Option<String> {
    if items.is_empty() || !items.iter().all(is_scalar) {
        return None;
    }
    let mut line = String::from("[");
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            line.push_str(", ");
        }
        write_scalar(&mut line, item);
        if line.chars().count() >= ONE_LINE_LIST_WIDTH {
            return None;
        }
    }
    line.push(']');
    (line.chars().count() <= ONE_LINE_LIST_WIDTH).then_some(line)
}

/// The text of an object key: bare when it is a plain identifier, otherwise an ASCII-only
/// quoted string.
fn object_key(key: &str) -> String {
    if is_ascii_identifier(key) && !RESERVED_WORDS.contains(&key) {
        key.to_string()
    } else {
        let mut quoted = String::new();
        write_quoted(&mut quoted, key, true);
        quoted
    }
}

/// Whether `text` is an identifier made of ASCII letters, digits, `_` and `-`, starting with a
/// letter or `_`.
fn is_ascii_identifier(text: &str) -> bool {
    let mut characters = text.chars();
    match characters.next() {
        Some(first) if first.is_ascii_alphabetic() || first == '_' => {}
        _ => return false,
    }
    characters
        .all(|character| character.is_ascii_alphanumeric() || character == '_' || character == '-')
}

/// Writes `text` as a quoted HCL string. With `ascii_only`, every non-ASCII character is also
/// escaped, so that the text is exactly as many columns wide as it has bytes.
fn write_quoted(output: &mut String, text: &str, ascii_only: bool) {
    output.push('"');
    let mut characters = text.chars().peekable();
    while let Some(character) = characters.next() {
        match character {
            '"' => output.push_str("\\\""),
            '\\' => output.push_str("\\\\"),
            '\n' => output.push_str("\\n"),
            '\r' => output.push_str("\\r"),
            '\t' => output.push_str("\\t"),
            // Doubling the sigil of `${` or `%{` makes it literal text instead of the start of
            // an interpolation or a template directive.
            '$' | '%' if characters.peek() == Some(&'{') => {
                output.push(character);
                output.push(character);
            }
            character if character.is_control() => {
                output.push_str(&format!("\\u{:04x}", u32::from(character)));
            }
            character if ascii_only && !character.is_ascii() => {
                let code = u32::from(character);
                if code <= 0xFFFF {
                    output.push_str(&format!("\\u{code:04x}"));
                } else {
                    output.push_str(&format!("\\U{code:08x}"));
                }
            }
            character => output.push(character),
        }
    }
    output.push('"');
}

/// The shortest HCL number literal that reads back as `float`.
fn float_text(float: f64) -> String {
    assert!(
        float.is_finite(),
        "the float {float} has no HCL literal: HCL numbers are finite"
    );
    let magnitude = float.abs();
    if magnitude == 0.0 || (1e-7..1e21).contains(&magnitude) {
        format!("{float}")
    } else {
        format!("{float:e}")
    }
}

/// Appends the indentation of `depth` levels of nesting.
fn push_indent(output: &mut String, depth: usize) {
    for _ in 0..depth {
        output.push_str(INDENT);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: Vec<(&str, Value)>) -> Value {
        Value::Map(
            entries
                .into_iter()
                .map(|(key, value)| (key.to_string(), value))
                .collect(),
        )
    }

    fn strings(texts: &[&str]) -> Value {
        Value::List(texts.iter().map(|text| Value::str(*text)).collect())
    }

    fn file(variables: Vec<(&str, Value)>) -> String {
        let variables: Vec<(String, Value)> = variables
            .into_iter()
            .map(|(name, value)| (name.to_string(), value))
            .collect();
        tfvars(&variables)
    }

    #[test]
    fn scalars() {
        assert_eq!(value(&Value::Null), "null");
        assert_eq!(value(&Value::Bool(true)), "true");
        assert_eq!(value(&Value::Bool(false)), "false");
        assert_eq!(value(&Value::Int(-42)), "-42");
        assert_eq!(value(&Value::Int(i64::MIN)), "-9223372036854775808");
        assert_eq!(value(&Value::Float(1.5)), "1.5");
        assert_eq!(value(&Value::Float(-0.25)), "-0.25");
        assert_eq!(value(&Value::Float(2.0)), "2");
        assert_eq!(value(&Value::Float(0.0)), "0");
        assert_eq!(value(&Value::Float(0.1)), "0.1");
        assert_eq!(value(&Value::Float(1e21)), "1e21");
        assert_eq!(value(&Value::Float(1.5e-8)), "1.5e-8");
        assert_eq!(value(&Value::Float(5e-324)), "5e-324");
        assert_eq!(value(&Value::Float(1e20)), "100000000000000000000");
    }

    #[test]
    #[should_panic(expected = "no HCL literal")]
    fn infinity_has_no_literal() {
        value(&Value::Float(f64::INFINITY));
    }

    #[test]
    fn string_escapes() {
        assert_eq!(value(&Value::str("plain text")), r#""plain text""#);
        assert_eq!(value(&Value::str(r#"say "hi""#)), r#""say \"hi\"""#);
        assert_eq!(value(&Value::str(r"C:\path")), r#""C:\\path""#);
        assert_eq!(value(&Value::str("a\nb\rc\td")), r#""a\nb\rc\td""#);
        assert_eq!(
            value(&Value::str("\u{0}\u{1b}\u{7f}\u{85}")),
            r#""\u0000\u001b\u007f\u0085""#
        );
        assert_eq!(value(&Value::str("héllo 日本 😀")), "\"héllo 日本 😀\"");
    }

    #[test]
    fn string_templates_are_escaped() {
        assert_eq!(value(&Value::str("${var.x}")), r#""$${var.x}""#);
        assert_eq!(value(&Value::str("%{if x}")), r#""%%{if x}""#);
        assert_eq!(value(&Value::str("$${x}")), r#""$$${x}""#);
        assert_eq!(
            value(&Value::str("$ % $$ %% a$ {}")),
            r#""$ % $$ %% a$ {}""#
        );
        assert_eq!(value(&Value::str("cost: 5$")), r#""cost: 5$""#);
    }

    #[test]
    fn keys() {
        assert_eq!(object_key("name"), "name");
        assert_eq!(object_key("_private"), "_private");
        assert_eq!(object_key("name_suffix-2"), "name_suffix-2");
        assert_eq!(object_key("scratch-staging"), "scratch-staging");
        assert_eq!(object_key("2i2c.org/community"), r#""2i2c.org/community""#);
        assert_eq!(object_key("1st"), r#""1st""#);
        assert_eq!(object_key("-x"), r#""-x""#);
        assert_eq!(object_key(""), r#""""#);
        assert_eq!(object_key("a b"), r#""a b""#);
        assert_eq!(object_key("null"), r#""null""#);
        assert_eq!(object_key("true"), r#""true""#);
        assert_eq!(object_key("for"), r#""for""#);
        assert_eq!(object_key("format"), "format");
        assert_eq!(object_key("café"), r#""caf\u00e9""#);
        assert_eq!(object_key("a😀"), r#""a\U0001f600""#);
        assert_eq!(object_key("x\"${y}"), r#""x\"$${y}""#);
    }

    #[test]
    fn empty_collections() {
        assert_eq!(value(&Value::List(Vec::new())), "[]");
        assert_eq!(value(&Value::Map(Vec::new())), "{}");
        assert_eq!(file(Vec::new()), "");
    }

    #[test]
    fn short_scalar_lists_stay_on_one_line() {
        assert_eq!(value(&strings(&["a", "b"])), r#"["a", "b"]"#);
        assert_eq!(
            value(&Value::List(vec![
                Value::Int(1),
                Value::Null,
                Value::Bool(true),
                Value::Float(-2.5),
            ])),
            "[1, null, true, -2.5]"
        );
    }

    #[test]
    fn long_lists_and_lists_of_collections_are_multi_line() {
        let long = strings(&["a".repeat(40).as_str(), "b".repeat(40).as_str()]);
        assert_eq!(
            value(&long),
            format!("[\n  \"{}\",\n  \"{}\",\n]", "a".repeat(40), "b".repeat(40))
        );
        // Exactly 80 characters stays on one line; 81 does not.
        let exactly_80 = strings(&["x".repeat(76).as_str()]);
        assert_eq!(value(&exactly_80).len(), 80);
        assert!(!value(&exactly_80).contains('\n'));
        let over_80 = strings(&["x".repeat(77).as_str()]);
        assert!(value(&over_80).contains('\n'));

        let nested = Value::List(vec![
            strings(&["a"]),
            Value::List(Vec::new()),
            Value::Map(Vec::new()),
            map(vec![("key", Value::Int(1))]),
        ]);
        assert_eq!(
            value(&nested),
            "[\n  [\"a\"],\n  [],\n  {},\n  {\n    key = 1\n  },\n]"
        );
    }

    #[test]
    fn objects_are_multi_line_and_aligned() {
        let object = map(vec![
            ("size", Value::Int(1)),
            ("name_suffix", Value::str("staging")),
            ("tags", map(vec![("2i2c:hub-name", Value::str("staging"))])),
            ("a", Value::Bool(true)),
            ("zones", strings(&["us-central1-a"])),
        ]);
        let expected = "\
{
  size        = 1
  name_suffix = \"staging\"
  tags = {
    \"2i2c:hub-name\" = \"staging\"
  }
  a     = true
  zones = [\"us-central1-a\"]
}";
        assert_eq!(value(&object), expected);
    }

    #[test]
    fn quoted_keys_align_by_their_escaped_width() {
        let object = map(vec![("é", Value::Int(1)), ("ab", Value::Int(2))]);
        assert_eq!(value(&object), "{\n  \"\\u00e9\" = 1\n  ab       = 2\n}");
    }

    #[test]
    fn top_level_groups_and_blank_lines() {
        let text = file(vec![
            ("region", Value::str("us-west-2")),
            ("cluster_name", Value::str("nasa-veda")),
            (
                "user_buckets",
                map(vec![(
                    "scratch",
                    map(vec![("delete_after", Value::Int(7))]),
                )]),
            ),
            ("filestores", map(Vec::new())),
            ("enable_nfs_backup", Value::Bool(true)),
            ("first", map(vec![("a", Value::Null)])),
            ("second", map(vec![("b", Value::Null)])),
        ]);
        let expected = "\
region       = \"us-west-2\"
cluster_name = \"nasa-veda\"

user_buckets = {
  scratch = {
    delete_after = 7
  }
}

filestores        = {}
enable_nfs_backup = true

first = {
  a = null
}

second = {
  b = null
}
";
        assert_eq!(text, expected);
    }

    #[test]
    fn deep_nesting_indents_two_spaces_per_level() {
        let tree = Value::List(vec![Value::List(vec![map(vec![(
            "taints",
            Value::List(vec![map(vec![
                ("key", Value::str("2i2c.org/community")),
                ("effect", Value::str("NO_SCHEDULE")),
            ])]),
        )])])]);
        let expected = "\
[
  [
    {
      taints = [
        {
          key    = \"2i2c.org/community\"
          effect = \"NO_SCHEDULE\"
        },
      ]
    },
  ],
]";
        assert_eq!(value(&tree), expected);
    }

    #[test]
    #[should_panic(expected = "not an HCL identifier")]
    fn variable_names_must_be_identifiers() {
        file(vec![("not valid", Value::Null)]);
    }
}
