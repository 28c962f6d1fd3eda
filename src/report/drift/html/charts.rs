//! The charts of the HTML drift report, drawn here as inline SVG: bespoke overrides per
//! community against budgets, the most overridden paths, and drift by archetype.

use std::fmt::Write as _;

use super::escape;
use crate::report::drift::render::{clip, counted};
use crate::report::drift::text::per_community;
use crate::report::drift::{ArchetypeReport, CommunityReport, DriftReport};

/// The width of every chart, in SVG units; charts scale down with the page.
const CHART_WIDTH: f64 = 960.0;
/// How many communities the chart of bespoke overrides shows, most bespoke first.
const CHARTED_COMMUNITIES: usize = 40;

/// The three charts, each in its section.
pub(super) fn charts(out: &mut String, report: &DriftReport) {
    out.push_str("<div class=\"charts\">\n");

    out.push_str("<section id=\"chart-bespoke\">\n<h2>Bespoke overrides per community</h2>\n");
    let shown = if report.communities.len() > CHARTED_COMMUNITIES {
        format!(
            " The {CHARTED_COMMUNITIES} communities with the most of them are drawn, of {}; \
             the list below has every one.",
            report.communities.len()
        )
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "<p class=\"note\">Settings a community changes that its archetype does not make \
         tunable, most first. The mark is the archetype's budget.{shown}</p>",
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
    rows.truncate(CHARTED_COMMUNITIES);
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
    let row = if rows.len() > 20 { 18.0 } else { 24.0 };
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
