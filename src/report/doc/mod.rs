//! The documentation of a fleet (`hubc doc`): for the people who use it, one page per
//! archetype (what a community gets, what it may change and within which bounds, what is
//! locked, the identity settings it must set, its budget, its communities), per platform and per
//! mixin, an index, the schema reference, and the fleet's own files, every line of which a page
//! can link to. `model.rs` builds the pages' data from an analysis and `schema.rs` the
//! reference; `html.rs` and `markdown.rs` render them as files. Doc comments (`///`) on
//! declarations, statements and schema fields are the source of the prose.

mod html;
mod markdown;
mod model;
mod schema;

use std::collections::BTreeMap;

pub use model::{
    ClusterDoc, CommunityDoc, FleetDoc, LayerDoc, PathDoc, Place, RuleDoc, SourceDoc, SourceNames,
    ValueDoc, build,
};
pub use schema::{FieldDoc, SchemaDoc};

/// How the pages are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Self-contained HTML pages, readable without JavaScript; the index searches paths.
    Html,
    /// Markdown pages for a documentation site.
    Markdown,
}

/// Every file of the documentation, by path relative to the output directory.
pub fn render(doc: &FleetDoc, format: Format) -> BTreeMap<String, String> {
    match format {
        Format::Html => html::render(doc),
        Format::Markdown => markdown::render(doc),
    }
}

/// A name as part of a file name: letters, digits, `_`, `-` and `.` as they are, anything else
/// as `_`.
pub(crate) fn file_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Where a layer page is, from its kind and name, for links between layers.
fn layer_page<'a>(
    doc: &'a FleetDoc,
    kind: crate::syntax::ast::DeclKind,
    name: &str,
) -> Option<&'a str> {
    doc.layers
        .iter()
        .find(|layer| layer.kind == kind && layer.name == name)
        .map(|layer| layer.page.as_str())
}

/// Where a path is shown: its field in the schema reference (page, anchor), and the pages.
type Shown<'a> = (Option<&'a (String, String)>, Vec<&'a LayerDoc>);

/// Every path the pages show, with the pages that show it: what the index searches.
fn all_paths(doc: &FleetDoc) -> BTreeMap<&str, Shown<'_>> {
    let mut found: BTreeMap<&str, Shown<'_>> = BTreeMap::new();
    for layer in &doc.layers {
        let paths = layer
            .tunables
            .iter()
            .chain(&layer.locked)
            .chain(&layer.identities)
            .map(|rule| &rule.path)
            .chain(layer.values.iter().map(|value| &value.path));
        for path in paths {
            let entry = found.entry(path.text.as_str()).or_default();
            entry.0 = entry.0.or(path.schema.as_ref());
            if !entry.1.iter().any(|shown| std::ptr::eq(*shown, layer)) {
                entry.1.push(layer);
            }
        }
    }
    found
}

/// What the page (or, for Markdown, the copy) of a fleet file is called.
fn source_page(name: &str, extension: &str) -> String {
    format!("source/{}{extension}", name)
}

/// How many directories deep a page is, as the `../` that lead back to the top.
fn up(page: &str) -> String {
    "../".repeat(page.matches('/').count())
}
