//! Type checking: every assignment of every declaration against the schema of its chart, and
//! the cross-field constraints of the structs they touch.
//!
//! This file walks each assignment down the schema and checks keys, cluster properties and
//! literal secrets; `conform.rs` checks that a value fits its type, and `constraints.rs`
//! evaluates the cross-field rules on the merged values.

mod conform;
mod constraints;

use super::error::CheckError;
use super::schema::{Schema, Step, Type, TypeId};
use crate::diagnostics::suggest::did_you_mean;
use crate::intern::{FastMap, Interner, Symbol};
use crate::resolve::Fleet;
use crate::resolve::lower::{Op, OpKind};
use crate::resolve::value::{DeclId, Node, NodeKind, Scalar, path_text};
use crate::source::{Loc, Span};
use crate::syntax::ast::DeclKind;
use conform::location;

pub use conform::{describe_node, quantity_of};
pub use constraints::compare_nodes;

/// Checks the values every declaration sets. Mixins are checked against the chart of the first
/// community that uses them.
pub fn check(fleet: &Fleet, schema: &Schema, names: &Interner) -> Vec<CheckError> {
    use rayon::prelude::*;
    // What a declaration whose chart is unknown (a mixin, or a community whose archetype did
    // not resolve) is checked against: the values schema of the fleet's first platform.
    let fallback = fleet
        .decls
        .iter()
        .enumerate()
        .filter(|(_, decl)| decl.kind == DeclKind::Platform)
        .find_map(|(index, _)| fleet.root_type(DeclId(index as u32)));
    let mixin_roots = mixin_roots(fleet);
    // Each declaration alone, on every core; the errors in the declarations' order.
    (0..fleet.decls.len())
        .into_par_iter()
        .flat_map_iter(|index| {
            let id = DeclId(index as u32);
            let mut checker = Checker {
                schema,
                names,
                errors: Vec::new(),
                cluster: None,
            };
            checker.declaration(fleet, id, &mixin_roots, fallback);
            checker.errors
        })
        .collect()
}

impl Checker<'_> {
    fn declaration(
        &mut self,
        fleet: &Fleet,
        id: DeclId,
        mixin_roots: &FastMap<DeclId, Option<TypeId>>,
        fallback: Option<TypeId>,
    ) {
        let (names, schema) = (self.names, self.schema);
        let decl = fleet.decl(id);
        if decl.kind == DeclKind::Cluster {
            // A cluster is checked against the schema of its provider, when one is loaded.
            let root = fleet.root_type(id);
            self.cluster = Some(ClusterPlace {
                module: fleet.cluster_module(id, names).map(str::to_string),
                manifest: fleet
                    .cluster_provider(id, names)
                    .or(Some("without_provider"))
                    .and_then(|kind| names.get(&format!("cluster_{kind}")))
                    .and_then(|name| schema.schema(name)),
            });
            let manifest = names.get("manifest");
            for op in &decl.layer.ops {
                // `manifest` carries raw deploy-manifest keys verbatim, unchecked.
                let is_raw = manifest.is_some_and(|key| op.path.first() == Some(&key));
                let key_spans = decl.layer.key_spans(op);
                self.op(if is_raw { None } else { root }, op, key_spans);
            }
            return;
        }
        let root = match decl.kind {
            DeclKind::Mixin => mixin_roots.get(&id).copied().flatten().or(fallback),
            // Without `schema instance_type`, an instance type's body is not checked.
            DeclKind::InstanceType => fleet.root_type(id),
            _ => fleet.root_type(id).or(fallback),
        };
        for op in &decl.layer.ops {
            self.op(root, op, decl.layer.key_spans(op));
        }
        self.properties(&decl.layer.properties);
        if let Some(root) = root
            && decl.kind != DeclKind::Mixin
        {
            self.constraints(fleet, id, root);
        }
    }
}

/// What each mixin is checked against: the values schema of the first community using it.
fn mixin_roots(fleet: &Fleet) -> FastMap<DeclId, Option<TypeId>> {
    let mut roots = FastMap::default();
    for &community in &fleet.communities {
        for &mixin in &fleet.decl(community).mixins {
            roots
                .entry(mixin)
                .or_insert_with(|| fleet.root_type(community));
        }
    }
    roots
}

/// Checks that a path (of a `tunable` or `locked` statement) exists in the schema.
pub fn check_path(
    schema: &Schema,
    names: &Interner,
    root: TypeId,
    path: &[Symbol],
    at: Loc,
    errors: &mut Vec<CheckError>,
) {
    let mut checker = Checker {
        schema,
        names,
        errors: Vec::new(),
        cluster: None,
    };
    let mut ty = root;
    for (index, &key) in path.iter().enumerate() {
        match schema.step(ty, key) {
            Step::Found(next) => ty = next,
            Step::Open => break,
            Step::Unknown(known) => {
                checker.unknown_key(key, &path[..index], &known, at);
                break;
            }
            Step::NotAMap => {
                checker.errors.push(CheckError::NotAMap {
                    path: path_text(&path[..index], names),
                    ty: schema.describe(ty, names),
                    at,
                });
                break;
            }
        }
    }
    errors.extend(checker.errors);
}

struct Checker<'a> {
    schema: &'a Schema,
    names: &'a Interner,
    errors: Vec<CheckError>,
    /// Set while the body of a cluster is checked: its keys are settings of the cluster or
    /// variables of its Terraform module, and messages say which.
    cluster: Option<ClusterPlace>,
}

#[derive(Clone)]
struct ClusterPlace {
    /// The Terraform module whose variables the cluster sets.
    module: Option<String>,
    /// The schema of the cluster's own settings, `cluster_<provider>`.
    manifest: Option<TypeId>,
}

/// How many allowed keys a help lists when none is close to an unknown one.
const LISTED_KEYS: usize = 12;

impl Checker<'_> {
    /// Checks one operation; `key_spans` are the spans of the keys of its path.
    fn op(&mut self, root: Option<TypeId>, op: &Op, key_spans: &[Span]) {
        self.literal_secrets(op);
        let Some(root) = root else {
            return;
        };
        let Some(ty) = self.walk(root, op, key_spans) else {
            return;
        };
        match &op.kind {
            OpKind::Set(node) => self.conform(node, ty, &op.path, op, false),
            OpKind::Append(node) => match self.schema.get(ty) {
                Type::List { element, .. } => {
                    let element = *element;
                    let elements: Vec<&Node> = match node.kind() {
                        NodeKind::List(elements) => elements.iter().collect(),
                        _ => vec![node],
                    };
                    for element_node in elements {
                        self.conform(element_node, element, &op.path, op, true);
                    }
                }
                Type::Any => {}
                _ => self.errors.push(CheckError::TypeMismatch {
                    path: path_text(&op.path, self.names),
                    expected: self.schema.describe(ty, self.names),
                    found: "a list to append".to_string(),
                    at: Loc::new(op.origin.file, op.origin.span),
                    help: Some("`+=` appends to lists; use `=` to set this value".to_string()),
                }),
            },
            OpKind::Delete => {}
        }
    }

    /// The type at the op's path, reporting the first step the schema does not allow.
    fn walk(&mut self, root: TypeId, op: &Op, key_spans: &[Span]) -> Option<TypeId> {
        let mut ty = root;
        for (index, &key) in op.path.iter().enumerate() {
            let at = Loc::new(op.origin.file, key_spans[index]);
            match self.schema.step(ty, key) {
                Step::Found(next) => ty = next,
                Step::Open => return None,
                Step::Unknown(known) => {
                    self.unknown_key(key, &op.path[..index], &known, at);
                    return None;
                }
                Step::NotAMap => {
                    self.errors.push(CheckError::NotAMap {
                        path: path_text(&op.path[..index], self.names),
                        ty: self.schema.describe(ty, self.names),
                        at,
                    });
                    return None;
                }
            }
        }
        Some(ty)
    }

    fn unknown_key(&mut self, key: Symbol, parent: &[Symbol], known: &[Symbol], at: Loc) {
        let key_text = self.names.resolve(key);
        let candidates = known.iter().map(|k| self.names.resolve(*k));
        let help = match did_you_mean(key_text, candidates) {
            Some(suggestion) => format!("did you mean `{suggestion}`?"),
            None => {
                let mut listed: Vec<&str> = known.iter().map(|k| self.names.resolve(*k)).collect();
                listed.sort_unstable();
                listed.dedup();
                if listed.len() <= LISTED_KEYS {
                    format!("the keys allowed here are `{}`", listed.join("`, `"))
                } else {
                    format!(
                        "none of the {} keys allowed here is close; the first {LISTED_KEYS} in alphabetical order are `{}`",
                        listed.len(),
                        listed[..LISTED_KEYS].join("`, `")
                    )
                }
            }
        };
        let place = self.place(parent);
        self.errors.push(CheckError::UnknownKey {
            key: key_text.to_string(),
            place,
            at,
            help,
        });
    }

    /// Where an unknown key was found, for its message: under a path, at the top of the chart
    /// values, or among the Terraform variables of a cluster's module.
    fn place(&self, parent: &[Symbol]) -> String {
        let is_variable = self.cluster.as_ref().and_then(|cluster| {
            let is_setting = parent.first().is_some_and(|&first| {
                cluster.manifest.is_some_and(|manifest| {
                    matches!(self.schema.step(manifest, first), Step::Found(_))
                })
            });
            (!is_setting).then_some(cluster.module.as_deref())
        });
        let module = match is_variable {
            Some(Some(module)) => format!("the Terraform variables of module `{module}`"),
            Some(None) => "the settings of the cluster".to_string(),
            None if parent.is_empty() => return "in the chart values".to_string(),
            None => return format!("in `{}`", path_text(parent, self.names)),
        };
        if parent.is_empty() {
            format!("among {module}")
        } else {
            format!("in `{}` of {module}", path_text(parent, self.names))
        }
    }

    /// The properties of hubs have fixed types.
    fn properties(&mut self, ops: &[Op]) {
        for op in ops {
            let key = self.names.resolve(op.path[0]);
            let (OpKind::Set(node) | OpKind::Append(node)) = &op.kind else {
                continue;
            };
            let at = location(node, op);
            let fits = match (key, node.kind()) {
                (_, NodeKind::Scalar(Scalar::Placeholder(_))) => true,
                ("chart" | "domain" | "display_name", NodeKind::Scalar(Scalar::Str(_))) => true,
                ("cluster", NodeKind::Scalar(Scalar::Reference(_) | Scalar::Str(_))) => true,
                (
                    "buckets" | "cloud_permissions" | "chart_values" | "manifest",
                    NodeKind::Map(_),
                ) => true,
                ("secrets" | "secrets_first", NodeKind::List(elements)) => elements
                    .iter()
                    .all(|element| matches!(element.as_scalar(), Some(Scalar::Secret(_)))),
                _ => false,
            };
            let nested_allowed = matches!(
                key,
                "buckets" | "cloud_permissions" | "chart_values" | "manifest"
            );
            if (op.path.len() > 1 && !nested_allowed) || (op.path.len() == 1 && !fits) {
                let expected = match key {
                    "secrets" | "secrets_first" => "a list of `secret(\"file\")`",
                    "buckets" | "cloud_permissions" | "chart_values" | "manifest" => "a map",
                    "cluster" => "a cluster name",
                    _ => "a string",
                };
                self.errors.push(CheckError::TypeMismatch {
                    path: path_text(&op.path, self.names),
                    expected: expected.to_string(),
                    found: describe_node(node, self.names),
                    at,
                    help: Some(format!(
                        "`{key}` is a property of the hub and takes {expected}"
                    )),
                });
            }
        }
    }

    fn literal_secrets(&mut self, op: &Op) {
        let (OpKind::Set(node) | OpKind::Append(node)) = &op.kind else {
            return;
        };
        let mut prefix = op.path.to_vec();
        let names = self.names;
        let mut found = Vec::new();
        node.for_each_leaf(&mut prefix, &mut |path, leaf| {
            let Some(last) = path.last() else {
                return;
            };
            let Some(Scalar::Str(text)) = leaf.as_scalar() else {
                return;
            };
            if crate::check::credential::is_literal_credential(names.resolve(*last), text) {
                found.push((path.to_vec(), location(leaf, op)));
            }
        });
        for (path, at) in found {
            self.errors.push(CheckError::LiteralSecret {
                path: path_text(&path, self.names),
                at,
            });
        }
    }
}
