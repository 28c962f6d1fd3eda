//! The drift report as one self-contained HTML page: inline CSS, SVG bar charts drawn here, and
//! nothing loaded from anywhere else (no script, no font, no image, no link off the page).
//! Every piece of text from the fleet is escaped.

use std::fmt::Write as _;

use super::drift::{
    ArchetypeReport, CommunityReport, DriftReport, OverrideReport, clip, community_fails, counted,
    drifting, totals_line, verdict,
};
use super::drift_text::per_community;

/// Values longer than this are cut in tables; the cell's tooltip holds the whole value.
const VALUE_WIDTH: usize = 160;
/// The width of every chart, in SVG units; charts scale down with the page.
const CHART_WIDTH: f64 = 960.0;

const STYLE: &str = r#"
:root {
  --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; --page: #ffffff;
  --tuned: #4c78a8; --bespoke: #e8822a; --bad: #cf222e; --good: #1a7f37; --accent: #0969da;
}
* { box-sizing: border-box; }
body {
  margin: 0; background: var(--soft); color: var(--ink);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", "Noto Sans", "Liberation Sans", Arial, sans-serif;
}
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 12px; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 24px 64px; }
header.top { background: var(--ink); color: #fff; }
header.top > div { max-width: 1200px; margin: 0 auto; padding: 28px 24px 24px; }
header.top h1 { margin: 0 0 4px; font-size: 26px; font-weight: 650; letter-spacing: -0.01em; }
header.top p { margin: 0; color: #c9d1d9; }
.status { display: inline-block; margin-top: 14px; padding: 4px 12px; border-radius: 999px; font-weight: 600; font-size: 13px; }
.status.pass { background: #dafbe1; color: var(--good); }
.status.fail { background: #ffebe9; color: var(--bad); }
.cards { display: grid; grid-template-columns: repeat(7, 1fr); gap: 12px; margin: -4px 0 24px; }
.card { background: var(--page); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; }
.card .n { font-size: 26px; font-weight: 650; line-height: 1.2; font-variant-numeric: tabular-nums; }
.card .l { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; }
.card.tuned .n { color: var(--tuned); }
.card.bespoke .n { color: var(--bespoke); }
.card.bad .n { color: var(--bad); }
.card.bad { border-color: #ffcecb; background: #fff8f7; }
section { background: var(--page); border: 1px solid var(--line); border-radius: 10px; padding: 18px 20px; margin: 0 0 20px; }
h2 { margin: 0 0 4px; font-size: 18px; font-weight: 650; }
h2 + p.note { margin-top: 0; }
p.note { color: var(--muted); margin: 0 0 12px; }
.legend { display: flex; gap: 18px; flex-wrap: wrap; color: var(--muted); font-size: 12px; margin: 0 0 8px; }
.legend span::before { content: ""; display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px; vertical-align: -2px; background: var(--c); }
.legend .tick::before { width: 3px; height: 14px; border-radius: 0; }
svg { display: block; width: 100%; height: auto; }
svg text { font: 12px system-ui, -apple-system, "Segoe UI", "Noto Sans", "Liberation Sans", Arial, sans-serif; fill: var(--ink); }
svg text.path { font: 11px ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace; }
svg text.muted { fill: var(--muted); }
svg text.bad { fill: var(--bad); font-weight: 600; }
svg .grid { stroke: #eaeef2; stroke-width: 1; }
svg .track { fill: #eef1f4; }
svg .tuned { fill: var(--tuned); }
svg .bespoke { fill: var(--bespoke); }
svg .over { fill: var(--bad); }
svg .budget { stroke: var(--ink); stroke-width: 2; }
.charts { display: grid; gap: 20px; margin: 0 0 20px; }
.charts section { margin: 0; }
table { width: 100%; border-collapse: collapse; font-size: 13px; }
th { text-align: left; font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: 0.03em; border-bottom: 1px solid var(--line); padding: 6px 8px; }
td { border-bottom: 1px solid #eaeef2; padding: 6px 8px; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td code { overflow-wrap: anywhere; }
tr.fail td:first-child { box-shadow: inset 3px 0 0 var(--bad); }
td.bad { color: var(--bad); font-weight: 600; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
.badge { display: inline-block; padding: 0 8px; border-radius: 999px; font-size: 11px; font-weight: 600; line-height: 18px; white-space: nowrap; }
.badge.tuned { background: #ddf4ff; color: #0550ae; }
.badge.bespoke { background: #fff1e5; color: #9a4b00; }
.badge.redundant { background: #eaeef2; color: var(--muted); }
.badge.violation, .badge.expired, .badge.over { background: #ffebe9; color: var(--bad); }
.arrow { color: var(--muted); padding: 0 4px; }
.none { color: var(--muted); font-style: italic; }
.where { color: var(--muted); }
.shared { color: #8250df; }
.names a { white-space: nowrap; }
.shared code { color: #8250df; }
article { border-top: 1px solid var(--line); padding: 16px 0 4px; }
article:first-of-type { border-top: 0; padding-top: 4px; }
article h3 { margin: 0; font-size: 16px; }
article h3 code { font-size: 15px; }
table.overrides { table-layout: fixed; }
.sub { font-size: 12px; color: var(--muted); margin-top: 2px; overflow-wrap: anywhere; }
.late { color: var(--bad); }
article .meta { color: var(--muted); margin: 2px 0 10px; }
details summary { cursor: pointer; color: var(--accent); margin: 8px 0; }
footer { color: var(--muted); font-size: 12px; text-align: center; margin-top: 24px; }
@media (max-width: 900px) { .cards { grid-template-columns: repeat(3, 1fr); } }
"#;

pub(super) fn render(report: &DriftReport) -> String {
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

    cards(&mut out, report);
    charts(&mut out, report);
    summary_table(&mut out, report);
    candidates(&mut out, report);
    redundant(&mut out, report);
    details(&mut out, report);

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

fn charts(out: &mut String, report: &DriftReport) {
    out.push_str("<div class=\"charts\">\n");

    out.push_str("<section id=\"chart-bespoke\">\n<h2>Bespoke overrides per community</h2>\n");
    out.push_str(
        "<p class=\"note\">Settings a community changes that its archetype does not make \
         tunable, most first. The mark is the archetype's budget.</p>\n",
    );
    out.push_str(
        "<div class=\"legend\"><span style=\"--c: var(--bespoke)\">bespoke</span>\
         <span style=\"--c: var(--bad)\">over budget</span>\
         <span class=\"tick\" style=\"--c: var(--ink)\">budget</span></div>\n",
    );
    bespoke_chart(out, report);
    out.push_str("</section>\n");

    out.push_str("<section id=\"chart-paths\">\n<h2>Most overridden paths</h2>\n");
    out.push_str(
        "<p class=\"note\">How many communities set each path, against the whole fleet.</p>\n",
    );
    out.push_str(
        "<div class=\"legend\"><span style=\"--c: var(--tuned)\">tuned</span>\
         <span style=\"--c: var(--bespoke)\">bespoke</span>\
         <span style=\"--c: #eef1f4\">not overridden</span></div>\n",
    );
    paths_chart(out, report);
    out.push_str("</section>\n");

    out.push_str("<section id=\"chart-archetypes\">\n<h2>Drift by archetype</h2>\n");
    out.push_str(
        "<p class=\"note\">Overrides per community of each archetype: bespoke (with the \
         budget marked) and sanctioned tuning.</p>\n",
    );
    out.push_str(
        "<div class=\"legend\"><span style=\"--c: var(--bespoke)\">bespoke per community</span>\
         <span style=\"--c: var(--tuned)\">tuned per community</span>\
         <span class=\"tick\" style=\"--c: var(--ink)\">budget</span></div>\n",
    );
    archetype_chart(out, report);
    out.push_str("</section>\n");

    out.push_str("</div>\n");
}

/// Horizontal bars, one per community, most bespoke first; the budget is a tick on each row.
fn bespoke_chart(out: &mut String, report: &DriftReport) {
    let mut rows: Vec<&CommunityReport> = report.communities.iter().collect();
    rows.sort_by(|a, b| b.bespoke.cmp(&a.bespoke).then_with(|| a.name.cmp(&b.name)));
    if rows.is_empty() {
        out.push_str("<p class=\"none\">No communities.</p>\n");
        return;
    }
    let max = rows
        .iter()
        .map(|c| c.bespoke.max(c.budget.map_or(0, |b| b.max(0) as usize)))
        .max()
        .unwrap_or(0);
    let axis = Axis::new(max);
    let row = if rows.len() > 40 { 16.0 } else { 24.0 };
    let bar = row - 8.0;
    let (left, right) = (220.0, CHART_WIDTH - 70.0);
    let top = 22.0;
    let height = top + row * rows.len() as f64 + 8.0;
    svg_open(
        out,
        height,
        "bar chart of the bespoke overrides of each community, with its budget",
    );
    axis.draw(out, left, right, top, height - 4.0);
    for (index, c) in rows.iter().enumerate() {
        let y = top + row * index as f64;
        let width = axis.scale(c.bespoke, left, right);
        let _ = writeln!(
            out,
            "<g><title>{}: {} bespoke{}</title>",
            escape(&c.name),
            c.bespoke,
            c.budget
                .map(|b| format!(", budget {b}"))
                .unwrap_or_default()
        );
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            left - 8.0,
            y + row / 2.0 + 4.0,
            escape(&clip(&c.name, 30))
        );
        if c.bespoke > 0 {
            let _ = writeln!(
                out,
                "<rect class=\"{}\" x=\"{left:.1}\" y=\"{:.1}\" width=\"{width:.1}\" height=\"{bar:.1}\" rx=\"2\"/>",
                if c.over_budget { "over" } else { "bespoke" },
                y + 4.0,
            );
        }
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\"{}>{}</text>",
            left + width + 6.0,
            y + row / 2.0 + 4.0,
            if c.over_budget { " class=\"bad\"" } else { "" },
            c.bespoke
        );
        if let Some(budget) = c.budget {
            let x = left + axis.scale(budget.max(0) as usize, left, right);
            let _ = writeln!(
                out,
                "<line class=\"budget\" x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{:.1}\" y2=\"{:.1}\"/>",
                y + 1.0,
                y + row - 1.0
            );
        }
        out.push_str("</g>\n");
    }
    out.push_str("</svg>\n");
}

/// The most overridden paths: each a label above a bar of tuned and bespoke communities, on a
/// track as long as the fleet.
fn paths_chart(out: &mut String, report: &DriftReport) {
    if report.most_overridden.is_empty() {
        out.push_str("<p class=\"none\">No community overrides anything.</p>\n");
        return;
    }
    let total = report.totals.communities.max(1);
    let (left, right) = (0.0, CHART_WIDTH - 120.0);
    let row = 36.0;
    let height = row * report.most_overridden.len() as f64 + 4.0;
    svg_open(
        out,
        height,
        "bar chart of the paths overridden by the most communities",
    );
    for (index, p) in report.most_overridden.iter().enumerate() {
        let y = row * index as f64;
        let span = right - left;
        let tuned = span * p.tuned as f64 / total as f64;
        let bespoke = span * p.bespoke as f64 / total as f64;
        let _ = writeln!(
            out,
            "<g><title>{}: {} of {} communities ({} tuned, {} bespoke)</title>",
            escape(&p.path),
            p.communities,
            total,
            p.tuned,
            p.bespoke
        );
        let _ = writeln!(
            out,
            "<text class=\"path\" x=\"{left:.1}\" y=\"{:.1}\">{}</text>",
            y + 12.0,
            escape(&clip(&p.path, 140))
        );
        let _ = writeln!(
            out,
            "<rect class=\"track\" x=\"{left:.1}\" y=\"{:.1}\" width=\"{span:.1}\" height=\"14\" rx=\"2\"/>",
            y + 17.0
        );
        if p.tuned > 0 {
            let _ = writeln!(
                out,
                "<rect class=\"tuned\" x=\"{left:.1}\" y=\"{:.1}\" width=\"{tuned:.1}\" height=\"14\"/>",
                y + 17.0
            );
        }
        if p.bespoke > 0 {
            let _ = writeln!(
                out,
                "<rect class=\"bespoke\" x=\"{:.1}\" y=\"{:.1}\" width=\"{bespoke:.1}\" height=\"14\"/>",
                left + tuned,
                y + 17.0
            );
        }
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\">{} <tspan class=\"muted\">of {total}</tspan></text>\n</g>",
            right + 10.0,
            y + 28.5,
            p.communities
        );
    }
    out.push_str("</svg>\n");
}

/// For each archetype, bespoke overrides per community (with the budget marked) in one panel,
/// tuned ones in another.
fn archetype_chart(out: &mut String, report: &DriftReport) {
    if report.by_archetype.is_empty() {
        out.push_str("<p class=\"none\">No communities.</p>\n");
        return;
    }
    let budget_of = |a: &ArchetypeReport| {
        report
            .communities
            .iter()
            .find(|c| c.archetype.as_deref().unwrap_or("(none)") == a.archetype)
            .and_then(|c| c.budget)
    };
    // Averages in tenths, so that the chart is drawn from integers.
    let tenths = |count: usize, a: &ArchetypeReport| (count * 10) / a.communities.max(1);
    let max_bespoke = report
        .by_archetype
        .iter()
        .map(|a| {
            tenths(a.bespoke, a)
                .max(budget_of(a).map_or(0, |b| b.max(0) as usize * 10))
                .div_ceil(10)
        })
        .max()
        .unwrap_or(0);
    let max_tuned = report
        .by_archetype
        .iter()
        .map(|a| tenths(a.tuned, a).div_ceil(10))
        .max()
        .unwrap_or(0);
    let bespoke_axis = Axis::new(max_bespoke);
    let tuned_axis = Axis::new(max_tuned);
    let row = 48.0;
    let top = 40.0;
    let height = top + row * report.by_archetype.len() as f64 + 8.0;
    let (b_left, b_right) = (250.0, 560.0);
    let (t_left, t_right) = (650.0, CHART_WIDTH - 50.0);
    svg_open(
        out,
        height,
        "bar charts of the bespoke and tuned overrides per community of each archetype",
    );
    let _ = writeln!(
        out,
        "<text x=\"{b_left:.1}\" y=\"12\" class=\"muted\">bespoke per community</text>\n\
         <text x=\"{t_left:.1}\" y=\"12\" class=\"muted\">tuned per community</text>"
    );
    bespoke_axis.draw(out, b_left, b_right, top, height - 4.0);
    tuned_axis.draw(out, t_left, t_right, top, height - 4.0);
    for (index, a) in report.by_archetype.iter().enumerate() {
        let y = top + row * index as f64;
        let bespoke = tenths(a.bespoke, a);
        let tuned = tenths(a.tuned, a);
        let _ = writeln!(
            out,
            "<g><title>{}: {}, {} bespoke and {} tuned overrides, {} over budget</title>",
            escape(&a.archetype),
            counted(a.communities, "community", "communities"),
            a.bespoke,
            a.tuned,
            a.over_budget
        );
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            b_left - 10.0,
            y + 20.0,
            escape(&clip(&a.archetype, 26))
        );
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" class=\"{}\">{}{}</text>",
            b_left - 10.0,
            y + 36.0,
            if a.over_budget > 0 { "bad" } else { "muted" },
            counted(a.communities, "community", "communities"),
            if a.over_budget > 0 {
                format!(", {} over budget", a.over_budget)
            } else {
                String::new()
            }
        );
        let width = bespoke_axis.scale_tenths(bespoke, b_left, b_right);
        if bespoke > 0 {
            let _ = writeln!(
                out,
                "<rect class=\"bespoke\" x=\"{b_left:.1}\" y=\"{:.1}\" width=\"{width:.1}\" height=\"22\" rx=\"2\"/>",
                y + 8.0
            );
        }
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            b_left + width + 6.0,
            y + 23.0,
            per_community(a.bespoke, a.communities)
        );
        if let Some(budget) = budget_of(a) {
            let x = b_left + bespoke_axis.scale(budget.max(0) as usize, b_left, b_right);
            let _ = writeln!(
                out,
                "<line class=\"budget\" x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{:.1}\" y2=\"{:.1}\"/>",
                y + 4.0,
                y + 34.0
            );
        }
        let width = tuned_axis.scale_tenths(tuned, t_left, t_right);
        if tuned > 0 {
            let _ = writeln!(
                out,
                "<rect class=\"tuned\" x=\"{t_left:.1}\" y=\"{:.1}\" width=\"{width:.1}\" height=\"22\" rx=\"2\"/>",
                y + 8.0
            );
        }
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\">{}</text>\n</g>",
            t_left + width + 6.0,
            y + 23.0,
            per_community(a.tuned, a.communities)
        );
    }
    out.push_str("</svg>\n");
}

/// A linear scale from zero to a round maximum, with gridlines.
struct Axis {
    max: usize,
    step: usize,
}

impl Axis {
    fn new(max: usize) -> Axis {
        let max = max.max(1);
        let mut step = 1;
        for candidate in [
            1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000,
        ] {
            step = candidate;
            if max.div_ceil(candidate) <= 8 {
                break;
            }
        }
        Axis {
            max: max.div_ceil(step) * step,
            step,
        }
    }

    /// The length of `value` on the axis from `left` to `right`.
    fn scale(&self, value: usize, left: f64, right: f64) -> f64 {
        (right - left) * value as f64 / self.max as f64
    }

    fn scale_tenths(&self, tenths: usize, left: f64, right: f64) -> f64 {
        (right - left) * tenths as f64 / (self.max * 10) as f64
    }

    /// Gridlines and their numbers above the plot.
    fn draw(&self, out: &mut String, left: f64, right: f64, top: f64, bottom: f64) {
        let mut value = 0;
        while value <= self.max {
            let x = left + self.scale(value, left, right);
            let _ = writeln!(
                out,
                "<line class=\"grid\" x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{:.1}\" y2=\"{bottom:.1}\"/>\
                 <text class=\"muted\" x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{value}</text>",
                top - 4.0,
                top - 8.0
            );
            value += self.step;
        }
    }
}

fn svg_open(out: &mut String, height: f64, label: &str) {
    let _ = writeln!(
        out,
        "<svg viewBox=\"0 0 {CHART_WIDTH:.0} {height:.0}\" role=\"img\" aria-label=\"{}\">",
        escape(label)
    );
}

fn summary_table(out: &mut String, report: &DriftReport) {
    out.push_str("<section id=\"communities\">\n<h2>Communities</h2>\n");
    out.push_str(
        "<p class=\"note\">Tuned: set where the archetype allows. Bespoke: set where it does \
         not, counted against its budget. A red mark fails <code>hubc drift --check</code>.</p>\n",
    );
    out.push_str(
        "<table>\n<thead><tr><th>community</th><th>archetype</th><th class=\"num\">tuned</th>\
         <th class=\"num\">bespoke / budget</th><th class=\"num\">redundant</th>\
         <th class=\"num\">expired</th><th class=\"num\">violations</th></tr></thead>\n<tbody>\n",
    );
    for c in &report.communities {
        let budget = match c.budget {
            Some(budget) => format!("{} / {budget}", c.bespoke),
            None => c.bespoke.to_string(),
        };
        let _ = writeln!(
            out,
            "<tr{}><td><a href=\"#{}\"><code>{}</code></a></td><td>{}</td>\
             <td class=\"num\">{}</td><td class=\"num{}\">{budget}</td><td class=\"num\">{}</td>\
             <td class=\"num{}\">{}</td><td class=\"num{}\">{}</td></tr>",
            if community_fails(c) {
                " class=\"fail\""
            } else {
                ""
            },
            anchor(&c.name),
            escape(&c.name),
            c.archetype.as_deref().map_or_else(
                || "<span class=\"none\">none</span>".into(),
                |a| format!("<code>{}</code>", escape(a))
            ),
            c.tuned,
            if c.over_budget { " bad" } else { "" },
            c.redundant,
            if c.expired > 0 { " bad" } else { "" },
            c.expired,
            if c.violations > 0 { " bad" } else { "" },
            c.violations,
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn candidates(out: &mut String, report: &DriftReport) {
    out.push_str("<section id=\"promotion\">\n<h2>Promotion candidates</h2>\n");
    let _ = writeln!(
        out,
        "<p class=\"note\">The same path set to the same value by {} or more communities: a \
         shared need that belongs in an archetype or the platform.</p>",
        report.promotion_threshold
    );
    if report.promotion_candidates.is_empty() {
        out.push_str("<p class=\"none\">None.</p>\n</section>\n");
        return;
    }
    out.push_str(
        "<table>\n<thead><tr><th>path = value</th><th>class</th><th class=\"num\">communities</th>\
         <th>set by</th></tr></thead>\n<tbody>\n",
    );
    for candidate in &report.promotion_candidates {
        let names: Vec<String> = candidate
            .communities
            .iter()
            .map(|n| format!("<a href=\"#{}\">{}</a>", anchor(n), escape(n)))
            .collect();
        let set_by = if names.len() > 6 {
            format!(
                "{}, <details><summary>and {} more</summary>{}</details>",
                names[..4].join(", "),
                names.len() - 4,
                names[4..].join(", ")
            )
        } else {
            names.join(", ")
        };
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code> = {}</td><td>{}</td><td class=\"num\">{}</td><td class=\"names\">{set_by}</td></tr>",
            path_html(&candidate.path),
            value_code(&candidate.value),
            badge(&candidate.class),
            candidate.communities.len(),
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn redundant(out: &mut String, report: &DriftReport) {
    out.push_str("<section id=\"redundant\">\n<h2>Redundant overrides</h2>\n");
    out.push_str(
        "<p class=\"note\">Each sets the value its community inherits anyway: delete it, or it \
         silently pins the value when the archetype changes.</p>\n",
    );
    if report.redundant.is_empty() {
        out.push_str("<p class=\"none\">None.</p>\n</section>\n");
        return;
    }
    out.push_str(
        "<table>\n<thead><tr><th>community</th><th>override</th><th>where</th></tr></thead>\n<tbody>\n",
    );
    for r in &report.redundant {
        let value = r
            .value
            .as_deref()
            .map_or_else(|| "<span class=\"none\">deleted</span>".into(), value_code);
        let _ = writeln!(
            out,
            "<tr><td><a href=\"#{}\"><code>{}</code></a></td><td><code>{}</code> = {value}</td>\
             <td class=\"where mono\">{}</td></tr>",
            anchor(&r.community),
            escape(&r.community),
            path_html(&r.path),
            escape(&r.place),
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn details(out: &mut String, report: &DriftReport) {
    out.push_str("<section id=\"details\">\n<h2>Overrides of each community</h2>\n");
    out.push_str(
        "<p class=\"note\">Violations, expired and bespoke overrides, with the value inherited, \
         the value set, why, and where; tuned and redundant ones are folded below.</p>\n",
    );
    for c in &report.communities {
        let _ = writeln!(out, "<article id=\"{}\">", anchor(&c.name));
        let _ = writeln!(
            out,
            "<h3><code>{}</code> {}</h3>",
            escape(&c.name),
            if c.over_budget {
                badge("over")
            } else {
                String::new()
            }
        );
        let mut meta = match &c.archetype {
            Some(a) => format!("archetype <code>{}</code>", escape(a)),
            None => "no archetype".to_string(),
        };
        if !c.mixins.is_empty() {
            let mixins: Vec<String> = c
                .mixins
                .iter()
                .map(|m| format!("<code>{}</code>", escape(m)))
                .collect();
            let _ = write!(meta, " with {}", mixins.join(", "));
        }
        let _ = writeln!(
            out,
            "<p class=\"meta\">{meta} · {} · {} tuned, {} inherited unchanged</p>",
            escape(&verdict(c)),
            c.tuned,
            c.inherited
        );
        let found = drifting(c);
        if found.is_empty() {
            out.push_str("<p class=\"none\">Nothing outside the archetype's tuning.</p>\n");
        } else {
            overrides_table(out, &found);
        }
        let rest: Vec<&OverrideReport> = c
            .overrides
            .iter()
            .filter(|o| matches!(o.class.as_str(), "tuned" | "redundant"))
            .collect();
        if !rest.is_empty() {
            let tuned = rest.iter().filter(|o| o.class == "tuned").count();
            let mut also = Vec::new();
            if tuned > 0 {
                also.push(format!("{tuned} tuned"));
            }
            if rest.len() > tuned {
                also.push(format!("{} redundant", rest.len() - tuned));
            }
            let _ = writeln!(
                out,
                "<details><summary>Also set: {}</summary>",
                also.join(", ")
            );
            overrides_table(out, &rest);
            out.push_str("</details>\n");
        }
        out.push_str("</article>\n");
    }
    out.push_str("</section>\n");
}

fn overrides_table(out: &mut String, overrides: &[&OverrideReport]) {
    out.push_str(
        "<table class=\"overrides\">\n<colgroup><col style=\"width: 92px\"><col style=\"width: 38%\">\
         <col style=\"width: 27%\"><col></colgroup>\n<thead><tr><th>class</th>\
         <th>path and where it is set</th><th>inherited → value</th><th>why</th></tr></thead>\n\
         <tbody>\n",
    );
    for o in overrides {
        let inherited = o
            .inherited
            .as_deref()
            .map_or_else(|| "<span class=\"none\">unset</span>".into(), value_code);
        let value = o
            .value
            .as_deref()
            .map_or_else(|| "<span class=\"none\">deleted</span>".into(), value_code);
        let arrow = if o.appends { "+=" } else { "→" };
        let mut why = match &o.reason {
            Some(reason) => escape(reason),
            None if o.class == "tuned" || o.class == "redundant" => String::new(),
            None => "<span class=\"none\">no reason given</span>".into(),
        };
        let mut notes = Vec::new();
        if let Some(ticket) = &o.ticket {
            notes.push(format!("ticket {}", escape(ticket)));
        }
        if let Some(expires) = &o.expires {
            if o.class == "expired" {
                notes.push(format!("<b class=\"late\">expired {}</b>", escape(expires)));
            } else {
                notes.push(format!("expires {}", escape(expires)));
            }
        }
        if !notes.is_empty() {
            let _ = write!(why, "<div class=\"sub\">{}</div>", notes.join(" · "));
        }
        let shared = o
            .mixin
            .as_ref()
            .map(|m| {
                format!(
                    " <span class=\"shared\">shared via mixin <code>{}</code></span>",
                    escape(m)
                )
            })
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td><code>{}</code><div class=\"sub where\"><span class=\"mono\">{}</span>{shared}</div></td>\
             <td>{inherited}<span class=\"arrow\">{arrow}</span>{value}</td><td>{why}</td></tr>",
            badge(&o.class),
            path_html(&o.path),
            escape(&o.place),
        );
    }
    out.push_str("</tbody>\n</table>\n");
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

/// An element id for a community: its name with every character outside `[A-Za-z0-9-]` written
/// as `_` and its code, so that different names never share an id.
fn anchor(name: &str) -> String {
    let mut id = String::from("c-");
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '-' {
            id.push(c);
        } else {
            let _ = write!(id, "_{:x}_", c as u32);
        }
    }
    id
}

/// Text for HTML content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}
