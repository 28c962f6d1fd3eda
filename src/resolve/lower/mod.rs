//! Lowering a declaration's statements into a layer: flat operations on paths, properties and
//! policy, with every value turned into a shared node that remembers where it was written.
//! `values.rs` lowers the values themselves.

mod values;

use std::sync::{Arc, LazyLock};

use super::error::ResolveError;
use super::value::{DeclId, Node, Origin};
use crate::intern::{Interner, Paths, Symbol};
use crate::source::{FileId, Loc, Span};
use crate::syntax::ast::{self, BoundTarget, CompareOp, DeclKind, StatementKind, ValueKind};

pub use values::split_image;

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
pub const FUNCTIONS: &[&str] = &["image", "secret", "todo"];

/// The most keys a path may have once the nested blocks around it are counted.
pub const MAX_TREE_DEPTH: usize = 128;

/// What one declaration contributes.
#[derive(Debug, Default)]
pub struct Layer {
    /// Operations on the chart values, in source order.
    pub ops: Vec<Op>,
    /// Operations on the hub's properties (chart, cluster, domain, display_name, secrets).
    pub properties: Vec<Op>,
    pub policy: Policy,
    /// The spans of the keys of every operation's path, one operation after another: one list
    /// per declaration rather than one per operation ([`Layer::key_spans`]).
    key_spans: Vec<Span>,
}

impl Layer {
    /// The span of each key of the path of `op`, one of this layer's operations, for errors
    /// about one step.
    pub fn key_spans(&self, op: &Op) -> &[Span] {
        let start = op.key_spans as usize;
        &self.key_spans[start..start + op.path.len()]
    }
}

#[derive(Debug)]
pub struct Op {
    /// Shared with every other operation on the same path ([`Paths`]).
    pub path: Arc<[Symbol]>,
    /// Where the spans of the keys of `path` start in its layer's list.
    key_spans: u32,
    pub kind: OpKind,
    pub origin: Origin,
    /// Shared with the other statements its annotations apply to.
    pub notes: Arc<Notes>,
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

/// The notes of a statement without annotations in a block without any: most statements.
static NO_NOTES: LazyLock<Arc<Notes>> = LazyLock::new(Arc::default);

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
    /// The paths of the operations of every declaration, each stored once.
    pub paths: &'a mut Paths,
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
        self.block(body, &mut prefix, &mut prefix_spans, &NO_NOTES, &mut layer);
        layer.ops.shrink_to_fit();
        layer.properties.shrink_to_fit();
        layer.key_spans.shrink_to_fit();
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
        outer: &Arc<Notes>,
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
        outer: &Arc<Notes>,
        layer: &mut Layer,
    ) {
        // Every pass over a values tree recurses along its paths: their depth is bounded here,
        // where nested blocks and dotted paths add up.
        let keys = match &statement.kind {
            StatementKind::Assign { path, .. }
            | StatementKind::Append { path, .. }
            | StatementKind::Delete { path }
            | StatementKind::Nested { path, .. }
            | StatementKind::Tunable { path, .. }
            | StatementKind::Locked { path }
            | StatementKind::Identity { path, .. } => path.keys.len(),
            StatementKind::Labelled { .. } => 2,
            StatementKind::Budget { .. } => 0,
        };
        if prefix.len() + keys > MAX_TREE_DEPTH {
            self.errors.push(ResolveError::TooDeep {
                depth: prefix.len() + keys,
                limit: MAX_TREE_DEPTH,
                at: self.loc(statement.span),
            });
            return;
        }
        // Annotations on a block apply to every statement in it, unless one says otherwise.
        let notes = self.notes(&statement.annotations, outer);
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
        prefix: &mut Vec<Symbol>,
        prefix_spans: &[Span],
        kind: OpKind,
        span: Span,
        notes: Arc<Notes>,
        layer: &mut Layer,
    ) {
        // The prefix is extended in place, so interning a path already seen allocates nothing.
        let depth = prefix.len();
        for key in &path.keys {
            let key = self.names.intern(&key.name);
            prefix.push(key);
        }
        let full = self.paths.intern(prefix);
        prefix.truncate(depth);
        let key_spans = layer.key_spans.len() as u32;
        layer.key_spans.extend_from_slice(prefix_spans);
        layer.key_spans.extend(path.keys.iter().map(|key| key.span));
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
            Some(first) if !matches!(self.kind, DeclKind::Cluster | DeclKind::InstanceType) => {
                first
            }
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

    /// The notes of a statement: those of its annotations, then those of the blocks around it
    /// (`outer`), which a statement without annotations shares.
    fn notes(&mut self, annotations: &[ast::Annotation], outer: &Arc<Notes>) -> Arc<Notes> {
        if annotations.is_empty() {
            return outer.clone();
        }
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
        Arc::new(notes.or(outer))
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
