//! The drift report: per community, what it customizes and how that sits with its archetype;
//! across the fleet, the most overridden paths, the shared overrides worth promoting into an
//! archetype or the platform, and the redundant overrides to delete.
//!
//! The JSON form of [`DriftReport`] is stable and documented in `lang/drift.md`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::edits;
use crate::analysis::Analysis;
use crate::check::policy::{Class, CommunityDrift, Override};
use crate::resolve::value::{path_text, value_text};
use crate::source::SourceMap;
use crate::syntax::ast::DeclKind;

/// The version of the JSON layout; it changes only when a field changes meaning or goes away.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DriftReport {
    pub schema_version: u32,
    /// The day `@expires` dates were checked against.
    pub today: String,
    pub totals: Totals,
    pub communities: Vec<CommunityReport>,
    pub by_archetype: Vec<ArchetypeReport>,
    /// Paths overridden by the most communities, most first.
    pub most_overridden: Vec<PathCount>,
    /// The same path set to the same value by at least `promotion_threshold` communities.
    pub promotion_candidates: Vec<Candidate>,
    pub promotion_threshold: usize,
    /// Overrides that set what the community would inherit anyway.
    pub redundant: Vec<Located>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Totals {
    pub communities: usize,
    pub tuned: usize,
    pub bespoke: usize,
    /// Values set on identity paths: each community's own, never drift.
    pub identity: usize,
    pub redundant: usize,
    pub expired: usize,
    pub violations: usize,
    pub over_budget: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CommunityReport {
    /// `cluster/name`
    pub name: String,
    pub archetype: Option<String>,
    pub mixins: Vec<String>,
    pub tuned: usize,
    pub bespoke: usize,
    /// Values set on identity paths: the community's own, never drift.
    pub identity: usize,
    pub redundant: usize,
    pub expired: usize,
    pub violations: usize,
    pub inherited: usize,
    /// The bespoke budget of its archetype, if it has one.
    pub budget: Option<i64>,
    pub over_budget: bool,
    /// Everything the community sets, by path.
    pub overrides: Vec<OverrideReport>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OverrideReport {
    pub path: String,
    /// `tuned`, `bespoke`, `identity`, `redundant`, `violation` or `expired`.
    pub class: String,
    /// The value inherited from the archetype chain, in `.hub` syntax; `null` when none.
    pub inherited: Option<String>,
    /// The value set, in `.hub` syntax; `null` for a `delete`.
    pub value: Option<String>,
    /// `+=` rather than `=`.
    pub appends: bool,
    pub reason: Option<String>,
    pub ticket: Option<String>,
    pub expires: Option<String>,
    /// Where it is set: `file:line:column`.
    pub place: String,
    /// The mixin that sets it, when it is not the community itself: shared bespoke is still
    /// bespoke, and the report says it is shared.
    pub mixin: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ArchetypeReport {
    pub archetype: String,
    pub communities: usize,
    pub tuned: usize,
    pub bespoke: usize,
    pub over_budget: usize,
    /// The paths its communities override most, most first: candidates to become tunable, or
    /// for the archetype to change its default.
    pub most_overridden: Vec<PathCount>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PathCount {
    pub path: String,
    pub communities: usize,
    pub tuned: usize,
    pub bespoke: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Candidate {
    pub path: String,
    pub value: String,
    pub communities: Vec<String>,
    /// `tuned` or `bespoke`: the class most of them have.
    pub class: String,
    /// The `.hub` edit that promotes it.
    pub edit: Edit,
}

/// The edit that promotes a shared override: one statement added where all of its communities
/// inherit it, theirs deleted.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Edit {
    /// The nearest archetype or platform all the communities extend; `null` when they extend
    /// different platforms.
    pub add_to: Option<Target>,
    /// Where `add_to` sets the path itself, `file:line:column`, if it does: the value written
    /// there is replaced, rather than a statement added.
    pub replace_at: Option<String>,
    /// The statement to add: `path = value`, or `path += value` for an append.
    pub statement: String,
    /// The statements to delete once it is added, `file:line:column`, in file order; a mixin's
    /// statement once, however many communities it sets the value for.
    pub delete_at: Vec<String>,
    /// The statements that set other values with this one (an image sets its name and its tag):
    /// rewritten to set only the others.
    pub rewrite_at: Vec<String>,
    /// The communities under `add_to` that do not set the path: the added statement gives them
    /// the value too.
    pub newly_inheriting: usize,
}

/// The declaration a statement is added to.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Target {
    /// `archetype` or `platform`.
    pub kind: String,
    pub name: String,
    /// Where it is declared: `file:line:column` of its name.
    pub place: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Located {
    pub community: String,
    pub path: String,
    pub value: Option<String>,
    pub place: String,
    /// The statement to delete, in `.hub` syntax: `path = value`, `path += value` or
    /// `delete path`.
    pub statement: String,
}

/// Builds the drift report of an analysed fleet.
pub fn build(
    analysis: &Analysis,
    sources: &SourceMap,
    today: (u16, u8, u8),
    promotion_threshold: usize,
) -> DriftReport {
    let mut communities: Vec<CommunityReport> = analysis
        .drift
        .iter()
        .map(|drift| community(analysis, sources, drift))
        .collect();
    let totals = totals(&communities);
    let by_archetype = by_archetype(&communities);
    let most_overridden = most_overridden(&communities, MOST_OVERRIDDEN);
    communities.sort_by(|left, right| {
        distance(right)
            .cmp(&distance(left))
            .then_with(|| left.name.cmp(&right.name))
    });
    DriftReport {
        schema_version: SCHEMA_VERSION,
        today: format!("{:04}-{:02}-{:02}", today.0, today.1, today.2),
        totals,
        communities,
        by_archetype,
        most_overridden,
        promotion_candidates: edits::promotion_candidates(analysis, sources, promotion_threshold),
        promotion_threshold,
        redundant: edits::redundant(analysis, sources),
    }
}

/// How many paths the fleet's list of the most overridden holds.
const MOST_OVERRIDDEN: usize = 20;
/// How many paths each archetype's list of the most overridden holds.
const MOST_OVERRIDDEN_PER_ARCHETYPE: usize = 10;

fn totals(communities: &[CommunityReport]) -> Totals {
    let mut totals = Totals::default();
    for report in communities {
        totals.communities += 1;
        totals.tuned += report.tuned;
        totals.bespoke += report.bespoke;
        totals.identity += report.identity;
        totals.redundant += report.redundant;
        totals.expired += report.expired;
        totals.violations += report.violations;
        totals.over_budget += usize::from(report.over_budget);
    }
    totals
}

/// The drift of the communities of each archetype, by archetype name; communities without an
/// archetype are counted under `(none)`.
fn by_archetype(communities: &[CommunityReport]) -> Vec<ArchetypeReport> {
    let mut members: BTreeMap<&str, Vec<&CommunityReport>> = BTreeMap::new();
    for report in communities {
        let archetype = report.archetype.as_deref().unwrap_or("(none)");
        members.entry(archetype).or_default().push(report);
    }
    members
        .into_iter()
        .map(|(archetype, members)| ArchetypeReport {
            archetype: archetype.to_string(),
            communities: members.len(),
            tuned: members.iter().map(|c| c.tuned).sum(),
            bespoke: members.iter().map(|c| c.bespoke).sum(),
            over_budget: members.iter().filter(|c| c.over_budget).count(),
            most_overridden: most_overridden(members, MOST_OVERRIDDEN_PER_ARCHETYPE),
        })
        .collect()
}

/// The paths the most communities override as `tuned` or `bespoke`, most first, then by path;
/// at most `limit` of them.
fn most_overridden<'a>(
    communities: impl IntoIterator<Item = &'a CommunityReport>,
    limit: usize,
) -> Vec<PathCount> {
    let mut paths: BTreeMap<&str, PathCount> = BTreeMap::new();
    for report in communities {
        for found in &report.overrides {
            let tuned = found.class == "tuned";
            if !tuned && found.class != "bespoke" {
                continue;
            }
            let count = paths.entry(&found.path).or_insert_with(|| PathCount {
                path: found.path.clone(),
                communities: 0,
                tuned: 0,
                bespoke: 0,
            });
            count.communities += 1;
            if tuned {
                count.tuned += 1;
            } else {
                count.bespoke += 1;
            }
        }
    }
    let mut counts: Vec<PathCount> = paths.into_values().collect();
    counts.sort_by(|left, right| {
        right
            .communities
            .cmp(&left.communities)
            .then_with(|| left.path.cmp(&right.path))
    });
    counts.truncate(limit);
    counts
}

/// How far a community is from its archetype, for ordering, largest first: its violations,
/// then its expired overrides, then its bespoke overrides beyond the budget, then all of its
/// bespoke overrides.
pub fn distance(community: &CommunityReport) -> (usize, usize, usize, usize) {
    let beyond_budget = match community.budget {
        Some(budget) => community
            .bespoke
            .saturating_sub(usize::try_from(budget.max(0)).unwrap_or(usize::MAX)),
        None => 0,
    };
    (
        community.violations,
        community.expired,
        beyond_budget,
        community.bespoke,
    )
}

fn community(analysis: &Analysis, sources: &SourceMap, drift: &CommunityDrift) -> CommunityReport {
    let fleet = &analysis.fleet;
    let decl = fleet.decl(drift.community);
    let overrides: Vec<OverrideReport> = drift
        .overrides
        .iter()
        .map(|found| override_report(analysis, sources, drift, found))
        .collect();
    let bespoke = drift.count(Class::Bespoke);
    CommunityReport {
        name: decl.display.clone(),
        archetype: drift.archetype.map(|a| fleet.decl(a).display.clone()),
        mixins: decl
            .mixins
            .iter()
            .map(|&m| fleet.decl(m).display.clone())
            .collect(),
        tuned: drift.count(Class::Tuned),
        bespoke,
        identity: drift.count(Class::Identity),
        redundant: drift.count(Class::Redundant),
        expired: drift.count(Class::Expired),
        violations: drift.count(Class::Violation),
        inherited: drift.n_inherited,
        budget: drift.budget.map(|(limit, _)| limit),
        over_budget: drift
            .budget
            .is_some_and(|(limit, _)| bespoke as i64 > limit),
        overrides,
    }
}

fn override_report(
    analysis: &Analysis,
    sources: &SourceMap,
    drift: &CommunityDrift,
    found: &Override,
) -> OverrideReport {
    let names = &analysis.names;
    let layer = analysis.fleet.decl(found.layer);
    OverrideReport {
        path: path_text(&found.path, names),
        class: found.class.as_str().to_string(),
        inherited: found.base.as_ref().map(|base| value_text(base, names)),
        value: found.value.as_ref().map(|value| value_text(value, names)),
        appends: found.appends,
        reason: found.notes.reason.clone(),
        ticket: found.notes.ticket.clone(),
        expires: found
            .notes
            .expires
            .map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
        place: crate::explain::place(sources, found.origin),
        mixin: (found.layer != drift.community && layer.kind == DeclKind::Mixin)
            .then(|| layer.display.clone()),
    }
}

/// Whether the report fails `hubc drift --check`: a community over its budget, an expired
/// override, or a policy violation.
pub fn fails_check(report: &DriftReport) -> bool {
    report.totals.over_budget > 0 || report.totals.expired > 0 || report.totals.violations > 0
}

/// The report as pretty-printed JSON, ending with a newline.
pub fn json(report: &DriftReport) -> String {
    let mut text = serde_json::to_string_pretty(report).expect("the report serializes");
    text.push('\n');
    text
}
