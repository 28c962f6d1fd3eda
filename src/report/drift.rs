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
        totals.identity += report.identity;
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
            // Only a statement redundant as a whole can be deleted: an image whose tag
            // changes restates its name, which is not an override to delete.
            let whole_statement_redundant = drift
                .overrides
                .iter()
                .filter(|other| other.statement == found.statement)
                .all(|other| other.class == Class::Redundant);
            if found.class == Class::Redundant
                && found.layer == drift.community
                && whole_statement_redundant
            {
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
    communities.sort_by(|left, right| {
        distance(right)
            .cmp(&distance(left))
            .then_with(|| left.name.cmp(&right.name))
    });
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

/// The report as a terminal table: one row per community, then each override that drifts, then
/// the fleet: drift by archetype, the most overridden paths, promotion candidates and redundant
/// overrides.
pub fn text(report: &DriftReport) -> String {
    super::drift_text::render(report)
}

/// The report as GitHub-flavoured Markdown for a pull-request comment: a summary line, a table,
/// a `<details>` block per community that drifts, then the fleet sections.
pub fn markdown(report: &DriftReport) -> String {
    super::drift_markdown::render(report)
}

/// The report as one self-contained HTML page: inline CSS and SVG charts, nothing loaded from
/// anywhere else.
pub fn html(report: &DriftReport) -> String {
    super::drift_html::render(report)
}

// Helpers shared by the renderers.

/// The overrides of a community a reader must look at: violations, expired overrides, then
/// bespoke ones, each group in path order.
pub(crate) fn drifting(community: &CommunityReport) -> Vec<&OverrideReport> {
    let rank = |class: &str| match class {
        "violation" => 0,
        "expired" => 1,
        _ => 2,
    };
    let mut found: Vec<&OverrideReport> = community
        .overrides
        .iter()
        .filter(|o| matches!(o.class.as_str(), "violation" | "expired" | "bespoke"))
        .collect();
    found.sort_by_key(|o| rank(&o.class));
    found
}

/// Whether a community fails `hubc drift --check`.
pub(crate) fn community_fails(community: &CommunityReport) -> bool {
    community.over_budget || community.expired > 0 || community.violations > 0
}

/// `3/5`, or `3` when the archetype sets no budget.
pub(crate) fn bespoke_of_budget(community: &CommunityReport) -> String {
    match community.budget {
        Some(budget) => format!("{}/{budget}", community.bespoke),
        None => community.bespoke.to_string(),
    }
}

/// What a community was given before it overrode a path, for `inherited -> value`.
pub(crate) fn inherited_text(found: &OverrideReport) -> &str {
    found.inherited.as_deref().unwrap_or("(unset)")
}

/// The value an override sets, for `inherited -> value`.
pub(crate) fn value_shown(value: Option<&str>) -> &str {
    value.unwrap_or("(deleted)")
}

/// The arrow between the inherited value and the value set: `+=` for an append.
pub(crate) fn arrow(found: &OverrideReport, unicode: bool) -> &'static str {
    match (found.appends, unicode) {
        (true, _) => "+=",
        (false, true) => "\u{2192}",
        (false, false) => "->",
    }
}

/// `text` on one line and at most `max` characters, cut with an ellipsis.
pub(crate) fn clip(text: &str, max: usize) -> String {
    let line = text.replace('\r', "\\r").replace('\n', "\\n");
    if line.chars().count() <= max {
        return line;
    }
    let mut cut: String = line.chars().take(max.saturating_sub(1)).collect();
    cut.push('\u{2026}');
    cut
}

/// `count` and the noun, singular or plural.
pub(crate) fn counted(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// The fleet's counts on one line: `7 tuned, 3 bespoke, ...; 1 over budget`.
pub(crate) fn totals_line(report: &DriftReport) -> String {
    let totals = &report.totals;
    // Identity settings are counted only where a fleet declares them.
    let identity = if totals.identity > 0 {
        format!(", {} identity", totals.identity)
    } else {
        String::new()
    };
    format!(
        "{} tuned, {} bespoke{identity}, {} redundant, {} expired, {}; {} over budget",
        totals.tuned,
        totals.bespoke,
        totals.redundant,
        totals.expired,
        counted(totals.violations, "violation", "violations"),
        totals.over_budget,
    )
}

/// What is wrong with a community, for its heading: `over budget (3 bespoke, budget 2)`,
/// `2 violations`, `1 expired`; or how much it drifts when nothing is wrong.
pub(crate) fn verdict(community: &CommunityReport) -> String {
    let mut parts = Vec::new();
    match community.budget {
        Some(budget) if community.over_budget => parts.push(format!(
            "over budget: {} bespoke, budget {budget}",
            community.bespoke
        )),
        Some(budget) => parts.push(format!("{} bespoke, budget {budget}", community.bespoke)),
        None => parts.push(format!("{} bespoke", community.bespoke)),
    }
    if community.violations > 0 {
        parts.push(counted(community.violations, "violation", "violations"));
    }
    if community.expired > 0 {
        parts.push(format!("{} expired", community.expired));
    }
    parts.join(", ")
}
