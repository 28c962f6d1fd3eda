//! Completion, from what the line holds before the cursor: schema keys after a dotted prefix
//! (inside nested blocks too), archetypes after `:` and `extends`, mixins after `with`, the
//! literal values of a union after `=`, clusters after `cluster =`, units after a number,
//! annotations after `@`, and keywords where a statement or a declaration starts.

use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionResponse, Documentation, MarkupContent,
    MarkupKind, Position,
};

use super::Document;
use crate::analysis::Analysis;
use crate::intern::Symbol;
use crate::resolve::value::DeclId;
use crate::schema::scalar::{Scalar, scalar_text};
use crate::schema::{Type, TypeId};
use crate::syntax::ast::{DeclKind, StatementKind};
use crate::syntax::{ANNOTATIONS, ITEM_KEYWORDS, STATEMENT_KEYWORDS, UNITS};

pub fn complete(doc: &Document<'_>, position: Position) -> Option<CompletionResponse> {
    let offset = doc.offset(position) as usize;
    let line_start = doc.text[..offset].rfind('\n').map_or(0, |index| index + 1);
    let line = &doc.text[line_start..offset];
    let items = items_for(doc, offset, line);
    Some(CompletionResponse::Array(items))
}

fn items_for(doc: &Document<'_>, offset: usize, line: &str) -> Vec<CompletionItem> {
    let trimmed = line.trim_start();
    // `@rea|`
    if let Some(at) = line.rfind('@')
        && line[at + 1..]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return words(ANNOTATIONS, CompletionItemKind::KEYWORD, "annotation");
    }
    // `import |`: the modules of the fleet and the standard ones.
    if trimmed.starts_with("import ") {
        let mut modules: Vec<&str> = doc
            .fleet
            .session
            .files
            .iter()
            .map(|file| file.module.as_str())
            .chain(crate::stdlib::MODULES.iter().map(|(name, _)| *name))
            .filter(|module| *module != doc.file.module)
            .collect();
        modules.sort_unstable();
        modules.dedup();
        return words(&modules, CompletionItemKind::MODULE, "module");
    }
    let analysis = doc.analysis;
    // Declaration headers: `community "x" : |`, `... with a, |`, `archetype a extends |`.
    if let Some(keyword) = ITEM_KEYWORDS.iter().find(|k| {
        trimmed
            .strip_prefix(**k)
            .is_some_and(|rest| rest.starts_with(' '))
    }) && !line.contains(['{', '='])
    {
        return header_items(analysis, keyword, trimmed);
    }
    // `4Gi|` after a number.
    let token_start = line
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
        .map_or(0, |index| index + 1);
    let token = &line[token_start..];
    if token.starts_with(|c: char| c.is_ascii_digit())
        && token
            .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.')
            .chars()
            .all(|c| c.is_ascii_alphabetic())
        && line[..token_start]
            .trim_end()
            .ends_with(['=', ',', '[', '(', '<', '>'])
    {
        return words(UNITS, CompletionItemKind::UNIT, "unit");
    }
    let Some(analysis) = analysis else {
        return Vec::new();
    };
    let Some((decl, mut prefix)) = enclosing(doc, analysis, offset) else {
        return words(ITEM_KEYWORDS, CompletionItemKind::KEYWORD, "declaration");
    };
    // `path = |`: the values the path's type allows.
    if let Some((path, _)) = trimmed.split_once('=')
        && !path.trim().is_empty()
        && !path.contains(['{', '}'])
    {
        let keys: Vec<&str> = path
            .trim()
            .trim_end_matches('+')
            .trim()
            .split('.')
            .collect();
        if keys == ["cluster"] && prefix.is_empty() {
            return declarations(analysis, &[DeclKind::Cluster]);
        }
        prefix.extend(keys.iter().map(|key| key.trim_matches('"').to_string()));
        return value_items(analysis, decl, &prefix);
    }
    // `jupyterhub.singleuser.|`: the keys of the type at the prefix.
    let path_start = line
        .rfind(|c: char| {
            !(c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-' || c == '"')
        })
        .map_or(0, |index| index + 1);
    let written = &line[path_start..];
    let before = line[..path_start].trim();
    let mut keys: Vec<&str> = written.split('.').collect();
    keys.pop();
    prefix.extend(keys.iter().map(|key| key.trim_matches('"').to_string()));
    let mut items = key_items(analysis, decl, &prefix);
    let policy_word = STATEMENT_KEYWORDS.contains(&before.split_whitespace().last().unwrap_or(""));
    if keys.is_empty() && (before.is_empty() || before.ends_with(['{', ',', ';'])) && !policy_word {
        items.extend(words(
            STATEMENT_KEYWORDS,
            CompletionItemKind::KEYWORD,
            "statement",
        ));
    }
    items
}

/// The declaration around `offset`, and the keys of the nested blocks the offset is in.
fn enclosing(
    doc: &Document<'_>,
    analysis: &Analysis,
    offset: usize,
) -> Option<(DeclId, Vec<String>)> {
    let offset = offset as u32;
    let (id, written) = doc.decl_at(analysis, offset)?;
    if offset <= written.body.span.start {
        return None;
    }
    let mut prefix = Vec::new();
    let mut statements = &written.body.statements;
    'descend: loop {
        for statement in statements {
            if let StatementKind::Nested { path, block } = &statement.kind
                && block.span.start < offset
                && offset < block.span.end
            {
                prefix.extend(path.keys.iter().map(|key| key.name.clone()));
                statements = &block.statements;
                continue 'descend;
            }
        }
        break;
    }
    Some((id, prefix))
}

fn symbols(analysis: &Analysis, keys: &[String]) -> Option<Vec<Symbol>> {
    keys.iter().map(|key| analysis.names.get(key)).collect()
}

/// The type at `keys` below the values of `decl`.
fn type_at(analysis: &Analysis, decl: DeclId, keys: &[String]) -> Option<TypeId> {
    let root = analysis.fleet.root_type(decl)?;
    let path = symbols(analysis, keys)?;
    let ty = analysis.schema.type_at(root, &path)?;
    Some(analysis.schema.resolve_alias(ty))
}

fn key_items(analysis: &Analysis, decl: DeclId, prefix: &[String]) -> Vec<CompletionItem> {
    let Some(ty) = type_at(analysis, decl, prefix) else {
        return Vec::new();
    };
    let schema = &analysis.schema;
    let mut fields = Vec::new();
    collect_fields(analysis, ty, &mut fields);
    fields
        .into_iter()
        .map(|field| {
            let key = analysis.names.resolve(field.key);
            let label = if crate::syntax::is_bare_key(key) {
                key.to_string()
            } else {
                crate::syntax::quote(key)
            };
            CompletionItem {
                label,
                kind: Some(CompletionItemKind::FIELD),
                detail: Some(schema.describe(field.ty, &analysis.names)),
                documentation: field.doc.as_ref().map(|doc| {
                    Documentation::MarkupContent(MarkupContent {
                        kind: MarkupKind::Markdown,
                        value: doc.clone(),
                    })
                }),
                ..Default::default()
            }
        })
        .collect()
}

/// The fields of a struct type, or of every struct of a union.
fn collect_fields<'a>(
    analysis: &'a Analysis,
    ty: TypeId,
    out: &mut Vec<&'a crate::schema::FieldType>,
) {
    let schema = &analysis.schema;
    match schema.get(schema.resolve_alias(ty)) {
        Type::Struct(body) => {
            for field in &body.fields {
                if !out.iter().any(|known| known.key == field.key) {
                    out.push(field);
                }
            }
        }
        Type::Union(alternatives) => {
            for &alternative in alternatives {
                collect_fields(analysis, alternative, out);
            }
        }
        Type::Matching { base, .. } => collect_fields(analysis, *base, out),
        _ => {}
    }
}

/// The literal values of the type at `path`: the alternatives of a union of literals, or
/// `true` and `false`.
fn value_items(analysis: &Analysis, decl: DeclId, path: &[String]) -> Vec<CompletionItem> {
    let Some(ty) = type_at(analysis, decl, path) else {
        return Vec::new();
    };
    let schema = &analysis.schema;
    let mut literals = Vec::new();
    let mut pending = vec![ty];
    while let Some(ty) = pending.pop() {
        match schema.get(schema.resolve_alias(ty)) {
            Type::Literal(scalar) => literals.push(scalar_text(scalar)),
            Type::Union(alternatives) => pending.extend(alternatives.iter().rev()),
            Type::Bool => literals.extend([
                scalar_text(&Scalar::Bool(true)),
                scalar_text(&Scalar::Bool(false)),
            ]),
            _ => {}
        }
    }
    literals
        .into_iter()
        .map(|text| CompletionItem {
            label: text,
            kind: Some(CompletionItemKind::ENUM_MEMBER),
            detail: Some(schema.describe(ty, &analysis.names)),
            ..Default::default()
        })
        .collect()
}

/// After the name of a declaration: what it may extend, or the mixins it may use.
fn header_items(analysis: Option<&Analysis>, keyword: &str, line: &str) -> Vec<CompletionItem> {
    let Some(analysis) = analysis else {
        return Vec::new();
    };
    let ends_in_space = line.ends_with(char::is_whitespace);
    let after = |word: &str| {
        line.split_whitespace()
            .rev()
            .nth(if ends_in_space { 0 } else { 1 })
            .is_some_and(|previous| previous == word || previous.ends_with(word))
    };
    match keyword {
        "community" if line.contains(" with ") && (after("with") || after(",")) => {
            declarations(analysis, &[DeclKind::Mixin])
        }
        "community" if line.contains(':') && !line.contains(" with ") => {
            declarations(analysis, &[DeclKind::Archetype])
        }
        "archetype" if after("extends") => {
            declarations(analysis, &[DeclKind::Platform, DeclKind::Archetype])
        }
        "platform" if after("extends") => {
            declarations(analysis, &[DeclKind::Platform, DeclKind::Chart])
        }
        "chart" if after("extends") => declarations(analysis, &[DeclKind::Chart]),
        _ => Vec::new(),
    }
}

fn declarations(analysis: &Analysis, kinds: &[DeclKind]) -> Vec<CompletionItem> {
    let mut items: Vec<CompletionItem> = analysis
        .fleet
        .decls
        .iter()
        .filter(|decl| kinds.contains(&decl.kind))
        .map(|decl| CompletionItem {
            label: decl.display.clone(),
            kind: Some(match decl.kind {
                DeclKind::Mixin => CompletionItemKind::INTERFACE,
                DeclKind::Cluster => CompletionItemKind::MODULE,
                _ => CompletionItemKind::CLASS,
            }),
            detail: Some(decl.kind.keyword().to_string()),
            documentation: decl.doc.as_ref().map(|doc| {
                Documentation::MarkupContent(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: doc.clone(),
                })
            }),
            ..Default::default()
        })
        .collect();
    items.sort_by(|left, right| left.label.cmp(&right.label));
    items.dedup_by(|left, right| left.label == right.label);
    items
}

fn words(words: &[&str], kind: CompletionItemKind, detail: &str) -> Vec<CompletionItem> {
    words
        .iter()
        .map(|word| CompletionItem {
            label: word.to_string(),
            kind: Some(kind),
            detail: Some(detail.to_string()),
            ..Default::default()
        })
        .collect()
}
