//! Resolved values: trees of shared nodes, each knowing the assignments that produced it.
//!
//! A node is reference counted and never mutated once built. Setting a path in a tree copies
//! only the maps along that path and shares every other subtree, so a community's tree shares
//! almost all of its structure with its archetype's, and resolving a fleet costs time in
//! proportion to its overrides, not to the size of the platform times the number of hubs.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::intern::{Interner, Symbol};
pub use crate::schema::scalar::{Scalar, same_scalar, scalar_text};
use crate::source::{FileId, Span};

/// Index of a declaration (platform, archetype, mixin, community or cluster) in the fleet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeclId(pub u32);

/// One assignment: which declaration made it, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    pub decl: DeclId,
    pub file: FileId,
    pub span: Span,
}

/// The assignments that produced a node, newest first. Chains share their tails: a
/// community's override points at its archetype's chain instead of copying it.
#[derive(Debug, PartialEq)]
pub struct Provenance {
    pub origin: Origin,
    pub previous: Option<Arc<Provenance>>,
}

impl Provenance {
    /// The chain from the first assignment to the last.
    pub fn chain(self: &Arc<Provenance>) -> Vec<Origin> {
        let mut origins = Vec::new();
        let mut next = Some(self);
        while let Some(link) = next {
            origins.push(link.origin);
            next = link.previous.as_ref();
        }
        origins.reverse();
        origins
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Scalar(Scalar),
    List(Vec<Node>),
    /// Entries sorted by symbol, for lookup; emitters sort by key text.
    Map(Vec<(Symbol, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct NodeData {
    pub kind: NodeKind,
    /// The assignments that set this node itself. Maps built only by merging have none.
    pub provenance: Option<Arc<Provenance>>,
}

/// A shared, immutable value tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Node(pub Arc<NodeData>);

impl Node {
    pub fn new(kind: NodeKind, provenance: Option<Arc<Provenance>>) -> Node {
        Node(Arc::new(NodeData { kind, provenance }))
    }

    pub fn empty_map() -> Node {
        Node::new(NodeKind::Map(Vec::new()), None)
    }

    pub fn kind(&self) -> &NodeKind {
        &self.0.kind
    }

    pub fn provenance(&self) -> Option<&Arc<Provenance>> {
        self.0.provenance.as_ref()
    }

    pub fn as_map(&self) -> Option<&[(Symbol, Node)]> {
        match &self.0.kind {
            NodeKind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.0.kind {
            NodeKind::Scalar(scalar) => Some(scalar),
            _ => None,
        }
    }

    /// Where this node was last set, or `fallback` when it was built by merging.
    pub fn place_or(&self, fallback: Origin) -> crate::source::Loc {
        let origin = self.provenance().map_or(fallback, |p| p.origin);
        crate::source::Loc::new(origin.file, origin.span)
    }

    /// The child under `key`, if this is a map that has one.
    pub fn get(&self, key: Symbol) -> Option<&Node> {
        let entries = self.as_map()?;
        entries
            .binary_search_by_key(&key, |(entry_key, _)| *entry_key)
            .ok()
            .map(|index| &entries[index].1)
    }

    /// The node at `path`, if every step exists.
    pub fn lookup(&self, path: &[Symbol]) -> Option<&Node> {
        let mut node = self;
        for &key in path {
            node = node.get(key)?;
        }
        Some(node)
    }

    /// Whether two trees hold the same values, ignoring provenance.
    pub fn same_value(&self, other: &Node) -> bool {
        if Arc::ptr_eq(&self.0, &other.0) {
            return true;
        }
        match (&self.0.kind, &other.0.kind) {
            (NodeKind::Scalar(left), NodeKind::Scalar(right)) => same_scalar(left, right),
            (NodeKind::List(left), NodeKind::List(right)) => {
                left.len() == right.len() && left.iter().zip(right).all(|(l, r)| l.same_value(r))
            }
            (NodeKind::Map(left), NodeKind::Map(right)) => {
                left.len() == right.len()
                    && left
                        .iter()
                        .zip(right)
                        .all(|((lk, lv), (rk, rv))| lk == rk && lv.same_value(rv))
            }
            _ => false,
        }
    }

    /// Calls `visit` with the path and node of every leaf (scalar or list) under this node,
    /// in key order of symbols.
    pub fn for_each_leaf(&self, prefix: &mut Vec<Symbol>, visit: &mut dyn FnMut(&[Symbol], &Node)) {
        match &self.0.kind {
            NodeKind::Map(entries) if !entries.is_empty() => {
                for (key, child) in entries {
                    prefix.push(*key);
                    child.for_each_leaf(prefix, visit);
                    prefix.pop();
                }
            }
            _ => visit(prefix, self),
        }
    }
}

/// Writes a path with dots, quoting keys that need it.
pub fn path_text(path: &[Symbol], names: &Interner) -> String {
    let mut out = String::new();
    for (index, key) in path.iter().enumerate() {
        if index > 0 {
            out.push('.');
        }
        let key = names.resolve(*key);
        if crate::syntax::is_bare_key(key) {
            out.push_str(key);
        } else {
            out.push_str(&crate::syntax::quote(key));
        }
    }
    out
}

/// Writes a value on one line in `.hub` syntax, for messages and `hubc explain`.
pub fn value_text(node: &Node, names: &Interner) -> String {
    let mut out = String::new();
    write_value(node, names, &mut out);
    out
}

fn write_value(node: &Node, names: &Interner, out: &mut String) {
    match node.kind() {
        NodeKind::Scalar(scalar) => out.push_str(&scalar_text(scalar)),
        NodeKind::List(elements) => {
            out.push('[');
            for (index, element) in elements.iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                write_value(element, names, out);
            }
            out.push(']');
        }
        NodeKind::Map(entries) => {
            if entries.is_empty() {
                out.push_str("{}");
                return;
            }
            let mut sorted: Vec<&(Symbol, Node)> = entries.iter().collect();
            sorted.sort_by(|left, right| names.resolve(left.0).cmp(names.resolve(right.0)));
            out.push_str("{ ");
            for (index, (key, value)) in sorted.into_iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                out.push_str(&path_text(&[*key], names));
                out.push_str(" = ");
                write_value(value, names, out);
            }
            out.push_str(" }");
        }
    }
}

/// Removes the entries of `map` at `path` or below it.
pub fn remove_under<V>(map: &mut BTreeMap<Vec<Symbol>, V>, path: &[Symbol]) {
    use std::ops::Bound::{Included, Unbounded};
    while let Some(key) = map
        .range::<[Symbol], _>((Included(path), Unbounded))
        .next()
        .map(|(key, _)| key)
        .filter(|key| key.starts_with(path))
        .cloned()
    {
        map.remove(&key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intern::Interner;

    #[test]
    fn remove_under_removes_the_path_and_what_is_below_it_only() {
        let mut names = Interner::new();
        let mut path =
            |keys: &str| -> Vec<Symbol> { keys.split('.').map(|key| names.intern(key)).collect() };
        let (a, a_b, a_b_c, a_bc, a_c, b) = (
            path("a"),
            path("a.b"),
            path("a.b.c"),
            path("a.bc"),
            path("a.c"),
            path("b"),
        );
        let mut map: BTreeMap<Vec<Symbol>, ()> = [&a_b, &a_b_c, &a_bc, &a_c, &b]
            .into_iter()
            .map(|key| (key.clone(), ()))
            .collect();
        remove_under(&mut map, &a_b);
        let left: Vec<&Vec<Symbol>> = map.keys().collect();
        // In the map's order: by symbol, and `c` was interned before `bc`.
        assert_eq!(left, vec![&a_c, &a_bc, &b]);
        remove_under(&mut map, &a);
        assert_eq!(map.keys().collect::<Vec<_>>(), vec![&b]);
        remove_under(&mut map, &path("z"));
        assert_eq!(map.len(), 1);
    }
}
