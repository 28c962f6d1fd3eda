//! Lowering a declaration's statements into a layer: flat operations on paths, properties and
//! policy, with every value turned into a shared node that remembers where it was written.

use std::collections::BTreeMap;
use std::ops::Bound::{Excluded, Unbounded};
use std::sync::Arc;

use crate::intern::{Interner, Symbol};
use crate::source::{FileId, Loc, Span};
use crate::syntax::ast::{self, BoundTarget, CompareOp, DeclKind, StatementKind, Value, ValueKind};

use super::error::ResolveError;
use super::value::{DeclId, Node, NodeKind, Origin, Provenance, Scalar};

/// Keys that describe a hub or a platform rather than set chart values.
pub const PROPERTY_KEYS: &[&str] = &[
    "chart",
    "cluster",
    "domain",
    "display_name",
    "secrets",
    "secrets_first",
    "buckets",
    "cloud_permissions",
    "chart_values",
    "manifest",
];

/// Functions a value may call.
pub const FUNCTIONS: &[&str] = &["image", "secret"];

/// What one declaration contributes.
#[derive(Debug, Default)]
pub struct Layer {
    /// Operations on the chart values, in source order.
    pub ops: Vec<Op>,
    /// Operations on the hub's properties (chart, cluster, domain, display_name, secrets).
    pub properties: Vec<Op>,
    pub policy: Policy,
}

#[derive(Debug)]
pub struct Op {
    pub path: Vec<Symbol>,
    /// The span of each key of `path`, for errors about one step.
    pub key_spans: Vec<Span>,
    pub kind: OpKind,
    pub origin: Origin,
    pub notes: Notes,
}

#[derive(Debug)]
pub enum OpKind {
    Set(Node),
    Append(Node),
    Delete,
}

/// What the annotations of an override say.
#[derive(Debug, Default, Clone)]
pub struct Notes {
    pub reason: Option<String>,
    pub ticket: Option<String>,
    pub expires: Option<(u16, u8, u8)>,
    pub deprecated: Option<String>,
}

impl Notes {
    /// These notes, with what they leave out taken from `outer`.
    fn or(self, outer: &Notes) -> Notes {
        Notes {
            reason: self.reason.or_else(|| outer.reason.clone()),
            ticket: self.ticket.or_else(|| outer.ticket.clone()),
            expires: self.expires.or(outer.expires),
            deprecated: self.deprecated.or_else(|| outer.deprecated.clone()),
        }
    }
}

#[derive(Debug, Default)]
pub struct Policy {
    pub tunables: Vec<Tunable>,
    pub locked: Vec<Locked>,
    pub identities: Vec<Identity>,
    /// Every `budget` statement, in order; the last `budget bespoke` is the one in force.
    pub budgets: Vec<Budget>,
}

#[derive(Debug)]
pub struct Tunable {
    pub path: Vec<Symbol>,
    pub bounds: Vec<Bound>,
    pub at: Loc,
}

#[derive(Debug)]
pub struct Bound {
    pub op: CompareOp,
    pub target: BoundValue,
    pub at: Loc,
}

#[derive(Debug)]
pub enum BoundValue {
    /// `>= base`: the value the community inherits.
    Base,
    Value(Node),
    /// `in [...]`
    OneOf(Vec<Node>),
}

#[derive(Debug)]
pub struct Locked {
    pub path: Vec<Symbol>,
    pub at: Loc,
}

/// `identity path`: a setting each community is expected to set for itself (its domain, name,
/// branding, users, volumes), never counted as drift; `required` when a community must set it.
#[derive(Debug)]
pub struct Identity {
    pub path: Vec<Symbol>,
    pub required: bool,
    pub at: Loc,
}

#[derive(Debug)]
pub struct Budget {
    pub kind: Symbol,
    pub limit: i64,
    pub at: Loc,
}

/// Lowers the body of one declaration.
pub struct Lowering<'a> {
    pub names: &'a mut Interner,
    pub errors: &'a mut Vec<ResolveError>,
    pub file: FileId,
    pub decl: DeclId,
    pub kind: DeclKind,
}

impl Lowering<'_> {
    pub fn layer(&mut self, body: &ast::Block) -> Layer {
        let mut layer = Layer {
            ops: Vec::with_capacity(body.statements.len()),
            ..Layer::default()
        };
        let mut prefix = Vec::new();
        let mut prefix_spans = Vec::new();
        self.block(
            body,
            &mut prefix,
            &mut prefix_spans,
            &Notes::default(),
            &mut layer,
        );
        layer
    }

    fn loc(&self, span: Span) -> Loc {
        Loc::new(self.file, span)
    }

    fn origin(&self, span: Span) -> Origin {
        Origin {
            decl: self.decl,
            file: self.file,
            span,
        }
    }

    fn block(
        &mut self,
        block: &ast::Block,
        prefix: &mut Vec<Symbol>,
        prefix_spans: &mut Vec<Span>,
        outer: &Notes,
        layer: &mut Layer,
    ) {
        for statement in &block.statements {
            self.statement(statement, prefix, prefix_spans, outer, layer);
        }
    }

    fn statement(
        &mut self,
        statement: &ast::Statement,
        prefix: &mut Vec<Symbol>,
        prefix_spans: &mut Vec<Span>,
        outer: &Notes,
        layer: &mut Layer,
    ) {
        // Annotations on a block apply to every statement in it, unless one says otherwise.
        let notes = self.notes(&statement.annotations).or(outer);
        match &statement.kind {
            StatementKind::Assign { path, value } | StatementKind::Append { path, value } => {
                let Some(node) = self.value(value) else {
                    return;
                };
                let kind = match statement.kind {
                    StatementKind::Append { .. } => OpKind::Append(node),
                    _ => OpKind::Set(node),
                };
                let span = Span::new(path.span.start as usize, statement.span.end as usize);
                self.push_op(path, prefix, prefix_spans, kind, span, notes, layer);
            }
            StatementKind::Delete { path } => {
                // From the keyword, leaving out the annotations above it.
                let start = statement.span.end as usize - statement_text_len(statement, path);
                let span = Span::new(start, statement.span.end as usize);
                self.push_op(
                    path,
                    prefix,
                    prefix_spans,
                    OpKind::Delete,
                    span,
                    notes,
                    layer,
                );
            }
            StatementKind::Nested { path, block } => {
                let depth = prefix.len();
                for key in &path.keys {
                    prefix.push(self.names.intern(&key.name));
                    prefix_spans.push(key.span);
                }
                self.block(block, prefix, prefix_spans, &notes, layer);
                prefix.truncate(depth);
                prefix_spans.truncate(depth);
            }
            StatementKind::Labelled { kind, label, block } => {
                let depth = prefix.len();
                prefix.push(self.names.intern(&kind.name));
                prefix_spans.push(kind.span);
                prefix.push(self.names.intern(&label.name));
                prefix_spans.push(label.span);
                self.block(block, prefix, prefix_spans, &notes, layer);
                prefix.truncate(depth);
                prefix_spans.truncate(depth);
            }
            StatementKind::Tunable { path, bounds } => {
                if !self.policy_allowed("tunable", statement.span) {
                    return;
                }
                let full = self.full_path(path, prefix);
                let bounds = bounds
                    .iter()
                    .filter_map(|bound| self.bound(bound))
                    .collect();
                layer.policy.tunables.push(Tunable {
                    path: full,
                    bounds,
                    at: self.loc(statement.span),
                });
            }
            StatementKind::Locked { path } => {
                if !self.policy_allowed("locked", statement.span) {
                    return;
                }
                let full = self.full_path(path, prefix);
                layer.policy.locked.push(Locked {
                    path: full,
                    at: self.loc(statement.span),
                });
            }
            StatementKind::Identity { path, required } => {
                // A platform may say what identifies a hub, for every archetype on it.
                if self.kind != DeclKind::Platform
                    && !self.policy_allowed("identity", statement.span)
                {
                    return;
                }
                let full = self.full_path(path, prefix);
                layer.policy.identities.push(Identity {
                    path: full,
                    required: *required,
                    at: self.loc(statement.span),
                });
            }
            StatementKind::Budget { kind, limit } => {
                if !self.policy_allowed("budget", statement.span) {
                    return;
                }
                let ValueKind::Int(limit) = limit.kind else {
                    return;
                };
                layer.policy.budgets.push(Budget {
                    kind: self.names.intern(&kind.name),
                    limit,
                    at: self.loc(statement.span),
                });
            }
        }
    }

    fn policy_allowed(&mut self, statement: &'static str, span: Span) -> bool {
        if self.kind == DeclKind::Archetype {
            return true;
        }
        self.errors.push(ResolveError::MisplacedStatement {
            statement,
            kind: self.kind.keyword(),
            at: self.loc(span),
            help: "policy belongs to archetypes: move it into the archetype this declaration uses"
                .to_string(),
        });
        false
    }

    fn full_path(&mut self, path: &ast::Path, prefix: &[Symbol]) -> Vec<Symbol> {
        let mut full = Vec::with_capacity(prefix.len() + path.keys.len());
        full.extend_from_slice(prefix);
        full.extend(path.keys.iter().map(|key| self.names.intern(&key.name)));
        full
    }

    #[allow(clippy::too_many_arguments)]
    fn push_op(
        &mut self,
        path: &ast::Path,
        prefix: &[Symbol],
        prefix_spans: &[Span],
        kind: OpKind,
        span: Span,
        notes: Notes,
        layer: &mut Layer,
    ) {
        let full = self.full_path(path, prefix);
        let mut key_spans = Vec::with_capacity(full.len());
        key_spans.extend_from_slice(prefix_spans);
        key_spans.extend(path.keys.iter().map(|key| key.span));
        let first = self.names.resolve(full[0]);
        let property = PROPERTY_KEYS.iter().copied().find(|key| *key == first);
        let op = Op {
            path: full,
            key_spans,
            kind,
            origin: self.origin(span),
            notes,
        };
        let first = match property {
            Some(first) if self.kind != DeclKind::Cluster => first,
            _ => {
                layer.ops.push(op);
                return;
            }
        };
        let allowed = match first {
            "chart" => self.kind == DeclKind::Platform,
            "cluster" | "domain" | "display_name" | "buckets" | "cloud_permissions"
            | "manifest" => self.kind == DeclKind::Community,
            "chart_values" => matches!(self.kind, DeclKind::Community | DeclKind::Mixin),
            _ => true,
        };
        if !allowed {
            let owner = match first {
                "chart" => "platforms",
                _ => "communities",
            };
            self.errors.push(ResolveError::MisplacedStatement {
                statement: property_statement(first),
                kind: self.kind.keyword(),
                at: self.loc(span),
                help: format!("`{first}` is a property of {owner}; set it there"),
            });
            return;
        }
        layer.properties.push(op);
    }

    fn notes(&mut self, annotations: &[ast::Annotation]) -> Notes {
        let mut notes = Notes::default();
        for annotation in annotations {
            let name = annotation.name.name.as_str();
            let single = match annotation.args.as_slice() {
                [only] => Some(&only.kind),
                _ => None,
            };
            match (name, single) {
                ("reason", Some(ValueKind::Str { value, .. })) => {
                    notes.reason = Some(value.clone())
                }
                ("ticket", Some(ValueKind::Str { value, .. })) => {
                    notes.ticket = Some(value.clone())
                }
                ("deprecated", Some(ValueKind::Str { value, .. })) => {
                    notes.deprecated = Some(value.clone())
                }
                ("deprecated", None) if annotation.args.is_empty() => {
                    notes.deprecated = Some(String::new())
                }
                ("expires", Some(ValueKind::Date { year, month, day })) => {
                    notes.expires = Some((*year, *month, *day))
                }
                ("reason" | "ticket" | "deprecated" | "expires", _) => {
                    let (expected, example) = match name {
                        "expires" => ("one date", "@expires(2026-12-31)"),
                        "ticket" => ("one string", "@ticket(\"org/repo#123\")"),
                        _ => ("one string", "@reason(\"why this override exists\")"),
                    };
                    self.errors.push(ResolveError::BadArguments {
                        function: format!("@{name}"),
                        expected,
                        at: self.loc(annotation.span),
                        help: format!("write `{example}`"),
                    });
                }
                // Unknown annotations were reported by the parser.
                _ => {}
            }
        }
        notes
    }

    fn bound(&mut self, bound: &ast::Bound) -> Option<Bound> {
        let target = match &bound.target {
            BoundTarget::Base(_) => BoundValue::Base,
            BoundTarget::Value(value) if bound.op == CompareOp::In => match &value.kind {
                ValueKind::List(values) => {
                    BoundValue::OneOf(values.iter().filter_map(|v| self.value(v)).collect())
                }
                _ => return None,
            },
            BoundTarget::Value(value) => BoundValue::Value(self.value(value)?),
        };
        Some(Bound {
            op: bound.op,
            target,
            at: self.loc(bound.span),
        })
    }

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
                    path: super::value::path_text(&path, self.names),
                    decl: "the same map".to_string(),
                    at: self.loc(entry.path.span),
                    first: self.loc(*first),
                });
                continue;
            }
            seen.insert(path.clone(), entry.path.span);
            tree = super::merge::insert(tree, &path, node);
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
            ("image" | "secret", None) => {
                let example = if name.name == "image" {
                    "image(\"quay.io/jupyter/scipy-notebook:2026-10-07\")"
                } else {
                    "secret(\"enc-prod.secret.values.yaml\")"
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
                        "the functions are `image(\"repo:tag\")` and `secret(\"file\")`".to_string()
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

/// The length of `delete PATH` at the end of a statement.
fn statement_text_len(statement: &ast::Statement, path: &ast::Path) -> usize {
    let keyword = "delete ".len();
    (statement.span.end - path.span.start) as usize + keyword
}

fn property_statement(key: &str) -> &'static str {
    match key {
        "chart" => "chart = ...",
        "cluster" => "cluster = ...",
        "domain" => "domain = ...",
        "display_name" => "display_name = ...",
        "buckets" => "buckets = ...",
        "cloud_permissions" => "cloud_permissions = ...",
        "secrets_first" => "secrets_first = ...",
        "chart_values" => "chart_values = ...",
        "manifest" => "manifest = ...",
        _ => "secrets = ...",
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
