//! The drift report: per community, what it customizes and how that sits with its archetype;
//! across the fleet, the most overridden paths, the shared overrides worth promoting into an
//! archetype or the platform, and the redundant overrides to delete.
//!
//! The JSON form of [`DriftReport`] is stable and documented in `lang/drift.md`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::check::policy::{Class, CommunityDrift, Override};
use crate::driver::Analysis;
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
    /// `tuned`, `bespoke`, `redundant`, `violation` or `expired`.
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
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Located {
    pub community: String,
    pub path: String,
    pub value: Option<String>,
    pub place: String,
}

/// Builds the drift report of an analysed fleet.
pub fn build(
    analysis: &Analysis,
    sources: &SourceMap,
    today: (u16, u8, u8),
    promotion_threshold: usize,
) -> DriftReport {
    let names = &analysis.names;
    let fleet = &analysis.fleet;
    let mut totals = Totals::default();
    let mut communities = Vec::new();
    let mut paths: BTreeMap<String, PathCount> = BTreeMap::new();
    let mut shared: BTreeMap<(String, String), (Vec<String>, usize, usize)> = BTreeMap::new();
    let mut archetypes: BTreeMap<String, ArchetypeReport> = BTreeMap::new();
    let mut redundant = Vec::new();
    for drift in &analysis.drift {
        let decl = fleet.decl(drift.community);
        let name = decl.display.clone();
        let report = community(analysis, sources, drift);
        totals.communities += 1;
        totals.tuned += report.tuned;
        totals.bespoke += report.bespoke;
        totals.redundant += report.redundant;
        totals.expired += report.expired;
        totals.violations += report.violations;
        totals.over_budget += usize::from(report.over_budget);
        let archetype = report
            .archetype
            .clone()
            .unwrap_or_else(|| "(none)".to_string());
        let entry = archetypes
            .entry(archetype.clone())
            .or_insert_with(|| ArchetypeReport {
                archetype,
                communities: 0,
                tuned: 0,
                bespoke: 0,
                over_budget: 0,
            });
        entry.communities += 1;
        entry.tuned += report.tuned;
        entry.bespoke += report.bespoke;
        entry.over_budget += usize::from(report.over_budget);
        for found in &drift.overrides {
            let path = path_text(&found.path, names);
            if matches!(found.class, Class::Tuned | Class::Bespoke) {
                let count = paths.entry(path.clone()).or_insert_with(|| PathCount {
                    path: path.clone(),
                    communities: 0,
                    tuned: 0,
                    bespoke: 0,
                });
                count.communities += 1;
                if found.class == Class::Tuned {
                    count.tuned += 1;
                } else {
                    count.bespoke += 1;
                }
                if let Some(value) = &found.value {
                    let key = (path.clone(), value_text(value, names));
                    let entry = shared.entry(key).or_default();
                    entry.0.push(name.clone());
                    if found.class == Class::Tuned {
                        entry.1 += 1;
                    } else {
                        entry.2 += 1;
                    }
                }
            }
            if found.class == Class::Redundant && found.layer == drift.community {
                redundant.push(Located {
                    community: name.clone(),
                    path,
                    value: found.value.as_ref().map(|v| value_text(v, names)),
                    place: crate::explain::place(sources, found.origin),
                });
            }
        }
        communities.push(report);
    }
    let mut most_overridden: Vec<PathCount> = paths.into_values().collect();
    most_overridden.sort_by(|left, right| {
        right
            .communities
            .cmp(&left.communities)
            .then_with(|| left.path.cmp(&right.path))
    });
    most_overridden.truncate(20);
    let mut promotion_candidates: Vec<Candidate> = shared
        .into_iter()
        .filter(|(_, (communities, _, _))| communities.len() >= promotion_threshold)
        .map(|((path, value), (mut communities, tuned, bespoke))| {
            communities.sort();
            communities.dedup();
            Candidate {
                path,
                value,
                communities,
                class: if bespoke >= tuned { "bespoke" } else { "tuned" }.to_string(),
            }
        })
        .collect();
    promotion_candidates.sort_by(|left, right| {
        right
            .communities
            .len()
            .cmp(&left.communities.len())
            .then_with(|| left.path.cmp(&right.path))
    });
    DriftReport {
        schema_version: SCHEMA_VERSION,
        today: format!("{:04}-{:02}-{:02}", today.0, today.1, today.2),
        totals,
        communities,
        by_archetype: archetypes.into_values().collect(),
        most_overridden,
        promotion_candidates,
        promotion_threshold,
        redundant,
    }
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

/// The report as a terminal table (placeholder until the renderer lands).
pub fn text(report: &DriftReport) -> String {
    json(report)
}

/// The report as Markdown for a pull-request comment (placeholder until the renderer lands).
pub fn markdown(report: &DriftReport) -> String {
    json(report)
}

/// The report as one self-contained HTML page (placeholder until the renderer lands).
pub fn html(report: &DriftReport) -> String {
    json(report)
}
