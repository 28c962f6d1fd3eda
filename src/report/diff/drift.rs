//! How drift moves between two versions of a fleet: communities added and removed, bespoke
//! overrides that come and go, budgets, and communities that moved to another archetype.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::model::{mixin_of, overrides, place_at};
use super::{ArchetypeChange, BespokeChange, BudgetChange, DriftDiff, Side};
use crate::report::drift::{CommunityReport, DriftReport};
use crate::resolve::value::{DeclId, Node, value_text};

pub(super) fn drift_diff(base: &Side<'_>, head: &Side<'_>) -> DriftDiff {
    let before = by_name(base.drift);
    let after = by_name(head.drift);
    let bespoke = |report: &DriftReport| -> BTreeSet<(String, String)> {
        report
            .communities
            .iter()
            .flat_map(|c| {
                c.overrides
                    .iter()
                    .filter(|o| o.class == "bespoke")
                    .map(|o| (c.name.clone(), o.path.clone()))
            })
            .collect()
    };
    let (old, new) = (bespoke(base.drift), bespoke(head.drift));
    let mut budgets = Vec::new();
    let mut archetypes = Vec::new();
    for (name, new_report) in &after {
        let Some(old_report) = before.get(name) else {
            continue;
        };
        if (
            old_report.budget,
            old_report.bespoke,
            old_report.over_budget,
        ) != (
            new_report.budget,
            new_report.bespoke,
            new_report.over_budget,
        ) {
            budgets.push(BudgetChange {
                community: name.to_string(),
                archetype: new_report.archetype.clone(),
                budget_before: old_report.budget,
                budget_after: new_report.budget,
                bespoke_before: old_report.bespoke,
                bespoke_after: new_report.bespoke,
                over_budget_before: old_report.over_budget,
                over_budget_after: new_report.over_budget,
            });
        }
        if old_report.archetype != new_report.archetype {
            archetypes.push(ArchetypeChange {
                community: name.to_string(),
                archetype_before: old_report.archetype.clone(),
                archetype_after: new_report.archetype.clone(),
                tuned_before: old_report.tuned,
                tuned_after: new_report.tuned,
                bespoke_before: old_report.bespoke,
                bespoke_after: new_report.bespoke,
                violations_before: old_report.violations,
                violations_after: new_report.violations,
            });
        }
    }
    DriftDiff {
        before: base.drift.totals.clone(),
        after: head.drift.totals.clone(),
        communities_added: after
            .keys()
            .filter(|name| !before.contains_key(*name))
            .map(|name| name.to_string())
            .collect(),
        communities_removed: before
            .keys()
            .filter(|name| !after.contains_key(*name))
            .map(|name| name.to_string())
            .collect(),
        bespoke_added: bespoke_changes(head, &after, new.difference(&old)),
        bespoke_removed: bespoke_changes(base, &before, old.difference(&new)),
        budgets,
        archetype_changes: archetypes,
    }
}

fn by_name(report: &DriftReport) -> BTreeMap<&str, &CommunityReport> {
    report
        .communities
        .iter()
        .map(|c| (c.name.as_str(), c))
        .collect()
}

fn bespoke_changes<'k>(
    side: &Side<'_>,
    reports: &BTreeMap<&str, &CommunityReport>,
    keys: impl Iterator<Item = &'k (String, String)>,
) -> Vec<BespokeChange> {
    let index = overrides(side.analysis);
    let analysis = side.analysis;
    let communities: HashMap<&str, DeclId> = analysis
        .fleet
        .communities
        .iter()
        .map(|&id| (analysis.fleet.decl(id).display.as_str(), id))
        .collect();
    keys.map(|key| {
        let found = index.get(key);
        let community = communities.get(key.0.as_str()).copied();
        BespokeChange {
            community: key.0.clone(),
            archetype: reports
                .get(key.0.as_str())
                .and_then(|report| report.archetype.clone()),
            path: key.1.clone(),
            value: found
                .and_then(|o| o.value.as_ref())
                .map(|v: &Node| value_text(v, &analysis.names)),
            mixin: found
                .zip(community)
                .and_then(|(o, c)| mixin_of(analysis, c, o)),
            reason: found.and_then(|o| o.notes.reason.clone()),
            ticket: found.and_then(|o| o.notes.ticket.clone()),
            expires: found
                .and_then(|o| o.notes.expires)
                .map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
            place: found.map(|o| place_at(side, o.origin.file, o.origin.span)),
        }
    })
    .collect()
}
