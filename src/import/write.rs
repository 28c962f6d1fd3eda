//! Writing imported values as `.hub` text: keys, literals, quantities where the schema takes
//! them, `image("repo:tag")`, text blocks, and the comments that sat on the keys.

use crate::emit::Value;
use crate::intern::{Interner, Symbol};
use crate::schema::quantity::{Measure, Quantity};
use crate::schema::{Schema, Step, TypeId};
use crate::syntax::{is_bare_key, quote};

/// The schema of the values being written, to write quantities as quantities.
pub struct Types<'a> {
    pub schema: &'a Schema,
    pub names: &'a Interner,
    pub root: Option<TypeId>,
}

impl Types<'_> {
    /// The type at a path of keys, if the schema types it.
    pub fn type_at(&self, path: &[String]) -> Option<TypeId> {
        let mut ty = self.root?;
        for key in path {
            let symbol = self.names.get(key).unwrap_or(Symbol::MISSING);
            match self.schema.step(ty, symbol) {
                Step::Found(next) => ty = next,
                _ => return None,
            }
        }
        Some(ty)
    }

    fn child(&self, ty: TypeId, key_name: &str) -> Option<TypeId> {
        let symbol = self.names.get(key_name).unwrap_or(Symbol::MISSING);
        match self.schema.step(ty, symbol) {
            Step::Found(next) => Some(next),
            _ => None,
        }
    }

    /// The element type of a list type, looking through unions.
    fn element(&self, ty: TypeId) -> Option<TypeId> {
        match self.schema.get(ty) {
            crate::schema::Type::List { element, .. } => Some(*element),
            crate::schema::Type::Union(alternatives) => {
                alternatives.iter().find_map(|&a| self.element(a))
            }
            _ => None,
        }
    }

    /// Whether the schema knows `path`: every step is a field, or lies below an open part.
    pub fn knows(&self, path: &[String]) -> bool {
        let Some(mut ty) = self.root else {
            return true;
        };
        for key in path {
            let symbol = self.names.get(key).unwrap_or(Symbol::MISSING);
            match self.schema.step(ty, symbol) {
                Step::Found(next) => ty = next,
                Step::Open => return true,
                Step::Unknown(_) | Step::NotAMap => return false,
            }
        }
        true
    }
}

/// A key of a path, quoted when it is not a bare key.
pub fn key(text: &str) -> String {
    if is_bare_key(text) {
        text.to_string()
    } else {
        quote(text)
    }
}

/// A dotted path.
pub fn path(keys: &[String]) -> String {
    keys.iter().map(|k| key(k)).collect::<Vec<_>>().join(".")
}

/// A value as a `.hub` literal. `at` is the path of the value, for its schema type.
pub fn literal(value: &Value, at: &[String], types: &Types<'_>) -> String {
    let ty = types.type_at(at);
    typed_literal(value, ty, at.last().map(String::as_str), types)
}

/// A value as a `.hub` literal that no schema types: strings stay strings.
pub fn untyped_literal(value: &Value) -> String {
    let schema = Schema::default();
    let names = Interner::default();
    let types = Types {
        schema: &schema,
        names: &names,
        root: None,
    };
    literal(value, &[], &types)
}

/// A value as a literal of type `ty`; `key` is the key it sits under.
fn typed_literal(
    value: &Value,
    ty: Option<TypeId>,
    key_name: Option<&str>,
    types: &Types<'_>,
) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(boolean) => boolean.to_string(),
        Value::Int(int) => int.to_string(),
        Value::Float(float) => float_text(*float),
        Value::Str(text) => match quantity(text, ty, types) {
            Some(quantity) => quantity,
            None => string(text),
        },
        Value::List(elements) => {
            let element_type = ty.and_then(|ty| types.element(ty));
            let parts: Vec<String> = elements
                .iter()
                .map(|element| typed_literal(element, element_type, None, types))
                .collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Map(entries) => {
            if key_name == Some("image")
                && let Some(image) = image(value)
            {
                return image;
            }
            if entries.is_empty() {
                return "{}".to_string();
            }
            let parts: Vec<String> = entries
                .iter()
                .map(|(entry_key, entry_value)| {
                    let child = ty.and_then(|ty| types.child(ty, entry_key));
                    format!(
                        "{} = {}",
                        key(entry_key),
                        typed_literal(entry_value, child, Some(entry_key), types)
                    )
                })
                .collect();
            format!("{{ {} }}", parts.join(", "))
        }
    }
}

/// A float written so that the lexer reads it back as the same float.
fn float_text(float: f64) -> String {
    let text = format!("{float:?}");
    if text.contains(['.', 'e', 'E']) || text.contains("inf") || text.contains("NaN") {
        text
    } else {
        format!("{text}.0")
    }
}

/// A string literal: a text block for text of several lines, when it reads back the same.
pub fn string(text: &str) -> String {
    let block_safe = text.ends_with('\n')
        && text.matches('\n').count() > 1
        && !text.contains('\r')
        && text
            .lines()
            .all(|line| !line.trim_start().starts_with("\"\"\""));
    if block_safe {
        let mut block = String::from("\"\"\"\n");
        for line in text.strip_suffix('\n').unwrap_or(text).split('\n') {
            if !line.is_empty() {
                block.push_str("  ");
                block.push_str(line);
            }
            block.push('\n');
        }
        block.push_str("  \"\"\"");
        return block;
    }
    quote(text)
}

/// A string the schema types as a quantity, written as one when it reads back the same.
fn quantity(text: &str, ty: Option<TypeId>, types: &Types<'_>) -> Option<String> {
    let ty = ty?;
    let measure = types.schema.measure(ty)?;
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    if number.is_empty()
        || !number.starts_with(|c: char| c.is_ascii_digit())
        || !number.chars().all(|c| c.is_ascii_digit() || c == '.')
        || unit.is_empty()
        || !crate::syntax::UNITS.contains(&unit)
    {
        return None;
    }
    Quantity::parse(number, unit, measure).ok()?;
    // Only where the build writes it back exactly as it was.
    let written_back = match measure {
        Measure::Duration => false,
        Measure::Cpu => !types.schema.is_cores(ty),
        Measure::Memory => {
            if types.schema.is_binary_memory(ty) {
                !matches!(
                    unit,
                    "Ki" | "KiB" | "Mi" | "MiB" | "Gi" | "GiB" | "Ti" | "TiB"
                )
            } else {
                !matches!(
                    unit,
                    "KiB"
                        | "MiB"
                        | "GiB"
                        | "TiB"
                        | "PiB"
                        | "EiB"
                        | "K"
                        | "KB"
                        | "MB"
                        | "GB"
                        | "TB"
                        | "PB"
                        | "EB"
                        | "B"
                )
            }
        }
    };
    written_back.then(|| text.to_string())
}

/// `{ name, tag }` under an `image` key, written as `image("name:tag")` when that reads back as
/// the same two strings.
fn image(value: &Value) -> Option<String> {
    let Value::Map(entries) = value else {
        return None;
    };
    let field = |wanted: &str| {
        entries
            .iter()
            .find(|(k, _)| k == wanted)
            .and_then(|(_, v)| match v {
                Value::Str(text) => Some(text.as_str()),
                _ => None,
            })
    };
    let (name, tag) = (field("name")?, field("tag")?);
    if entries.len() != 2 {
        return None;
    }
    let reference = format!("{name}:{tag}");
    let (split_name, split_tag) = crate::resolve::lower::split_image(&reference);
    (split_name == name && split_tag == Some(tag)).then(|| format!("image({})", quote(&reference)))
}
