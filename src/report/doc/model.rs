//! The documentation of a fleet as data: one entry per platform, archetype and mixin (what a
//! community of it gets, what it may change and within which bounds, what is locked, which
//! identity settings it must set, its budget and its communities), the clusters, and the schema
//! reference. Built from an analysis; the renderers read only this.

use std::collections::BTreeMap;

use super::schema::{SchemaDoc, SchemaIndex};
use crate::analysis::{Analysis, Session};
use crate::check::policy::{Class, Effective, Rule};
use crate::intern::Symbol;
use crate::resolve::lower::BoundValue;
use crate::resolve::value::{DeclId, Node, path_text, value_text};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::ast::{self, DeclKind, StatementKind};

/// A line of a fleet file: its name relative to the fleet (`std/platform.hub` for a standard
/// module) and its line, from 1.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Place {
    pub file: String,
    pub line: usize,
}

/// The documentation of a whole fleet.
#[derive(Debug)]
pub struct FleetDoc {
    /// What the pages call the fleet: its directory's name.
    pub title: String,
    /// Platforms, then archetypes, then mixins, each by name.
    pub layers: Vec<LayerDoc>,
    pub clusters: Vec<ClusterDoc>,
    pub n_communities: usize,
    /// Every schema of the fleet, by name.
    pub schemas: Vec<SchemaDoc>,
    /// Every file the fleet was read from, by name, with its text and its `//!` lines.
    pub sources: Vec<SourceDoc>,
}

#[derive(Debug)]
pub struct SourceDoc {
    pub name: String,
    pub text: String,
    pub inner_doc: Vec<String>,
}

/// A path as the pages show it, with where its schema documents it.
#[derive(Debug, Clone)]
pub struct PathDoc {
    pub text: String,
    /// The schema page and the anchor of the deepest field of the path the schema knows.
    pub schema: Option<(String, String)>,
    /// Its type in the schema, when the schema knows the whole path.
    pub ty: Option<String>,
    /// The doc of its field in the schema, when the schema knows the whole path.
    pub doc: Option<String>,
}

/// A platform, archetype or mixin.
#[derive(Debug)]
pub struct LayerDoc {
    pub kind: DeclKind,
    pub name: String,
    /// The page's name without its extension: `archetype-course`.
    pub page: String,
    pub doc: Option<String>,
    pub deprecated: Option<String>,
    pub place: Place,
    /// The layers it extends, from the root platform to its parent: (kind, name).
    pub extends: Vec<(DeclKind, String)>,
    /// The platforms and archetypes that extend it directly.
    pub extended_by: Vec<(DeclKind, String)>,
    pub chart: Option<String>,
    /// The schema its paths are typed by.
    pub schema: Option<String>,
    /// For an archetype: the budget of bespoke overrides in force, and where it is declared.
    pub budget: Option<RuleDoc>,
    /// The policy in force (the more specific layer's rule on a path wins), by path.
    pub tunables: Vec<RuleDoc>,
    pub locked: Vec<RuleDoc>,
    pub identities: Vec<RuleDoc>,
    /// What a community of it gets (for a mixin: what it sets), leaf by leaf, by path.
    pub values: Vec<ValueDoc>,
    /// Leaves that only a `chart` declaration's defaults set, left out of `values`.
    pub n_chart_defaults: usize,
    /// The communities of an archetype (or platform), or those using a mixin.
    pub communities: Vec<CommunityDoc>,
}

/// A policy statement in force, or a budget.
#[derive(Debug, Clone)]
pub struct RuleDoc {
    pub path: PathDoc,
    /// `<= 16GiB`, `>= base`, `in ["/lab", "/tree"]`; for a budget, `bespoke <= 5`.
    pub bounds: Vec<String>,
    /// For an identity setting: whether every community must set it.
    pub required: bool,
    pub doc: Option<String>,
    /// The layer that declares it: (kind, name).
    pub declared_in: (DeclKind, String),
    pub place: Place,
}

/// One value a layer gives, with the layer that set it last.
#[derive(Debug, Clone)]
pub struct ValueDoc {
    pub path: PathDoc,
    pub value: String,
    pub set_in: (DeclKind, String),
    pub place: Place,
    pub doc: Option<String>,
    /// The rule over it: `tunable`, `locked` or `identity`.
    pub rule: Option<&'static str>,
}

#[derive(Debug, Clone)]
pub struct CommunityDoc {
    /// `cluster/name`
    pub name: String,
    pub cluster: Option<String>,
    pub domain: Option<String>,
    pub archetype: Option<String>,
    pub mixins: Vec<String>,
    pub place: Place,
    pub bespoke: usize,
    pub budget: Option<i64>,
}

#[derive(Debug)]
pub struct ClusterDoc {
    pub name: String,
    pub provider: Option<String>,
    pub doc: Option<String>,
    pub place: Place,
    pub n_communities: usize,
}

/// Names of the files of a fleet, as the pages show them.
pub type SourceNames<'a> = dyn Fn(FileId) -> String + 'a;

/// Documents an analysed fleet. `title` names it; `source_name` names each file relative to the
/// fleet (the standard modules as `std/NAME.hub`).
pub fn build(
    session: &Session,
    analysis: &Analysis,
    title: &str,
    source_name: &SourceNames<'_>,
) -> FleetDoc {
    let schemas = super::schema::document(analysis, &session.sources, source_name);
    let index = SchemaIndex::new(&schemas);
    let docs = StatementDocs::of(session);
    let cx = Cx {
        analysis,
        sources: &session.sources,
        source_name,
        index: &index,
        docs: &docs,
    };
    let fleet = &analysis.fleet;
    let mut ids: Vec<DeclId> = (0..fleet.decls.len() as u32)
        .map(DeclId)
        .filter(|&id| !fleet.broken.get(id.0 as usize).copied().unwrap_or(false))
        .collect();
    ids.sort_by(|&left, &right| {
        let (left, right) = (fleet.decl(left), fleet.decl(right));
        (left.kind, &left.display).cmp(&(right.kind, &right.display))
    });
    let mut pages = Pages::default();
    let layers = ids
        .iter()
        .filter(|&&id| {
            matches!(
                fleet.decl(id).kind,
                DeclKind::Platform | DeclKind::Archetype | DeclKind::Mixin
            )
        })
        .map(|&id| cx.layer(id, &mut pages))
        .collect();
    let clusters = ids
        .iter()
        .filter(|&&id| fleet.decl(id).kind == DeclKind::Cluster)
        .map(|&id| cx.cluster(id))
        .collect();
    let sources = session
        .files
        .iter()
        .map(|loaded| SourceDoc {
            name: source_name(loaded.id),
            text: session.sources.get(loaded.id).text.to_string(),
            inner_doc: loaded.parsed.file.inner_docs.clone(),
        })
        .collect();
    FleetDoc {
        title: title.to_string(),
        layers,
        clusters,
        n_communities: fleet.communities.len(),
        schemas,
        sources,
    }
}

/// Page names, each a file name of its own.
#[derive(Default)]
struct Pages {
    taken: std::collections::BTreeSet<String>,
}

impl Pages {
    fn name(&mut self, kind: DeclKind, name: &str) -> String {
        let base = format!("{}-{}", kind.keyword(), super::file_safe(name));
        let mut page = base.clone();
        let mut n = 2;
        while !self.taken.insert(page.clone()) {
            page = format!("{base}-{n}");
            n += 1;
        }
        page
    }
}

struct Cx<'a> {
    analysis: &'a Analysis,
    sources: &'a SourceMap,
    source_name: &'a SourceNames<'a>,
    index: &'a SchemaIndex,
    docs: &'a StatementDocs,
}

impl Cx<'_> {
    fn place(&self, file: FileId, span: Span) -> Place {
        let line = self.sources.get(file).line_col(span.start as usize).line;
        Place {
            file: (self.source_name)(file),
            line,
        }
    }

    fn named(&self, id: DeclId) -> (DeclKind, String) {
        let decl = self.analysis.fleet.decl(id);
        (decl.kind, decl.display.clone())
    }

    fn path(&self, id: DeclId, path: &[Symbol]) -> PathDoc {
        let analysis = self.analysis;
        let text = path_text(path, &analysis.names);
        let located = match analysis.fleet.root_type(id) {
            Some(root) => self.index.locate(analysis, root, path),
            None => Default::default(),
        };
        PathDoc {
            text,
            schema: located.schema,
            ty: located.ty,
            doc: located.doc,
        }
    }

    fn layer(&self, id: DeclId, pages: &mut Pages) -> LayerDoc {
        let analysis = self.analysis;
        let fleet = &analysis.fleet;
        let names = &analysis.names;
        let decl = fleet.decl(id);
        let chain = fleet.chain(id);
        let extends = chain[..chain.len() - 1]
            .iter()
            .filter(|&&layer| fleet.decl(layer).kind != DeclKind::Chart)
            .map(|&layer| self.named(layer))
            .collect();
        let extended_by = (0..fleet.decls.len() as u32)
            .map(DeclId)
            .filter(|&other| {
                let other = fleet.decl(other);
                other.parent == Some(id) && other.kind != DeclKind::Community
            })
            .map(|other| self.named(other))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let chart = names
            .get("chart")
            .and_then(|key| fleet.text_property(id, key))
            .map(str::to_string);
        let schema = fleet
            .root_type(id)
            .and_then(|root| self.index.schema_of(analysis, root));
        let mut layer = LayerDoc {
            kind: decl.kind,
            name: decl.display.clone(),
            page: pages.name(decl.kind, &decl.display),
            doc: decl.doc.clone(),
            deprecated: decl.deprecated.clone(),
            place: self.place(decl.file, decl.name_span),
            extends,
            extended_by,
            chart,
            schema,
            budget: None,
            tunables: Vec::new(),
            locked: Vec::new(),
            identities: Vec::new(),
            values: Vec::new(),
            n_chart_defaults: 0,
            communities: Vec::new(),
        };
        if decl.kind == DeclKind::Mixin {
            self.values(id, &[id], &mut layer);
        } else {
            self.policy(id, &mut layer);
            self.values(id, &chain, &mut layer);
        }
        layer.communities = fleet
            .communities
            .iter()
            .copied()
            .filter(|&community| {
                let community = fleet.decl(community);
                community.parent == Some(id) || community.mixins.contains(&id)
            })
            .map(|community| self.community(community))
            .collect();
        layer
    }

    /// The policy in force for a layer: its chain's statements, the more specific winning
    /// (`check::policy::Effective`, what `check` classifies overrides by).
    fn policy(&self, id: DeclId, layer: &mut LayerDoc) {
        let fleet = &self.analysis.fleet;
        let effective = Effective::of(fleet, &self.analysis.names, id);
        let rule =
            |declared: DeclId, path: &[Symbol], at: crate::source::Loc, bounds, required| RuleDoc {
                path: self.path(id, path),
                bounds,
                required,
                doc: self.docs.at(at.file, at.span),
                declared_in: self.named(declared),
                place: self.place(at.file, at.span),
            };
        let mut rules: Vec<(Rule, RuleDoc)> = effective
            .rules
            .iter()
            .map(|&(_, found)| {
                let declared = found.layer();
                let policy = &fleet.decl(declared).layer.policy;
                let documented = match found {
                    Rule::Tunable(_, index) => {
                        let tunable = &policy.tunables[index];
                        let bounds = tunable.bounds.iter().map(|b| self.bound(b)).collect();
                        rule(declared, &tunable.path, tunable.at, bounds, false)
                    }
                    Rule::Locked(_, index) => {
                        let locked = &policy.locked[index];
                        rule(declared, &locked.path, locked.at, Vec::new(), false)
                    }
                    Rule::Identity(_, index) => {
                        let identity = &policy.identities[index];
                        rule(
                            declared,
                            &identity.path,
                            identity.at,
                            Vec::new(),
                            identity.required,
                        )
                    }
                };
                (found, documented)
            })
            .collect();
        if let (Some((limit, at)), Some(declared)) = (effective.budget, effective.budget_in) {
            let mut found = rule(declared, &[], at, vec![format!("<= {limit}")], false);
            found.path.text = "bespoke".to_string();
            layer.budget = Some(found);
        }
        rules.sort_by(|left, right| left.1.path.text.cmp(&right.1.path.text));
        for (found, documented) in rules {
            match found {
                Rule::Tunable(..) => layer.tunables.push(documented),
                Rule::Locked(..) => layer.locked.push(documented),
                Rule::Identity(..) => layer.identities.push(documented),
            }
        }
    }

    fn bound(&self, bound: &crate::resolve::lower::Bound) -> String {
        let names = &self.analysis.names;
        let op = bound.op.as_str();
        match &bound.target {
            BoundValue::Base => format!("{op} base"),
            BoundValue::Value(value) => format!("{op} {}", value_text(value, names)),
            BoundValue::OneOf(values) => {
                let listed: Vec<String> = values.iter().map(|v| value_text(v, names)).collect();
                format!("in [{}]", listed.join(", "))
            }
        }
    }

    /// The leaves of a layer's values, each with where it was set last. Leaves only a chart's
    /// defaults set are counted, not listed: the chart's own documentation covers them.
    fn values(&self, id: DeclId, chain: &[DeclId], layer: &mut LayerDoc) {
        let analysis = self.analysis;
        let fleet = &analysis.fleet;
        let names = &analysis.names;
        let mut leaves: Vec<(Vec<Symbol>, Node)> = Vec::new();
        fleet
            .values(id)
            .for_each_leaf(&mut Vec::new(), &mut |path, node| {
                leaves.push((path.to_vec(), node.clone()));
            });
        let rule_of = |path: &str| {
            let covers = |rule: &RuleDoc| {
                path == rule.path.text || path.starts_with(&format!("{}.", rule.path.text))
            };
            [
                ("tunable", &layer.tunables),
                ("locked", &layer.locked),
                ("identity", &layer.identities),
            ]
            .into_iter()
            .flat_map(|(kind, rules)| rules.iter().filter(|r| covers(r)).map(move |r| (kind, r)))
            .max_by_key(|(_, rule)| rule.path.text.len())
            .map(|(kind, _)| kind)
        };
        let mut values = Vec::new();
        for (path, node) in leaves {
            if path.is_empty() {
                continue;
            }
            let Some(origin) = node.provenance().map(|p| p.origin) else {
                continue;
            };
            if !chain.contains(&origin.decl) || fleet.decl(origin.decl).kind == DeclKind::Chart {
                layer.n_chart_defaults += 1;
                continue;
            }
            let text = path_text(&path, names);
            let mut value = value_text(&node, names);
            if crate::check::credential::is_printed_credential(&text, &value) {
                value = crate::check::credential::REDACTED.to_string();
            }
            values.push(ValueDoc {
                rule: rule_of(&text),
                path: self.path(id, &path),
                value,
                set_in: self.named(origin.decl),
                place: self.place(origin.file, origin.span),
                doc: self.docs.at(origin.file, origin.span),
            });
        }
        values.sort_by(|left, right| left.path.text.cmp(&right.path.text));
        layer.values = values;
    }

    fn community(&self, id: DeclId) -> CommunityDoc {
        let analysis = self.analysis;
        let fleet = &analysis.fleet;
        let decl = fleet.decl(id);
        let drift = analysis.drift.iter().find(|drift| drift.community == id);
        let domain = analysis
            .names
            .get("domain")
            .and_then(|key| fleet.text_property(id, key))
            .map(str::to_string);
        CommunityDoc {
            name: decl.display.clone(),
            cluster: decl
                .cluster
                .map(|cluster| fleet.decl(cluster).display.clone()),
            domain,
            archetype: decl.parent.map(|parent| fleet.decl(parent).display.clone()),
            mixins: decl
                .mixins
                .iter()
                .map(|&mixin| fleet.decl(mixin).display.clone())
                .collect(),
            place: self.place(decl.file, decl.name_span),
            bespoke: drift.map_or(0, |drift| drift.count(Class::Bespoke)),
            budget: drift.and_then(|drift| drift.budget).map(|(limit, _)| limit),
        }
    }

    fn cluster(&self, id: DeclId) -> ClusterDoc {
        let fleet = &self.analysis.fleet;
        let decl = fleet.decl(id);
        ClusterDoc {
            name: decl.display.clone(),
            provider: fleet
                .cluster_provider(id, &self.analysis.names)
                .map(str::to_string),
            doc: decl.doc.clone(),
            place: self.place(decl.file, decl.name_span),
            n_communities: fleet
                .communities
                .iter()
                .filter(|&&community| fleet.decl(community).cluster == Some(id))
                .count(),
        }
    }
}

/// The doc comments of statements, by file: what a value or a policy statement says of itself.
struct StatementDocs {
    /// Per file, the span of each documented statement with its doc, in source order.
    by_file: BTreeMap<FileId, Vec<(Span, String)>>,
}

impl StatementDocs {
    fn of(session: &Session) -> StatementDocs {
        fn walk(statements: &[ast::Statement], found: &mut Vec<(Span, String)>) {
            for statement in statements {
                if let Some(doc) = &statement.doc {
                    found.push((statement.span, doc.text.clone()));
                }
                match &statement.kind {
                    StatementKind::Nested { block, .. } | StatementKind::Labelled { block, .. } => {
                        walk(&block.statements, found)
                    }
                    _ => {}
                }
            }
        }
        let mut by_file = BTreeMap::new();
        for loaded in &session.files {
            let mut found = Vec::new();
            for item in &loaded.parsed.file.items {
                if let ast::ItemKind::Decl(decl) = &item.kind {
                    walk(&decl.body.statements, &mut found);
                }
            }
            by_file.insert(loaded.id, found);
        }
        StatementDocs { by_file }
    }

    /// The doc of the innermost documented statement around `span`.
    fn at(&self, file: FileId, span: Span) -> Option<String> {
        self.by_file
            .get(&file)?
            .iter()
            .filter(|(around, _)| around.start <= span.start && span.end <= around.end)
            .min_by_key(|(around, _)| around.end - around.start)
            .map(|(_, doc)| doc.clone())
    }
}
