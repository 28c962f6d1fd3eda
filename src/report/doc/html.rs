//! The documentation as HTML pages: each stands alone (its style inline, nothing loaded from
//! elsewhere) and is whole without JavaScript; the index's one inline script filters its list
//! of every path as one types, starting from `?q=` in its address.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::model::{FleetDoc, LayerDoc, PathDoc, Place, RuleDoc};
use super::schema::SchemaDoc;
use super::{all_paths, layer_page, source_page, up};
use crate::syntax::ast::DeclKind;

const CSS: &str = include_str!("page.css");
const SEARCH_JS: &str = include_str!("search.js");

pub fn render(doc: &FleetDoc) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    files.insert("index.html".to_string(), index(doc));
    for layer in &doc.layers {
        let name = format!("{}.html", layer.page);
        files.insert(name.clone(), layer_html(doc, layer, &name));
    }
    for schema in &doc.schemas {
        let name = format!("{}.html", schema.page);
        files.insert(name.clone(), schema_html(doc, schema, &name));
    }
    for source in &doc.sources {
        let name = source_page(&source.name, ".html");
        let mut body = format!("<h1><code>{}</code></h1>\n", escape(&source.name));
        if !source.inner_doc.is_empty() {
            body.push_str(&prose(&source.inner_doc.join("\n")));
        }
        body.push_str("<pre class=\"source\">");
        for (index, line) in source.text.lines().enumerate() {
            let n = index + 1;
            let _ = writeln!(
                body,
                "<span class=\"line\" id=\"L{n}\"><a class=\"ln\" href=\"#L{n}\">{n}</a>{}</span>",
                escape(line)
            );
        }
        body.push_str("</pre>\n");
        files.insert(name.clone(), page(doc, &source.name, &name, &body, None));
    }
    files
}

/// A whole page: its style inline, a bar of links to the index's sections.
fn page(doc: &FleetDoc, title: &str, name: &str, body: &str, script: Option<&str>) -> String {
    let up = up(name);
    let mut out = String::with_capacity(body.len() + CSS.len() + 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} · {}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n<header><nav>\
         <a href=\"{up}index.html\"><strong>{}</strong></a> \
         <a href=\"{up}index.html#platforms\">platforms</a> \
         <a href=\"{up}index.html#archetypes\">archetypes</a> \
         <a href=\"{up}index.html#mixins\">mixins</a> \
         <a href=\"{up}index.html#clusters\">clusters</a> \
         <a href=\"{up}index.html#schemas\">schemas</a> \
         <a href=\"{up}index.html#paths\">paths</a></nav></header>\n<main>\n{body}</main>\n",
        escape(title),
        escape(&doc.title),
        escape(&doc.title),
    );
    if let Some(script) = script {
        let _ = write!(out, "<script>\n{script}</script>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn index(doc: &FleetDoc) -> String {
    let mut body = format!("<h1>{}</h1>\n", escape(&doc.title));
    let count = |kind| doc.layers.iter().filter(|l| l.kind == kind).count();
    let _ = writeln!(
        body,
        "<p class=\"summary\">{} platforms, {} archetypes, {} mixins, {} clusters, {} communities.</p>",
        count(DeclKind::Platform),
        count(DeclKind::Archetype),
        count(DeclKind::Mixin),
        doc.clusters.len(),
        doc.n_communities,
    );
    for (kind, id, title) in [
        (DeclKind::Platform, "platforms", "Platforms"),
        (DeclKind::Archetype, "archetypes", "Archetypes"),
        (DeclKind::Mixin, "mixins", "Mixins"),
    ] {
        let _ = writeln!(body, "<h2 id=\"{id}\">{title}</h2>");
        let layers: Vec<&LayerDoc> = doc.layers.iter().filter(|l| l.kind == kind).collect();
        if layers.is_empty() {
            body.push_str("<p>None.</p>\n");
            continue;
        }
        body.push_str("<table>\n<tr><th>name</th><th>extends</th><th>policy</th><th>communities</th><th>about</th></tr>\n");
        for layer in layers {
            let extends = layer
                .extends
                .last()
                .map(|(kind, name)| layer_link(doc, *kind, name))
                .unwrap_or_default();
            let policy = if kind == DeclKind::Mixin {
                format!("sets {}", layer.values.len())
            } else {
                let budget = layer
                    .budget
                    .as_ref()
                    .map(|b| format!(", budget {}", b.bounds.join(" ")))
                    .unwrap_or_default();
                format!(
                    "{} tunable, {} locked, {} identity{budget}",
                    layer.tunables.len(),
                    layer.locked.len(),
                    layer.identities.len()
                )
            };
            let _ = writeln!(
                body,
                "<tr><td><a href=\"{}.html\"><code>{}</code></a></td><td>{extends}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                layer.page,
                escape(&layer.name),
                escape(&policy),
                layer.communities.len(),
                summary(layer.doc.as_deref()),
            );
        }
        body.push_str("</table>\n");
    }
    body.push_str("<h2 id=\"clusters\">Clusters</h2>\n<table>\n<tr><th>name</th><th>provider</th><th>communities</th><th>declared at</th><th>about</th></tr>\n");
    for cluster in &doc.clusters {
        let _ = writeln!(
            body,
            "<tr><td><code>{}</code></td><td>{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>",
            escape(&cluster.name),
            escape(cluster.provider.as_deref().unwrap_or("")),
            cluster.n_communities,
            place_link(&cluster.place),
            summary(cluster.doc.as_deref()),
        );
    }
    body.push_str("</table>\n<h2 id=\"schemas\">Schema reference</h2>\n<ul>\n");
    for schema in &doc.schemas {
        let _ = writeln!(
            body,
            "<li><a href=\"{}.html\"><code>{}</code></a>: {} fields. {}</li>",
            schema.page,
            escape(&schema.name),
            schema.fields.len(),
            summary(schema.doc.as_deref()),
        );
    }
    body.push_str("</ul>\n");
    let paths = all_paths(doc);
    let _ = writeln!(
        body,
        "<h2 id=\"paths\">Paths</h2>\n<p>Every path a platform, archetype or mixin sets or rules on, with the pages that show it.</p>\n\
         <form id=\"search-form\" hidden><input id=\"search\" name=\"q\" type=\"search\" placeholder=\"filter paths, such as memory.limit\" aria-label=\"filter paths\"></form>\n\
         <p id=\"search-count\" data-shown=\"{0}\">{0} paths</p>\n<ul id=\"path-list\">",
        paths.len()
    );
    for (path, (schema, layers)) in &paths {
        let shown = match schema {
            Some((page, anchor)) => format!(
                "<a href=\"{page}.html#{anchor}\"><code>{}</code></a>",
                escape(path)
            ),
            None => format!("<code>{}</code>", escape(path)),
        };
        let pages: Vec<String> = layers
            .iter()
            .map(|layer| {
                format!(
                    "<a href=\"{}.html\">{} {}</a>",
                    layer.page,
                    layer.kind.keyword(),
                    escape(&layer.name)
                )
            })
            .collect();
        let _ = writeln!(
            body,
            "<li data-path=\"{}\">{shown}: {}</li>",
            escape(path),
            pages.join(", ")
        );
    }
    body.push_str("</ul>\n<h2 id=\"sources\">Files</h2>\n<ul class=\"columns\">\n");
    for source in &doc.sources {
        let _ = writeln!(
            body,
            "<li><a href=\"{}\"><code>{}</code></a></li>",
            escape(&source_page(&source.name, ".html")),
            escape(&source.name)
        );
    }
    body.push_str("</ul>\n");
    page(doc, "index", "index.html", &body, Some(SEARCH_JS))
}

fn layer_html(doc: &FleetDoc, layer: &LayerDoc, name: &str) -> String {
    let mut body = format!(
        "<h1>{} <code>{}</code></h1>\n",
        layer.kind.keyword(),
        escape(&layer.name)
    );
    if let Some(deprecated) = &layer.deprecated {
        let _ = writeln!(
            body,
            "<p class=\"warning\">Deprecated: {}</p>",
            inline(deprecated)
        );
    }
    if let Some(text) = &layer.doc {
        body.push_str(&prose(text));
    }
    body.push_str("<table class=\"facts\">\n");
    let _ = writeln!(
        body,
        "<tr><th>declared at</th><td>{}</td></tr>",
        place_link(&layer.place)
    );
    if !layer.extends.is_empty() {
        let chain: Vec<String> = layer
            .extends
            .iter()
            .map(|(kind, name)| layer_link(doc, *kind, name))
            .collect();
        let _ = writeln!(
            body,
            "<tr><th>extends</th><td>{}</td></tr>",
            chain.join(" → ")
        );
    }
    if !layer.extended_by.is_empty() {
        let children: Vec<String> = layer
            .extended_by
            .iter()
            .map(|(kind, name)| layer_link(doc, *kind, name))
            .collect();
        let _ = writeln!(
            body,
            "<tr><th>extended by</th><td>{}</td></tr>",
            children.join(", ")
        );
    }
    if let Some(chart) = &layer.chart {
        let _ = writeln!(
            body,
            "<tr><th>chart</th><td><code>{}</code></td></tr>",
            escape(chart)
        );
    }
    if let Some(schema) = &layer.schema {
        let _ = writeln!(
            body,
            "<tr><th>values typed by</th><td><a href=\"schema-{}.html\"><code>schema {}</code></a></td></tr>",
            super::file_safe(schema),
            escape(schema)
        );
    }
    if let Some(budget) = &layer.budget {
        let _ = writeln!(
            body,
            "<tr><th>budget</th><td>at most {} bespoke {} per community ({} {}, {})</td></tr>",
            escape(budget.bounds.join(" ").trim_start_matches("<= ")),
            if budget.bounds.join("") == "<= 1" {
                "override"
            } else {
                "overrides"
            },
            budget.declared_in.0.keyword(),
            escape(&budget.declared_in.1),
            place_link(&budget.place),
        );
    }
    body.push_str("</table>\n");
    if layer.kind != DeclKind::Mixin {
        rules_section(
            &mut body,
            "tunable",
            "What a community may change",
            "A community may set these paths (and what is below them) within the bounds; each setting counts as tuned, not as drift.",
            &layer.tunables,
        );
        rules_section(
            &mut body,
            "locked",
            "Locked",
            "A community may not set these paths: setting one is a policy violation.",
            &layer.locked,
        );
        rules_section(
            &mut body,
            "identity",
            "Identity settings",
            "What each community sets for itself (its name, people, domain, volumes): never drift. A required one must be set by every community.",
            &layer.identities,
        );
    }
    let (title, intro) = if layer.kind == DeclKind::Mixin {
        (
            "What it sets",
            "The values this mixin gives the communities that use it; they are still measured against each community's archetype.",
        )
    } else {
        (
            "What a community gets",
            "The values a community of this kind starts from, each with the layer that sets it.",
        )
    };
    let _ = writeln!(body, "<h2 id=\"values\">{title}</h2>\n<p>{intro}</p>");
    if layer.n_chart_defaults > 0 {
        let _ = writeln!(
            body,
            "<p class=\"note\">Besides these, {} values are the chart's own defaults.</p>",
            layer.n_chart_defaults
        );
    }
    body.push_str(
        "<table>\n<tr><th>path</th><th>value</th><th>rule</th><th>set in</th><th>about</th></tr>\n",
    );
    for value in &layer.values {
        let _ = writeln!(
            body,
            "<tr><td>{}</td><td><code class=\"value\">{}</code></td><td>{}</td><td>{} {}<br>{}</td><td>{}</td></tr>",
            path_link(&value.path),
            escape(&value.value),
            value.rule.unwrap_or(""),
            value.set_in.0.keyword(),
            layer_link(doc, value.set_in.0, &value.set_in.1),
            place_link(&value.place),
            about(value.doc.as_deref(), &value.path),
        );
    }
    body.push_str("</table>\n");
    let title = if layer.kind == DeclKind::Mixin {
        "Communities using it"
    } else {
        "Communities"
    };
    let _ = writeln!(body, "<h2 id=\"communities\">{title}</h2>");
    if layer.communities.is_empty() {
        body.push_str("<p>None.</p>\n");
    } else {
        body.push_str("<table>\n<tr><th>community</th><th>cluster</th><th>domain</th><th>archetype</th><th>mixins</th><th>bespoke</th><th>declared at</th></tr>\n");
        for community in &layer.communities {
            let bespoke = match community.budget {
                Some(budget) => format!("{} of {budget}", community.bespoke),
                None => community.bespoke.to_string(),
            };
            let archetype = community
                .archetype
                .as_deref()
                .map(|name| layer_link(doc, DeclKind::Archetype, name))
                .unwrap_or_default();
            let mixins: Vec<String> = community
                .mixins
                .iter()
                .map(|name| layer_link(doc, DeclKind::Mixin, name))
                .collect();
            let _ = writeln!(
                body,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{archetype}</td><td>{}</td><td class=\"n\">{bespoke}</td><td>{}</td></tr>",
                escape(&community.name),
                escape(community.cluster.as_deref().unwrap_or("")),
                escape(community.domain.as_deref().unwrap_or("")),
                mixins.join(", "),
                place_link(&community.place),
            );
        }
        body.push_str("</table>\n");
    }
    let title = format!("{} {}", layer.kind.keyword(), layer.name);
    page(doc, &title, name, &body, None)
}

fn rules_section(body: &mut String, id: &str, title: &str, intro: &str, rules: &[RuleDoc]) {
    let _ = writeln!(body, "<h2 id=\"{id}\">{title}</h2>");
    if rules.is_empty() {
        body.push_str("<p>None.</p>\n");
        return;
    }
    let _ = writeln!(body, "<p>{intro}</p>");
    body.push_str("<table>\n<tr><th>path</th><th>type</th><th>bounds</th><th>declared in</th><th>about</th></tr>\n");
    for rule in rules {
        let mut bounds: Vec<String> = rule
            .bounds
            .iter()
            .map(|b| format!("<code>{}</code>", escape(b)))
            .collect();
        if rule.required {
            bounds.push("required".to_string());
        }
        let _ = writeln!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} <code>{}</code><br>{}</td><td>{}</td></tr>",
            path_link(&rule.path),
            rule.path
                .ty
                .as_deref()
                .map(|ty| format!("<code>{}</code>", escape(ty)))
                .unwrap_or_default(),
            bounds.join(", "),
            rule.declared_in.0.keyword(),
            escape(&rule.declared_in.1),
            place_link(&rule.place),
            about(rule.doc.as_deref(), &rule.path),
        );
    }
    body.push_str("</table>\n");
}

fn schema_html(doc: &FleetDoc, schema: &SchemaDoc, name: &str) -> String {
    let kind = if schema.page == super::schema::TYPES_PAGE {
        ""
    } else {
        "schema "
    };
    let mut body = format!("<h1>{kind}<code>{}</code></h1>\n", escape(&schema.name));
    if let Some(text) = &schema.doc {
        body.push_str(&prose(text));
    }
    if let Some(place) = &schema.place {
        let _ = writeln!(body, "<p>Declared at {}.</p>", place_link(place));
    }
    body.push_str("<table class=\"schema\">\n<tr><th>path</th><th>type</th><th>about</th><th>declared at</th></tr>\n");
    for field in &schema.fields {
        let mut ty = format!("<code>{}</code>", escape(&field.ty));
        if let Some(anchor) = &field.named_type {
            ty = format!(
                "<a href=\"{}.html#{anchor}\">{ty}</a>",
                super::schema::TYPES_PAGE
            );
        }
        let mut notes = Vec::new();
        if field.required {
            notes.push("required".to_string());
        }
        if !field.allowed.is_empty() {
            let allowed: Vec<String> = field
                .allowed
                .iter()
                .map(|a| format!("<code>{}</code>", escape(a)))
                .collect();
            notes.push(format!("one of {}", allowed.join(", ")));
        }
        if let Some(units) = field.units {
            notes.push(inline(units));
        }
        for check in &field.checks {
            notes.push(format!("check <code>{}</code>", escape(check)));
        }
        if field.open {
            notes.push("open: other keys are accepted below it".to_string());
        }
        if !notes.is_empty() {
            let _ = write!(ty, "<br><span class=\"note\">{}</span>", notes.join("; "));
        }
        let _ = writeln!(
            body,
            "<tr id=\"{}\"><td class=\"depth{}\"><a href=\"#{}\"><code>{}</code></a></td><td>{ty}</td><td>{}</td><td>{}</td></tr>",
            field.anchor,
            field.depth.min(8),
            field.anchor,
            escape(&field.path).replace('.', ".<wbr>"),
            field.doc.as_deref().map(inline).unwrap_or_default(),
            field.place.as_ref().map(place_link).unwrap_or_default(),
        );
    }
    body.push_str("</table>\n");
    let title = format!("{kind}{}", schema.name);
    page(doc, &title, name, &body, None)
}

/// A path, linked to the field of the schema that documents it.
fn path_link(path: &PathDoc) -> String {
    let code = format!("<code>{}</code>", escape(&path.text).replace('.', ".<wbr>"));
    match &path.schema {
        Some((page, anchor)) => format!("<a href=\"{page}.html#{anchor}\">{code}</a>"),
        None => code,
    }
}

/// `file:line`, linked to that line of the file's page.
fn place_link(place: &Place) -> String {
    format!(
        "<a class=\"place\" href=\"{}#L{}\">{}:{}</a>",
        escape(&source_page(&place.file, ".html")),
        place.line,
        escape(&place.file),
        place.line
    )
}

fn layer_link(doc: &FleetDoc, kind: DeclKind, name: &str) -> String {
    match layer_page(doc, kind, name) {
        Some(page) => format!("<a href=\"{page}.html\"><code>{}</code></a>", escape(name)),
        None => format!("<code>{}</code>", escape(name)),
    }
}

/// What a statement's doc says, or else what its path's schema field says, in grey.
fn about(doc: Option<&str>, path: &PathDoc) -> String {
    match (doc, &path.doc) {
        (Some(doc), _) => inline(doc),
        (None, Some(field)) => format!("<span class=\"note\">{}</span>", inline(field)),
        (None, None) => String::new(),
    }
}

/// The first sentence of a doc comment, for a table.
fn summary(doc: Option<&str>) -> String {
    let Some(doc) = doc else {
        return String::new();
    };
    let first = doc.split("\n\n").next().unwrap_or("").replace('\n', " ");
    inline(&first)
}

/// Doc text as paragraphs.
fn prose(text: &str) -> String {
    text.split("\n\n")
        .filter(|paragraph| !paragraph.trim().is_empty())
        .map(|paragraph| format!("<p>{}</p>\n", inline(paragraph)))
        .collect()
}

/// Doc text on one line, escaped, with its `code` spans as code.
fn inline(text: &str) -> String {
    let escaped = escape(text);
    let mut out = String::with_capacity(escaped.len());
    for (index, part) in escaped.split('`').enumerate() {
        if index % 2 == 1 {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            out.push_str(part);
        }
    }
    // An odd number of backticks: the last one stays as written.
    if escaped.matches('`').count() % 2 == 1 {
        return escaped;
    }
    out
}

use crate::report::html_escape as escape;
