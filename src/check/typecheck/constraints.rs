//! The cross-field constraints of structs (`a <= b`), checked on the merged values of each
//! declaration, and the comparison of two values they need.

use std::collections::HashSet;

use super::Checker;
use super::conform::{location, quantity_of};
use crate::check::error::CheckError;
use crate::check::quantity::Measure;
use crate::check::schema::{Step, Type, TypeId};
use crate::intern::Symbol;
use crate::resolve::Fleet;
use crate::resolve::lower::{Op, OpKind};
use crate::resolve::value::{DeclId, Node, NodeKind, Scalar, path_text, value_text};
use crate::source::Loc;

impl Checker<'_> {
    /// Evaluates the `check` rules of every struct on the paths this declaration sets, against
    /// the values it ends up with.
    pub(super) fn constraints(&mut self, fleet: &Fleet, id: DeclId, root: TypeId) {
        let tree = fleet.values(id);
        let mut seen: HashSet<Vec<Symbol>> = HashSet::new();
        // A community's tree also holds what its mixins set; their paths are checked in it.
        let decl = fleet.decl(id);
        let ops = decl
            .mixins
            .iter()
            .flat_map(|&mixin| fleet.decl(mixin).layer.ops.iter())
            .chain(&decl.layer.ops);
        for op in ops {
            self.merged_elements(tree, root, op);
            // A map literal may set a struct deeper than the statement's path: every leaf's
            // path is walked.
            let mut leaf_paths = Vec::new();
            match &op.kind {
                OpKind::Set(node) => node.for_each_leaf(&mut op.path.to_vec(), &mut |path, _| {
                    leaf_paths.push(path.to_vec());
                }),
                _ => leaf_paths.push(op.path.to_vec()),
            }
            for leaf_path in &leaf_paths {
                self.constraints_along(tree, root, leaf_path, op, &mut seen);
            }
        }
    }

    /// Evaluates the constraints of every struct on the way from the root to `path`.
    fn constraints_along(
        &mut self,
        tree: &Node,
        root: TypeId,
        path: &[Symbol],
        op: &Op,
        seen: &mut HashSet<Vec<Symbol>>,
    ) {
        let mut ty = root;
        for depth in 0..=path.len() {
            let prefix = &path[..depth];
            if let Some(body) = self.schema.as_struct(ty)
                && !body.checks.is_empty()
                && seen.insert(prefix.to_vec())
                && let Some(instance) = tree.lookup(prefix)
            {
                for rule in &body.checks {
                    self.constraint(instance, ty, prefix, rule, op);
                }
            }
            let Some(&key) = path.get(depth) else {
                break;
            };
            match self.schema.step(ty, key) {
                Step::Found(next) => ty = next,
                _ => break,
            }
        }
    }

    /// The elements of a keyed list this operation sets, once merged, must have their
    /// required fields.
    fn merged_elements(&mut self, tree: &Node, root: TypeId, op: &Op) {
        let Some(ty) = self.schema.type_at(root, &op.path) else {
            return;
        };
        let Type::List {
            element,
            keyed_by: Some(_),
        } = self.schema.get(ty)
        else {
            return;
        };
        let Some(body) = self.schema.as_struct(*element) else {
            return;
        };
        let Some(NodeKind::List(elements)) = tree.lookup(&op.path).map(Node::kind) else {
            return;
        };
        let written = |node: &&Node| !matches!(node.as_scalar(), Some(Scalar::Placeholder(_)));
        for merged in elements.iter().filter(written) {
            for field in body.fields.iter().filter(|field| field.required) {
                if merged.get(field.key).is_none() {
                    self.errors.push(CheckError::MissingField {
                        path: path_text(&op.path, self.names),
                        field: self.names.resolve(field.key).to_string(),
                        at: location(merged, op),
                    });
                }
            }
        }
    }

    fn constraint(
        &mut self,
        instance: &Node,
        ty: TypeId,
        prefix: &[Symbol],
        rule: &crate::check::schema::Constraint,
        op: &Op,
    ) {
        let (Some(left), Some(right)) = (instance.lookup(&rule.left), instance.lookup(&rule.right))
        else {
            return;
        };
        let measure = self
            .schema
            .type_at(ty, &rule.left)
            .and_then(|field| self.schema.measure(field));
        let Some(ordering) = compare_nodes(left, right, measure) else {
            return;
        };
        if rule.op.holds(ordering) {
            return;
        }
        // Point at the side this declaration set, and at where the other side comes from.
        let set_here = |node: &Node| {
            node.provenance()
                .is_some_and(|p| p.origin.decl == op.origin.decl)
        };
        let (here, other) = if set_here(left) || !set_here(right) {
            (left, right)
        } else {
            (right, left)
        };
        let mut left_path = prefix.to_vec();
        left_path.extend(&rule.left);
        let mut right_path = prefix.to_vec();
        right_path.extend(&rule.right);
        self.errors.push(CheckError::Constraint {
            left: path_text(&left_path, self.names),
            left_value: value_text(left, self.names),
            op: rule.op.as_str(),
            right: path_text(&right_path, self.names),
            right_value: value_text(right, self.names),
            at: location(here, op),
            other: other
                .provenance()
                .map(|p| Loc::new(p.origin.file, p.origin.span)),
            rule: Loc::new(rule.file, rule.span),
        });
    }
}

/// Compares two scalars: quantities of one measure, or numbers.
pub fn compare_nodes(
    left: &Node,
    right: &Node,
    measure: Option<Measure>,
) -> Option<std::cmp::Ordering> {
    let (left, right) = (left.as_scalar()?, right.as_scalar()?);
    if let Some(measure) = measure {
        let left = quantity_of(left, measure)?;
        let right = quantity_of(right, measure)?;
        return left.compare(&right);
    }
    // Without a schema, two quantities with units compare under the first measure both fit.
    if let (Scalar::Quantity { .. }, Scalar::Quantity { .. }) = (left, right) {
        return [Measure::Memory, Measure::Duration, Measure::Cpu]
            .into_iter()
            .find_map(|measure| {
                quantity_of(left, measure)?.compare(&quantity_of(right, measure)?)
            });
    }
    match (left, right) {
        (Scalar::Int(l), Scalar::Int(r)) => Some(l.cmp(r)),
        (Scalar::Int(l), Scalar::Float(r)) => (*l as f64).partial_cmp(r),
        (Scalar::Float(l), Scalar::Int(r)) => l.partial_cmp(&(*r as f64)),
        (Scalar::Float(l), Scalar::Float(r)) => l.partial_cmp(r),
        (Scalar::Date { .. }, Scalar::Date { .. }) => Some(
            crate::resolve::value::scalar_text(left)
                .cmp(&crate::resolve::value::scalar_text(right)),
        ),
        _ => None,
    }
}
