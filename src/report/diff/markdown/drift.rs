//! The drift section of the Markdown diff: bespoke overrides that come and go, grouped by the
//! line that sets them, and the budgets they move; counted per community and per path first
//! when they do not all fit.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use super::budget::Writer;
use super::commonmark::{arrow, cell, communities, plain, strs};
use super::{SUMMARY_ROWS, counts_table};
use crate::report::diff::render::{of_budget, plural};
use crate::report::diff::{BespokeChange, DiffReport};

/// Rows of any table.
const ALL: usize = usize::MAX;

pub(super) fn drift(report: &DiffReport, w: &mut Writer) {
    let drift = &report.drift;
    w.always("### Drift\n\n");
    let mut counts = format!(
        "Bespoke {}, tuned {}, over budget {}.",
        arrow(drift.before.bespoke, drift.after.bespoke),
        arrow(drift.before.tuned, drift.after.tuned),
        arrow(drift.before.over_budget, drift.after.over_budget),
    );
    let (added, removed) = (&drift.bespoke_added, &drift.bespoke_removed);
    if !added.is_empty() || !removed.is_empty() {
        let communities: BTreeSet<&str> = added
            .iter()
            .chain(removed)
            .map(|c| c.community.as_str())
            .collect();
        counts.push_str(&format!(
            " {} {} bespoke and {} stopped being bespoke, in {} {}.",
            added.len(),
            plural(added.len(), "override became", "overrides became"),
            removed.len(),
            communities.len(),
            plural(communities.len(), "community", "communities"),
        ));
        let moved: BTreeSet<&str> = drift
            .archetype_changes
            .iter()
            .map(|c| c.community.as_str())
            .collect();
        let in_moved = added
            .iter()
            .filter(|c| moved.contains(c.community.as_str()))
            .count();
        if in_moved > 0 {
            counts.push_str(&format!(
                " {in_moved} of the new bespoke overrides are in communities that changed archetype."
            ));
        }
    }
    if !drift.communities_added.is_empty() || !drift.communities_removed.is_empty() {
        counts.push_str(&format!(
            " {} {} added, {} removed.",
            drift.communities_added.len(),
            plural(drift.communities_added.len(), "community", "communities"),
            drift.communities_removed.len(),
        ));
    }
    w.always(&format!("{counts}\n\n"));
    for (label, list) in [
        ("New communities", &drift.communities_added),
        ("Removed communities", &drift.communities_removed),
    ] {
        if !list.is_empty() {
            let line = format!("{label}: {}\n\n", communities(&strs(list)));
            w.block(&line, "lists of communities");
        }
    }
    let groups = bespoke_groups(added, removed);
    if w.whole(|w| drift_details(report, &groups, false, w)) {
        return;
    }
    drift_summary(report, w);
    drift_details(report, &groups, true, w);
}

/// Bespoke overrides that one line adds or removes to the same effect in several communities.
struct BespokeGroup<'r> {
    sign: &'static str,
    first: &'r BespokeChange,
    communities: Vec<&'r str>,
}

fn bespoke_groups<'r>(
    added: &'r [BespokeChange],
    removed: &'r [BespokeChange],
) -> Vec<BespokeGroup<'r>> {
    type Key<'a> = (
        &'static str,
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
        Option<&'a crate::report::diff::Place>,
    );
    let mut index: BTreeMap<Key<'r>, usize> = BTreeMap::new();
    let mut groups: Vec<BespokeGroup<'r>> = Vec::new();
    for (sign, list) in [("new", added), ("removed", removed)] {
        for change in list {
            let key = (
                sign,
                change.path.as_str(),
                change.value.as_deref(),
                change.reason.as_deref(),
                change.place.as_ref(),
            );
            match index.get(&key) {
                Some(&at) => groups[at].communities.push(&change.community),
                None => {
                    index.insert(key, groups.len());
                    groups.push(BespokeGroup {
                        sign,
                        first: change,
                        communities: vec![&change.community],
                    });
                }
            }
        }
    }
    groups
}

/// The bespoke overrides that come and go, and the budgets they move. When not everything fits,
/// the budgets come first, those over budget first and cut short, then the lines that reach the
/// most communities.
fn drift_details(
    report: &DiffReport,
    groups: &[BespokeGroup<'_>],
    largest_first: bool,
    w: &mut Writer,
) {
    if largest_first {
        budgets(report, SUMMARY_ROWS, true, w);
    }
    let mut order: Vec<&BespokeGroup<'_>> = groups.iter().collect();
    if largest_first {
        order.sort_by_key(|g| Reverse(g.communities.len()));
    }
    let rows: Vec<String> = order
        .iter()
        .map(|group| {
            let change = group.first;
            format!(
                "| {} | {} | {} | {} | {} | {} |",
                group.sign,
                cell(&change.path),
                change.value.as_deref().map_or("(deleted)".into(), cell),
                change.reason.as_deref().map(plain).unwrap_or_default(),
                change
                    .place
                    .as_ref()
                    .map(|p| cell(&p.to_string()))
                    .unwrap_or_default(),
                communities(&group.communities).replace('|', "\\|"),
            )
        })
        .collect();
    w.table(
        &["", "path", "value", "reason", "where", "communities"],
        &rows,
        ALL,
        "lines with bespoke overrides that come or go",
    );
    if !largest_first {
        budgets(report, ALL, false, w);
    }
}

/// Communities whose bespoke count or budget changed, at most `limit`.
fn budgets(report: &DiffReport, limit: usize, largest_first: bool, w: &mut Writer) {
    let mut budgets: Vec<_> = report.drift.budgets.iter().collect();
    if largest_first {
        budgets.sort_by_key(|b| {
            (
                Reverse(b.over_budget_after),
                Reverse(b.bespoke_after.abs_diff(b.bespoke_before)),
            )
        });
    }
    let rows: Vec<String> = budgets
        .iter()
        .map(|b| {
            let over = if b.over_budget_after {
                " **over budget**"
            } else {
                ""
            };
            format!(
                "| {} | {} | {} | {}{over} |",
                cell(&b.community),
                b.archetype.as_deref().map(cell).unwrap_or_default(),
                of_budget(b.bespoke_before, b.budget_before),
                of_budget(b.bespoke_after, b.budget_after),
            )
        })
        .collect();
    w.table(
        &["community", "archetype", "bespoke before", "bespoke now"],
        &rows,
        limit,
        "communities whose bespoke count changed",
    );
}

/// Bespoke overrides that come and go, counted per community and per path.
fn drift_summary(report: &DiffReport, w: &mut Writer) {
    let drift = &report.drift;
    let mut by_community: BTreeMap<&str, (Option<&str>, usize, usize)> = BTreeMap::new();
    let mut by_path: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (added, list) in [
        (true, &drift.bespoke_added),
        (false, &drift.bespoke_removed),
    ] {
        for change in list {
            let community = by_community.entry(&change.community).or_default();
            community.0 = community.0.or(change.archetype.as_deref());
            let path = by_path.entry(&change.path).or_default();
            if added {
                community.1 += 1;
                path.0 += 1;
            } else {
                community.2 += 1;
                path.1 += 1;
            }
        }
    }
    let now: BTreeMap<&str, String> = drift
        .budgets
        .iter()
        .map(|b| {
            let text = of_budget(b.bespoke_after, b.budget_after);
            (b.community.as_str(), text)
        })
        .collect();
    let mut communities: Vec<_> = by_community.into_iter().collect();
    communities.sort_by_key(|(_, (_, a, r))| Reverse(a + r));
    let rows: Vec<String> = communities
        .iter()
        .map(|(name, (archetype, a, r))| {
            format!(
                "| {} | {} | +{a} | \u{2212}{r} | {} |",
                cell(name),
                archetype.map(cell).unwrap_or_default(),
                now.get(name).map(String::as_str).unwrap_or(""),
            )
        })
        .collect();
    w.table(
        &[
            "community",
            "archetype",
            "new bespoke",
            "no longer bespoke",
            "bespoke now",
        ],
        &rows,
        SUMMARY_ROWS,
        "rows of bespoke counts per community",
    );
    counts_table(
        by_path,
        &["path", "new bespoke in", "no longer bespoke in"],
        "rows of bespoke counts per path",
        w,
    );
}
