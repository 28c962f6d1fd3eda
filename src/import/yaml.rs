//! Reading YAML values files for import as Helm reads them: plain scalars resolved by the rules
//! of go-yaml v2 (which Helm reads values with, through sigs.k8s.io/yaml), quoted scalars kept as
//! strings, keys turned into the strings Helm makes of them, anchors and merge keys expanded,
//! and every problem a coded diagnostic pointing into the file.
//!
//! libyaml (through serde_yaml_ng) parses the document; a scalar it reads as a string comes
//! back borrowed from the text when it was written without escapes, so its place in the text
//! tells whether it was plain (and then Helm's YAML 1.1 rules apply: `yes` is true, `0644` is
//! 420, `1e3` is a float) or quoted (and then it is the string as written).

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, VariantAccess, Visitor};

use super::error::ImportError;
use super::yaml_tags;
use crate::emit::Value;
use crate::source::{FileId, Loc, SourceFile, Span};
use crate::syntax::is_refused_control;

/// Parses a YAML document into a value. An empty document is an empty map.
pub fn parse(file: FileId, source: &SourceFile) -> Result<Value, ImportError> {
    let text = &source.text;
    if text.trim().is_empty() {
        return Ok(Value::Map(Vec::new()));
    }
    // libyaml's own limit is deeper, and it takes time quadratic in the depth to reach it: a
    // linear scan refuses such a file first.
    if let Some(offset) = too_deep(text, MAX_DEPTH) {
        return Err(ImportError::TooDeep {
            file: source.name.clone(),
            limit: MAX_DEPTH,
            at: Loc::new(file, char_span(text, offset)),
        });
    }
    let document: Raw<'_> = serde_yaml_ng::from_str(text).map_err(|error| {
        let offset = error.location().map_or(0, |location| location.index());
        let reason = first_clause(&error.to_string());
        ImportError::MalformedYaml {
            file: source.name.clone(),
            reason,
            at: Loc::new(file, char_span(text, offset)),
        }
    })?;
    if let Some((span, tag)) = unkept_tag(text) {
        return Err(ImportError::YamlTag {
            file: source.name.clone(),
            tag,
            at: Loc::new(file, span),
        });
    }
    let reader = Reader { text };
    let value = reader.value(&document).map_err(|problem| {
        let at = Loc::new(file, problem.span);
        let file = source.name.clone();
        match problem.kind {
            ProblemKind::Duplicate(key) => ImportError::DuplicateKey {
                file,
                reason: format!("the key `{key}` appears twice in one map, as Helm reads it"),
                at,
            },
            ProblemKind::Malformed(reason) => ImportError::MalformedYaml { file, reason, at },
            ProblemKind::Unrepresentable(what) => ImportError::Unrepresentable { file, what, at },
        }
    })?;
    match value {
        Value::Map(_) => Ok(value),
        Value::Null => Ok(Value::Map(Vec::new())),
        _ => Err(ImportError::NotAMap {
            file: source.name.clone(),
            at: Loc::new(file, char_span(text, 0)),
        }),
    }
}

/// The tags whose values libyaml's reader gives as go-yaml v2, and so Helm, reads them.
const KEPT_TAGS: &[&str] = &["str", "int", "float", "bool", "null", "map", "seq"];

/// The first tag of `text` other than the core ones: where it is written, and how. Helm reads
/// such values differently from libyaml (`!!binary` is decoded from base64, `!!timestamp` is
/// a time, `!Ref 12` is the string `"12"`), and a `.hub` file cannot keep the tag itself.
fn unkept_tag(text: &str) -> Option<(Span, String)> {
    const CORE: &str = "tag:yaml.org,2002:";
    let unkept = yaml_tags::tags(text).into_iter().find(|found| {
        found
            .tag
            .strip_prefix(CORE)
            .is_none_or(|name| !KEPT_TAGS.contains(&name))
    })?;
    let written = match unkept.tag.strip_prefix(CORE) {
        Some(name) => format!("!!{name}"),
        None if unkept.tag.starts_with('!') => unkept.tag.clone(),
        None => format!("!<{}>", unkept.tag),
    };
    // The node starts at its properties: the tag, or an anchor before it.
    let start = unkept.offset.min(text.len());
    let span = match text[start..].find('!') {
        Some(bang) => {
            let tag_start = start + bang;
            let rest = &text[tag_start..];
            let length = if rest.starts_with("!<") {
                rest.find('>').map_or(rest.len(), |close| close + 1)
            } else {
                rest.find(|c: char| c.is_whitespace() || ",[]{}".contains(c))
                    .unwrap_or(rest.len())
            };
            Span::new(tag_start, tag_start + length)
        }
        None => char_span(text, start),
    };
    Some((span, written))
}

/// The deepest nesting of collections a values file may have. Real values files nest about
/// fifteen levels; libyaml refuses 128.
pub const MAX_DEPTH: usize = 100;

/// Where `text` first nests deeper than `limit` collections, counting flow brackets and the
/// indentation of block collections; `None` when it never does. One pass over the text.
fn too_deep(text: &str, limit: usize) -> Option<usize> {
    // The indentation of each open block collection.
    let mut blocks: Vec<usize> = Vec::new();
    // Open flow collections (`[`, `{`), which may span lines.
    let mut flow = 0usize;
    // Lines more indented than this belong to a block scalar (`|` or `>`), and are text.
    let mut scalar_indent: Option<usize> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.trim_start_matches(' ');
        let indent = line.len() - content.len();
        if content.trim_end().is_empty() || content.starts_with('#') {
            continue;
        }
        if let Some(scalar) = scalar_indent {
            if indent > scalar {
                continue;
            }
            scalar_indent = None;
        }
        let mut rest = content;
        if flow == 0 {
            while blocks.last().is_some_and(|&open| open >= indent) {
                blocks.pop();
            }
            blocks.push(indent);
            // `- - - x`: each dash opens a sequence at its own column.
            let mut column = indent;
            while let Some(after) = rest.strip_prefix("- ") {
                let next = after.trim_start_matches(' ');
                column += 2 + after.len() - next.len();
                rest = next;
                blocks.push(column);
            }
            if blocks.len() > limit {
                return Some(start + indent);
            }
        }
        // Flow collections, outside quotes and comments.
        let mut quote: Option<char> = None;
        let mut previous = ' ';
        for (index, c) in rest.char_indices() {
            match quote {
                Some('"') if c == '\\' && previous == '\\' => {
                    previous = ' ';
                    continue;
                }
                Some(open) if c == open && !(open == '"' && previous == '\\') => quote = None,
                Some(_) => {}
                None => match c {
                    '"' | '\'' if previous == ' ' || "[{,:".contains(previous) => quote = Some(c),
                    '#' if previous == ' ' => break,
                    '[' | '{' => {
                        flow += 1;
                        if blocks.len() + flow > limit {
                            return Some(start + (line.len() - rest.len()) + index);
                        }
                    }
                    ']' | '}' => flow = flow.saturating_sub(1),
                    _ => {}
                },
            }
            previous = c;
        }
        let trimmed = rest.trim_end();
        if flow == 0
            && (trimmed.ends_with(['|', '>']) || trimmed.ends_with("|-") || trimmed.ends_with(">-"))
        {
            scalar_indent = Some(indent);
        }
    }
    None
}

/// Helm's merge of values files: maps merge key by key, anything else is replaced by the later
/// file.
pub fn merge(base: &mut Value, overlay: &Value) {
    crate::emit::overlay(base, overlay.clone());
}

/// serde_yaml_ng's messages end with the location; the location is in the diagnostic already.
fn first_clause(message: &str) -> String {
    let message = message.split(" at line ").next().unwrap_or(message);
    message.trim_end_matches('.').to_string()
}

/// The span of the character at `offset`, clamped to the text.
fn char_span(text: &str, offset: usize) -> Span {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let width = text[offset..].chars().next().map_or(0, char::len_utf8);
    Span::new(offset, offset + width)
}

/// A document as libyaml read it, before Helm's rules are applied.
#[derive(Debug)]
enum Raw<'a> {
    Null,
    Bool(bool),
    Int(i64),
    /// An integer beyond `i64`, which Helm's JSON step reads as a float.
    Big(f64),
    Float(f64),
    /// A string borrowed from the text: a plain scalar, or a quoted one without escapes.
    Borrowed(&'a str),
    /// A string that is not a slice of the text: quoted with escapes, or a block scalar.
    Owned(String),
    List(Vec<Raw<'a>>),
    Map(Vec<(Raw<'a>, Raw<'a>)>),
}

impl<'de> Deserialize<'de> for Raw<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw<'de>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a YAML value")
    }

    fn visit_unit<E>(self) -> Result<Raw<'de>, E> {
        Ok(Raw::Null)
    }

    fn visit_none<E>(self) -> Result<Raw<'de>, E> {
        Ok(Raw::Null)
    }

    fn visit_bool<E>(self, value: bool) -> Result<Raw<'de>, E> {
        Ok(Raw::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Raw<'de>, E> {
        Ok(Raw::Int(value))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Raw<'de>, E> {
        Ok(i64::try_from(value).map_or(Raw::Big(value as f64), Raw::Int))
    }

    fn visit_i128<E>(self, value: i128) -> Result<Raw<'de>, E> {
        Ok(Raw::Big(value as f64))
    }

    fn visit_u128<E>(self, value: u128) -> Result<Raw<'de>, E> {
        Ok(Raw::Big(value as f64))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Raw<'de>, E> {
        Ok(Raw::Float(value))
    }

    fn visit_borrowed_str<E>(self, value: &'de str) -> Result<Raw<'de>, E> {
        Ok(Raw::Borrowed(value))
    }

    fn visit_str<E>(self, value: &str) -> Result<Raw<'de>, E> {
        Ok(Raw::Owned(value.to_string()))
    }

    fn visit_string<E>(self, value: String) -> Result<Raw<'de>, E> {
        Ok(Raw::Owned(value))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw<'de>, A::Error> {
        let mut elements = Vec::new();
        while let Some(element) = seq.next_element()? {
            elements.push(element);
        }
        Ok(Raw::List(elements))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw<'de>, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(Raw::Map(entries))
    }

    /// A node with a local tag (`!name`); such tags are refused before, by [`unkept_tag`].
    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<Raw<'de>, A::Error> {
        let (_, variant): (de::IgnoredAny, _) = data.variant()?;
        variant.newtype_variant()
    }
}

/// Why a document cannot be imported, and where.
struct Problem {
    span: Span,
    kind: ProblemKind,
}

enum ProblemKind {
    Duplicate(String),
    Malformed(String),
    Unrepresentable(String),
}

/// Applies Helm's rules to a document libyaml read from `text`.
struct Reader<'t> {
    text: &'t str,
}

impl Reader<'_> {
    fn value(&self, raw: &Raw<'_>) -> Result<Value, Problem> {
        Ok(match raw {
            Raw::Null => Value::Null,
            Raw::Bool(boolean) => Value::Bool(*boolean),
            Raw::Int(int) => Value::Int(*int),
            Raw::Big(float) | Raw::Float(float) => self.float(*float, None)?,
            Raw::Owned(text) => {
                self.no_control(text)?;
                Value::Str(text.clone())
            }
            Raw::Borrowed(text) => match self.plain_offset(text) {
                Some(offset) => match helm_plain(text) {
                    Value::Float(float) => self.float(float, Some(offset))?,
                    value => value,
                },
                None => {
                    self.no_control(text)?;
                    Value::Str(text.to_string())
                }
            },
            Raw::List(elements) => Value::List(
                elements
                    .iter()
                    .map(|element| self.value(element))
                    .collect::<Result<_, _>>()?,
            ),
            Raw::Map(entries) => self.map(entries)?,
        })
    }

    /// A float; `.hub` files have no infinities or NaN, so those cannot be imported.
    fn float(&self, float: f64, offset: Option<usize>) -> Result<Value, Problem> {
        if float.is_finite() {
            return Ok(Value::Float(float));
        }
        let span = offset.map_or_else(
            || {
                let lower = self.text.to_ascii_lowercase();
                let start = lower.find(".inf").or_else(|| lower.find(".nan"));
                start.map_or(Span::new(0, 0), |start| Span::new(start, start + 4))
            },
            |offset| char_span(self.text, offset),
        );
        let what = if float.is_nan() {
            "NaN"
        } else {
            "an infinite float"
        };
        Err(Problem {
            span,
            kind: ProblemKind::Unrepresentable(what.to_string()),
        })
    }

    /// Refuses a string with a control character other than tab and newline: a `.hub` string
    /// cannot hold one. YAML writes them only as escapes (`"\r"`, `"\x00"`, `"\e"`), so the
    /// place is the first such escape of the file.
    fn no_control(&self, text: &str) -> Result<(), Problem> {
        let Some(c) = text.chars().find(|&c| is_refused_control(c)) else {
            return Ok(());
        };
        Err(Problem {
            span: control_escape(self.text).unwrap_or_default(),
            kind: ProblemKind::Unrepresentable(format!(
                "a string with the control character U+{:04X}",
                c as u32
            )),
        })
    }

    /// The offset of a borrowed string when it was a plain scalar: not after a quote, and not
    /// after a tag (`!!str yes` is a string).
    fn plain_offset(&self, text: &str) -> Option<usize> {
        let offset = (text.as_ptr() as usize).checked_sub(self.text.as_ptr() as usize)?;
        if offset + text.len() > self.text.len() {
            return None;
        }
        let before = &self.text[..offset];
        if before.ends_with(['\'', '"']) {
            return None;
        }
        // Properties (`&anchor`, `!tag`) may stand before the scalar, on the same line.
        let mut rest = before.trim_end_matches([' ', '\t']);
        loop {
            // A verbatim tag, `!<tag:yaml.org,2002:str>`, may hold the separators below.
            if rest.ends_with('>')
                && rest
                    .rfind("!<")
                    .is_some_and(|open| !rest[open..].contains(char::is_whitespace))
            {
                return None;
            }
            let start = rest.rfind([' ', '\t', '\n', '\r', '[', '{', ',']);
            let token = &rest[start.map_or(0, |start| start + 1)..];
            if token.starts_with('!') {
                return None;
            }
            if !token.starts_with('&') || token.is_empty() {
                return Some(offset);
            }
            rest = rest[..rest.len() - token.len()].trim_end_matches([' ', '\t']);
        }
    }

    fn map(&self, entries: &[(Raw<'_>, Raw<'_>)]) -> Result<Value, Problem> {
        let mut map: Vec<(String, Value)> = Vec::with_capacity(entries.len());
        let mut merged: Vec<Value> = Vec::new();
        for (raw_key, raw_value) in entries {
            let value = self.value(raw_value)?;
            if let Raw::Borrowed(text) = raw_key
                && *text == "<<"
                && let Some(offset) = self.plain_offset(text)
            {
                let span = Span::new(offset, offset + 2);
                match value {
                    Value::Map(_) => merged.push(value),
                    Value::List(elements)
                        if elements.iter().all(|e| matches!(e, Value::Map(_))) =>
                    {
                        merged.extend(elements);
                    }
                    _ => {
                        return Err(Problem {
                            span,
                            kind: ProblemKind::Malformed(
                                "a merge key `<<` takes a map or a list of maps".to_string(),
                            ),
                        });
                    }
                }
                continue;
            }
            let (key, span) = self.key(raw_key)?;
            if map.iter().any(|(existing, _)| *existing == key) {
                let span = span.unwrap_or_else(|| self.second_mention(&key));
                return Err(Problem {
                    span,
                    kind: ProblemKind::Duplicate(key),
                });
            }
            map.push((key, value));
        }
        // Keys written in the map win over merged ones; of the merged maps, the first wins.
        for merged_map in merged {
            let Value::Map(merged_entries) = merged_map else {
                continue;
            };
            for (key, value) in merged_entries {
                if !map.iter().any(|(existing, _)| *existing == key) {
                    map.push((key, value));
                }
            }
        }
        Ok(Value::Map(map))
    }

    /// The string Helm makes of a key (sigs.k8s.io/yaml turns booleans and numbers into their
    /// text), and the key's place when it was written without escapes.
    fn key(&self, raw: &Raw<'_>) -> Result<(String, Option<Span>), Problem> {
        let value = self.value(raw)?;
        let span = match raw {
            Raw::Borrowed(text) => {
                let offset = text.as_ptr() as usize - self.text.as_ptr() as usize;
                Some(Span::new(offset, offset + text.len()))
            }
            _ => None,
        };
        let key = match value {
            Value::Str(text) => text,
            Value::Bool(boolean) => boolean.to_string(),
            Value::Int(int) => int.to_string(),
            Value::Float(float) => go_float_key(float),
            Value::Null => {
                return Err(Problem {
                    span: span.unwrap_or_default(),
                    kind: ProblemKind::Malformed(
                        "a key is null, which Helm cannot read".to_string(),
                    ),
                });
            }
            Value::List(_) | Value::Map(_) => {
                return Err(Problem {
                    span: span.unwrap_or_default(),
                    kind: ProblemKind::Malformed(
                        "a key is a list or a map, which Helm cannot read".to_string(),
                    ),
                });
            }
        };
        Ok((key, span))
    }

    /// The place of the second `key:` in the text, for a repeated key written with escapes or
    /// as a number.
    fn second_mention(&self, key: &str) -> Span {
        let needle = format!("{key}:");
        self.text
            .match_indices(&needle)
            .nth(1)
            .map_or(Span::new(0, 0), |(start, _)| {
                Span::new(start, start + key.len())
            })
    }
}

/// The span of the first escape of a YAML text that makes a control character a `.hub` string
/// cannot hold: `\0`, `\a`, `\b`, `\v`, `\f`, `\r`, `\e`, `\N`, or `\x`, `\u`, `\U` with
/// such a code.
fn control_escape(text: &str) -> Option<Span> {
    let bytes = text.as_bytes();
    let mut index = 0;
    while index + 1 < bytes.len() {
        if bytes[index] != b'\\' {
            index += 1;
            continue;
        }
        let digits = match bytes[index + 1] {
            b'0' | b'a' | b'b' | b'v' | b'f' | b'r' | b'e' | b'N' => {
                return Some(Span::new(index, index + 2));
            }
            b'x' => 2,
            b'u' => 4,
            b'U' => 8,
            _ => 0,
        };
        let end = index + 2 + digits;
        let code = text
            .get(index + 2..end)
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .and_then(char::from_u32);
        if digits > 0 && code.is_some_and(is_refused_control) {
            return Some(Span::new(index, end));
        }
        index += 2;
    }
    None
}

/// What go-yaml v2 makes of a plain scalar that YAML 1.2 reads as a string: the YAML 1.1
/// booleans (`y`, `yes`, `on` and their capitals), integers with a base prefix, a leading `0`
/// (octal) or `_` separators, and floats without a `.`; anything else stays a string
/// (sexagesimal numbers and timestamps included).
pub fn helm_plain(text: &str) -> Value {
    match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => {
            return Value::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => {
            return Value::Bool(false);
        }
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    let text_value = || Value::Str(text.to_string());
    match text.as_bytes()[0] {
        b'.' => match go_float(text) {
            Some(float) => Value::Float(float),
            None => text_value(),
        },
        b'0'..=b'9' | b'+' | b'-' => {
            let plain: String = text.chars().filter(|&c| c != '_').collect();
            if let Some(int) = go_int(&plain) {
                return match i64::try_from(int) {
                    Ok(int) => Value::Int(int),
                    // Helm reads values through JSON, where such an integer is a float.
                    Err(_) if int >= 0 => Value::Float(int as f64),
                    Err(_) => text_value(),
                };
            }
            if is_yaml_style_float(&plain)
                && let Some(float) = go_float(&plain)
            {
                return Value::Float(float);
            }
            text_value()
        }
        _ => text_value(),
    }
}

/// Go's `strconv.ParseInt(text, 0, 64)`, or `ParseUint` for what only fits unsigned: an
/// optional sign, then `0x`, `0o`, `0b` (any case) or a leading `0` for octal, else decimal.
fn go_int(text: &str) -> Option<i128> {
    let (negative, unsigned) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = unsigned.to_ascii_lowercase();
    let (radix, digits) = if let Some(rest) = lower.strip_prefix("0x") {
        (16, rest)
    } else if let Some(rest) = lower.strip_prefix("0b") {
        (2, rest)
    } else if let Some(rest) = lower.strip_prefix("0o") {
        (8, rest)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = i128::from(u64::from_str_radix(digits, radix).ok()?);
    let value = if negative { -magnitude } else { magnitude };
    (value >= i128::from(i64::MIN)).then_some(value)
}

/// go-yaml's `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_style_float(text: &str) -> bool {
    let text = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", fraction)) => digits(fraction),
        Some((whole, fraction)) => digits(whole) && (fraction.is_empty() || digits(fraction)),
        None => digits(mantissa),
    };
    let exponent_ok = exponent
        .is_none_or(|exponent| digits(exponent.strip_prefix(['-', '+']).unwrap_or(exponent)));
    mantissa_ok && exponent_ok
}

/// Go's `strconv.ParseFloat` for decimal text: a float, or nothing when it is out of range.
fn go_float(text: &str) -> Option<f64> {
    if !is_yaml_style_float(text) {
        return None;
    }
    let float: f64 = text.parse().ok()?;
    float.is_finite().then_some(float)
}

/// A float key as sigs.k8s.io/yaml writes it: Go's `strconv.FormatFloat(key, 'g', -1, 32)`.
fn go_float_key(float: f64) -> String {
    let single = float as f32;
    // Rust writes the shortest digits that read back as the same `f32`, as go does.
    let scientific = format!("{single:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    // Go writes the exponent form when the exponent is below -4 or at least 6.
    if (-4..6).contains(&exponent) {
        return format!("{single}");
    }
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exponent.abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_measured_in_one_pass_across_flow_and_block_collections() {
        let flow = |n: usize| format!("a: {}1{}\n", "[".repeat(n), "]".repeat(n));
        assert_eq!(too_deep(&flow(98), 100), None);
        assert_eq!(too_deep(&flow(100), 100), Some(102));
        assert!(too_deep(&flow(100_000), 100).is_some());
        let block: String = (0..120)
            .map(|level| format!("{}k{level}:\n", " ".repeat(level)))
            .collect();
        assert_eq!(too_deep(&block, 200), None);
        assert!(too_deep(&block, 100).is_some());
        // Brackets in strings, comments and block scalars are text.
        let text = "a: \"[[[[\"\nb: '{{{{' # [[[[\nc: |\n  [[[[[[\n  {{{{{{\nd: [1, [2]]\n";
        assert_eq!(too_deep(text, 3), None);
        // A flow collection over several lines.
        assert!(too_deep("a: [\n  [\n    [\n      1]]]\n", 3).is_some());
    }
}
