//! Type checking: every assignment of every declaration against the schema of its chart, and
//! the cross-field constraints of the structs they touch.

use std::collections::HashSet;

use super::error::CheckError;
use super::quantity::{Measure, Quantity};
use super::schema::{Schema, Step, Type, TypeId};
use crate::diagnostics::suggest::did_you_mean;
use crate::intern::{FastMap, Interner, Symbol};
use crate::resolve::Fleet;
use crate::resolve::lower::{Op, OpKind};
use crate::resolve::value::{DeclId, Node, NodeKind, Scalar, path_text, value_text};
use crate::source::Loc;
use crate::syntax::ast::DeclKind;

/// Checks the values every declaration sets. Mixins are checked against the chart of the first
/// community that uses them.
pub fn check(fleet: &Fleet, schema: &Schema, names: &Interner) -> Vec<CheckError> {
    let mut checker = Checker {
        schema,
        names,
        errors: Vec::new(),
        cluster: None,
    };
    // What a declaration whose chart is unknown (a mixin, or a community whose archetype did
    // not resolve) is checked against: the values schema of the fleet's first platform.
    let fallback = fleet
        .decls
        .iter()
        .enumerate()
        .filter(|(_, decl)| decl.kind == DeclKind::Platform)
        .find_map(|(index, _)| fleet.root_type(DeclId(index as u32)));
    let mixin_roots = mixin_roots(fleet);
    for (index, decl) in fleet.decls.iter().enumerate() {
        let id = DeclId(index as u32);
        if decl.kind == DeclKind::Cluster {
            // A cluster is checked against the schema of its provider, when one is loaded.
            let root = fleet.root_type(id);
            checker.cluster = Some(ClusterPlace {
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
                checker.op(if is_raw { None } else { root }, op);
            }
            continue;
        }
        checker.cluster = None;
        let root = match decl.kind {
            DeclKind::Mixin => mixin_roots.get(&id).copied().flatten().or(fallback),
            _ => fleet.root_type(id).or(fallback),
        };
        for op in &decl.layer.ops {
            checker.op(root, op);
        }
        checker.properties(&decl.layer.properties);
        if let Some(root) = root
            && decl.kind != DeclKind::Mixin
        {
            checker.constraints(fleet, id, root);
        }
    }
    checker.errors
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

/// Key names whose literal values are credentials.
const CREDENTIAL_KEYS: &[&str] = &[
    "password",
    "token",
    "client_secret",
    "api_key",
    "apikey",
    "api_token",
    "secret_key",
    "access_key",
    "private_key",
    "auth_token",
    "secrettoken",
];

impl Checker<'_> {
    fn op(&mut self, root: Option<TypeId>, op: &Op) {
        self.literal_secrets(op);
        let Some(root) = root else {
            return;
        };
        let Some(ty) = self.walk(root, op) else {
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
    fn walk(&mut self, root: TypeId, op: &Op) -> Option<TypeId> {
        let mut ty = root;
        for (index, &key) in op.path.iter().enumerate() {
            let at = Loc::new(op.origin.file, op.key_spans[index]);
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

    /// Checks that `node` has type `ty`. `whole` is true for list elements, which are complete
    /// values, so their required fields must be there.
    fn conform(&mut self, node: &Node, ty: TypeId, path: &[Symbol], op: &Op, whole: bool) {
        let at = location(node, op);
        match (self.schema.get(ty), node.kind()) {
            (Type::Any, _) => {}
            (Type::Union(alternatives), _) => {
                let alternatives = alternatives.clone();
                let mut best: Option<Vec<CheckError>> = None;
                for alternative in alternatives {
                    let mut trial = Checker {
                        schema: self.schema,
                        names: self.names,
                        errors: Vec::new(),
                        cluster: self.cluster.clone(),
                    };
                    trial.conform(node, alternative, path, op, whole);
                    if trial.errors.is_empty() {
                        return;
                    }
                    // A map checked against a struct alternative explains itself best, and a
                    // quantity against a quantity type.
                    let is_map_match = matches!(node.kind(), NodeKind::Map(_))
                        && self.schema.as_struct(alternative).is_some();
                    let is_quantity_match =
                        matches!(node.as_scalar(), Some(Scalar::Quantity { .. }))
                            && self.schema.measure(alternative).is_some();
                    if (is_map_match || is_quantity_match) && best.is_none() {
                        best = Some(trial.errors);
                    }
                }
                match best {
                    Some(errors) => self.errors.extend(errors),
                    None => self.mismatch(node, ty, path, at),
                }
            }
            (Type::Struct(body), NodeKind::Map(entries)) => {
                for (key, child) in entries {
                    let mut child_path = path.to_vec();
                    child_path.push(*key);
                    match body.fields.iter().find(|field| field.key == *key) {
                        Some(field) => {
                            let field_type = field.ty;
                            self.conform(child, field_type, &child_path, op, whole);
                        }
                        None if body.open => {}
                        None => {
                            let known: Vec<Symbol> = body.fields.iter().map(|f| f.key).collect();
                            self.unknown_key(*key, path, &known, location(child, op));
                        }
                    }
                }
                if whole {
                    for field in body.fields.iter().filter(|field| field.required) {
                        if !entries.iter().any(|(key, _)| *key == field.key) {
                            self.errors.push(CheckError::MissingField {
                                path: path_text(path, self.names),
                                field: self.names.resolve(field.key).to_string(),
                                at,
                            });
                        }
                    }
                }
            }
            (Type::Map(value_type), NodeKind::Map(entries)) => {
                let value_type = *value_type;
                for (key, child) in entries {
                    let mut child_path = path.to_vec();
                    child_path.push(*key);
                    self.conform(child, value_type, &child_path, op, whole);
                }
            }
            (Type::List { element, keyed_by }, NodeKind::List(elements)) => {
                // Elements of a keyed list may be partial: they merge into inherited elements
                // with the same key, so their required fields are checked once merged.
                let (element, whole) = (*element, keyed_by.is_none());
                for element_node in elements {
                    self.conform(element_node, element, path, op, whole);
                }
            }
            (Type::Image, NodeKind::Map(entries)) => {
                let allowed = ["name", "tag", "pullPolicy", "pullSecrets"];
                for (key, child) in entries {
                    if !allowed.contains(&self.names.resolve(*key)) {
                        let known: Vec<Symbol> = allowed
                            .iter()
                            .filter_map(|name| self.names.get(name))
                            .collect();
                        self.unknown_key(*key, path, &known, location(child, op));
                    }
                }
            }
            (
                Type::Matching {
                    base,
                    pattern,
                    source,
                },
                _,
            ) => {
                let (base, pattern, source) = (*base, pattern.clone(), source.clone());
                let errors_before = self.errors.len();
                self.conform(node, base, path, op, whole);
                if self.errors.len() == errors_before
                    && let Some(Scalar::Str(text)) = node.as_scalar()
                    && !pattern.is_match(text)
                {
                    self.errors.push(CheckError::PatternMismatch {
                        path: path_text(path, self.names),
                        pattern: source.to_string(),
                        at,
                    });
                }
            }
            (_, NodeKind::Scalar(scalar)) => self.scalar(scalar, node, ty, path, at),
            _ => self.mismatch(node, ty, path, at),
        }
    }

    fn scalar(&mut self, scalar: &Scalar, node: &Node, ty: TypeId, path: &[Symbol], at: Loc) {
        let measure = match self.schema.get(ty) {
            Type::Memory | Type::BinaryMemory => Some(Measure::Memory),
            Type::Cpu | Type::Cores => Some(Measure::Cpu),
            Type::Duration => Some(Measure::Duration),
            _ => None,
        };
        if let Some(measure) = measure {
            let parts = match scalar {
                Scalar::Quantity { number, unit } => Some((number.to_string(), unit.to_string())),
                Scalar::Int(int) => Some((int.to_string(), String::new())),
                Scalar::Float(float) => Some((float.to_string(), String::new())),
                _ => None,
            };
            match parts {
                Some((number, unit)) => {
                    if let Err(error) = Quantity::parse(&number, &unit, measure) {
                        self.errors.push(CheckError::BadQuantity {
                            path: path_text(path, self.names),
                            reason: error.to_string(),
                            at,
                            help: quantity_help(measure),
                        });
                    }
                }
                None => self.mismatch(node, ty, path, at),
            }
            return;
        }
        let fits = match (self.schema.get(ty), scalar) {
            (Type::String, Scalar::Str(_)) => true,
            (Type::Int, Scalar::Int(_)) => true,
            (Type::Float, Scalar::Int(_) | Scalar::Float(_)) => true,
            (Type::Bool, Scalar::Bool(_)) => true,
            (Type::Null, Scalar::Null) => true,
            (Type::Date, Scalar::Date { .. }) => true,
            (Type::Secret, Scalar::Secret(_)) => true,
            (Type::Url, Scalar::Str(text)) => {
                text.starts_with("https://") || text.starts_with("http://")
            }
            (Type::Literal(expected), actual) => expected == actual,
            _ => false,
        };
        if !fits {
            self.mismatch(node, ty, path, at);
        }
    }

    fn mismatch(&mut self, node: &Node, ty: TypeId, path: &[Symbol], at: Loc) {
        let expected = self.schema.describe(ty, self.names);
        let found = describe_node(node, self.names);
        let is_quantity = self.schema.measure(ty).is_some();
        let help = match (self.schema.get(ty), node.as_scalar()) {
            (_, Some(Scalar::Str(text))) if is_quantity => {
                Some(format!("write the quantity without quotes: `{text}`"))
            }
            (Type::String, Some(Scalar::Quantity { number, unit })) => {
                Some(format!("quote it if it is text: `\"{number}{unit}\"`"))
            }
            (Type::String, Some(Scalar::Int(int))) => Some(format!("quote it: `\"{int}\"`")),
            (Type::String, Some(Scalar::Reference(name))) => {
                Some(format!("quote it: `\"{name}\"`"))
            }
            _ => Some(format!(
                "write {expected} here, or remove the assignment to keep the inherited value"
            )),
        };
        self.errors.push(CheckError::TypeMismatch {
            path: path_text(path, self.names),
            expected,
            found,
            at,
            help,
        });
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
        let mut prefix = op.path.clone();
        let names = self.names;
        let mut found = Vec::new();
        node.for_each_leaf(&mut prefix, &mut |path, leaf| {
            let Some(last) = path.last() else {
                return;
            };
            let key = names.resolve(*last).to_ascii_lowercase();
            let is_credential_key = CREDENTIAL_KEYS.contains(&key.as_str())
                || key.ends_with("_password")
                || key.ends_with("_token")
                || key.ends_with("_secret");
            if is_credential_key
                && let Some(Scalar::Str(text)) = leaf.as_scalar()
                && text.len() >= 8
            {
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

    /// Evaluates the `check` rules of every struct on the paths this declaration sets, against
    /// the values it ends up with.
    fn constraints(&mut self, fleet: &Fleet, id: DeclId, root: TypeId) {
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
                OpKind::Set(node) => node.for_each_leaf(&mut op.path.clone(), &mut |path, _| {
                    leaf_paths.push(path.to_vec());
                }),
                _ => leaf_paths.push(op.path.clone()),
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
        for merged in elements {
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
        rule: &super::schema::Constraint,
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

/// A scalar read as a quantity of `measure`, if it is one.
pub fn quantity_of(scalar: &Scalar, measure: Measure) -> Option<Quantity> {
    match scalar {
        Scalar::Quantity { number, unit } => Quantity::parse(number, unit, measure).ok(),
        Scalar::Int(int) => Quantity::parse(&int.to_string(), "", measure).ok(),
        Scalar::Float(float) => Quantity::parse(&float.to_string(), "", measure).ok(),
        _ => None,
    }
}

fn quantity_help(measure: Measure) -> String {
    match measure {
        Measure::Memory => {
            "write memory as bytes or with a unit such as `512Mi`, `4Gi` or `4G`".into()
        }
        Measure::Cpu => "write cpu as cores (`2`, `0.5`) or millicores (`500m`)".into(),
        Measure::Duration => {
            "write a duration as seconds or with a unit such as `90s`, `30m` or `1h`".into()
        }
    }
}

/// Where a node was written, falling back to its operation.
fn location(node: &Node, op: &Op) -> Loc {
    if let Some(provenance) = node.provenance() {
        return Loc::new(provenance.origin.file, provenance.origin.span);
    }
    let mut found = None;
    let mut prefix = Vec::new();
    node.for_each_leaf(&mut prefix, &mut |_, leaf| {
        if found.is_none() {
            found = leaf
                .provenance()
                .map(|p| Loc::new(p.origin.file, p.origin.span));
        }
    });
    found.unwrap_or(Loc::new(op.origin.file, op.origin.span))
}

/// A short description of a value for messages: `string "4G"`, `a list`, `a map`.
pub fn describe_node(node: &Node, names: &Interner) -> String {
    match node.kind() {
        NodeKind::Scalar(scalar) => {
            let kind = match scalar {
                Scalar::Str(_) => "string",
                Scalar::Int(_) => "integer",
                Scalar::Float(_) => "float",
                Scalar::Bool(_) => "boolean",
                Scalar::Null => return "`null`".to_string(),
                Scalar::Quantity { .. } => "quantity",
                Scalar::Date { .. } => "date",
                Scalar::Secret(_) => "secret",
                Scalar::Reference(_) => "name",
            };
            format!("{kind} `{}`", value_text(node, names))
        }
        NodeKind::List(_) => "a list".to_string(),
        NodeKind::Map(_) => "a map".to_string(),
    }
}
