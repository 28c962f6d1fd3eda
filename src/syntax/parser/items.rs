//! Top-level items: imports, and the declarations of charts, platforms, archetypes, mixins,
//! communities, clusters, types and schemas, each with its annotations and doc comment.

use super::recovery::{Boundary, report_failure, skip};
use super::{ITEM_KEYWORDS, block};
use crate::diagnostics::suggest::did_you_mean;
use crate::source::Span;
use crate::syntax::ast::{Block, Decl, DeclKind, Ident, Import, ItemKind, SchemaDecl, TypeDecl};
use crate::syntax::error::{SyntaxError, source_span};
use crate::syntax::lexical::{
    Cx, PErr, PResult, expect, ident, is_ident_start, keyword, name, peek_word, sp, sp_nl,
};
use crate::syntax::types::{struct_body, type_expr};

/// Whether a line starts a declaration, which ends a block that was never closed.
pub(super) fn starts_item(cx: &Cx<'_>, input: &str) -> bool {
    let Some(word) = peek_word(input) else {
        return input.starts_with('@') || input.starts_with("///");
    };
    if !ITEM_KEYWORDS.contains(&word) {
        return false;
    }
    let after = sp(cx, &input[word.len()..]);
    after.len() < input.len() - word.len()
        && after.starts_with(|c: char| is_ident_start(c) || c == '"')
}

pub(super) fn item<'a>(cx: &Cx<'a>, input: &'a str) -> PResult<'a, ItemKind> {
    let Some(word) = peek_word(input) else {
        return Err(PErr::expected(input, "a declaration"));
    };
    let keyword_end = &input[word.len()..];
    let keyword_span = cx.span(input, keyword_end);
    let resolved = if ITEM_KEYWORDS.contains(&word) {
        word
    } else if let Some(suggestion) = did_you_mean(word, ITEM_KEYWORDS.iter().copied()) {
        cx.report(SyntaxError::UnknownKeyword {
            word: word.to_string(),
            span: source_span(keyword_span),
            help: format!("did you mean `{suggestion}`?"),
        });
        suggestion
    } else {
        return Err(PErr::expected(input, "a declaration"));
    };
    let after_keyword = sp(cx, keyword_end);
    if after_keyword.len() == keyword_end.len() && !keyword_end.is_empty() {
        return Err(PErr::expected(keyword_end, "a space after the keyword"));
    }
    match resolved {
        "import" => import(cx, after_keyword),
        "type" => {
            let (after_name, type_name) =
                expect(ident(cx, after_keyword), after_keyword, "a type name")?;
            let equals = sp(cx, after_name);
            let Some(after_equals) = equals.strip_prefix('=') else {
                return Err(PErr::expected(equals, "`=`"));
            };
            let type_start = sp_nl(cx, after_equals);
            let (rest, ty) = expect(type_expr(cx, type_start), type_start, "a type")?;
            Ok((
                rest,
                ItemKind::Type(TypeDecl {
                    name: type_name,
                    ty,
                }),
            ))
        }
        "schema" => {
            let (after_name, schema_name) = name(cx, after_keyword)?;
            let brace = sp(cx, after_name);
            if !brace.starts_with('{') {
                return Err(PErr::expected(brace, "`{`"));
            }
            let (rest, body) = struct_body(cx, brace)?;
            Ok((
                rest,
                ItemKind::Schema(SchemaDecl {
                    name: schema_name,
                    body,
                }),
            ))
        }
        keyword_text => {
            let kind = DeclKind::ALL
                .into_iter()
                .find(|kind| kind.keyword() == keyword_text)
                .expect("item keywords cover every declaration kind");
            decl(cx, kind, keyword_span, after_keyword)
        }
    }
}

fn import<'a>(cx: &Cx<'a>, input: &'a str) -> PResult<'a, ItemKind> {
    let (mut rest, first) = expect(
        ident(cx, input),
        input,
        "a module path such as `std.jupyterhub`",
    )?;
    let mut module = vec![first];
    while let Some(after_dot) = rest.strip_prefix('.') {
        let (after, next) = expect(ident(cx, after_dot), after_dot, "a name after `.`")?;
        module.push(next);
        rest = after;
    }
    let mut alias = None;
    let ahead = sp(cx, rest);
    if let Ok((after_as, _)) = keyword(ahead, "as") {
        let alias_start = sp(cx, after_as);
        let (after_alias, alias_name) = expect(ident(cx, alias_start), alias_start, "a name")?;
        alias = Some(alias_name);
        rest = after_alias;
    }
    Ok((
        rest,
        ItemKind::Import(Import {
            path: module,
            alias,
        }),
    ))
}

/// A declaration. Once its keyword and name are read, it is kept whatever follows: a header
/// that breaks later (a parent, a mixin, the `{`) is reported, and the declaration keeps what
/// parsed of it, with the block that opens later on the same line, or else an empty body.
fn decl<'a>(
    cx: &Cx<'a>,
    kind: DeclKind,
    keyword_span: Span,
    input: &'a str,
) -> PResult<'a, ItemKind> {
    let (after_name, decl_name) = name(cx, input)?;
    let mut parent = None;
    let mut mixins = Vec::new();
    let header = header(cx, kind, sp(cx, after_name), &mut parent, &mut mixins);
    let (rest, body) = match header.and_then(|open| block(cx, open)) {
        Ok(parsed) => parsed,
        Err(nom::Err::Error(failure)) => {
            let at = failure.at;
            report_failure(cx, nom::Err::Error(failure));
            match brace_on_line(at) {
                Some(open) => block(cx, open)?,
                None => {
                    let rest = skip(cx, at, Boundary::Item);
                    let end = cx.text[..cx.offset(rest)].trim_end().len();
                    let body = Block {
                        statements: Vec::new(),
                        span: Span::empty(end.max(cx.offset(at))),
                    };
                    (&cx.text[body.span.start as usize..], body)
                }
            }
        }
        Err(error) => return Err(error),
    };
    Ok((
        rest,
        ItemKind::Decl(Decl {
            kind,
            keyword_span,
            name: decl_name,
            parent,
            mixins,
            body,
        }),
    ))
}

/// What follows a declaration's name up to its `{`: `extends` and the parent, or `:`, the
/// archetype and `with` the mixins. Returns the input at the `{`.
fn header<'a>(
    cx: &Cx<'a>,
    kind: DeclKind,
    mut rest: &'a str,
    parent: &mut Option<Ident>,
    mixins: &mut Vec<Ident>,
) -> Result<&'a str, nom::Err<PErr<'a>>> {
    match kind {
        DeclKind::Chart | DeclKind::Platform | DeclKind::Archetype => {
            if let Ok((after, _)) = keyword(rest, "extends") {
                let parent_start = sp(cx, after);
                let (after_parent, parent_name) = name(cx, parent_start)?;
                *parent = Some(parent_name);
                rest = sp(cx, after_parent);
            } else if kind == DeclKind::Archetype {
                return Err(PErr::expected(
                    rest,
                    "`extends` and the parent of the archetype",
                ));
            }
        }
        DeclKind::Community => {
            let Some(after_colon) = rest.strip_prefix(':') else {
                return Err(PErr::expected(
                    rest,
                    "`:` and the archetype of the community",
                ));
            };
            let parent_start = sp(cx, after_colon);
            let (after_parent, parent_name) = name(cx, parent_start)?;
            *parent = Some(parent_name);
            rest = sp(cx, after_parent);
            if let Ok((after_with, _)) = keyword(rest, "with") {
                let mut at = sp(cx, after_with);
                loop {
                    let (after_mixin, mixin) = name(cx, at)?;
                    mixins.push(mixin);
                    let ahead = sp(cx, after_mixin);
                    match ahead.strip_prefix(',') {
                        Some(after_comma) => at = sp(cx, after_comma),
                        None => {
                            rest = ahead;
                            break;
                        }
                    }
                }
            }
        }
        DeclKind::Mixin | DeclKind::Cluster | DeclKind::InstanceType => {}
    }
    Ok(rest)
}

/// The `{` that opens a block later on the line of `at`, outside strings and comments.
fn brace_on_line(at: &str) -> Option<&str> {
    let line = &at[..at.find('\n').unwrap_or(at.len())];
    let mut in_string = false;
    let mut escaped = false;
    for (index, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '/' if !in_string && line[index..].starts_with("//") => return None,
            '{' if !in_string => return Some(&at[index..]),
            _ => {}
        }
    }
    None
}
