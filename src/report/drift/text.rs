//! The drift report as text for a terminal: aligned tables, no colour, no line wider than the
//! values it shows.

use std::fmt::Write as _;

use super::render::{
    arrow, bespoke_of_budget, clip, community_fails, counted, drifting, inherited_text,
    newly_inheriting_note, places_by_file, totals_line, value_shown, verdict, where_to_set,
};
use super::{CommunityReport, DriftReport, Edit, PathCount};

/// The longest value shown in full; longer ones are cut (the JSON report has them whole).
const VALUE_WIDTH: usize = 100;
/// How many communities a promotion candidate lists before `and N more`.
const NAMES_SHOWN: usize = 12;

/// The report as a terminal table: one row per community, then each override that drifts, then
/// the fleet: drift by archetype and its most overridden paths, the promotion candidates with
/// the edit that promotes each, and the redundant overrides with the edit that deletes each.
pub fn render(report: &DriftReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "drift of {} on {}: {}",
        counted(report.totals.communities, "community", "communities"),
        report.today,
        totals_line(report)
    );
    let failing: Vec<String> = report
        .communities
        .iter()
        .filter(|c| community_fails(c))
        .map(|c| c.name.clone())
        .collect();
    if failing.is_empty() {
        let _ = writeln!(out, "`hubc drift --check` passes");
    } else {
        let _ = writeln!(
            out,
            "`hubc drift --check` fails for {}: {}",
            counted(failing.len(), "community", "communities"),
            names_list(&failing, NAMES_SHOWN)
        );
    }
    out.push('\n');

    let rows: Vec<Vec<String>> = report
        .communities
        .iter()
        .map(|c| {
            let mut bespoke = bespoke_of_budget(c);
            if c.over_budget {
                bespoke.push_str(" over");
            }
            vec![
                c.name.clone(),
                c.archetype.clone().unwrap_or_else(|| "-".into()),
                c.tuned.to_string(),
                bespoke,
                c.redundant.to_string(),
                c.expired.to_string(),
                c.violations.to_string(),
            ]
        })
        .collect();
    table(
        &mut out,
        "  ",
        &[
            ("community", false),
            ("archetype", false),
            ("tuned", true),
            ("bespoke/budget", false),
            ("redundant", true),
            ("expired", true),
            ("violations", true),
        ],
        &rows,
    );

    for community in &report.communities {
        community_details(&mut out, community);
    }

    let _ = writeln!(out, "\ndrift by archetype\n");
    let rows: Vec<Vec<String>> = report
        .by_archetype
        .iter()
        .map(|a| {
            vec![
                a.archetype.clone(),
                a.communities.to_string(),
                a.tuned.to_string(),
                a.bespoke.to_string(),
                per_community(a.bespoke, a.communities),
                a.over_budget.to_string(),
            ]
        })
        .collect();
    table(
        &mut out,
        "  ",
        &[
            ("archetype", false),
            ("communities", true),
            ("tuned", true),
            ("bespoke", true),
            ("bespoke/community", true),
            ("over budget", true),
        ],
        &rows,
    );

    let _ = writeln!(out, "\nmost overridden paths\n");
    if report.most_overridden.is_empty() {
        let _ = writeln!(out, "  (no community overrides anything)");
    } else {
        path_counts(&mut out, "  ", &report.most_overridden);
    }
    archetype_paths(&mut out, report);
    promotion_candidates(&mut out, report);
    redundant(&mut out, report);
    out
}

/// The overrides of a community that drift, with why and where, under a heading that says what
/// is wrong with it; nothing when none drifts.
fn community_details(out: &mut String, community: &CommunityReport) {
    let found = drifting(community);
    if found.is_empty() {
        return;
    }
    let mut heading = community.name.clone();
    if let Some(archetype) = &community.archetype {
        let _ = write!(heading, " : {archetype}");
    }
    if !community.mixins.is_empty() {
        let _ = write!(heading, " with {}", community.mixins.join(", "));
    }
    let _ = writeln!(out, "\n{heading}  ({})", verdict(community));
    for o in found {
        let _ = writeln!(
            out,
            "  {:<9}  {}: {} {} {}",
            o.class,
            o.path,
            clip(inherited_text(o), VALUE_WIDTH),
            arrow(o, false),
            clip(value_shown(o.value.as_deref()), VALUE_WIDTH),
        );
        let indent = " ".repeat(13);
        match &o.reason {
            Some(reason) => {
                let _ = writeln!(out, "{indent}reason: {reason}");
            }
            None => {
                let _ = writeln!(out, "{indent}reason: (none given)");
            }
        }
        let mut notes = Vec::new();
        if let Some(ticket) = &o.ticket {
            notes.push(format!("ticket: {ticket}"));
        }
        if let Some(expires) = &o.expires {
            notes.push(format!("expires: {expires}"));
        }
        if !notes.is_empty() {
            let _ = writeln!(out, "{indent}{}", notes.join(", "));
        }
        let shared = o
            .mixin
            .as_ref()
            .map(|mixin| format!(" (shared via mixin {mixin})"))
            .unwrap_or_default();
        let _ = writeln!(out, "{indent}at {}{shared}", o.place);
    }
}

/// The paths each archetype's communities override most.
fn archetype_paths(out: &mut String, report: &DriftReport) {
    let _ = writeln!(
        out,
        "\nmost overridden paths by archetype: candidates to become tunable, or for the archetype \
         to change its default"
    );
    for archetype in &report.by_archetype {
        let _ = writeln!(
            out,
            "\n  {} ({})",
            archetype.archetype,
            counted(archetype.communities, "community", "communities")
        );
        if archetype.most_overridden.is_empty() {
            let _ = writeln!(out, "    (its communities override nothing)");
            continue;
        }
        path_counts(out, "    ", &archetype.most_overridden);
    }
}

/// A table of paths with how many communities override them.
fn path_counts(out: &mut String, indent: &str, paths: &[PathCount]) {
    let rows: Vec<Vec<String>> = paths
        .iter()
        .map(|p| {
            vec![
                p.communities.to_string(),
                p.tuned.to_string(),
                p.bespoke.to_string(),
                p.path.clone(),
            ]
        })
        .collect();
    table(
        out,
        indent,
        &[
            ("communities", true),
            ("tuned", true),
            ("bespoke", true),
            ("path", false),
        ],
        &rows,
    );
}

fn promotion_candidates(out: &mut String, report: &DriftReport) {
    let _ = writeln!(
        out,
        "\npromotion candidates: one value set by {} or more communities, a shared need for an \
         archetype or the platform\n",
        report.promotion_threshold
    );
    if report.promotion_candidates.is_empty() {
        let _ = writeln!(out, "  (none)");
    }
    for candidate in &report.promotion_candidates {
        let _ = writeln!(
            out,
            "  {} ({}): {} = {}",
            counted(candidate.communities.len(), "community", "communities"),
            candidate.class,
            candidate.path,
            clip(&candidate.value, VALUE_WIDTH),
        );
        let _ = writeln!(
            out,
            "    {}",
            names_list(&candidate.communities, NAMES_SHOWN)
        );
        promotion_edit(out, &candidate.edit);
    }
}

/// The edit that promotes a candidate: where to add the statement, then what to delete.
fn promotion_edit(out: &mut String, edit: &Edit) {
    let statement = clip(&edit.statement, VALUE_WIDTH + 60);
    let Some(target) = &edit.add_to else {
        let _ = writeln!(
            out,
            "    no archetype or platform is shared by all of them: they extend different platforms"
        );
        return;
    };
    let _ = writeln!(out, "    {}: {statement}", where_to_set(edit, target));
    edit_places(out, "then delete", &edit.delete_at);
    edit_places(
        out,
        "then rewrite to keep only their other values",
        &edit.rewrite_at,
    );
    if edit.newly_inheriting > 0 {
        let _ = writeln!(
            out,
            "    note: {}",
            newly_inheriting_note(edit.newly_inheriting, &target.name)
        );
    }
}

/// The places of an edit, a line per file: `then delete in a.hub: 12:3, 40:3`.
fn edit_places(out: &mut String, what: &str, places: &[String]) {
    for (file, ats) in places_by_file(places) {
        let _ = writeln!(out, "    {what} in {file}: {}", ats.join(", "));
    }
}

fn redundant(out: &mut String, report: &DriftReport) {
    let _ = writeln!(
        out,
        "\nredundant overrides to delete: each sets the value the community inherits anyway\n"
    );
    if report.redundant.is_empty() {
        let _ = writeln!(out, "  (none)");
        return;
    }
    let rows: Vec<Vec<String>> = report
        .redundant
        .iter()
        .map(|r| {
            vec![
                r.community.clone(),
                format!(
                    "delete {}: {}",
                    r.place,
                    clip(&r.statement, VALUE_WIDTH + 60)
                ),
            ]
        })
        .collect();
    table(out, "  ", &[("community", false), ("edit", false)], &rows);
}

/// `bespoke` per community, with one decimal.
pub(super) fn per_community(bespoke: usize, communities: usize) -> String {
    if communities == 0 {
        return "0".into();
    }
    // Tenths, rounded half up, in integers so that every platform prints the same.
    let tenths = (bespoke * 10 * 2 + communities) / (communities * 2);
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// Names separated by commas, the first `shown` of them and how many more (all of them when
/// only one more would be left out).
pub(super) fn names_list(names: &[String], shown: usize) -> String {
    if names.len() <= shown + 1 {
        return names.join(", ");
    }
    format!(
        "{}, and {} more",
        names[..shown].join(", "),
        names.len() - shown
    )
}

/// Writes an aligned table: a header, a rule, the rows, each line after `indent`, cells apart by
/// two spaces. The last column is not padded, so lines end with their text.
fn table(out: &mut String, indent: &str, columns: &[(&str, bool)], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = columns.iter().map(|(name, _)| name.len()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |out: &mut String, cells: Vec<String>| {
        let mut text = indent.to_string();
        for (index, cell) in cells.iter().enumerate() {
            let (_, right) = columns[index];
            let pad = widths[index].saturating_sub(cell.chars().count());
            if index > 0 {
                text.push_str("  ");
            }
            if right {
                text.push_str(&" ".repeat(pad));
                text.push_str(cell);
            } else {
                text.push_str(cell);
                if index + 1 < cells.len() {
                    text.push_str(&" ".repeat(pad));
                }
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(
        out,
        columns
            .iter()
            .map(|(name, _)| (*name).to_string())
            .collect(),
    );
    line(out, widths.iter().map(|width| "-".repeat(*width)).collect());
    for row in rows {
        line(out, row.clone());
    }
}
