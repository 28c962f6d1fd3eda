//! Values lowered into nodes: scalars, lists and maps with their provenance, and the calls
//! `image(...)` and `secret(...)`.

use std::collections::BTreeMap;
use std::ops::Bound::{Excluded, Unbounded};
use std::sync::Arc;

use super::{FUNCTIONS, Lowering};
use crate::intern::Symbol;
use crate::resolve::error::ResolveError;
use crate::resolve::value::{Node, NodeKind, Provenance, Scalar};
use crate::source::Span;
use crate::syntax::ast::{self, Value, ValueKind};

impl Lowering<'_> {
    /// Lowers a value; every leaf records the span it was written at.
    pub fn value(&mut self, value: &Value) -> Option<Node> {
        let leaf = |lowering: &Self, scalar: Scalar| Some(lowering.leaf(scalar, value.span));
        match &value.kind {
            ValueKind::Str { value: text, .. } => leaf(self, Scalar::Str(text.as_str().into())),
            ValueKind::Int(int) => leaf(self, Scalar::Int(*int)),
            ValueKind::Float(float) => leaf(self, Scalar::Float(*float)),
            ValueKind::Bool(boolean) => leaf(self, Scalar::Bool(*boolean)),
            ValueKind::Null => leaf(self, Scalar::Null),
            ValueKind::Quantity { number, unit } => leaf(
                self,
                Scalar::Quantity {
                    number: number.as_str().into(),
                    unit: unit.as_str().into(),
                },
            ),
            ValueKind::Date { year, month, day } => leaf(
                self,
                Scalar::Date {
                    year: *year,
                    month: *month,
                    day: *day,
                },
            ),
            ValueKind::Reference(parts) => {
                let joined: Vec<&str> = parts.iter().map(|part| part.name.as_str()).collect();
                leaf(self, Scalar::Reference(joined.join(".").into()))
            }
            ValueKind::List(values) => {
                let elements: Option<Vec<Node>> = values.iter().map(|v| self.value(v)).collect();
                Some(Node::new(
                    NodeKind::List(elements?),
                    Some(self.provenance(value.span)),
                ))
            }
            ValueKind::Map(entries) => {
                let map = self.map(entries)?;
                Some(Node::new(
                    map.kind().clone(),
                    Some(self.provenance(value.span)),
                ))
            }
            ValueKind::Tagged { tag, entries } => {
                // `gcp { ... }` is `{ gcp = { ... } }`.
                let inner = self.map(entries)?;
                let key = self.names.intern(&tag.name);
                Some(Node::new(NodeKind::Map(vec![(key, inner)]), None))
            }
            ValueKind::Call { name, args } => self.call(name, args, value.span),
        }
    }

    fn leaf(&self, scalar: Scalar, span: Span) -> Node {
        Node::new(NodeKind::Scalar(scalar), Some(self.provenance(span)))
    }

    fn provenance(&self, span: Span) -> Arc<Provenance> {
        Arc::new(Provenance {
            origin: self.origin(span),
            previous: None,
        })
    }

    fn map(&mut self, entries: &[ast::Entry]) -> Option<Node> {
        let mut tree = Node::empty_map();
        // By path, so the entries an entry collides with (at, above or below its path) are found
        // by lookups and a range rather than a scan of every earlier entry.
        let mut seen: BTreeMap<Vec<Symbol>, Span> = BTreeMap::new();
        for entry in entries {
            let path: Vec<Symbol> = entry
                .path
                .keys
                .iter()
                .map(|key| self.names.intern(&key.name))
                .collect();
            let node = self.value(&entry.value)?;
            // Two entries of one literal may not write the same place.
            let above = (1..=path.len()).filter_map(|len| seen.get(&path[..len]));
            let below = seen
                .range::<[Symbol], _>((Excluded(path.as_slice()), Unbounded))
                .take_while(|(other, _)| other.starts_with(&path))
                .map(|(_, span)| span);
            if let Some(first) = above.chain(below).min_by_key(|span| span.start) {
                self.errors.push(ResolveError::DuplicateAssignment {
                    path: crate::resolve::value::path_text(&path, self.names),
                    decl: "the same map".to_string(),
                    at: self.loc(entry.path.span),
                    first: self.loc(*first),
                });
                continue;
            }
            seen.insert(path.clone(), entry.path.span);
            tree = crate::resolve::merge::insert(tree, &path, node);
        }
        Some(tree)
    }

    fn call(&mut self, name: &ast::Ident, args: &[Value], span: Span) -> Option<Node> {
        let text_argument = match args {
            [only] => match &only.kind {
                ValueKind::Str { value, .. } => Some(value.as_str()),
                _ => None,
            },
            _ => None,
        };
        match (name.name.as_str(), text_argument) {
            ("image", Some(reference)) => {
                let (repository, tag) = split_image(reference);
                let mut entries = vec![(
                    self.names.intern("name"),
                    self.leaf(Scalar::Str(repository.into()), span),
                )];
                if let Some(tag) = tag {
                    entries.push((
                        self.names.intern("tag"),
                        self.leaf(Scalar::Str(tag.into()), span),
                    ));
                }
                entries.sort_by_key(|(key, _)| *key);
                Some(Node::new(NodeKind::Map(entries), None))
            }
            ("secret", Some(file)) => Some(self.leaf(Scalar::Secret(file.into()), span)),
            // Reported, and kept as a value of any type: nothing else is reported missing or
            // mistyped for a value still to be written.
            ("todo", Some(what)) => {
                self.errors.push(ResolveError::Placeholder {
                    what: what.to_string(),
                    at: self.loc(span),
                });
                Some(self.leaf(Scalar::Placeholder(what.into()), span))
            }
            ("image" | "secret" | "todo", None) => {
                let example = match name.name.as_str() {
                    "image" => "image(\"quay.io/jupyter/scipy-notebook:2026-10-07\")",
                    "secret" => "secret(\"enc-prod.secret.values.yaml\")",
                    _ => "todo(\"the hub's domain\")",
                };
                self.errors.push(ResolveError::BadArguments {
                    function: name.name.clone(),
                    expected: "one string",
                    at: self.loc(span),
                    help: format!("write `{example}`"),
                });
                None
            }
            (other, _) => {
                let help = match crate::diagnostics::suggest::did_you_mean(
                    other,
                    FUNCTIONS.iter().copied(),
                ) {
                    Some(suggestion) => format!("did you mean `{suggestion}`?"),
                    None => {
                        "the functions are `image(\"repo:tag\")`, `secret(\"file\")` and `todo(\"what\")`"
                            .to_string()
                    }
                };
                self.errors.push(ResolveError::UnknownFunction {
                    name: other.to_string(),
                    at: self.loc(name.span),
                    help,
                });
                None
            }
        }
    }
}

/// Splits `repo:tag` at the last `:` that comes after the last `/`, so registry ports stay in
/// the repository (`host:5000/image:tag`). A digest (`repo@sha256:...`) is a tag of its own.
pub fn split_image(reference: &str) -> (&str, Option<&str>) {
    if let Some((repository, digest)) = reference.split_once('@') {
        return (repository, Some(digest));
    }
    let last_slash = reference.rfind('/').map_or(0, |index| index + 1);
    match reference[last_slash..].rfind(':') {
        Some(colon) => {
            let at = last_slash + colon;
            (&reference[..at], Some(&reference[at + 1..]))
        }
        None => (reference, None),
    }
}
