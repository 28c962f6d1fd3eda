//! Hover: on a path, its schema type and doc, the policy over it and, in a community, the value
//! the community ends up with and the chain of layers behind it (what `hubc explain` prints); on
//! a declaration's name, its doc, what it extends and how many communities use it.

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

use super::Document;
use crate::analysis::Analysis;
use crate::analysis::query::{self, Found};
use crate::intern::Symbol;
use crate::resolve::value::{DeclId, path_text};
use crate::schema::FieldType;
use crate::source::{Loc, SourceMap};
use crate::syntax::ast::DeclKind;

pub fn hover(doc: &Document<'_>, position: Position) -> Option<Hover> {
    let analysis = doc.analysis?;
    let sources = &doc.fleet.session.sources;
    let offset = doc.offset(position);
    let found = query::at(analysis, &doc.fleet.session, doc.file.id, offset)
        .or_else(|| policy_path_at(doc, analysis, offset))?;
    let (markdown, span) = match found {
        Found::Declaration(id) => (
            declaration(analysis, sources, id),
            analysis.fleet.decl(id).name_span,
        ),
        Found::Reference { to, span, .. } => (declaration(analysis, sources, to), span),
        Found::Import { module, span } => {
            let file = doc
                .fleet
                .session
                .files
                .iter()
                .find(|file| file.module == module);
            let text = match file {
                Some(file) => format!("module `{module}`\n\n`{}`", file.path.display()),
                None => format!("module `{module}` is not part of the fleet"),
            };
            (text, span)
        }
        Found::Path { decl, path, span } => (path_hover(analysis, sources, decl, &path), span),
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: markdown,
        }),
        range: (!span.is_empty()).then(|| doc.lines.range(span)),
    })
}

/// A key of the path of a policy statement (`tunable`, `locked`, `identity`) or of a `delete`,
/// which set no value of their own: the path up to that key, in the declaration.
pub fn policy_path_at(doc: &Document<'_>, analysis: &Analysis, offset: u32) -> Option<Found> {
    let covers = |span: crate::source::Span| span.start <= offset && offset <= span.end;
    let (decl, written) = doc.decl_at(analysis, offset)?;
    let mut prefix: Vec<&str> = Vec::new();
    let mut statements = &written.body.statements;
    loop {
        let statement = statements.iter().find(|statement| covers(statement.span))?;
        use crate::syntax::ast::StatementKind::*;
        match &statement.kind {
            Nested { path, block } if !covers(path.span) => {
                prefix.extend(path.keys.iter().map(|key| key.name.as_str()));
                statements = &block.statements;
            }
            Tunable { path, .. } | Locked { path } | Identity { path, .. } | Delete { path } => {
                let step = path.keys.iter().position(|key| covers(key.span))?;
                let keys = prefix
                    .iter()
                    .copied()
                    .chain(path.keys[..=step].iter().map(|key| key.name.as_str()));
                let symbols: Option<Vec<Symbol>> =
                    keys.map(|key| analysis.names.get(key)).collect();
                return Some(Found::Path {
                    decl,
                    path: symbols?,
                    span: path.keys[step].span,
                });
            }
            _ => return None,
        }
    }
}

/// What a declaration is: its kind and name, its doc, what it extends and who uses it.
fn declaration(analysis: &Analysis, sources: &SourceMap, id: DeclId) -> String {
    let fleet = &analysis.fleet;
    let decl = fleet.decl(id);
    let mut out = format!("```hub\n{} {}", decl.kind.keyword(), decl.display);
    if let Some(parent) = decl.parent {
        let word = if decl.kind == DeclKind::Community {
            " :"
        } else {
            " extends"
        };
        out.push_str(&format!("{word} {}", fleet.decl(parent).display));
    }
    for (index, mixin) in decl.mixins.iter().enumerate() {
        out.push_str(if index == 0 { " with " } else { ", " });
        out.push_str(&fleet.decl(*mixin).display);
    }
    out.push_str("\n```\n");
    if let Some(text) = &decl.doc {
        out.push_str(&format!("\n{text}\n"));
    }
    if let Some(deprecated) = &decl.deprecated {
        out.push_str(&format!("\n**Deprecated:** {deprecated}\n"));
    }
    let chain: Vec<String> = fleet
        .chain(id)
        .iter()
        .rev()
        .skip(1)
        .map(|layer| {
            format!(
                "{} `{}`",
                fleet.decl(*layer).kind.keyword(),
                fleet.decl(*layer).display
            )
        })
        .collect();
    if !chain.is_empty() {
        out.push_str(&format!("\nExtends {}.\n", chain.join(", then ")));
    }
    if decl.kind != DeclKind::Community {
        let users = query::users(analysis, id).len();
        let noun = if users == 1 {
            "community uses"
        } else {
            "communities use"
        };
        out.push_str(&format!("\n{users} {noun} it.\n"));
    }
    out.push_str(&format!(
        "\n_{}_",
        crate::explain::place(sources, decl_origin(analysis, id))
    ));
    out
}

fn decl_origin(analysis: &Analysis, id: DeclId) -> crate::resolve::value::Origin {
    let decl = analysis.fleet.decl(id);
    crate::resolve::value::Origin {
        decl: id,
        file: decl.file,
        span: decl.name_span,
    }
}

/// A path in a declaration: its type and doc, the policy over it, and for a community its
/// value and provenance.
fn path_hover(analysis: &Analysis, sources: &SourceMap, decl: DeclId, path: &[Symbol]) -> String {
    let names = &analysis.names;
    let fleet = &analysis.fleet;
    let text = path_text(path, names);
    let mut out = format!("`{text}`");
    if let Some(root) = fleet.root_type(decl)
        && let Some(ty) = analysis.schema.type_at(root, path)
    {
        out.push_str(&format!(": `{}`", analysis.schema.describe(ty, names)));
        if let Some(field) = field_at(analysis, root, path)
            && let Some(doc) = &field.doc
        {
            out.push_str(&format!("\n\n{doc}"));
        }
    }
    let policy = policy_over(analysis, sources, decl, path);
    if !policy.is_empty() {
        out.push_str("\n\n**Policy**\n");
        for line in policy {
            out.push_str(&format!("\n- {line}"));
        }
    }
    if fleet.decl(decl).kind == DeclKind::Community {
        let keys: Vec<String> = path
            .iter()
            .map(|key| names.resolve(*key).to_string())
            .collect();
        if let Ok(explained) = crate::explain::explain(analysis, sources, decl, &keys) {
            // The first line names the community, which the reader is looking at.
            let body: Vec<&str> = explained.lines().skip(1).collect();
            let shown = body.len().min(60);
            out.push_str("\n\n**Value in this community**\n\n```text\n");
            out.push_str(body[..shown].join("\n").trim());
            if shown < body.len() {
                out.push_str(&format!(
                    "\n... {} more lines: `hubc explain`",
                    body.len() - shown
                ));
            }
            out.push_str("\n```");
        }
    } else if let Some((node, chain)) = query::value_of(analysis, decl, path) {
        out.push_str(&format!(
            "\n\n**Value here**: `{}`",
            crate::resolve::value::value_text(node, names)
        ));
        if !chain.is_empty() {
            let steps: Vec<String> = chain
                .iter()
                .map(|origin| {
                    let layer = fleet.decl(origin.decl);
                    format!(
                        "{} {} ({})",
                        layer.kind.keyword(),
                        layer.display,
                        crate::explain::place(sources, *origin)
                    )
                })
                .collect();
            out.push_str(&format!("\n\n{}", steps.join(" → ")));
        }
    }
    out
}

/// The schema field at the end of `path`, with its doc.
pub fn field_at<'a>(
    analysis: &'a Analysis,
    root: crate::schema::TypeId,
    path: &[Symbol],
) -> Option<&'a FieldType> {
    let (last, parent) = path.split_last()?;
    let schema = &analysis.schema;
    let parent = schema.resolve_alias(schema.type_at(root, parent)?);
    schema
        .as_struct(parent)?
        .fields
        .iter()
        .find(|field| field.key == *last)
}

/// The policy statements of the layers above `decl` (and of `decl`) that cover `path` or lie
/// under it, as written, each with the layer that declares it.
fn policy_over(
    analysis: &Analysis,
    sources: &SourceMap,
    decl: DeclId,
    path: &[Symbol],
) -> Vec<String> {
    let fleet = &analysis.fleet;
    let related = |other: &[Symbol]| path.starts_with(other) || other.starts_with(path);
    let mut out = Vec::new();
    for layer in fleet.chain(decl) {
        let layer_decl = fleet.decl(layer);
        let policy = &layer_decl.layer.policy;
        let statements = policy
            .tunables
            .iter()
            .filter(|t| related(&t.path))
            .map(|t| t.at)
            .chain(
                policy
                    .locked
                    .iter()
                    .filter(|l| related(&l.path))
                    .map(|l| l.at),
            )
            .chain(
                policy
                    .identities
                    .iter()
                    .filter(|i| related(&i.path))
                    .map(|i| i.at),
            );
        for at in statements {
            out.push(format!(
                "`{}` in {} `{}`",
                source_text(sources, at),
                layer_decl.kind.keyword(),
                layer_decl.display
            ));
        }
        if let Some(budget) = policy.budgets.last()
            && matches!(layer_decl.kind, DeclKind::Archetype | DeclKind::Platform)
        {
            out.push(format!(
                "`{}` in {} `{}`",
                source_text(sources, budget.at),
                layer_decl.kind.keyword(),
                layer_decl.display
            ));
        }
    }
    out
}

fn source_text(sources: &SourceMap, at: Loc) -> String {
    let text = &sources.get(at.file).text;
    text.get(at.span.range())
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
