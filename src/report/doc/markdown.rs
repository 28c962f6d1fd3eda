//! The documentation as Markdown pages for a documentation site: GitHub's tables, an HTML
//! anchor before each field of the schema reference, and links to the fleet's files, copied
//! beside the pages, at `#L<line>` (the line anchors of GitHub's and most sites' file views).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::model::{FleetDoc, LayerDoc, PathDoc, Place, RuleDoc};
use super::schema::SchemaDoc;
use super::{all_paths, layer_page, source_page};
use crate::syntax::ast::DeclKind;

pub fn render(doc: &FleetDoc) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    files.insert("index.md".to_string(), index(doc));
    for layer in &doc.layers {
        files.insert(format!("{}.md", layer.page), layer_md(doc, layer));
    }
    for schema in &doc.schemas {
        files.insert(format!("{}.md", schema.page), schema_md(schema));
    }
    for source in &doc.sources {
        files.insert(source_page(&source.name, ""), source.text.clone());
    }
    files
}

fn index(doc: &FleetDoc) -> String {
    let mut out = format!("# {}\n\n", text(&doc.title));
    let count = |kind| doc.layers.iter().filter(|l| l.kind == kind).count();
    let _ = writeln!(
        out,
        "{} platforms, {} archetypes, {} mixins, {} clusters, {} communities.\n",
        count(DeclKind::Platform),
        count(DeclKind::Archetype),
        count(DeclKind::Mixin),
        doc.clusters.len(),
        doc.n_communities,
    );
    for (kind, title) in [
        (DeclKind::Platform, "Platforms"),
        (DeclKind::Archetype, "Archetypes"),
        (DeclKind::Mixin, "Mixins"),
    ] {
        let _ = writeln!(out, "## {title}\n");
        let layers: Vec<&LayerDoc> = doc.layers.iter().filter(|l| l.kind == kind).collect();
        if layers.is_empty() {
            out.push_str("None.\n\n");
            continue;
        }
        out.push_str("| name | extends | communities | about |\n| --- | --- | ---: | --- |\n");
        for layer in layers {
            let extends = layer
                .extends
                .last()
                .map(|(kind, name)| layer_link(doc, *kind, name))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "| [{}]({}.md) | {extends} | {} | {} |",
                code(&layer.name),
                layer.page,
                layer.communities.len(),
                cell(&summary(layer.doc.as_deref())),
            );
        }
        out.push('\n');
    }
    out.push_str("## Clusters\n\n| name | provider | communities | declared at |\n| --- | --- | ---: | --- |\n");
    for cluster in &doc.clusters {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            code(&cluster.name),
            text(cluster.provider.as_deref().unwrap_or("")),
            cluster.n_communities,
            place_link(&cluster.place),
        );
    }
    out.push_str("\n## Schema reference\n\n");
    for schema in &doc.schemas {
        let _ = writeln!(
            out,
            "- [{}]({}.md): {} fields. {}",
            code(&schema.name),
            schema.page,
            schema.fields.len(),
            summary(schema.doc.as_deref())
        );
    }
    out.push_str("\n## Paths\n\nEvery path a platform, archetype or mixin sets or rules on, with the pages that show it.\n\n");
    for (path, (schema, layers)) in all_paths(doc) {
        let shown = match schema {
            Some((page, anchor)) => format!("[{}]({page}.md#{anchor})", code(path)),
            None => code(path),
        };
        let pages: Vec<String> = layers
            .iter()
            .map(|layer| {
                format!(
                    "[{} {}]({}.md)",
                    layer.kind.keyword(),
                    text(&layer.name),
                    layer.page
                )
            })
            .collect();
        let _ = writeln!(out, "- {shown}: {}", pages.join(", "));
    }
    out
}

fn layer_md(doc: &FleetDoc, layer: &LayerDoc) -> String {
    let mut out = format!("# {} {}\n\n", layer.kind.keyword(), code(&layer.name));
    if let Some(deprecated) = &layer.deprecated {
        let _ = writeln!(out, "**Deprecated**: {}\n", text(deprecated));
    }
    if let Some(prose) = &layer.doc {
        let _ = writeln!(out, "{}\n", text(prose));
    }
    let _ = writeln!(out, "- declared at {}", place_link(&layer.place));
    if !layer.extends.is_empty() {
        let chain: Vec<String> = layer
            .extends
            .iter()
            .map(|(k, n)| layer_link(doc, *k, n))
            .collect();
        let _ = writeln!(out, "- extends {}", chain.join(" → "));
    }
    if !layer.extended_by.is_empty() {
        let children: Vec<String> = layer
            .extended_by
            .iter()
            .map(|(k, n)| layer_link(doc, *k, n))
            .collect();
        let _ = writeln!(out, "- extended by {}", children.join(", "));
    }
    if let Some(chart) = &layer.chart {
        let _ = writeln!(out, "- chart {}", code(chart));
    }
    if let Some(schema) = &layer.schema {
        let _ = writeln!(
            out,
            "- values typed by [{}](schema-{}.md)",
            code(&format!("schema {schema}")),
            super::file_safe(schema)
        );
    }
    if let Some(budget) = &layer.budget {
        let _ = writeln!(
            out,
            "- budget: {} per community ({} {}, {})",
            code(&format!("bespoke {}", budget.bounds.join(" "))),
            budget.declared_in.0.keyword(),
            code(&budget.declared_in.1),
            place_link(&budget.place),
        );
    }
    out.push('\n');
    if layer.kind != DeclKind::Mixin {
        rules_section(
            &mut out,
            "What a community may change",
            "A community may set these paths (and what is below them) within the bounds; each setting counts as tuned, not as drift.",
            &layer.tunables,
        );
        rules_section(
            &mut out,
            "Locked",
            "A community may not set these paths: setting one is a policy violation.",
            &layer.locked,
        );
        rules_section(
            &mut out,
            "Identity settings",
            "What each community sets for itself (its name, people, domain, volumes): never drift. A required one must be set by every community.",
            &layer.identities,
        );
    }
    if layer.kind == DeclKind::Mixin {
        out.push_str("## What it sets\n\nThe values this mixin gives the communities that use it; they are still measured against each community's archetype.\n\n");
    } else {
        out.push_str("## What a community gets\n\nThe values a community of this kind starts from, each with the layer that sets it.\n\n");
    }
    if layer.n_chart_defaults > 0 {
        let _ = writeln!(
            out,
            "Besides these, {} values are the chart's own defaults.\n",
            layer.n_chart_defaults
        );
    }
    out.push_str("| path | value | rule | set in | about |\n| --- | --- | --- | --- | --- |\n");
    for value in &layer.values {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} {} {} | {} |",
            path_link(&value.path),
            cell(&code(&value.value)),
            value.rule.unwrap_or(""),
            value.set_in.0.keyword(),
            layer_link(doc, value.set_in.0, &value.set_in.1),
            place_link(&value.place),
            cell(&about(value.doc.as_deref(), &value.path)),
        );
    }
    out.push_str(if layer.kind == DeclKind::Mixin {
        "\n## Communities using it\n\n"
    } else {
        "\n## Communities\n\n"
    });
    if layer.communities.is_empty() {
        out.push_str("None.\n");
        return out;
    }
    out.push_str("| community | cluster | domain | archetype | mixins | bespoke | declared at |\n| --- | --- | --- | --- | --- | ---: | --- |\n");
    for community in &layer.communities {
        let bespoke = match community.budget {
            Some(budget) => format!("{} of {budget}", community.bespoke),
            None => community.bespoke.to_string(),
        };
        let mixins: Vec<String> = community
            .mixins
            .iter()
            .map(|m| layer_link(doc, DeclKind::Mixin, m))
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {bespoke} | {} |",
            code(&community.name),
            text(community.cluster.as_deref().unwrap_or("")),
            text(community.domain.as_deref().unwrap_or("")),
            community
                .archetype
                .as_deref()
                .map(|a| layer_link(doc, DeclKind::Archetype, a))
                .unwrap_or_default(),
            mixins.join(", "),
            place_link(&community.place),
        );
    }
    out
}

fn rules_section(out: &mut String, title: &str, intro: &str, rules: &[RuleDoc]) {
    let _ = writeln!(out, "## {title}\n");
    if rules.is_empty() {
        out.push_str("None.\n\n");
        return;
    }
    let _ = writeln!(out, "{intro}\n");
    out.push_str(
        "| path | type | bounds | declared in | about |\n| --- | --- | --- | --- | --- |\n",
    );
    for rule in rules {
        let mut bounds: Vec<String> = rule.bounds.iter().map(|b| code(b)).collect();
        if rule.required {
            bounds.push("required".to_string());
        }
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} {} {} | {} |",
            path_link(&rule.path),
            cell(&rule.path.ty.as_deref().map(code).unwrap_or_default()),
            cell(&bounds.join(", ")),
            rule.declared_in.0.keyword(),
            code(&rule.declared_in.1),
            place_link(&rule.place),
            cell(&about(rule.doc.as_deref(), &rule.path)),
        );
    }
    out.push('\n');
}

fn schema_md(schema: &SchemaDoc) -> String {
    let kind = if schema.page == super::schema::TYPES_PAGE {
        ""
    } else {
        "schema "
    };
    let mut out = format!("# {kind}{}\n\n", code(&schema.name));
    if let Some(prose) = &schema.doc {
        let _ = writeln!(out, "{}\n", text(prose));
    }
    if let Some(place) = &schema.place {
        let _ = writeln!(out, "Declared at {}.\n", place_link(place));
    }
    for field in &schema.fields {
        let mut ty = code(&field.ty);
        if let Some(anchor) = &field.named_type {
            ty = format!("[{ty}]({}.md#{anchor})", super::schema::TYPES_PAGE);
        }
        let _ = write!(
            out,
            "<a id=\"{}\"></a>\n{} {}: {ty}",
            field.anchor,
            "#".repeat((field.depth + 2).min(6)),
            code(&field.path)
        );
        out.push_str("\n\n");
        if field.required {
            out.push_str("- required\n");
        }
        if !field.allowed.is_empty() {
            let allowed: Vec<String> = field.allowed.iter().map(|a| code(a)).collect();
            let _ = writeln!(out, "- one of {}", allowed.join(", "));
        }
        if let Some(units) = field.units {
            let _ = writeln!(out, "- {units}");
        }
        for check in &field.checks {
            let _ = writeln!(out, "- check {}", code(check));
        }
        if field.open {
            out.push_str("- open: other keys are accepted below it\n");
        }
        if let Some(place) = &field.place {
            let _ = writeln!(out, "- declared at {}", place_link(place));
        }
        if let Some(prose) = &field.doc {
            let _ = writeln!(out, "\n{}", text(prose));
        }
        out.push('\n');
    }
    out
}

fn path_link(path: &PathDoc) -> String {
    match &path.schema {
        Some((page, anchor)) => format!("[{}]({page}.md#{anchor})", code(&path.text)),
        None => code(&path.text),
    }
}

/// `file:line`, linked to the line of the copy of the file.
fn place_link(place: &Place) -> String {
    format!(
        "[{}:{}](<{}#L{}>)",
        text(&place.file),
        place.line,
        source_page(&place.file, ""),
        place.line
    )
}

fn layer_link(doc: &FleetDoc, kind: DeclKind, name: &str) -> String {
    match layer_page(doc, kind, name) {
        Some(page) => format!("[{}]({page}.md)", code(name)),
        None => code(name),
    }
}

/// What a statement's doc says, or else what its path's schema field says.
fn about(doc: Option<&str>, path: &PathDoc) -> String {
    text(doc.or(path.doc.as_deref()).unwrap_or(""))
}

fn summary(doc: Option<&str>) -> String {
    let first = doc.unwrap_or("").split("\n\n").next().unwrap_or("");
    text(&first.replace('\n', " "))
}

/// A code span holding `text` whatever backticks it contains.
fn code(text: &str) -> String {
    crate::report::markdown_code_span(&text.replace('\n', " "))
}

/// Doc text as Markdown: written as Markdown already, with HTML's brackets escaped so no tag
/// of it is taken as a page's own.
fn text(prose: &str) -> String {
    prose
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Markdown inside a table cell: on one line, with its pipes escaped.
fn cell(markdown: &str) -> String {
    markdown.replace('\n', " ").replace('|', "\\|")
}
