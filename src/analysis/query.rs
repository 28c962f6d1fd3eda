//! Questions about a compiled fleet that an editor asks: what is at a position, what value a
//! community ends up with at a path and the chain of assignments behind it, and which
//! communities use a declaration.

use crate::intern::Symbol;
use crate::resolve::value::{DeclId, Node, Origin};
use crate::source::{FileId, Span};
use crate::syntax::ast::{DeclKind, ItemKind};

use super::{Analysis, Session};

/// What a position of a file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// The name of a declaration, where it is declared.
    Declaration(DeclId),
    /// A name that refers to a declaration: after `extends`, `:` or `with`.
    Reference {
        from: DeclId,
        to: DeclId,
        span: Span,
    },
    /// A module after `import`.
    Import { module: String, span: Span },
    /// A key of a statement: the path up to and including that key, in the declaration.
    Path {
        decl: DeclId,
        path: Vec<Symbol>,
        span: Span,
    },
}

/// What is at byte `offset` of `file`.
pub fn at(analysis: &Analysis, session: &Session, file: FileId, offset: u32) -> Option<Found> {
    let covers = |span: Span| span.start <= offset && offset <= span.end;
    let fleet = &analysis.fleet;
    for (index, decl) in fleet.decls.iter().enumerate() {
        if decl.file != file || !covers(decl.span) {
            continue;
        }
        let id = DeclId(index as u32);
        if covers(decl.name_span) {
            return Some(Found::Declaration(id));
        }
        if let Some(found) = reference_at(analysis, session, id, offset) {
            return Some(found);
        }
        for op in decl.layer.ops.iter().chain(&decl.layer.properties) {
            if op.origin.file != file {
                continue;
            }
            let key_spans = decl.layer.key_spans(op);
            if let Some(step) = key_spans.iter().position(|&span| covers(span)) {
                return Some(Found::Path {
                    decl: id,
                    path: op.path[..=step].to_vec(),
                    span: key_spans[step],
                });
            }
        }
    }
    let loaded = session.files.iter().find(|loaded| loaded.id == file)?;
    loaded.parsed.file.items.iter().find_map(|item| {
        let ItemKind::Import(import) = &item.kind else {
            return None;
        };
        let span = import.path.first()?.span.to(import.path.last()?.span);
        covers(span).then(|| Found::Import {
            module: import
                .path
                .iter()
                .map(|part| part.name.as_str())
                .collect::<Vec<_>>()
                .join("."),
            span,
        })
    })
}

/// A name after `extends`, `:` or `with` in the header of `decl`.
fn reference_at(
    analysis: &Analysis,
    session: &Session,
    decl: DeclId,
    offset: u32,
) -> Option<Found> {
    let resolved = analysis.fleet.decl(decl);
    let ast = written(analysis, session, decl)?;
    let covers = |span: Span| span.start <= offset && offset <= span.end;
    if let (Some(parent), Some(to)) = (&ast.parent, resolved.parent)
        && covers(parent.span)
    {
        return Some(Found::Reference {
            from: decl,
            to,
            span: parent.span,
        });
    }
    ast.mixins
        .iter()
        .zip(&resolved.mixins)
        .find(|(written, _)| covers(written.span))
        .map(|(written, &to)| Found::Reference {
            from: decl,
            to,
            span: written.span,
        })
}

/// A declaration as written: its item in its file's tree.
pub fn written<'a>(
    analysis: &Analysis,
    session: &'a Session,
    decl: DeclId,
) -> Option<&'a crate::syntax::ast::Decl> {
    let resolved = analysis.fleet.decl(decl);
    let loaded = session
        .files
        .iter()
        .find(|loaded| loaded.id == resolved.file)?;
    loaded
        .parsed
        .file
        .items
        .iter()
        .find_map(|item| match &item.kind {
            ItemKind::Decl(ast) if ast.name.span == resolved.name_span => Some(ast),
            _ => None,
        })
}

/// The value `community` ends up with at `path`, and every assignment behind it, first to
/// last.
pub fn value_of<'a>(
    analysis: &'a Analysis,
    community: DeclId,
    path: &[Symbol],
) -> Option<(&'a Node, Vec<Origin>)> {
    let node = analysis.fleet.values(community).lookup(path)?;
    let chain = node.provenance().map(|p| p.chain()).unwrap_or_default();
    Some((node, chain))
}

/// The communities that use `decl`: that extend it (directly or through other layers), list it
/// after `with`, or run on it (a cluster). In the fleet's order of communities.
pub fn users(analysis: &Analysis, decl: DeclId) -> Vec<DeclId> {
    let fleet = &analysis.fleet;
    let kind = fleet.decl(decl).kind;
    fleet
        .communities
        .iter()
        .copied()
        .filter(|&community| match kind {
            DeclKind::Cluster => fleet.decl(community).cluster == Some(decl),
            DeclKind::Mixin => fleet.decl(community).mixins.contains(&decl),
            DeclKind::Community => community == decl,
            _ => fleet.chain(community).contains(&decl),
        })
        .collect()
}
