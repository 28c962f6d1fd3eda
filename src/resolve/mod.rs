//! Resolution: declarations, the override graph, and the merged values of every layer and
//! community, each value knowing the assignments that produced it.
//!
//! Resolution order, for a community: its platform, its archetype chain from the root to the
//! leaf, its mixins in the order listed, then the community itself.

mod error;
mod graph;
pub mod lower;
pub mod merge;
pub mod value;

use std::collections::{BTreeMap, HashMap};

pub use error::ResolveError;
use lower::{Layer, Lowering, OpKind};
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

/// Resolves every declaration of the files. Problems are returned; resolution goes on around
/// them, so a broken community does not hide the problems of the others.
pub fn resolve(
    files: &[FileInput<'_>],
    schema: &Schema,
    names: &mut Interner,
) -> (Fleet, Vec<ResolveError>) {
    let mut errors = Vec::new();
    check_imports(files, &mut errors);
    let mut decls = declare(files, names, &mut errors);
    link(&mut decls, files, names, &mut errors);
    let communities = order_communities(&mut decls, names, &mut errors);
    let (order, broken) = graph::order(&decls, &mut errors);
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
    for &id in &order {
        resolve_properties(&mut fleet, id);
    }
    for &id in &order {
        if fleet.decl(id).kind == DeclKind::Cluster {
            // A cluster's type comes from its provider, one of its own values.
            resolve_values(&mut fleet, id, schema, names, &mut errors);
            fleet.roots[id.0 as usize] = cluster_root_type(&fleet, id, schema, names, &mut errors);
            continue;
        }
        let root = root_type(&fleet, id, chart_key, schema, names, &mut errors);
        fleet.roots[id.0 as usize] = root;
        resolve_values(&mut fleet, id, schema, names, &mut errors);
    }
    (fleet, errors)
}

fn check_imports(files: &[FileInput<'_>], errors: &mut Vec<ResolveError>) {
    let mut known: Vec<String> = files.iter().map(|file| file.module.clone()).collect();
    known.extend(
        crate::stdlib::MODULES
            .iter()
            .map(|(module, _)| module.to_string()),
    );
    for file in files {
        for item in &file.ast.items {
            let ast::ItemKind::Import(import) = &item.kind else {
                continue;
            };
            let module: Vec<&str> = import.path.iter().map(|part| part.name.as_str()).collect();
            let module = module.join(".");
            if known.contains(&module) {
                continue;
            }
            let help = match crate::diagnostics::suggest::did_you_mean(
                &module,
                known.iter().map(String::as_str),
            ) {
                Some(suggestion) => format!("did you mean `{suggestion}`?"),
                None => "modules are `std.NAME` for the standard library, or a path from the fleet root such as `archetypes.course` for `archetypes/course.hub`".to_string(),
            };
            let span = import.path[0]
                .span
                .to(import.path[import.path.len() - 1].span);
            errors.push(ResolveError::UnknownImport {
                module,
                at: Loc::new(file.file, span),
                help,
            });
        }
    }
}

/// The namespaces of declaration names: a chart, a layer and a cluster may share a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Namespace {
    Charts,
    Layers,
    Clusters,
}

impl Namespace {
    /// Communities have none: they are named per cluster.
    fn of(kind: DeclKind) -> Option<Namespace> {
        match kind {
            DeclKind::Chart => Some(Namespace::Charts),
            DeclKind::Platform | DeclKind::Archetype | DeclKind::Mixin => Some(Namespace::Layers),
            DeclKind::Cluster => Some(Namespace::Clusters),
            DeclKind::Community => None,
        }
    }
}

/// Creates a declaration for every item and lowers its body.
fn declare(
    files: &[FileInput<'_>],
    names: &mut Interner,
    errors: &mut Vec<ResolveError>,
) -> Vec<Decl> {
    let mut decls: Vec<Decl> = Vec::new();
    let mut namespaces: HashMap<(Namespace, Symbol), DeclId> = HashMap::new();
    for file in files {
        for item in &file.ast.items {
            let ast::ItemKind::Decl(decl) = &item.kind else {
                continue;
            };
            let id = DeclId(decls.len() as u32);
            let name = names.intern(&decl.name.name);
            if matches!(decl.kind, DeclKind::Community | DeclKind::Cluster)
                && !is_file_name(&decl.name.name)
            {
                errors.push(ResolveError::InvalidName {
                    name: decl.name.name.clone(),
                    kind: decl.kind.keyword(),
                    at: Loc::new(file.file, decl.name.span),
                });
            }
            if let Some(namespace) = Namespace::of(decl.kind) {
                if let Some(&first) = namespaces.get(&(namespace, name)) {
                    let first: &Decl = &decls[first.0 as usize];
                    errors.push(ResolveError::DuplicateDeclaration {
                        name: decl.name.name.clone(),
                        at: Loc::new(file.file, decl.name.span),
                        first: first.loc(),
                        help: "rename one of them; platforms, archetypes and mixins share one namespace across the fleet, clusters another, charts a third".to_string(),
                    });
                    continue;
                }
                namespaces.insert((namespace, name), id);
            }
            let mut lowering = Lowering {
                names,
                errors,
                file: file.file,
                decl: id,
                kind: decl.kind,
            };
            let layer = lowering.layer(&decl.body);
            let deprecated = item.annotations.iter().find_map(|annotation| {
                (annotation.name.name == "deprecated").then(|| {
                    annotation
                        .args
                        .iter()
                        .find_map(|argument| match &argument.kind {
                            ast::ValueKind::Str { value, .. } => Some(value.clone()),
                            _ => None,
                        })
                        .unwrap_or_default()
                })
            });
            decls.push(Decl {
                kind: decl.kind,
                name,
                display: decl.name.name.clone(),
                file: file.file,
                name_span: decl.name.span,
                span: item.span,
                doc: item.doc.as_ref().map(|doc| doc.text.clone()),
                parent: None,
                mixins: Vec::new(),
                cluster: None,
                layer,
                deprecated,
            });
            check_duplicate_assignments(decls.last().expect("just pushed"), names, errors);
        }
    }
    decls
}

/// Whether a name can be one part of a path: communities and clusters name emitted files.
pub fn is_file_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Within one declaration a leaf may be set once (a `delete` before setting it again is fine).
fn check_duplicate_assignments(decl: &Decl, names: &Interner, errors: &mut Vec<ResolveError>) {
    for ops in [&decl.layer.ops, &decl.layer.properties] {
        if ops.len() < 2 {
            continue;
        }
        // Ordered by path, so a `delete` finds what it removes by a range, not a scan.
        let mut set: BTreeMap<Vec<Symbol>, Loc> = BTreeMap::new();
        for op in ops {
            match &op.kind {
                OpKind::Set(node) => {
                    let mut prefix = op.path.clone();
                    node.for_each_leaf(&mut prefix, &mut |path, leaf| {
                        let at = leaf.place_or(op.origin);
                        if let Some(first) = set.insert(path.to_vec(), at) {
                            errors.push(ResolveError::DuplicateAssignment {
                                path: path_text(path, names),
                                decl: format!("`{}`", decl.display),
                                at,
                                first,
                            });
                        }
                    });
                }
                OpKind::Delete => value::remove_under(&mut set, &op.path),
                OpKind::Append(_) => {}
            }
        }
    }
}

/// Finds the parent, mixins and cluster of every declaration.
fn link(
    decls: &mut [Decl],
    files: &[FileInput<'_>],
    names: &mut Interner,
    errors: &mut Vec<ResolveError>,
) {
    let mut by_name: HashMap<(Namespace, Symbol), DeclId> = HashMap::new();
    for (index, decl) in decls.iter().enumerate() {
        if let Some(namespace) = Namespace::of(decl.kind) {
            by_name
                .entry((namespace, decl.name))
                .or_insert(DeclId(index as u32));
        }
    }
    let cluster_key = names.intern("cluster");
    // Walk the AST again for the names as written, with their spans.
    let mut index = 0;
    for file in files {
        for item in &file.ast.items {
            let ast::ItemKind::Decl(ast_decl) = &item.kind else {
                continue;
            };
            let Some(decl) = decls.get(index) else {
                return;
            };
            if decl.file != file.file || decl.name_span != ast_decl.name.span {
                // A duplicate that was not declared.
                continue;
            }
            let id = DeclId(index as u32);
            index += 1;
            let resolver = Linker {
                decls,
                by_name: &by_name,
                names,
                file: file.file,
            };
            let parent = ast_decl.parent.as_ref().and_then(|parent| {
                let wanted: &[DeclKind] = match ast_decl.kind {
                    DeclKind::Chart => &[DeclKind::Chart],
                    DeclKind::Platform => &[DeclKind::Platform],
                    DeclKind::Archetype => &[DeclKind::Platform, DeclKind::Archetype],
                    _ => &[DeclKind::Archetype],
                };
                resolver.find(parent, wanted, errors)
            });
            let mixins: Vec<DeclId> = ast_decl
                .mixins
                .iter()
                .filter_map(|mixin| resolver.find(mixin, &[DeclKind::Mixin], errors))
                .collect();
            let mut cluster = None;
            if ast_decl.kind == DeclKind::Community {
                let cluster_op = decls[id.0 as usize]
                    .layer
                    .properties
                    .iter()
                    .find(|op| op.path == [cluster_key]);
                match cluster_op {
                    Some(op) => {
                        if let OpKind::Set(node) = &op.kind
                            && let Some(Scalar::Reference(name) | Scalar::Str(name)) =
                                node.as_scalar()
                        {
                            let at = node.provenance().map_or(op.origin.span, |p| p.origin.span);
                            let written = ast::Ident {
                                name: name.to_string(),
                                span: at,
                                quoted: false,
                            };
                            cluster = resolver.find(&written, &[DeclKind::Cluster], errors);
                        }
                    }
                    None => errors.push(ResolveError::MissingCluster {
                        community: ast_decl.name.name.clone(),
                        at: Loc::new(file.file, ast_decl.name.span),
                    }),
                }
            }
            let decl = &mut decls[id.0 as usize];
            decl.parent = parent;
            decl.mixins = mixins;
            decl.cluster = cluster;
        }
    }
    link_charts(decls, &by_name, names);
}

/// A platform that extends nothing starts from the defaults of its chart, when the fleet
/// declares that chart: `chart = "basehub"` makes `chart basehub` its parent.
fn link_charts(
    decls: &mut [Decl],
    by_name: &HashMap<(Namespace, Symbol), DeclId>,
    names: &Interner,
) {
    let Some(chart_key) = names.get("chart") else {
        return;
    };
    for decl in decls.iter_mut() {
        if decl.kind != DeclKind::Platform || decl.parent.is_some() {
            continue;
        }
        let chart = decl.layer.properties.iter().find_map(|op| match &op.kind {
            OpKind::Set(node) if op.path == [chart_key] => match node.as_scalar() {
                Some(Scalar::Str(text) | Scalar::Reference(text)) => names.get(text),
                _ => None,
            },
            _ => None,
        });
        if let Some(&chart) = chart.and_then(|chart| by_name.get(&(Namespace::Charts, chart))) {
            decl.parent = Some(chart);
        }
    }
}

struct Linker<'a> {
    decls: &'a [Decl],
    by_name: &'a HashMap<(Namespace, Symbol), DeclId>,
    names: &'a Interner,
    file: FileId,
}

impl Linker<'_> {
    fn find(
        &self,
        written: &ast::Ident,
        wanted: &[DeclKind],
        errors: &mut Vec<ResolveError>,
    ) -> Option<DeclId> {
        let expected = describe_kinds(wanted);
        let namespace = wanted
            .first()
            .copied()
            .and_then(Namespace::of)
            .unwrap_or(Namespace::Layers);
        let at = Loc::new(self.file, written.span);
        let found = self
            .names
            .get(&written.name)
            .and_then(|symbol| self.by_name.get(&(namespace, symbol)));
        let Some(&id) = found else {
            let candidates = self
                .decls
                .iter()
                .filter(|decl| wanted.contains(&decl.kind))
                .map(|decl| self.names.resolve(decl.name));
            let help = match crate::diagnostics::suggest::did_you_mean(&written.name, candidates) {
                Some(suggestion) => format!("did you mean `{suggestion}`?"),
                None => format!("declare the {expected}, or check the spelling"),
            };
            errors.push(ResolveError::UnknownName {
                expected,
                name: written.name.clone(),
                at,
                help,
            });
            return None;
        };
        let decl = &self.decls[id.0 as usize];
        if !wanted.contains(&decl.kind) {
            errors.push(ResolveError::WrongKind {
                name: written.name.clone(),
                expected,
                found: decl.kind.keyword(),
                at,
                declared: decl.loc(),
                help: match wanted {
                    [DeclKind::Archetype] => {
                        "a community extends an archetype; mixins go after `with`".to_string()
                    }
                    [DeclKind::Mixin] => "only mixins can be listed after `with`".to_string(),
                    _ => format!("name a {expected} here"),
                },
            });
            return None;
        }
        Some(id)
    }
}

fn describe_kinds(kinds: &[DeclKind]) -> &'static str {
    match kinds {
        [DeclKind::Platform] => "platform",
        [DeclKind::Platform, DeclKind::Archetype] => "platform or archetype",
        [DeclKind::Archetype] => "archetype",
        [DeclKind::Mixin] => "mixin",
        [DeclKind::Chart] => "chart",
        _ => "cluster",
    }
}

/// Sorts communities by `cluster/name`, names them so, and reports two of one name on one
/// cluster.
fn order_communities(
    decls: &mut [Decl],
    names: &Interner,
    errors: &mut Vec<ResolveError>,
) -> Vec<DeclId> {
    let mut communities: Vec<(String, DeclId)> = decls
        .iter()
        .enumerate()
        .filter(|(_, decl)| decl.kind == DeclKind::Community)
        .map(|(index, decl)| {
            let cluster = decl
                .cluster
                .map_or("?", |cluster| names.resolve(decls[cluster.0 as usize].name));
            (
                format!("{cluster}/{}", names.resolve(decl.name)),
                DeclId(index as u32),
            )
        })
        .collect();
    communities.sort();
    for (display, id) in &communities {
        decls[id.0 as usize].display = display.clone();
    }
    for pair in communities.windows(2) {
        if pair[0].0 == pair[1].0 {
            let first = &decls[pair[0].1.0 as usize];
            let second = &decls[pair[1].1.0 as usize];
            errors.push(ResolveError::DuplicateDeclaration {
                name: pair[1].0.clone(),
                at: second.loc(),
                first: first.loc(),
                help: "rename one of them; a community's name must be unique on its cluster"
                    .to_string(),
            });
        }
    }
    communities.into_iter().map(|(_, id)| id).collect()
}

fn resolve_properties(fleet: &mut Fleet, id: DeclId) {
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
    fleet.properties[id.0 as usize] = tree;
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
    names: &mut Interner,
    errors: &mut Vec<ResolveError>,
) -> Option<TypeId> {
    let decl = fleet.decl(id);
    if matches!(decl.kind, DeclKind::Cluster | DeclKind::Mixin) {
        return None;
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
            .any(|op| op.path == [chart_key]);
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
                .find(|op| op.path == [chart_key]);
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

/// Merges the layers of one declaration: its parent's values, then (for a community) its
/// mixins, then its own operations.
fn resolve_values(
    fleet: &mut Fleet,
    id: DeclId,
    schema: &Schema,
    names: &Interner,
    errors: &mut Vec<ResolveError>,
) {
    let index = id.0 as usize;
    let decl = fleet.decl(id);
    let types = Types {
        schema,
        root: fleet.roots[index],
    };
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
                let mut prefix = op.path.clone();
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
            OpKind::Append(_) => op.path == path,
            OpKind::Set(node) => {
                let mut sets_it = false;
                node.for_each_leaf(&mut op.path.clone(), &mut |leaf_path, _| {
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
    fleet.values[index] = tree;
    fleet.before_own[index] = before_own;
    fleet.decided[index] = decided_paths;
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
