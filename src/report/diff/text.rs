//! The fleet diff for a terminal: every section and every item in full (long values shortened).
//! It is what the Markdown comment points to when it had to leave something out.

use std::fmt::Write as _;

use super::render::{
    ARCHETYPE_COUNTS, Count, archetype_moves, archetype_name, communities_of, cut, file_groups,
    names, of_budget, plural, stale_groups, summary,
};
use super::{DiffReport, ValueChange};

/// The report for a terminal.
pub fn text(report: &DiffReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "hubc diff: {} -> {}", report.base, report.head);
    let _ = writeln!(out, "{}", summary(report));
    stale_overrides(report, &mut out);
    blast_radius(report, &mut out);
    drift(report, &mut out);
    if !report.secrets.is_empty() {
        let _ = writeln!(out, "\nSecret files (names only)");
        for secret in &report.secrets {
            let sign = if secret.change == "added" { "+" } else { "-" };
            let _ = writeln!(out, "  {sign} {}  {}", secret.community, secret.file);
        }
    }
    files(report, &mut out);
    out
}

fn change_line(change: &ValueChange) -> String {
    let old = change.old.as_deref().map(cut).unwrap_or_default();
    let new = change.new.as_deref().map(cut).unwrap_or_default();
    match change.change.as_str() {
        "added" => format!("+ {} = {new}", change.path),
        "removed" => format!("- {} = {old}", change.path),
        _ => format!("~ {}: {old} -> {new}", change.path),
    }
}

fn stale_overrides(report: &DiffReport, out: &mut String) {
    if report.stale_overrides.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nStale overrides: the value they override changed");
    for group in stale_groups(report) {
        let stale = group[0];
        let _ = writeln!(
            out,
            "  {}  {} = {}  [{}]",
            communities_of(&group),
            stale.path,
            cut(&stale.value),
            stale.class
        );
        let by = match (&stale.changed_by, &stale.changed_at) {
            (Some(by), Some(at)) => format!(", set by {by} at {at}"),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "    inherited {} -> {}{by}",
            stale.base_before.as_deref().map_or("(unset)".into(), cut),
            cut(&stale.base_after),
        );
        let _ = writeln!(out, "    at {}", stale.place);
    }
}

fn blast_radius(report: &DiffReport, out: &mut String) {
    if report.declarations.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nBlast radius");
    for decl in &report.declarations {
        let _ = writeln!(
            out,
            "  {} {} ({}, {})",
            decl.kind, decl.declaration, decl.status, decl.place
        );
        for change in &decl.changes {
            let _ = writeln!(out, "    {}", change_line(change));
        }
        let _ = writeln!(
            out,
            "    {} {} change: {}",
            decl.communities.len(),
            plural(decl.communities.len(), "community", "communities"),
            names(&decl.communities, str::to_string)
        );
        if !decl.unchanged.is_empty() {
            let _ = writeln!(
                out,
                "    {} unchanged: {}",
                decl.unchanged.len(),
                names(&decl.unchanged, str::to_string)
            );
        }
        if !decl.stale.is_empty() {
            let _ = writeln!(
                out,
                "    stale overrides in: {}",
                names(&decl.stale, str::to_string)
            );
        }
    }
}

fn drift(report: &DiffReport, out: &mut String) {
    let drift = &report.drift;
    if !drift.changed() {
        return;
    }
    let _ = writeln!(out, "\nDrift");
    let _ = writeln!(
        out,
        "  bespoke {} -> {}, tuned {} -> {}, over budget {} -> {}",
        drift.before.bespoke,
        drift.after.bespoke,
        drift.before.tuned,
        drift.after.tuned,
        drift.before.over_budget,
        drift.after.over_budget
    );
    for name in &drift.communities_added {
        let _ = writeln!(out, "  new community {name}");
    }
    for name in &drift.communities_removed {
        let _ = writeln!(out, "  removed community {name}");
    }
    for moved in archetype_moves(report) {
        let count = moved.communities.len();
        let _ = writeln!(
            out,
            "  {count} {} archetype {} -> {}: {}",
            plural(count, "community moved from", "communities moved from"),
            archetype_name(moved.before),
            archetype_name(moved.after),
            counts(|count| moved.total(count)),
        );
        for change in &moved.communities {
            let _ = writeln!(
                out,
                "    {}: {}",
                change.community,
                counts(|count| count(change))
            );
        }
    }
    for (sign, list) in [("+", &drift.bespoke_added), ("-", &drift.bespoke_removed)] {
        for change in list {
            let value = change.value.as_deref().map_or("(deleted)".into(), cut);
            let at = change
                .place
                .as_ref()
                .map(|p| format!("  ({p})"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {sign} bespoke {}  {} = {value}{at}",
                change.community, change.path
            );
        }
    }
    for budget in &drift.budgets {
        let _ = writeln!(
            out,
            "  budget {}: bespoke {} -> {}",
            budget.community,
            of_budget(budget.bespoke_before, budget.budget_before),
            of_budget(budget.bespoke_after, budget.budget_after),
        );
    }
}

/// `bespoke 0 -> 3, tuned 3 -> 0, violations 0 -> 0` of a community, or the sum over several,
/// as `total` adds a count up.
fn counts(total: impl Fn(Count) -> usize) -> String {
    let counts: Vec<String> = ARCHETYPE_COUNTS
        .iter()
        .map(|&(name, before, after)| format!("{name} {} -> {}", total(before), total(after)))
        .collect();
    counts.join(", ")
}

fn files(report: &DiffReport, out: &mut String) {
    if report.files.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nFiles");
    for (files, status, changes) in file_groups(&report.files) {
        let paths: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
        let _ = writeln!(out, "  {status} {}", names(&paths, str::to_string));
        match status {
            "added" | "removed" => {
                let _ = writeln!(out, "    {} values", files[0].values);
            }
            _ if changes.is_empty() => {
                let _ = writeln!(out, "    the text changes, not the values");
            }
            _ => {
                for change in changes {
                    let _ = writeln!(out, "    {}", change_line(change));
                }
            }
        }
    }
}
