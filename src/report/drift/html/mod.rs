//! The drift report as one self-contained HTML page: inline CSS, SVG bar charts, a small inline
//! script that draws the communities a page at a time from compact data in the page, and
//! nothing loaded from anywhere else (no font, no image, no link off the page). Every piece of
//! text from the fleet is escaped, in the markup and in the data.

mod charts;
mod data;

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::report::drift::render::{
    clip, community_fails, counted, newly_inheriting_note, places_by_file, totals_line,
};
use crate::report::drift::text::names_list;
use crate::report::drift::{DriftReport, Edit};
use charts::charts;
use data::communities_json;

/// Values longer than this are cut; the cell's tooltip holds the whole value where there is
/// room for it, and the JSON report has every value whole.
const VALUE_WIDTH: usize = 160;
/// How many communities a promotion candidate names before saying how many more.
const NAMES_SHOWN: usize = 6;
/// How many promotion candidates and redundant overrides are listed, the most shared first;
/// `hubc drift` and its JSON report list them all.
const LISTED: usize = 50;
/// How many places an edit lists before folding them.
const FOLDED_PLACES: usize = 6;

const STYLE: &str = include_str!("page.css");
const SCRIPT: &str = include_str!("page.js");

/// The report as one self-contained HTML page.
pub fn render(report: &DriftReport) -> String {
    let mut out = String::new();
    let failing = report
        .communities
        .iter()
        .filter(|c| community_fails(c))
        .count();
    let communities = counted(report.totals.communities, "community", "communities");
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        out,
        "<title>Drift of {communities} on {}</title>",
        escape(&report.today)
    );
    let _ = writeln!(out, "<style>{STYLE}</style>\n</head>\n<body>");

    let _ = writeln!(out, "<header class=\"top\"><div>");
    let _ = writeln!(out, "<h1>Fleet drift</h1>");
    let _ = writeln!(
        out,
        "<p>{communities}, with <code>@expires</code> dates checked against {}: {}.</p>",
        escape(&report.today),
        escape(&totals_line(report))
    );
    if failing == 0 {
        let _ = writeln!(
            out,
            "<span class=\"status pass\">hubc drift --check passes</span>"
        );
    } else {
        let _ = writeln!(
            out,
            "<span class=\"status fail\">hubc drift --check fails for {}</span>",
            counted(failing, "community", "communities")
        );
    }
    let _ = writeln!(out, "</div></header>\n<main>");

    let links = Links::new(report);
    cards(&mut out, report);
    charts(&mut out, report);
    archetype_paths(&mut out, report);
    candidates(&mut out, report, &links);
    redundant(&mut out, report, &links);
    community_list(&mut out, report);

    let _ = writeln!(
        out,
        "<footer>Written by <code>hubc drift --format html</code>. The same report as JSON: \
         <code>hubc drift --format json</code>.</footer>"
    );
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn cards(out: &mut String, report: &DriftReport) {
    let totals = &report.totals;
    let cards: [(&str, usize, &str); 7] = [
        ("communities", totals.communities, ""),
        ("tuned", totals.tuned, "tuned"),
        ("bespoke", totals.bespoke, "bespoke"),
        ("redundant", totals.redundant, ""),
        ("expired", totals.expired, "problem"),
        ("violations", totals.violations, "problem"),
        ("over budget", totals.over_budget, "problem"),
    ];
    out.push_str("<div class=\"cards\">\n");
    for (label, count, kind) in cards {
        let class = match kind {
            "problem" if count > 0 => "card bad",
            "problem" | "" => "card",
            "tuned" => "card tuned",
            _ => "card bespoke",
        };
        let _ = writeln!(
            out,
            "<div class=\"{class}\"><div class=\"n\">{count}</div><div class=\"l\">{label}</div></div>"
        );
    }
    out.push_str("</div>\n");
}

fn archetype_paths(out: &mut String, report: &DriftReport) {
    out.push_str("<section id=\"archetype-paths\">\n<h2>Most overridden paths by archetype</h2>\n");
    out.push_str(
        "<p class=\"note\">The paths the communities of each archetype override most: \
         candidates to become tunable, or for the archetype to change its default.</p>\n",
    );
    if report.by_archetype.is_empty() {
        out.push_str("<p class=\"none\">No communities.</p>\n</section>\n");
        return;
    }
    out.push_str("<div class=\"archetypes\">\n");
    for archetype in &report.by_archetype {
        let _ = writeln!(
            out,
            "<div><h3><code>{}</code> <span class=\"where\">{}</span></h3>",
            escape(&archetype.archetype),
            counted(archetype.communities, "community", "communities")
        );
        if archetype.most_overridden.is_empty() {
            out.push_str("<p class=\"none\">Its communities override nothing.</p></div>\n");
            continue;
        }
        out.push_str(
            "<table>\n<thead><tr><th>path</th><th class=\"num\">communities</th>\
             <th class=\"num\">tuned</th><th class=\"num\">bespoke</th></tr></thead>\n<tbody>\n",
        );
        for p in &archetype.most_overridden {
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{}</td></tr>",
                path_html(&p.path),
                p.communities,
                p.tuned,
                p.bespoke
            );
        }
        out.push_str("</tbody>\n</table></div>\n");
    }
    out.push_str("</div>\n</section>\n");
}

fn candidates(out: &mut String, report: &DriftReport, links: &Links) {
    out.push_str("<section id=\"promotion\">\n<h2>Promotion candidates</h2>\n");
    let _ = writeln!(
        out,
        "<p class=\"note\">The same path set to the same value by {} or more communities: a \
         shared need that belongs in an archetype or the platform. Each comes with the edit that \
         promotes it.</p>",
        report.promotion_threshold
    );
    if report.promotion_candidates.is_empty() {
        out.push_str("<p class=\"none\">None.</p>\n</section>\n");
        return;
    }
    for candidate in report.promotion_candidates.iter().take(LISTED) {
        let _ = writeln!(
            out,
            "<article class=\"candidate\"><h3><code>{}</code> = {} {} <span class=\"where\">{}</span></h3>",
            path_html(&candidate.path),
            value_code(&candidate.value),
            badge(&candidate.class),
            counted(candidate.communities.len(), "community", "communities"),
        );
        let _ = writeln!(
            out,
            "<p class=\"names\">Set by {}</p>",
            links.names(&candidate.communities)
        );
        promotion_edit(out, &candidate.edit);
        out.push_str("</article>\n");
    }
    more(
        out,
        report.promotion_candidates.len(),
        "promotion candidate",
        "promotion candidates",
    );
    out.push_str("</section>\n");
}

/// The edit that promotes a candidate: the statement to add and where, then the statements to
/// delete.
fn promotion_edit(out: &mut String, edit: &Edit) {
    let Some(target) = &edit.add_to else {
        out.push_str(
            "<p class=\"none\">No archetype or platform is shared by all of them: they extend \
             different platforms.</p>\n",
        );
        return;
    };
    out.push_str("<ol class=\"edit\">\n");
    let (verb, replacing) = match &edit.replace_at {
        Some(place) => (
            "Set in",
            format!(
                ", replacing its value at <span class=\"where mono\">{}</span>",
                escape(place)
            ),
        ),
        None => ("Add to", String::new()),
    };
    let _ = writeln!(
        out,
        "<li>{verb} {} <code>{}</code> <span class=\"where mono\">{}</span>{replacing}: <code>{}</code></li>",
        escape(&target.kind),
        escape(&target.name),
        escape(&target.place),
        escape(&clip(&edit.statement, VALUE_WIDTH + 60)),
    );
    if !edit.delete_at.is_empty() {
        let _ = writeln!(out, "<li>Then delete {}</li>", places(&edit.delete_at));
    }
    if !edit.rewrite_at.is_empty() {
        let _ = writeln!(
            out,
            "<li>Then rewrite to keep only their other values {}</li>",
            places(&edit.rewrite_at)
        );
    }
    out.push_str("</ol>\n");
    if edit.newly_inheriting > 0 {
        let _ = writeln!(
            out,
            "<p class=\"note\">Note: {}.</p>",
            escape(&newly_inheriting_note(edit.newly_inheriting, &target.name))
        );
    }
}

/// Places, grouped by file: `file.hub` then `12:3, 40:3`. A group longer than a line is folded.
fn places(places: &[String]) -> String {
    let by_file = places_by_file(places);
    let groups: Vec<String> = by_file
        .iter()
        .map(|(file, ats)| escape(&format!("{file}: {}", ats.join(", "))))
        .collect();
    let total = places.len();
    if total <= FOLDED_PLACES {
        return format!("<span class=\"mono\">{}</span>", groups.join("; "));
    }
    format!(
        "<details class=\"places\"><summary>{} in {}</summary><div class=\"mono\">{}</div></details>",
        counted(total, "statement", "statements"),
        counted(by_file.len(), "file", "files"),
        groups.join("<br>")
    )
}

fn redundant(out: &mut String, report: &DriftReport, links: &Links) {
    out.push_str("<section id=\"redundant\">\n<h2>Redundant overrides</h2>\n");
    out.push_str(
        "<p class=\"note\">Each sets the value its community inherits anyway: delete it, or it \
         silently pins the value when the archetype changes.</p>\n",
    );
    if report.redundant.is_empty() {
        out.push_str("<p class=\"none\">None.</p>\n</section>\n");
        return;
    }
    out.push_str("<table>\n<thead><tr><th>community</th><th>edit</th></tr></thead>\n<tbody>\n");
    for r in report.redundant.iter().take(LISTED) {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>delete <span class=\"where mono\">{}</span>: <code>{}</code></td></tr>",
            links.name(&r.community),
            escape(&r.place),
            escape(&clip(&r.statement, VALUE_WIDTH + 60)),
        );
    }
    out.push_str("</tbody>\n</table>\n");
    more(
        out,
        report.redundant.len(),
        "redundant override",
        "redundant overrides",
    );
    out.push_str("</section>\n");
}

/// Says how many more there are when a list was cut.
fn more(out: &mut String, total: usize, one: &str, many: &str) {
    if total > LISTED {
        let _ = writeln!(
            out,
            "<p class=\"note\">And {}: <code>hubc drift</code> and \
             <code>hubc drift --format json</code> list them all.</p>",
            counted(
                total - LISTED,
                &format!("more {one}"),
                &format!("more {many}")
            )
        );
    }
}

/// The communities, drawn a page at a time by the page's script from the data after them.
fn community_list(out: &mut String, report: &DriftReport) {
    out.push_str("<section id=\"communities\">\n<h2>Communities</h2>\n");
    out.push_str(
        "<p class=\"note\">Farthest from their archetype first. Tuned: set where the archetype \
         allows. Bespoke: set where it does not, counted against its budget. A red mark fails \
         <code>hubc drift --check</code>. Open a community for its overrides: violations, \
         expired and bespoke ones with the value inherited, the value set, why, and where; \
         tuned and redundant ones folded below.</p>\n",
    );
    out.push_str(
        "<noscript><p class=\"none\">The communities are drawn by the script in this page, \
         which is turned off; <code>hubc drift</code> and <code>hubc drift --format json</code> \
         list them.</p></noscript>\n",
    );
    out.push_str(
        "<div class=\"tools\" id=\"community-tools\" hidden>\
         <input type=\"search\" id=\"community-filter\" placeholder=\"Filter by community or archetype\" \
         aria-label=\"Filter by community or archetype\"> <span id=\"community-count\"></span>\
         <span class=\"pager\"><button type=\"button\" id=\"page-previous\">Previous</button> \
         <span id=\"page-number\"></span> <button type=\"button\" id=\"page-next\">Next</button>\
         </span></div>\n",
    );
    out.push_str(
        "<div class=\"community-head\"><span>community</span><span>archetype</span>\
         <span class=\"num\">tuned</span><span class=\"num\">bespoke / budget</span>\
         <span class=\"num\">redundant</span><span class=\"num\">expired</span>\
         <span class=\"num\">violations</span></div>\n<div id=\"community-list\"></div>\n",
    );
    out.push_str("</section>\n");
    let _ = writeln!(
        out,
        "<script type=\"application/json\" id=\"drift-data\">{}</script>",
        communities_json(report, VALUE_WIDTH)
    );
    let _ = writeln!(out, "<script>\n{SCRIPT}</script>");
}

/// Links to communities, which the script opens by their place in the report: `#c-12`.
struct Links {
    index: HashMap<String, usize>,
}

impl Links {
    fn new(report: &DriftReport) -> Links {
        let index = report
            .communities
            .iter()
            .enumerate()
            .map(|(position, c)| (c.name.clone(), position))
            .collect();
        Links { index }
    }

    fn name(&self, name: &str) -> String {
        match self.index.get(name) {
            Some(position) => format!(
                "<a href=\"#c-{position}\"><code>{}</code></a>",
                escape(name)
            ),
            None => format!("<code>{}</code>", escape(name)),
        }
    }

    /// The first names as links, then how many more.
    fn names(&self, names: &[String]) -> String {
        let links: Vec<String> = names.iter().map(|n| self.name(n)).collect();
        names_list(&links, NAMES_SHOWN)
    }
}

/// A path as code that may wrap after each dot.
fn path_html(path: &str) -> String {
    escape(path).replace('.', ".<wbr>")
}

/// A value in `.hub` syntax as code, cut when long, whole in its tooltip.
fn value_code(value: &str) -> String {
    let shown = clip(value, VALUE_WIDTH);
    if shown == value {
        format!("<code>{}</code>", escape(value))
    } else {
        format!(
            "<code title=\"{}\">{}</code>",
            escape(value),
            escape(&shown)
        )
    }
}

fn badge(class: &str) -> String {
    let label = if class == "over" {
        "over budget"
    } else {
        class
    };
    format!("<span class=\"badge {}\">{label}</span>", escape(class))
}

pub(super) use crate::report::html_escape as escape;
