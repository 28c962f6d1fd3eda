//! The model of a generated YAML fleet: values documents as they are written (scalar styles,
//! comments, anchors, aliases and merge keys), the YAML text they are written as, and what Helm
//! reads in them, computed here independently of hubc.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// What a YAML reader with Helm's rules makes of a value: the tree the test expects back.
#[derive(Clone, Debug, PartialEq)]
pub enum Meaning {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Meaning>),
    Map(BTreeMap<String, Meaning>),
}

impl Meaning {
    /// The meaning as JSON, or `None` when it holds a float JSON cannot write (an infinity).
    pub fn to_json(&self) -> Option<serde_json::Value> {
        Some(match self {
            Meaning::Null => serde_json::Value::Null,
            Meaning::Bool(boolean) => serde_json::Value::Bool(*boolean),
            Meaning::Int(int) => serde_json::Value::from(*int),
            Meaning::Float(float) => serde_json::Value::from(serde_json::Number::from_f64(*float)?),
            Meaning::Str(text) => serde_json::Value::String(text.clone()),
            Meaning::List(items) => {
                serde_json::Value::Array(items.iter().map(Meaning::to_json).collect::<Option<_>>()?)
            }
            Meaning::Map(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|(key, value)| Some((key.clone(), value.to_json()?)))
                    .collect::<Option<_>>()?,
            ),
        })
    }

    /// Reads a value the YAML library parsed (the emitted files are read back with it).
    pub fn from_yaml(value: &serde_yaml_ng::Value) -> Meaning {
        use serde_yaml_ng::Value as Yaml;
        match value {
            Yaml::Null => Meaning::Null,
            Yaml::Bool(boolean) => Meaning::Bool(*boolean),
            Yaml::Number(number) => match number.as_i64() {
                Some(int) => Meaning::Int(int),
                None => Meaning::Float(number.as_f64().expect("a number")),
            },
            Yaml::String(text) => Meaning::Str(text.clone()),
            Yaml::Sequence(items) => Meaning::List(items.iter().map(Meaning::from_yaml).collect()),
            Yaml::Mapping(entries) => Meaning::Map(
                entries
                    .iter()
                    .map(|(key, value)| {
                        let key = key.as_str().expect("emitted keys are strings").to_string();
                        (key, Meaning::from_yaml(value))
                    })
                    .collect(),
            ),
            Yaml::Tagged(_) => panic!("emitted YAML has no tags"),
        }
    }
}

/// Helm's merge of values files: maps merge key by key, anything else (null included) replaces.
pub fn merge(base: &mut Meaning, overlay: &Meaning) {
    match (base, overlay) {
        (Meaning::Map(base), Meaning::Map(overlay)) => {
            for (key, value) in overlay {
                match base.get_mut(key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        base.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (base, overlay) => *base = overlay.clone(),
    }
}

/// A scalar: its text as written on one line (plain, or quoted with its quotes), and what it
/// means.
#[derive(Clone, Debug)]
pub struct Scalar {
    pub text: String,
    pub meaning: Meaning,
}

/// A node of a values document as it is written.
#[derive(Clone, Debug)]
pub enum Node {
    Scalar(Scalar),
    /// A string of several lines written as a literal block scalar (`|`).
    Block(String),
    Map(Map),
    /// A list in block style; `compact` puts the dashes at the column of the key.
    List {
        items: Vec<Node>,
        compact: bool,
    },
    /// A list of scalars in flow style: `[a, b]`.
    FlowList(Vec<Scalar>),
    /// A node with an anchor (`&name`).
    Anchor(String, Box<Node>),
    /// An alias (`*name`) of a node anchored earlier.
    Alias(String),
}

/// A map in block style. `merges` are the anchors merged in with `<<:`, written first.
#[derive(Clone, Debug, Default)]
pub struct Map {
    pub merges: Vec<String>,
    pub entries: Vec<Entry>,
}

#[derive(Clone, Debug)]
pub struct Entry {
    /// The key; its meaning is a string.
    pub key: Scalar,
    /// A comment on the lines above the key.
    pub comment: Option<String>,
    /// A comment at the end of the key's line (only written after single-line values).
    pub trailing: Option<String>,
    pub value: Node,
}

impl Entry {
    pub fn new(key: Scalar, value: Node) -> Entry {
        Entry {
            key,
            comment: None,
            trailing: None,
            value,
        }
    }

    fn key_meaning(&self) -> &str {
        match &self.key.meaning {
            Meaning::Str(text) => text,
            other => panic!("a key means a string, not {other:?}"),
        }
    }
}

/// Makes a document valid: an alias or merge names an anchor defined before it (and a merge a
/// map), an anchor is defined once, and no two keys of a map mean the same string. What breaks
/// a rule is dropped (an alias becomes a null).
pub fn repair(map: &mut Map) {
    let mut anchors = BTreeMap::new();
    repair_map(map, &mut anchors);
}

fn repair_map(map: &mut Map, anchors: &mut BTreeMap<String, bool>) {
    map.merges.retain(|name| anchors.get(name) == Some(&true));
    map.merges.dedup();
    let mut seen = std::collections::BTreeSet::new();
    map.entries
        .retain(|entry| seen.insert(entry.key_meaning().to_string()));
    for entry in &mut map.entries {
        repair_node(&mut entry.value, anchors);
    }
}

fn repair_node(node: &mut Node, anchors: &mut BTreeMap<String, bool>) {
    match node {
        Node::Scalar(_) | Node::Block(_) | Node::FlowList(_) => {}
        Node::Map(map) => repair_map(map, anchors),
        Node::List { items, .. } => items.iter_mut().for_each(|item| repair_node(item, anchors)),
        Node::Anchor(_, inner) if matches!(**inner, Node::Anchor(..) | Node::Alias(_)) => {
            // An alias or an anchored node cannot take another anchor.
            *node = (**inner).clone();
            repair_node(node, anchors);
        }
        Node::Anchor(name, inner) => {
            repair_node(inner, anchors);
            if anchors.contains_key(name.as_str()) {
                *node = (**inner).clone();
            } else {
                let is_map = matches!(**inner, Node::Map(_));
                anchors.insert(name.clone(), is_map);
            }
        }
        Node::Alias(name) => {
            if !anchors.contains_key(name.as_str()) {
                *node = Node::Scalar(Scalar {
                    text: "null".to_string(),
                    meaning: Meaning::Null,
                });
            }
        }
    }
}

/// What a document means to Helm.
pub fn meaning(map: &Map) -> Meaning {
    let mut anchors = BTreeMap::new();
    map_meaning(map, &mut anchors)
}

fn map_meaning(map: &Map, anchors: &mut BTreeMap<String, Meaning>) -> Meaning {
    let mut entries = BTreeMap::new();
    for entry in &map.entries {
        let value = node_meaning(&entry.value, anchors);
        entries.insert(entry.key_meaning().to_string(), value);
    }
    // Keys written in the map win over merged ones; of the merged maps, the first wins.
    for name in &map.merges {
        if let Some(Meaning::Map(merged)) = anchors.get(name) {
            for (key, value) in merged {
                entries.entry(key.clone()).or_insert_with(|| value.clone());
            }
        }
    }
    Meaning::Map(entries)
}

fn node_meaning(node: &Node, anchors: &mut BTreeMap<String, Meaning>) -> Meaning {
    match node {
        Node::Scalar(scalar) => scalar.meaning.clone(),
        Node::Block(text) => Meaning::Str(text.clone()),
        Node::Map(map) => map_meaning(map, anchors),
        Node::List { items, .. } => Meaning::List(
            items
                .iter()
                .map(|item| node_meaning(item, anchors))
                .collect(),
        ),
        Node::FlowList(items) => {
            Meaning::List(items.iter().map(|item| item.meaning.clone()).collect())
        }
        Node::Anchor(name, inner) => {
            let value = node_meaning(inner, anchors);
            anchors.insert(name.clone(), value.clone());
            value
        }
        Node::Alias(name) => anchors[name].clone(),
    }
}

/// The YAML text of a document.
pub fn to_yaml(map: &Map, header: Option<&str>) -> String {
    let mut out = String::new();
    if let Some(header) = header {
        // A comment block separated from the first key belongs to the document.
        let _ = writeln!(out, "# {header}\n");
    }
    if map.entries.is_empty() && map.merges.is_empty() {
        out.push_str("{}\n");
        return out;
    }
    write_map(&mut out, map, 0, false);
    out
}

fn indent(out: &mut String, column: usize) {
    out.extend(std::iter::repeat_n(' ', column));
}

/// Writes a map's entries at `column`; with `inline`, the first line continues the current one
/// (after a list item's `- `).
fn write_map(out: &mut String, map: &Map, column: usize, inline: bool) {
    let mut first = true;
    for name in &map.merges {
        if !(first && inline) {
            indent(out, column);
        }
        let _ = writeln!(out, "<<: *{name}");
        first = false;
    }
    for entry in &map.entries {
        if let Some(comment) = &entry.comment
            && !(first && inline)
        {
            for line in comment.lines() {
                indent(out, column);
                let _ = writeln!(out, "# {line}");
            }
            indent(out, column);
        } else if !(first && inline) {
            indent(out, column);
        }
        first = false;
        out.push_str(&entry.key.text);
        out.push(':');
        write_value(out, &entry.value, column, entry.trailing.as_deref());
    }
}

/// Writes what follows `key:` or `- `: a scalar on the same line, or a collection on the lines
/// after it.
fn write_value(out: &mut String, node: &Node, column: usize, trailing: Option<&str>) {
    let end_line = |out: &mut String| {
        if let Some(comment) = trailing {
            let _ = write!(out, " # {comment}");
        }
        out.push('\n');
    };
    match node {
        Node::Scalar(scalar) => {
            if !scalar.text.is_empty() {
                out.push(' ');
                out.push_str(&scalar.text);
            }
            end_line(out);
        }
        Node::Alias(name) => {
            let _ = write!(out, " *{name}");
            end_line(out);
        }
        Node::FlowList(items) => {
            let texts: Vec<&str> = items.iter().map(|item| item.text.as_str()).collect();
            let _ = write!(out, " [{}]", texts.join(", "));
            end_line(out);
        }
        Node::Block(text) => write_block(out, text, column),
        Node::Map(map) if map.entries.is_empty() && map.merges.is_empty() => {
            out.push_str(" {}");
            end_line(out);
        }
        Node::Map(map) => {
            out.push('\n');
            write_map(out, map, column + 2, false);
        }
        Node::List { items, .. } if items.is_empty() => {
            out.push_str(" []");
            end_line(out);
        }
        Node::List { items, compact } => {
            out.push('\n');
            write_list(
                out,
                items,
                if *compact { column } else { column + 2 },
                false,
            );
        }
        Node::Anchor(name, inner) => {
            let _ = write!(out, " &{name}");
            write_value(out, inner, column, trailing);
        }
    }
}

/// Writes list items with their dashes at `column`.
fn write_list(out: &mut String, items: &[Node], column: usize, inline: bool) {
    for (index, item) in items.iter().enumerate() {
        if index > 0 || !inline {
            indent(out, column);
        }
        out.push('-');
        match item {
            Node::Map(map) if !map.entries.is_empty() || !map.merges.is_empty() => {
                out.push(' ');
                write_map(out, map, column + 2, true);
            }
            Node::List { items, .. } if !items.is_empty() => {
                out.push(' ');
                write_list(out, items, column + 2, true);
            }
            other => write_value(out, &in_list_item(other), column, None),
        }
    }
}

/// A node as it may follow `- `: a list there cannot be compact (its dashes at the column of
/// the item's own dash would be the next item), also behind an anchor (`- &a` and the list on
/// the lines after it).
fn in_list_item(node: &Node) -> Node {
    match node {
        Node::List { items, .. } => Node::List {
            items: items.clone(),
            compact: false,
        },
        Node::Anchor(name, inner) => Node::Anchor(name.clone(), Box::new(in_list_item(inner))),
        other => other.clone(),
    }
}

/// A literal block: `|` keeps one final line feed, `|-` none, `|+` all of them.
fn write_block(out: &mut String, text: &str, column: usize) {
    let content = text.trim_end_matches('\n');
    let chomping = match text.len() - content.len() {
        0 => "-",
        1 => "",
        _ => "+",
    };
    let _ = writeln!(out, " |{chomping}");
    for line in content.split('\n') {
        if !line.is_empty() {
            indent(out, column + 2);
            out.push_str(line);
        }
        out.push('\n');
    }
    for _ in 1..(text.len() - content.len()) {
        out.push('\n');
    }
}
