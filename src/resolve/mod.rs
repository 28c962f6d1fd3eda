//! Resolution: declarations, the override graph, and the merged values of every layer and
//! community, each value knowing the assignments that produced it.
//!
//! Resolution order, for a community: its platform, its archetype chain from the root to the
//! leaf, its mixins in the order listed, then the community itself.

pub mod declare;
mod error;
mod graph;
pub mod lower;
pub mod merge;
pub mod value;

pub use declare::is_file_name;

pub use error::ResolveError;
use lower::{Layer, OpKind};
use merge::Types;
use value::{DeclId, Node, Scalar, path_text};

use crate::intern::{FastMap, Interner, Symbol};
use crate::schema::{Schema, TypeId};
use crate::source::{FileId, Loc, Span};
use crate::syntax::ast::{self, DeclKind};

/// One parsed file of the compilation and the module name it is imported by.
pub struct FileInput<'a> {
    pub file: FileId,
    /// `std.jupyterhub` for the standard library, `archetypes.course` for `archetypes/course.hub`.
    pub module: String,
    pub ast: &'a ast::File,
}

/// A platform, archetype, mixin, community or cluster.
#[derive(Debug)]
pub struct Decl {
    pub kind: DeclKind,
    pub name: Symbol,
    /// How messages name it: `leap/prod` for a community, the name otherwise.
    pub display: String,
    pub file: FileId,
    pub name_span: Span,
    pub span: Span,
    pub doc: Option<String>,
    pub parent: Option<DeclId>,
    pub mixins: Vec<DeclId>,
    pub cluster: Option<DeclId>,
    pub layer: Layer,
    /// `@deprecated("...")` on the declaration.
    pub deprecated: Option<String>,
    /// A standard instance type that one of the fleet's own takes the place of.
    pub shadowed: bool,
}

impl Decl {
    pub fn loc(&self) -> Loc {
        Loc::new(self.file, self.name_span)
    }
}

/// The resolved fleet.
#[derive(Debug)]
pub struct Fleet {
    pub decls: Vec<Decl>,
    /// Communities in the order `cluster/name`.
    pub communities: Vec<DeclId>,
    /// The merged chart values of each declaration: for a platform or archetype its whole chain,
    /// for a community everything it ends up with. Mixins and clusters hold their own values.
    pub values: Vec<Node>,
    /// The merged properties (chart, cluster, domain, display_name, secrets), likewise.
    pub properties: Vec<Node>,
    /// The schema type of the values of each declaration, from its platform's chart.
    pub roots: Vec<Option<TypeId>>,
    /// Declarations that are part of a cycle or extend a broken parent: not resolved.
    pub broken: Vec<bool>,
    /// For a community with mixins, its values after the mixins and before its own statements:
    /// what it would have without them.
    pub before_own: Vec<Option<Node>>,
    /// For a community, the paths its mixins set differently and its own statements decide.
    pub decided: Vec<Vec<Vec<Symbol>>>,
}

impl Fleet {
    pub fn decl(&self, id: DeclId) -> &Decl {
        &self.decls[id.0 as usize]
    }

    pub fn values(&self, id: DeclId) -> &Node {
        &self.values[id.0 as usize]
    }

    pub fn properties(&self, id: DeclId) -> &Node {
        &self.properties[id.0 as usize]
    }

    pub fn root_type(&self, id: DeclId) -> Option<TypeId> {
        self.roots[id.0 as usize]
    }

    /// The chain of layers from the root platform down to `id` (inclusive).
    pub fn chain(&self, id: DeclId) -> Vec<DeclId> {
        let mut chain = vec![id];
        let mut next = self.decl(id).parent;
        while let Some(parent) = next {
            if chain.contains(&parent) {
                break;
            }
            chain.push(parent);
            next = self.decl(parent).parent;
        }
        chain.reverse();
        chain
    }

    /// A text property of a declaration, such as `chart` or `domain`.
    pub fn text_property(&self, id: DeclId, key: Symbol) -> Option<&str> {
        match self.properties(id).get(key)?.as_scalar()? {
            Scalar::Str(text) | Scalar::Reference(text) => Some(text),
            _ => None,
        }
    }

    /// The provider tag of a cluster (`gcp`, `aws`, `azure`, `kubeconfig`), from its `provider`
    /// value: a tagged map (`provider = gcp { ... }`) or a name. `None` when it has no provider.
    pub fn cluster_provider<'a>(&'a self, id: DeclId, names: &'a Interner) -> Option<&'a str> {
        let provider = self.values(id).get(names.get("provider")?)?;
        match provider.kind() {
            value::NodeKind::Map(entries) if entries.len() == 1 => {
                Some(names.resolve(entries[0].0))
            }
            value::NodeKind::Scalar(Scalar::Str(kind) | Scalar::Reference(kind)) => Some(kind),
            _ => None,
        }
    }

    /// The Terraform module of a cluster: its `terraform_provider`, else its provider's tag
    /// (`kubeconfig` clusters have none unless they name one).
    pub fn cluster_module<'a>(&'a self, id: DeclId, names: &'a Interner) -> Option<&'a str> {
        let explicit = names
            .get("terraform_provider")
            .and_then(|key| self.values(id).get(key))
            .and_then(|node| match node.as_scalar()? {
                Scalar::Str(text) | Scalar::Reference(text) => Some(&**text),
                _ => None,
            });
        explicit.or_else(|| {
            self.cluster_provider(id, names)
                .filter(|kind| *kind != "kubeconfig")
        })
    }

    /// Finds a community by `cluster/name`, or by `name` when only one community has it.
    pub fn find_community(&self, wanted: &str, names: &Interner) -> Result<DeclId, Vec<String>> {
        let matches: Vec<DeclId> = self
            .communities
            .iter()
            .copied()
            .filter(|&id| {
                let decl = self.decl(id);
                decl.display == wanted || names.resolve(decl.name) == wanted
            })
            .collect();
        match matches.as_slice() {
            [only] => Ok(*only),
            [] => Err(Vec::new()),
            several => Err(several
                .iter()
                .map(|&id| self.decl(id).display.clone())
                .collect()),
        }
    }
}

/// The schema of the values of a chart: `daskhub` nests the basehub values, so both use
/// `schema basehub`.
pub fn values_schema_of_chart(chart: &str) -> &str {
    match chart {
        "daskhub" => "basehub",
        other => other,
    }
}

/// The schema of the variables of a Terraform module: `terraform_` and the module's name, with
/// every character that cannot be in an identifier replaced by `_`.
pub fn module_schema_name(module: &str) -> String {
    let sanitized: String = module
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("terraform_{sanitized}")
}

/// Resolution a file at a time, for a caller that lets each file's tree go once it is declared:
/// [`Resolution::declare`] declares the files in their order, [`Resolution::check_imports`]
/// checks what every file imports, [`Resolution::finish`] links and resolves them. Problems are
/// returned; resolution goes on around them, so a broken community does not hide the problems
/// of the others.
#[derive(Default)]
pub struct Resolution {
    declarer: declare::Declarer,
    errors: Vec<ResolveError>,
}

/// A file's imports, as [`Resolution::check_imports`] reads them.
pub struct Importing<'a> {
    pub file: FileId,
    pub module: &'a str,
    pub imports: &'a [crate::syntax::ModuleImport],
}

impl Resolution {
    /// Reports each import of `files` that names no module of theirs nor of the standard
    /// library.
    pub fn check_imports(&mut self, files: &[Importing<'_>]) {
        declare::check_imports(files, &mut self.errors);
    }

    /// Declares the items of `file` and lowers their bodies; its tree is not read again.
    pub fn declare(&mut self, file: &FileInput<'_>, names: &mut Interner) {
        self.declarer.file(file, names, &mut self.errors);
    }

    pub fn finish(self, schema: &Schema, names: &mut Interner) -> (Fleet, Vec<ResolveError>) {
        let Resolution { declarer, errors } = self;
        let (decls, headers) = declarer.finish();
        link_and_resolve(decls, &headers, schema, names, errors)
    }
}

fn link_and_resolve(
    mut decls: Vec<Decl>,
    headers: &[declare::Header],
    schema: &Schema,
    names: &mut Interner,
    mut errors: Vec<ResolveError>,
) -> (Fleet, Vec<ResolveError>) {
    let phase = crate::timings::phase("link");
    declare::link(&mut decls, headers, names, &mut errors);
    let communities = declare::order_communities(&mut decls, names, &mut errors);
    let (order, broken) = graph::order(&decls, &mut errors);
    drop(phase);
    let phase = crate::timings::phase("resolve layers");
    let mut fleet = Fleet {
        values: vec![Node::empty_map(); decls.len()],
        properties: vec![Node::empty_map(); decls.len()],
        roots: vec![None; decls.len()],
        before_own: vec![None; decls.len()],
        decided: vec![Vec::new(); decls.len()],
        broken,
        decls,
        communities,
    };
    let chart_key = names.intern("chart");
    let names: &Interner = names;
    // Nothing extends a community or mixes one in: the layers are resolved first, in order, then
    // the communities over them, each alone. The problems of each declaration are kept apart
    // and reported in the order of `order`, whatever the number of threads.
    let (layers, communities_in_order): (Vec<DeclId>, Vec<DeclId>) = order
        .iter()
        .partition(|&&id| fleet.decl(id).kind != DeclKind::Community);
    let mut found: Vec<Vec<ResolveError>> = (0..fleet.decls.len()).map(|_| Vec::new()).collect();
    for &id in &layers {
        fleet.properties[id.0 as usize] = merged_properties(&fleet, id);
    }
    for &id in &layers {
        let errors = &mut found[id.0 as usize];
        if fleet.decl(id).kind == DeclKind::Cluster {
            // A cluster's type comes from its provider, one of its own values.
            resolve_values(&mut fleet, id, schema, names, errors);
            fleet.roots[id.0 as usize] = cluster_root_type(&fleet, id, schema, names, errors);
            continue;
        }
        let root = root_type(&fleet, id, chart_key, schema, names, errors);
        fleet.roots[id.0 as usize] = root;
        resolve_values(&mut fleet, id, schema, names, errors);
    }
    drop(phase);
    let phase = crate::timings::phase("resolve communities");
    let resolved = resolve_communities(&fleet, &communities_in_order, chart_key, schema, names);
    for (&id, community) in communities_in_order.iter().zip(resolved) {
        let index = id.0 as usize;
        fleet.properties[index] = community.properties;
        fleet.roots[index] = community.root;
        fleet.values[index] = community.values.tree;
        fleet.before_own[index] = community.values.before_own;
        fleet.decided[index] = community.values.decided;
        found[index] = community.errors;
    }
    for id in order {
        errors.append(&mut found[id.0 as usize]);
    }
    drop(phase);
    (fleet, errors)
}

/// What resolution computes for one community, on its own thread.
struct ResolvedCommunity {
    properties: Node,
    root: Option<TypeId>,
    values: MergedValues,
    errors: Vec<ResolveError>,
}

/// Resolves `communities` over the resolved layers of `fleet`, on every core, in their order.
fn resolve_communities(
    fleet: &Fleet,
    communities: &[DeclId],
    chart_key: Symbol,
    schema: &Schema,
    names: &Interner,
) -> Vec<ResolvedCommunity> {
    use rayon::prelude::*;
    communities
        .par_iter()
        .map(|&id| {
            let mut errors = Vec::new();
            let properties = merged_properties(fleet, id);
            let root = root_type(fleet, id, chart_key, schema, names, &mut errors);
            let values = merged_values(fleet, id, root, schema, names, &mut errors);
            ResolvedCommunity {
                properties,
                root,
                values,
                errors,
            }
        })
        .collect()
}

/// A declaration's merged values, and what its own statements decide (see [`Fleet`]).
struct MergedValues {
    tree: Node,
    before_own: Option<Node>,
    decided: Vec<Vec<Symbol>>,
}

/// The merged properties of a declaration: its parent's, then its mixins', then its own.
fn merged_properties(fleet: &Fleet, id: DeclId) -> Node {
    let decl = fleet.decl(id);
    let mut tree = match decl.parent {
        Some(parent) if !fleet.broken[id.0 as usize] => fleet.properties(parent).clone(),
        _ => Node::empty_map(),
    };
    let types = Types {
        schema: &Schema::default(),
        root: None,
    };
    let layers: Vec<DeclId> = decl.mixins.iter().copied().chain([id]).collect();
    for layer in layers {
        for op in &fleet.decl(layer).layer.properties {
            tree = match &op.kind {
                OpKind::Set(node) => merge::set(tree, &op.path, node, types),
                OpKind::Append(node) => {
                    merge::append(tree, &op.path, node).unwrap_or_else(|unchanged| unchanged)
                }
                OpKind::Delete => {
                    merge::delete(tree, &op.path).unwrap_or_else(|unchanged| unchanged)
                }
            };
        }
    }
    tree
}

/// How to load the values schema of a chart.
fn chart_schema_help(schema_name: &str) -> String {
    let std_module = crate::stdlib::MODULES
        .iter()
        .find(|(module, _)| module.strip_prefix("std.") == Some(schema_name));
    match std_module {
        Some((module, _)) => format!("add `import {module}` to load its schema"),
        None => format!("declare `schema {schema_name} {{ ... }}` for the chart's values"),
    }
}

fn root_type(
    fleet: &Fleet,
    id: DeclId,
    chart_key: Symbol,
    schema: &Schema,
    names: &Interner,
    errors: &mut Vec<ResolveError>,
) -> Option<TypeId> {
    let decl = fleet.decl(id);
    if matches!(decl.kind, DeclKind::Cluster | DeclKind::Mixin) {
        return None;
    }
    if decl.kind == DeclKind::InstanceType {
        // Checked against `schema instance_type` where `std.instances` (or the fleet) declares
        // it.
        return names
            .get("instance_type")
            .and_then(|symbol| schema.schema(symbol));
    }
    if decl.kind == DeclKind::Chart {
        // A chart's values are those of its own name, whatever chart it extends.
        let schema_name = values_schema_of_chart(&decl.display);
        let root = names
            .get(schema_name)
            .and_then(|symbol| schema.schema(symbol));
        if root.is_none() {
            errors.push(ResolveError::UnknownChart {
                chart: decl.display.clone(),
                at: Loc::new(decl.file, decl.name_span),
                help: chart_schema_help(schema_name),
            });
        }
        return root;
    }
    if let Some(parent) = decl.parent {
        // Only a platform that sets its own chart needs its own check.
        let sets_chart = decl
            .layer
            .properties
            .iter()
            .any(|op| *op.path == [chart_key]);
        if !sets_chart {
            return fleet.root_type(parent);
        }
    }
    if fleet.broken[id.0 as usize] || decl.kind != DeclKind::Platform {
        return decl.parent.and_then(|parent| fleet.root_type(parent));
    }
    let Some(chart) = fleet.text_property(id, chart_key).map(str::to_string) else {
        errors.push(ResolveError::MissingChart {
            platform: decl.display.clone(),
            at: decl.loc(),
        });
        return None;
    };
    let schema_name = values_schema_of_chart(&chart);
    match names
        .get(schema_name)
        .and_then(|symbol| schema.schema(symbol))
    {
        Some(root) => Some(root),
        None => {
            let chart_op = decl
                .layer
                .properties
                .iter()
                .find(|op| *op.path == [chart_key]);
            let at = chart_op.map_or(decl.loc(), |op| Loc::new(op.origin.file, op.origin.span));
            let help = chart_schema_help(schema_name);
            errors.push(ResolveError::UnknownChart { chart, at, help });
            None
        }
    }
}

/// A cluster's body is typed by `schema cluster_<provider>` (from `std.clusters`; a cluster with
/// no provider by `cluster_without_provider`) together with `schema terraform_<module>`, the
/// variables of its Terraform module. Without the first, a cluster's settings are not checked;
/// without the second, its variables are not, and the missing schema is reported.
fn cluster_root_type(
    fleet: &Fleet,
    id: DeclId,
    schema: &Schema,
    names: &Interner,
    errors: &mut Vec<ResolveError>,
) -> Option<TypeId> {
    let kind = fleet
        .cluster_provider(id, names)
        .unwrap_or("without_provider");
    let manifest = schema.schema(names.get(&format!("cluster_{kind}"))?)?;
    let Some(module) = fleet.cluster_module(id, names) else {
        return Some(manifest);
    };
    let module_schema = module_schema_name(module);
    if let Some(variables) = names
        .get(&module_schema)
        .and_then(|symbol| schema.schema(symbol))
    {
        return schema.cluster_type(manifest, Some(variables));
    }
    // A cluster that sets no variable needs no schema for them.
    let manifest_key = names.get("manifest");
    let sets_variables = fleet.values(id).as_map().is_some_and(|entries| {
        entries.iter().any(|(key, _)| {
            Some(*key) != manifest_key
                && !matches!(schema.step(manifest, *key), crate::schema::Step::Found(_))
        })
    });
    if !sets_variables {
        return Some(manifest);
    }
    let decl = fleet.decl(id);
    let at = ["terraform_provider", "provider"]
        .iter()
        .filter_map(|key| names.get(key))
        .find_map(|key| {
            decl.layer
                .ops
                .iter()
                .find(|op| op.path.first() == Some(&key))
        })
        .map_or(decl.loc(), |op| Loc::new(op.origin.file, op.origin.span));
    let standard = crate::stdlib::module("std.terraform")
        .is_some_and(|text| text.contains(&format!("schema {module_schema} ")));
    let help = if standard {
        format!(
            "add `import std.terraform` for the variables of 2i2c's `{module}` module, or declare `schema {module_schema} {{ ... }}` with those of your own"
        )
    } else {
        format!(
            "declare `schema {module_schema} {{ ... }}` with the module's variables (`hubc import` writes one from `terraform/{module}/variables.tf`)"
        )
    };
    errors.push(ResolveError::UnknownModule {
        module: module.to_string(),
        at,
        help,
    });
    schema.cluster_type(manifest, None)
}

/// Merges the layers of one declaration, whose root type is resolved, into the fleet.
fn resolve_values(
    fleet: &mut Fleet,
    id: DeclId,
    schema: &Schema,
    names: &Interner,
    errors: &mut Vec<ResolveError>,
) {
    let index = id.0 as usize;
    let merged = merged_values(fleet, id, fleet.roots[index], schema, names, errors);
    fleet.values[index] = merged.tree;
    fleet.before_own[index] = merged.before_own;
    fleet.decided[index] = merged.decided;
}

/// Merges the layers of one declaration: its parent's values, then (for a community) its
/// mixins, then its own operations.
fn merged_values(
    fleet: &Fleet,
    id: DeclId,
    root: Option<TypeId>,
    schema: &Schema,
    names: &Interner,
    errors: &mut Vec<ResolveError>,
) -> MergedValues {
    let index = id.0 as usize;
    let decl = fleet.decl(id);
    let types = Types { schema, root };
    let mut tree = match decl.parent {
        Some(parent) if !fleet.broken[index] => fleet.values(parent).clone(),
        _ => Node::empty_map(),
    };
    let mut mixin_leaves: FastMap<Vec<Symbol>, (DeclId, Node, Loc)> = FastMap::default();
    let mut conflicts = Vec::new();
    for &mixin in &decl.mixins {
        for op in &fleet.decl(mixin).layer.ops {
            tree = apply(tree, op, types, names, errors);
            if let OpKind::Set(node) = &op.kind {
                let mut prefix = op.path.to_vec();
                node.for_each_leaf(&mut prefix, &mut |path, leaf| {
                    let at = leaf.place_or(op.origin);
                    let entry = (mixin, leaf.clone(), at);
                    if let Some((other, other_leaf, other_at)) =
                        mixin_leaves.insert(path.to_vec(), entry)
                        && other != mixin
                        && !other_leaf.same_value(leaf)
                    {
                        conflicts.push((path.to_vec(), other, other_at, mixin, at));
                    }
                });
            }
        }
    }
    let own_ops = &decl.layer.ops;
    let mut decided_paths = Vec::new();
    for (path, first_mixin, first, second_mixin, second) in conflicts {
        // The community decides when it sets this very value, replaces a value above it, or
        // deletes one; merging a map above it does not decide.
        let decided = own_ops.iter().any(|op| match &op.kind {
            OpKind::Delete => path.starts_with(&op.path),
            OpKind::Append(_) => *op.path == path[..],
            OpKind::Set(node) => {
                let mut sets_it = false;
                node.for_each_leaf(&mut op.path.to_vec(), &mut |leaf_path, _| {
                    sets_it |= path.starts_with(leaf_path);
                });
                sets_it
            }
        });
        if decided {
            decided_paths.push(path);
        } else {
            errors.push(ResolveError::MixinConflict {
                path: path_text(&path, names),
                community: decl.display.clone(),
                first_mixin: fleet.decl(first_mixin).display.clone(),
                second_mixin: fleet.decl(second_mixin).display.clone(),
                at: decl.loc(),
                first,
                second,
            });
        }
    }
    let before_own = (!decl.mixins.is_empty()).then(|| tree.clone());
    for op in own_ops {
        tree = apply(tree, op, types, names, errors);
    }
    MergedValues {
        tree,
        before_own,
        decided: decided_paths,
    }
}

fn apply(
    tree: Node,
    op: &lower::Op,
    types: Types<'_>,
    names: &Interner,
    errors: &mut Vec<ResolveError>,
) -> Node {
    let at = Loc::new(op.origin.file, op.origin.span);
    match &op.kind {
        OpKind::Set(node) => merge::set(tree, &op.path, node, types),
        // Appending to a list keyed by a field merges by key, like setting it: two elements of
        // one key would make the key meaningless.
        OpKind::Append(node)
            if types
                .root
                .and_then(|root| types.schema.type_at(root, &op.path))
                .and_then(|ty| types.schema.keyed_by(ty))
                .is_some() =>
        {
            merge::set(tree, &op.path, node, types)
        }
        OpKind::Append(node) => match merge::append(tree, &op.path, node) {
            Ok(appended) => appended,
            Err(tree) => {
                let base = tree
                    .lookup(&op.path)
                    .and_then(Node::provenance)
                    .map(|p| Loc::new(p.origin.file, p.origin.span));
                errors.push(ResolveError::AppendToNonList {
                    path: path_text(&op.path, names),
                    at,
                    base,
                });
                tree
            }
        },
        OpKind::Delete => match merge::delete(tree, &op.path) {
            Ok(deleted) => deleted,
            Err(tree) => {
                let (parent_path, last) = op.path.split_at(op.path.len() - 1);
                let siblings = tree
                    .lookup(parent_path)
                    .and_then(Node::as_map)
                    .map(|entries| {
                        entries
                            .iter()
                            .map(|(key, _)| names.resolve(*key))
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default();
                let help = match crate::diagnostics::suggest::did_you_mean(
                    names.resolve(last[0]),
                    siblings.iter().copied(),
                ) {
                    Some(suggestion) => format!("did you mean `{suggestion}`?"),
                    None => "remove the `delete`, or check the path".to_string(),
                };
                errors.push(ResolveError::DeleteMissing {
                    path: path_text(&op.path, names),
                    at,
                    help,
                });
                tree
            }
        },
    }
}
