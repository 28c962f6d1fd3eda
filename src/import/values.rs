//! Hub values as trees: what the values schema knows split from what it does not, paths looked
//! up and set, and a tree written as `.hub` statements with the YAML comments on its keys.

use std::collections::BTreeSet;

use super::write::{Types, key, literal, path};
use super::{Importer, comments};
use crate::emit::Value;
use crate::source::FileId;

impl Importer<'_> {
    /// Moves the parts of `tree` the schema does not know into `raw`, warning for each.
    pub(super) fn split_unknown(
        &mut self,
        tree: &mut Value,
        at: &mut Vec<String>,
        raw: &mut Value,
        unknown: &mut Vec<Vec<String>>,
    ) {
        let Value::Map(entries) = tree else {
            return;
        };
        let mut kept = Vec::new();
        for (entry_key, mut value) in std::mem::take(entries) {
            at.push(entry_key.clone());
            if self.types.knows(at) {
                self.split_unknown(&mut value, at, raw, unknown);
                kept.push((entry_key, value));
            } else {
                insert(raw, at, value);
                unknown.push(at.clone());
            }
            at.pop();
        }
        *entries = kept;
    }

    /// The statements of a values tree: a nested block per top-level key, one statement per
    /// value inside, with the comments that sat on the keys before them.
    pub(super) fn body(
        &self,
        tree: &Value,
        prefix: &[String],
        comments: &[comments::KeyComment],
    ) -> String {
        let mut text = String::new();
        let mut emitted: BTreeSet<Vec<String>> = BTreeSet::new();
        let Value::Map(entries) = tree else {
            return text;
        };
        for (top, value) in entries {
            let mut leaves = Vec::new();
            let mut top_path = prefix.to_vec();
            top_path.push(top.clone());
            collect_leaves(value, &mut top_path.clone(), &mut leaves);
            match value {
                Value::Map(inner) if !inner.is_empty() => {
                    text.push_str(&format!("  {} {{\n", key(top)));
                    for (leaf_path, leaf) in leaves {
                        write_comments(&mut text, comments, &leaf_path, &mut emitted, "    ");
                        text.push_str(&format!(
                            "    {} = {}\n",
                            path(&leaf_path[top_path.len()..]),
                            literal(leaf, &leaf_path, self.types)
                        ));
                    }
                    text.push_str("  }\n");
                }
                _ => {
                    write_comments(&mut text, comments, &top_path, &mut emitted, "  ");
                    text.push_str(&format!(
                        "  {} = {}\n",
                        key(top),
                        literal(value, &top_path, self.types)
                    ));
                }
            }
        }
        text
    }

    /// The comments of a values file, by path in the hub values (under `basehub:` for daskhub).
    pub(super) fn comments(&self, file: FileId, chart: &str) -> Vec<comments::KeyComment> {
        let mut found = comments::key_comments(&self.sources.get(file).text);
        if chart == "daskhub" {
            for comment in &mut found {
                if comment.path.first().map(String::as_str) == Some("basehub") {
                    comment.path.remove(0);
                }
            }
        }
        found
    }
}

impl<'a> Types<'a> {
    /// The same schema, for values it does not type (cluster settings, raw values).
    pub(super) fn untyped(types: &Types<'a>) -> Types<'a> {
        Types {
            schema: types.schema,
            names: types.names,
            root: None,
        }
    }
}

/// Every leaf (a scalar, a list, or an empty map) under a value, with its path.
pub(super) fn collect_leaves<'v>(
    value: &'v Value,
    at: &mut Vec<String>,
    leaves: &mut Vec<(Vec<String>, &'v Value)>,
) {
    match value {
        Value::Map(entries) if !entries.is_empty() => {
            for (entry_key, entry_value) in entries {
                at.push(entry_key.clone());
                collect_leaves(entry_value, at, leaves);
                at.pop();
            }
        }
        _ => leaves.push((at.clone(), value)),
    }
}

fn write_comments(
    text: &mut String,
    comments: &[comments::KeyComment],
    leaf_path: &[String],
    emitted: &mut BTreeSet<Vec<String>>,
    indent: &str,
) {
    for comment in comments {
        if leaf_path.starts_with(&comment.path) && emitted.insert(comment.path.clone()) {
            for line in &comment.lines {
                text.push_str(indent);
                text.push_str("//");
                if !line.is_empty() {
                    text.push(' ');
                    text.push_str(line);
                }
                text.push('\n');
            }
        }
    }
}

/// Whether a value is a map with nothing in it.
pub(super) fn is_empty_map(value: &Value) -> bool {
    matches!(value, Value::Map(entries) if entries.is_empty())
}

/// The value at a path, if any.
pub(super) fn lookup<'v>(value: &'v Value, at: &[String]) -> Option<&'v Value> {
    let mut value = value;
    for step in at {
        let Value::Map(entries) = value else {
            return None;
        };
        value = &entries.iter().find(|(k, _)| k == step)?.1;
    }
    Some(value)
}

/// Sets a path, creating maps on the way.
pub(super) fn insert(tree: &mut Value, at: &[String], value: Value) {
    let Some((first, rest)) = at.split_first() else {
        *tree = value;
        return;
    };
    if !matches!(tree, Value::Map(_)) {
        *tree = Value::Map(Vec::new());
    }
    let Value::Map(entries) = tree else {
        return;
    };
    let index = match entries.iter().position(|(k, _)| k == first) {
        Some(index) => index,
        None => {
            entries.push((first.clone(), Value::Map(Vec::new())));
            entries.len() - 1
        }
    };
    insert(&mut entries[index].1, rest, value);
}
