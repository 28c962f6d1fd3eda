//! Going places: the definition of a name, of an import and of what an override overrides; the
//! references to a declaration; the symbols of a document and of the workspace.

use std::collections::HashMap;
use std::path::PathBuf;

use lsp_types::{
    DocumentSymbol, DocumentSymbolResponse, GotoDefinitionResponse, Location, Position,
    SymbolInformation, SymbolKind,
};

use super::Document;
use super::text::{Encoding, LineIndex, uri_of};
use super::workspace::{Fleet, Workspace};
use crate::analysis::Analysis;
use crate::analysis::query::{self, Found};
use crate::intern::Symbol;
use crate::resolve::value::DeclId;
use crate::source::{FileId, Span};
use crate::syntax::ast::{self, DeclKind, ItemKind, StatementKind};

pub fn definition(doc: &Document<'_>, position: Position) -> Option<GotoDefinitionResponse> {
    let analysis = doc.analysis?;
    let offset = doc.offset(position);
    if let Some((file, span)) = type_name_at(doc, analysis, offset) {
        return location(doc.fleet, doc.encoding, file, span).map(GotoDefinitionResponse::Scalar);
    }
    let found = query::at(analysis, &doc.fleet.session, doc.file.id, offset)
        .or_else(|| cluster_value_at(doc, analysis, offset))
        .or_else(|| super::hover::policy_path_at(doc, analysis, offset))?;
    let fleet = &analysis.fleet;
    let target = match found {
        Found::Declaration(id) | Found::Reference { to: id, .. } => {
            let decl = fleet.decl(id);
            (decl.file, decl.name_span)
        }
        Found::Import { module, .. } => {
            let file = doc
                .fleet
                .session
                .files
                .iter()
                .find(|file| file.module == module)?;
            (file.id, Span::default())
        }
        Found::Path { decl, path, .. } => overridden(analysis, decl, &path)?,
    };
    location(doc.fleet, doc.encoding, target.0, target.1).map(GotoDefinitionResponse::Scalar)
}

/// A declared type's name inside a `type` or `schema` declaration: where that type is declared.
fn type_name_at(doc: &Document<'_>, analysis: &Analysis, offset: u32) -> Option<(FileId, Span)> {
    let in_type = doc.file.parsed.file.items.iter().any(|item| {
        matches!(item.kind, ItemKind::Type(_) | ItemKind::Schema(_))
            && item.span.start <= offset
            && offset <= item.span.end
    });
    if !in_type {
        return None;
    }
    let at = offset as usize;
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let start = doc.text[..at]
        .rfind(|c: char| !is_name(c))
        .map_or(0, |index| index + 1);
    let end = doc.text[at..]
        .find(|c: char| !is_name(c))
        .map_or(doc.text.len(), |index| at + index);
    let word = &doc.text[start..end];
    let named = analysis.schema.named.get(&analysis.names.get(word)?)?;
    Some((named.file, named.span))
}

/// `cluster = leap` in a community: the value names the cluster.
fn cluster_value_at(doc: &Document<'_>, analysis: &Analysis, offset: u32) -> Option<Found> {
    let cluster_key = analysis.names.get("cluster")?;
    analysis
        .fleet
        .decls
        .iter()
        .enumerate()
        .find_map(|(index, decl)| {
            let cluster = decl.cluster?;
            let op = decl.layer.properties.iter().find(|op| {
                *op.path == [cluster_key]
                    && op.origin.file == doc.file.id
                    && op.origin.span.start <= offset
                    && offset <= op.origin.span.end
            })?;
            Some(Found::Reference {
                from: DeclId(index as u32),
                to: cluster,
                span: op.origin.span,
            })
        })
}

/// Where the value that the statement at `path` of `decl` overrides was set: the last layer
/// before `decl` in the value's chain; for a path no layer above sets, the schema field.
fn overridden(analysis: &Analysis, decl: DeclId, path: &[Symbol]) -> Option<(FileId, Span)> {
    let fleet = &analysis.fleet;
    let cluster_key = analysis.names.get("cluster");
    if let (Some(key), Some(cluster)) = (cluster_key, fleet.decl(decl).cluster)
        && path == [key]
    {
        let target = fleet.decl(cluster);
        return Some((target.file, target.name_span));
    }
    // A declaration's values include its own statements: what they override comes before.
    let above = query::value_of(analysis, decl, path)
        .map(|(_, chain)| chain)
        .unwrap_or_default();
    if let Some(origin) = above.iter().rev().find(|origin| origin.decl != decl) {
        return Some((origin.file, origin.span));
    }
    let root = fleet.root_type(decl)?;
    let field = super::hover::field_at(analysis, root, path)?;
    Some((field.file, field.span))
}

pub fn references(
    doc: &Document<'_>,
    position: Position,
    include_declaration: bool,
) -> Option<Vec<Location>> {
    let analysis = doc.analysis?;
    let offset = doc.offset(position);
    let target = match query::at(analysis, &doc.fleet.session, doc.file.id, offset)
        .or_else(|| cluster_value_at(doc, analysis, offset))?
    {
        Found::Declaration(id) | Found::Reference { to: id, .. } => id,
        _ => return None,
    };
    let fleet = &analysis.fleet;
    let encoding = doc.encoding;
    let mut places: Vec<(FileId, Span)> = Vec::new();
    if include_declaration {
        let decl = fleet.decl(target);
        places.push((decl.file, decl.name_span));
    }
    let cluster_key = analysis.names.get("cluster");
    for (index, decl) in fleet.decls.iter().enumerate() {
        let id = DeclId(index as u32);
        if decl.parent != Some(target)
            && !decl.mixins.contains(&target)
            && decl.cluster != Some(target)
        {
            continue;
        }
        let Some(header) = query::written(analysis, &doc.fleet.session, id) else {
            continue;
        };
        if decl.parent == Some(target)
            && let Some(parent) = &header.parent
        {
            places.push((decl.file, parent.span));
        }
        for (written, mixin) in header.mixins.iter().zip(&decl.mixins) {
            if *mixin == target {
                places.push((decl.file, written.span));
            }
        }
        if decl.cluster == Some(target) {
            let written =
                decl.layer.properties.iter().find(|op| {
                    Some(&op.path[..]) == cluster_key.as_ref().map(std::slice::from_ref)
                });
            if let Some(op) = written {
                places.push((op.origin.file, op.origin.span));
            }
        }
    }
    // The line index of each file is made once, however many references it holds.
    let mut indexes: HashMap<FileId, LineIndex<'_>> = HashMap::new();
    let mut found = Vec::new();
    for (file, span) in places {
        let Some(loaded) = doc
            .fleet
            .session
            .files
            .iter()
            .find(|loaded| loaded.id == file)
        else {
            continue;
        };
        let Some(uri) = uri_of(&loaded.path).filter(|_| loaded.path.is_absolute()) else {
            continue;
        };
        let index = indexes
            .entry(file)
            .or_insert_with(|| LineIndex::new(&doc.fleet.session.sources.get(file).text, encoding));
        found.push(Location::new(uri, index.range(span)));
    }
    Some(found)
}

fn location(fleet: &Fleet, encoding: Encoding, file: FileId, span: Span) -> Option<Location> {
    let loaded = fleet
        .session
        .files
        .iter()
        .find(|loaded| loaded.id == file)?;
    if !loaded.path.is_absolute() {
        // The standard modules live in the binary.
        return None;
    }
    let text = &fleet.session.sources.get(file).text;
    let range = LineIndex::new(text, encoding).range(span);
    Some(Location::new(uri_of(&loaded.path)?, range))
}

pub fn document_symbols(doc: &Document<'_>) -> Option<DocumentSymbolResponse> {
    let symbols = doc
        .file
        .parsed
        .file
        .items
        .iter()
        .filter_map(|item| item_symbol(item, &doc.lines))
        .collect();
    Some(DocumentSymbolResponse::Nested(symbols))
}

#[allow(deprecated)] // `deprecated` is a field every symbol must still be given
fn item_symbol(item: &ast::Item, lines: &LineIndex<'_>) -> Option<DocumentSymbol> {
    let (name, kind, detail, children) = match &item.kind {
        ItemKind::Decl(decl) => (
            decl.name.clone(),
            symbol_kind(decl.kind),
            Some(decl.kind.keyword().to_string()),
            block_symbols(&decl.body.statements, lines),
        ),
        ItemKind::Type(ty) => (
            ty.name.clone(),
            SymbolKind::STRUCT,
            Some("type".into()),
            Vec::new(),
        ),
        ItemKind::Schema(schema) => (
            schema.name.clone(),
            SymbolKind::STRUCT,
            Some("schema".into()),
            Vec::new(),
        ),
        ItemKind::Import(_) => return None,
    };
    Some(DocumentSymbol {
        name: name.name.clone(),
        detail,
        kind,
        tags: None,
        deprecated: None,
        range: lines.range(item.span),
        selection_range: lines.range(name.span),
        children: (!children.is_empty()).then_some(children),
    })
}

#[allow(deprecated)]
fn block_symbols(statements: &[ast::Statement], lines: &LineIndex<'_>) -> Vec<DocumentSymbol> {
    statements
        .iter()
        .filter_map(|statement| {
            let (name, span, kind, children) = match &statement.kind {
                StatementKind::Assign { path, .. } | StatementKind::Append { path, .. } => (
                    crate::format::path_text(path),
                    path.span,
                    SymbolKind::FIELD,
                    Vec::new(),
                ),
                StatementKind::Nested { path, block } => (
                    crate::format::path_text(path),
                    path.span,
                    SymbolKind::NAMESPACE,
                    block_symbols(&block.statements, lines),
                ),
                StatementKind::Labelled { kind, label, block } => (
                    format!("{} {}", kind.name, label.name),
                    label.span,
                    SymbolKind::OBJECT,
                    block_symbols(&block.statements, lines),
                ),
                _ => return None,
            };
            Some(DocumentSymbol {
                name,
                detail: None,
                kind,
                tags: None,
                deprecated: None,
                range: lines.range(statement.span),
                selection_range: lines.range(span),
                children: (!children.is_empty()).then_some(children),
            })
        })
        .collect()
}

fn symbol_kind(kind: DeclKind) -> SymbolKind {
    match kind {
        DeclKind::Chart | DeclKind::Platform => SymbolKind::PACKAGE,
        DeclKind::Archetype => SymbolKind::CLASS,
        DeclKind::Mixin => SymbolKind::INTERFACE,
        DeclKind::Community => SymbolKind::OBJECT,
        DeclKind::Cluster => SymbolKind::MODULE,
        DeclKind::InstanceType => SymbolKind::STRUCT,
    }
}

/// The declarations of every loaded fleet whose name holds `query`, case aside.
#[allow(deprecated)]
pub fn workspace_symbols(
    workspace: &Workspace,
    encoding: Encoding,
    query: &str,
) -> Option<Vec<SymbolInformation>> {
    let wanted = query.to_lowercase();
    let mut out = Vec::new();
    for fleet in workspace.fleets.values() {
        let paths: HashMap<FileId, PathBuf> = fleet.paths();
        for loaded in &fleet.session.files {
            let Some(path) = paths.get(&loaded.id) else {
                continue;
            };
            let Some(uri) = uri_of(path) else {
                continue;
            };
            let text = &fleet.session.sources.get(loaded.id).text;
            let lines = LineIndex::new(text, encoding);
            for item in &loaded.parsed.file.items {
                let ItemKind::Decl(decl) = &item.kind else {
                    continue;
                };
                if !decl.name.name.to_lowercase().contains(&wanted) {
                    continue;
                }
                out.push(SymbolInformation {
                    name: decl.name.name.clone(),
                    kind: symbol_kind(decl.kind),
                    tags: None,
                    deprecated: None,
                    location: Location::new(uri.clone(), lines.range(item.span)),
                    container_name: Some(decl.kind.keyword().to_string()),
                });
            }
        }
    }
    Some(out)
}
