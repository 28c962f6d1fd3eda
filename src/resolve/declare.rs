//! Declaring and linking: a declaration for every item of every file, each name in its
//! namespace, then the parent, mixins and cluster each one names, and the communities in
//! `cluster/name` order.

use std::collections::{BTreeMap, HashMap};

use super::error::ResolveError;
use super::lower::{Lowering, OpKind};
use super::value::{self, DeclId, Scalar, path_text};
use super::{Decl, FileInput};
use crate::intern::{Interner, Symbol};
use crate::source::{FileId, Loc};
use crate::syntax::ast::{self, DeclKind};

pub(super) fn check_imports(files: &[super::Importing<'_>], errors: &mut Vec<ResolveError>) {
    let mut known: Vec<&str> = files.iter().map(|file| file.module).collect();
    known.extend(crate::stdlib::MODULES.iter().map(|(module, _)| *module));
    for file in files {
        for import in file.imports {
            let module = import.module.as_str();
            if known.contains(&module) {
                continue;
            }
            let help = match crate::diagnostics::suggest::did_you_mean(module, known.iter().copied())
            {
                Some(suggestion) => format!("did you mean `{suggestion}`?"),
                None => "modules are `std.NAME` for the standard library, or a path from the fleet root such as `archetypes.course` for `archetypes/course.hub`".to_string(),
            };
            errors.push(ResolveError::UnknownImport {
                module: module.to_string(),
                at: Loc::new(file.file, import.span),
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
    InstanceTypes,
}

impl Namespace {
    /// Communities have none: they are named per cluster.
    fn of(kind: DeclKind) -> Option<Namespace> {
        match kind {
            DeclKind::Chart => Some(Namespace::Charts),
            DeclKind::Platform | DeclKind::Archetype | DeclKind::Mixin => Some(Namespace::Layers),
            DeclKind::Cluster => Some(Namespace::Clusters),
            DeclKind::InstanceType => Some(Namespace::InstanceTypes),
            DeclKind::Community => None,
        }
    }
}

/// How a declaration names its parent and mixins, as written: what linking reads, so that the
/// trees need not be kept for it.
pub(super) struct Header {
    parent: Option<ast::Ident>,
    mixins: Vec<ast::Ident>,
}

/// Declarations made one file at a time, in the files' order: a declaration for every item,
/// its body lowered.
#[derive(Default)]
pub(super) struct Declarer {
    decls: Vec<Decl>,
    headers: Vec<Header>,
    namespaces: HashMap<(Namespace, Symbol), DeclId>,
    paths: crate::intern::Paths,
    /// The instance types the standard library declares, which the fleet's own replace.
    standard_instance_types: std::collections::HashSet<DeclId>,
}

impl Declarer {
    /// Declares the items of `file`, after those of the files before it.
    pub(super) fn file(
        &mut self,
        file: &FileInput<'_>,
        names: &mut Interner,
        errors: &mut Vec<ResolveError>,
    ) {
        for item in &file.ast.items {
            let ast::ItemKind::Decl(decl) = &item.kind else {
                continue;
            };
            let id = DeclId(self.decls.len() as u32);
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
            let standard = file.module.starts_with("std.");
            if let Some(namespace) = Namespace::of(decl.kind) {
                let found = self.namespaces.get(&(namespace, name)).copied();
                // An instance type the fleet measured itself takes the standard one's place,
                // whichever file comes first.
                if let Some(first) = found
                    && namespace == Namespace::InstanceTypes
                    && standard != self.standard_instance_types.contains(&first)
                {
                    if standard {
                        continue;
                    }
                    self.decls[first.0 as usize].shadowed = true;
                } else if let Some(first) = found {
                    let first: &Decl = &self.decls[first.0 as usize];
                    errors.push(ResolveError::DuplicateDeclaration {
                    name: decl.name.name.clone(),
                    at: Loc::new(file.file, decl.name.span),
                    first: first.loc(),
                    help: "rename one of them; platforms, archetypes and mixins share one namespace across the fleet, clusters another, charts a third, instance types a fourth".to_string(),
                });
                    continue;
                }
                self.namespaces.insert((namespace, name), id);
            }
            let mut lowering = Lowering {
                names,
                paths: &mut self.paths,
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
            self.headers.push(Header {
                parent: decl.parent.clone(),
                mixins: decl.mixins.clone(),
            });
            self.decls.push(Decl {
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
                shadowed: false,
            });
            if standard && decl.kind == DeclKind::InstanceType {
                self.standard_instance_types.insert(id);
            }
            check_duplicate_assignments(self.decls.last().expect("just pushed"), names, errors);
        }
    }

    /// The declarations, and the header of each, in order.
    pub(super) fn finish(self) -> (Vec<Decl>, Vec<Header>) {
        (self.decls, self.headers)
    }
}

/// Whether a name can be one part of a path: communities and clusters name emitted files.
/// The longest name of a community or cluster: a Kubernetes namespace, a DNS label, and well
/// within a file name.
pub const MAX_NAME_LEN: usize = 63;

pub fn is_file_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME_LEN
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
                    let mut prefix = op.path.to_vec();
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
pub(super) fn link(
    decls: &mut [Decl],
    headers: &[Header],
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
    // The names as written, with their spans.
    for (index, header) in headers.iter().enumerate() {
        let id = DeclId(index as u32);
        let (kind, file) = (decls[index].kind, decls[index].file);
        let resolver = Linker {
            decls,
            by_name: &by_name,
            names,
            file,
        };
        let parent = header.parent.as_ref().and_then(|parent| {
            let wanted: &[DeclKind] = match kind {
                DeclKind::Chart => &[DeclKind::Chart],
                DeclKind::Platform => &[DeclKind::Platform],
                DeclKind::Archetype => &[DeclKind::Platform, DeclKind::Archetype],
                _ => &[DeclKind::Archetype],
            };
            resolver.find(parent, wanted, errors)
        });
        let mixins: Vec<DeclId> = header
            .mixins
            .iter()
            .filter_map(|mixin| resolver.find(mixin, &[DeclKind::Mixin], errors))
            .collect();
        let mut cluster = None;
        if kind == DeclKind::Community {
            let cluster_op = decls[id.0 as usize]
                .layer
                .properties
                .iter()
                .find(|op| *op.path == [cluster_key]);
            match cluster_op {
                Some(op) => {
                    if let OpKind::Set(node) = &op.kind
                        && let Some(Scalar::Reference(name) | Scalar::Str(name)) = node.as_scalar()
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
                    community: decls[index].display.clone(),
                    at: decls[index].loc(),
                }),
            }
        }
        let decl = &mut decls[id.0 as usize];
        decl.parent = parent;
        decl.mixins = mixins;
        decl.cluster = cluster;
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
            OpKind::Set(node) if *op.path == [chart_key] => match node.as_scalar() {
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
pub(super) fn order_communities(
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
