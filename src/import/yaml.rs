//! Reading YAML values files for import: anchors and merge keys expanded, keys as strings,
//! every problem a coded diagnostic pointing into the file.

use serde_yaml_ng::Value as Yaml;

use super::error::ImportError;
use crate::emit::Value;
use crate::source::{FileId, Loc, SourceFile, Span};

/// Parses a YAML document into a value. An empty document is an empty map.
pub fn parse(file: FileId, source: &SourceFile) -> Result<Value, ImportError> {
    let text = &source.text;
    if text.trim().is_empty() {
        return Ok(Value::Map(Vec::new()));
    }
    let mut document: Yaml = serde_yaml_ng::from_str(text).map_err(|error| {
        let offset = error.location().map_or(0, |location| location.index());
        let offset = offset.min(text.len());
        let width = text[offset..].chars().next().map_or(0, char::len_utf8);
        let at = Loc::new(file, Span::new(offset, offset + width));
        let message = error.to_string();
        if message.contains("duplicate") {
            ImportError::DuplicateKey {
                file: source.name.clone(),
                reason: first_clause(&message),
                at: duplicate_place(text, offset, &message).map_or(at, |span| Loc::new(file, span)),
            }
        } else {
            ImportError::MalformedYaml {
                file: source.name.clone(),
                reason: first_clause(&message),
                at,
            }
        }
    })?;
    document
        .apply_merge()
        .map_err(|error| ImportError::MalformedYaml {
            file: source.name.clone(),
            reason: first_clause(&error.to_string()),
            at: Loc::new(file, Span::new(0, 0)),
        })?;
    let mut value = convert(&document);
    yaml_1_1_scalars(&mut value, &plain_scalars(text));
    match value {
        Value::Map(_) => Ok(value),
        Value::Null => Ok(Value::Map(Vec::new())),
        _ => Err(ImportError::NotAMap {
            file: source.name.clone(),
            at: Loc::new(file, Span::new(0, text.len().min(1))),
        }),
    }
}

/// The second `key:` of a mapping reported as repeating it: serde_yaml_ng points at the
/// mapping, the diagnostic points at the repetition.
fn duplicate_place(text: &str, mapping_start: usize, message: &str) -> Option<Span> {
    let key = message.split('"').nth(1)?;
    let line_start = text[..mapping_start.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let mut seen = 0;
    let mut offset = line_start;
    for line in text[line_start..].split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if trimmed.starts_with(&format!("{key}:")) {
            seen += 1;
            if seen == 2 {
                return Some(Span::new(offset + indent, offset + indent + key.len()));
            }
        }
        offset += line.len();
    }
    None
}

/// serde_yaml_ng's messages end with the location; the location is in the diagnostic already.
fn first_clause(message: &str) -> String {
    let message = message.split(" at line ").next().unwrap_or(message);
    message.trim_end_matches('.').to_string()
}

/// Converts a YAML value, keys in document order; keys that are not strings become the text a
/// JSON encoder would give them.
pub fn convert(value: &Yaml) -> Value {
    match value {
        Yaml::Null => Value::Null,
        Yaml::Bool(boolean) => Value::Bool(*boolean),
        Yaml::Number(number) => match number.as_i64() {
            Some(int) => Value::Int(int),
            None => Value::Float(number.as_f64().unwrap_or(0.0)),
        },
        Yaml::String(text) => Value::Str(text.clone()),
        Yaml::Sequence(elements) => Value::List(elements.iter().map(convert).collect()),
        Yaml::Mapping(entries) => Value::Map(
            entries
                .iter()
                .map(|(key, value)| (key_text(key), convert(value)))
                .collect(),
        ),
        Yaml::Tagged(tagged) => convert(&tagged.value),
    }
}

fn key_text(key: &Yaml) -> String {
    match key {
        Yaml::String(text) => text.clone(),
        Yaml::Bool(boolean) => boolean.to_string(),
        Yaml::Number(number) => number.to_string(),
        Yaml::Null => "null".to_string(),
        other => serde_yaml_ng::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

/// Helm's merge of values files: maps merge key by key, anything else is replaced by the later
/// file.
pub fn merge(base: &mut Value, overlay: &Value) {
    crate::emit::overlay(base, overlay.clone());
}

/// Plain (unquoted) scalars of the document that YAML 1.1 reads differently from YAML 1.2: the
/// values of `key: value` and `- value` lines.
fn plain_scalars(text: &str) -> std::collections::HashSet<String> {
    let mut found = std::collections::HashSet::new();
    for line in text.lines() {
        let trimmed = line.trim_start().trim_start_matches("- ");
        let candidate = match trimmed.split_once(": ") {
            Some((_, value)) => value,
            None if line.trim_start().starts_with("- ") => trimmed,
            None => continue,
        };
        let candidate = candidate.split(" #").next().unwrap_or(candidate).trim();
        if yaml_1_1(candidate).is_some() {
            found.insert(candidate.to_string());
        }
    }
    found
}

/// What YAML 1.1 (Helm's and PyYAML's reading) makes of a plain scalar that YAML 1.2 reads as a
/// string: octal and underscored integers, sexagesimal numbers, yes/no/on/off booleans.
fn yaml_1_1(text: &str) -> Option<Value> {
    match text {
        "yes" | "Yes" | "YES" | "on" | "On" | "ON" => return Some(Value::Bool(true)),
        "no" | "No" | "NO" | "off" | "Off" | "OFF" => return Some(Value::Bool(false)),
        _ => {}
    }
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let sign = |value: i64| if negative { -value } else { value };
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    if clean.is_empty() {
        return None;
    }
    if let Some(binary) = clean.strip_prefix("0b") {
        return i64::from_str_radix(binary, 2)
            .ok()
            .map(|v| Value::Int(sign(v)));
    }
    if clean.len() > 1 && clean.starts_with('0') && clean.chars().all(|c| ('0'..='7').contains(&c))
    {
        return i64::from_str_radix(&clean[1..], 8)
            .ok()
            .map(|v| Value::Int(sign(v)));
    }
    if digits.contains('_') && clean.chars().all(|c| c.is_ascii_digit()) {
        return clean.parse().ok().map(|v: i64| Value::Int(sign(v)));
    }
    if clean.contains(':') && !clean.starts_with('0') {
        let mut total: i64 = 0;
        for part in clean.split(':') {
            let part: i64 = part.parse().ok()?;
            total = total.checked_mul(60)?.checked_add(part)?;
        }
        return Some(Value::Int(sign(total)));
    }
    None
}

/// Reads as YAML 1.1 does the strings that were plain scalars in the source.
fn yaml_1_1_scalars(value: &mut Value, plain: &std::collections::HashSet<String>) {
    if plain.is_empty() {
        return;
    }
    match value {
        Value::Str(text) if plain.contains(text.as_str()) => {
            if let Some(read) = yaml_1_1(text) {
                *value = read;
            }
        }
        Value::List(elements) => elements
            .iter_mut()
            .for_each(|element| yaml_1_1_scalars(element, plain)),
        Value::Map(entries) => entries
            .iter_mut()
            .for_each(|(_, entry)| yaml_1_1_scalars(entry, plain)),
        _ => {}
    }
}
