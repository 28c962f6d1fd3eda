//! Merging layers: maps merge key by key, scalars and lists replace, `+=` appends, lists keyed
//! by a field merge element by key, and `delete` removes a key.
//!
//! Every function here takes a tree and returns it changed, sharing all untouched subtrees with
//! the trees it was built from. A map along the changed path is copied only when another tree
//! shares it (copy on write, `Arc::make_mut`), so a layer's statements cost their own size, not
//! the size of the maps they land in.

use std::sync::Arc;

use crate::intern::Symbol;
use crate::schema::{Schema, TypeId};

use super::value::{Node, NodeKind, Provenance};

/// How a merge finds the type of a path, for lists keyed by a field.
#[derive(Clone, Copy)]
pub struct Types<'a> {
    pub schema: &'a Schema,
    pub root: Option<TypeId>,
}

impl Types<'_> {
    fn child(&self, ty: Option<TypeId>, key: Symbol) -> Option<TypeId> {
        match self.schema.step(ty?, key) {
            crate::schema::Step::Found(next) => Some(next),
            _ => None,
        }
    }
}

/// Sets `path` to `value` in `tree`, replacing what was there, without merging. Used to build
/// map literals.
pub fn insert(tree: Node, path: &[Symbol], value: Node) -> Node {
    update(Some(tree), path, &mut |_| Some(value.clone())).unwrap_or_else(Node::empty_map)
}

/// Sets `path` to `value`, merged over what the tree holds there.
pub fn set(tree: Node, path: &[Symbol], value: &Node, types: Types<'_>) -> Node {
    let ty = types.root.and_then(|root| types.schema.type_at(root, path));
    update(Some(tree), path, &mut |base| {
        Some(merge(base, value, ty, types))
    })
    .unwrap_or_else(Node::empty_map)
}

/// Appends the elements of the list `value` to the list at `path`. Gives the tree back
/// unchanged when it holds something other than a list there.
pub fn append(tree: Node, path: &[Symbol], value: &Node) -> Result<Node, Node> {
    let is_list = match tree.lookup(path).map(Node::kind) {
        None | Some(NodeKind::Scalar(super::value::Scalar::Null) | NodeKind::List(_)) => true,
        Some(_) => false,
    };
    if !is_list {
        return Err(tree);
    }
    let result = update(Some(tree), path, &mut |base| {
        let mut elements = match base.map(Node::kind) {
            Some(NodeKind::List(existing)) => existing.clone(),
            _ => Vec::new(),
        };
        if let NodeKind::List(added) = value.kind() {
            elements.extend(added.iter().cloned());
        } else {
            elements.push(value.clone());
        }
        Some(Node::new(
            NodeKind::List(elements),
            chain(value.provenance(), base.and_then(Node::provenance)),
        ))
    });
    Ok(result.unwrap_or_else(Node::empty_map))
}

/// Removes `path`. Gives the tree back unchanged when there was nothing to remove.
pub fn delete(tree: Node, path: &[Symbol]) -> Result<Node, Node> {
    if tree.lookup(path).is_none() {
        return Err(tree);
    }
    Ok(update(Some(tree), path, &mut |_| None).unwrap_or_else(Node::empty_map))
}

/// Rebuilds the maps along `path`, calling `change` with the node at its end. `change`
/// returning `None` removes the key.
///
/// A map along the path is changed in place when this tree is its only owner, and copied
/// first when it is shared (with a parent layer, or a value kept for later): so a layer of
/// many statements under one map copies that map once, not once per statement.
fn update(
    node: Option<Node>,
    path: &[Symbol],
    change: &mut dyn FnMut(Option<&Node>) -> Option<Node>,
) -> Option<Node> {
    let Some((&key, rest)) = path.split_first() else {
        return change(node.as_ref());
    };
    // A scalar or list in the way is replaced by a map, as a later Helm values file would.
    let mut node = match node {
        Some(node) if matches!(node.kind(), NodeKind::Map(_)) => node,
        _ => Node::empty_map(),
    };
    if let NodeKind::Map(entries) = &mut Arc::make_mut(&mut node.0).kind {
        match entries.binary_search_by_key(&key, |(entry_key, _)| *entry_key) {
            Ok(index) => {
                // Taken out, so that an unshared child is changed in place too.
                let child = std::mem::replace(&mut entries[index].1, Node::empty_map());
                match update(Some(child), rest, change) {
                    Some(new_child) => entries[index].1 = new_child,
                    None => {
                        entries.remove(index);
                    }
                }
            }
            Err(index) => {
                if let Some(new_child) = update(None, rest, change) {
                    entries.insert(index, (key, new_child));
                }
            }
        }
    }
    Some(node)
}

/// Merges `new` over `base`: maps key by key, keyed lists element by key, anything else
/// replaced, with the new provenance chained onto the old.
pub fn merge(base: Option<&Node>, new: &Node, ty: Option<TypeId>, types: Types<'_>) -> Node {
    let Some(base) = base else {
        return new.clone();
    };
    match (base.kind(), new.kind()) {
        (NodeKind::Map(base_entries), NodeKind::Map(new_entries)) => {
            let mut entries = base_entries.clone();
            for (key, value) in new_entries {
                let child_type = types.child(ty, *key);
                match entries.binary_search_by_key(key, |(entry_key, _)| *entry_key) {
                    Ok(index) => {
                        let merged = merge(Some(&entries[index].1), value, child_type, types);
                        entries[index].1 = merged;
                    }
                    Err(index) => entries.insert(index, (*key, value.clone())),
                }
            }
            Node::new(NodeKind::Map(entries), base.0.provenance.clone())
        }
        (NodeKind::List(base_elements), NodeKind::List(new_elements)) => {
            match ty.and_then(|ty| types.schema.keyed_by(ty)) {
                Some(key) => {
                    let element_type = ty.and_then(|ty| match types.schema.get(ty) {
                        crate::schema::Type::List { element, .. } => Some(*element),
                        _ => None,
                    });
                    let merged = merge_keyed(base_elements, new_elements, key, element_type, types);
                    Node::new(
                        NodeKind::List(merged),
                        chain(new.provenance(), base.provenance()),
                    )
                }
                None => replace(base, new),
            }
        }
        _ => replace(base, new),
    }
}

fn replace(base: &Node, new: &Node) -> Node {
    let provenance = chain(new.provenance(), base.provenance());
    if provenance.as_ref().map(Arc::as_ptr) == new.provenance().map(Arc::as_ptr) {
        return new.clone();
    }
    Node::new(new.kind().clone(), provenance)
}

/// Elements with the same key merge in place; new keys are added at the end in their order.
fn merge_keyed(
    base: &[Node],
    new: &[Node],
    key: Symbol,
    element_type: Option<TypeId>,
    types: Types<'_>,
) -> Vec<Node> {
    let mut merged = base.to_vec();
    for element in new {
        let element_key = element.get(key).and_then(Node::as_scalar);
        let existing = element_key.and_then(|wanted| {
            merged
                .iter()
                .position(|candidate| candidate.get(key).and_then(Node::as_scalar) == Some(wanted))
        });
        match existing {
            Some(index) => {
                let combined = merge(Some(&merged[index]), element, element_type, types);
                merged[index] = combined;
            }
            None => merged.push(element.clone()),
        }
    }
    merged
}

/// `new` (a single link, as lowering builds it) in front of the chain `previous`.
fn chain(
    new: Option<&Arc<Provenance>>,
    previous: Option<&Arc<Provenance>>,
) -> Option<Arc<Provenance>> {
    match (new, previous) {
        (Some(new), Some(previous)) => Some(Arc::new(Provenance {
            origin: new.origin,
            previous: Some(previous.clone()),
        })),
        (Some(new), None) => Some(new.clone()),
        (None, previous) => previous.cloned(),
    }
}
