//! The diff of a fleet between two versions (`hubc diff --base REF`): what changes in every
//! emitted file, path by path; how drift moves; the blast radius of each platform, archetype or
//! mixin that changed; the overrides a changed base value has left stale; and the secret files
//! each hub references, by name only.
//!
//! The report is built from the analysis, the build output and the drift report of each side;
//! renderers turn it into text, Markdown, JSON or GitHub annotations. The JSON form is stable
//! and documented in `lang/diff.md`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::analysis::Analysis;
use crate::check::policy::{Class, Override};
use crate::emit::Output;
use crate::report::drift::{DriftReport, Totals};
use crate::resolve::lower::{BoundValue, OpKind};
use crate::resolve::value::{DeclId, path_text, value_text};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::ast::DeclKind;

use super::drift::drift_diff;
use super::files::{file_diffs, secret_changes, value_changes};

/// The version of the JSON layout; it changes only when a field changes meaning or goes away.
pub const SCHEMA_VERSION: u32 = 1;

/// One version of the fleet, analysed and built in memory.
pub struct Side<'a> {
    /// How the report names this version: the `--base` reference, or `working tree`.
    pub label: String,
    pub analysis: &'a Analysis,
    pub sources: &'a SourceMap,
    pub output: &'a Output,
    pub drift: &'a DriftReport,
    /// How places name a `.hub` file: relative to the repository root when there is one, so
    /// GitHub can put annotations on the lines of a pull request.
    pub file_name: &'a dyn Fn(FileId) -> String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DiffReport {
    pub schema_version: u32,
    pub base: String,
    pub head: String,
    /// Whether anything below is not empty: `hubc diff` exits 2 when it is.
    pub changed: bool,
    pub totals: DiffTotals,
    /// Every emitted file that is added, removed or changed, by path.
    pub files: Vec<FileDiff>,
    /// The blast radius: each platform, archetype or mixin whose statements changed, and the
    /// communities it reaches.
    pub declarations: Vec<DeclarationChange>,
    /// Overrides whose inherited value changed while their own value did not.
    pub stale_overrides: Vec<StaleOverride>,
    pub drift: DriftDiff,
    /// Secret files added to or removed from a hub's values files, by name.
    pub secrets: Vec<SecretChange>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct DiffTotals {
    pub files_added: usize,
    pub files_removed: usize,
    pub files_changed: usize,
    /// Value changes in the files changed on both sides.
    pub values_changed: usize,
    /// Communities whose values file is added, removed or changed.
    pub communities_changed: usize,
    pub declarations_changed: usize,
    pub stale_overrides: usize,
    pub bespoke_added: usize,
    pub bespoke_removed: usize,
    pub budget_changes: usize,
    pub secret_changes: usize,
    /// Communities in both versions whose archetype changed.
    pub archetype_changes: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FileDiff {
    /// Relative to the output directory, as `hubc build` writes it.
    pub path: String,
    /// `added`, `removed` or `changed`.
    pub status: String,
    /// `values` (a hub's Helm values), `manifest` (a cluster's deploy manifest), `terraform`.
    pub kind: String,
    /// The community of a values file, as `cluster/name`.
    pub community: Option<String>,
    /// How many values the file holds: in the new version, or the old one when removed.
    pub values: usize,
    /// Value by value, for a changed file; empty for an added or removed file, and for a file
    /// whose text changed but not its values (a header naming a moved `.hub` file).
    pub changes: Vec<ValueChange>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ValueChange {
    /// Keys joined by dots; list elements as `[slug=gpu]` or `[name=prod]` when every element
    /// has a distinct one, else `[0]`. Lists of scalars are one value.
    pub path: String,
    /// `added`, `removed` or `changed`.
    pub change: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DeclarationChange {
    pub declaration: String,
    /// `platform`, `archetype` or `mixin`.
    pub kind: String,
    /// `added`, `removed` or `changed`.
    pub status: String,
    /// Where it is declared: in the new version, or the old one when removed.
    pub place: Place,
    /// Its own statements that changed: values (`path`), and policy (`tunable path`,
    /// `locked path`, `budget bespoke`).
    pub changes: Vec<ValueChange>,
    /// Communities that use it and whose values change: their values file, or, for a chart,
    /// the defaults Helm gives them.
    pub communities: Vec<String>,
    /// Communities that use it and whose values file does not change.
    pub unchanged: Vec<String>,
    /// Communities with an override of a value it changed: stale overrides.
    pub stale: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StaleOverride {
    pub community: String,
    pub path: String,
    /// The value the override sets, the same in both versions.
    pub value: String,
    /// Its class in the new version: a floor such as `>= base` makes it a `violation`.
    pub class: String,
    pub base_before: Option<String>,
    pub base_after: String,
    /// The declaration that sets the new inherited value, and where.
    pub changed_by: Option<String>,
    pub changed_at: Option<Place>,
    /// The mixin that sets the override, when it is not the community itself.
    pub mixin: Option<String>,
    pub reason: Option<String>,
    /// Where the override is set, in the new version.
    pub place: Place,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Place {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DriftDiff {
    pub before: Totals,
    pub after: Totals,
    pub communities_added: Vec<String>,
    pub communities_removed: Vec<String>,
    /// Bespoke overrides in the new version that the old one did not have as bespoke.
    pub bespoke_added: Vec<BespokeChange>,
    /// Bespoke overrides of the old version that are gone or no longer bespoke.
    pub bespoke_removed: Vec<BespokeChange>,
    /// Communities whose budget, bespoke count or standing against the budget changed.
    pub budgets: Vec<BudgetChange>,
    /// Communities in both versions that moved from one archetype to another.
    pub archetype_changes: Vec<ArchetypeChange>,
}

impl DriftDiff {
    /// Whether drift moved at all: a community came, went or changed archetype, or a bespoke
    /// override or a budget changed.
    pub fn changed(&self) -> bool {
        !self.communities_added.is_empty()
            || !self.communities_removed.is_empty()
            || !self.bespoke_added.is_empty()
            || !self.bespoke_removed.is_empty()
            || !self.budgets.is_empty()
            || !self.archetype_changes.is_empty()
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BespokeChange {
    pub community: String,
    /// The community's archetype, on the side the override is on.
    pub archetype: Option<String>,
    pub path: String,
    pub value: Option<String>,
    pub mixin: Option<String>,
    pub reason: Option<String>,
    pub ticket: Option<String>,
    pub expires: Option<String>,
    /// In the new version for an added override, the old one for a removed one.
    pub place: Option<Place>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BudgetChange {
    pub community: String,
    pub archetype: Option<String>,
    pub budget_before: Option<i64>,
    pub budget_after: Option<i64>,
    pub bespoke_before: usize,
    pub bespoke_after: usize,
    pub over_budget_before: bool,
    pub over_budget_after: bool,
}

/// A community that moved from one archetype to another, with what it customizes on each side:
/// a move to an archetype that allows less turns tuned overrides into bespoke ones, or into
/// violations.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ArchetypeChange {
    pub community: String,
    /// Its archetype in the old version; `None` when it had none.
    pub archetype_before: Option<String>,
    pub archetype_after: Option<String>,
    pub tuned_before: usize,
    pub tuned_after: usize,
    pub bespoke_before: usize,
    pub bespoke_after: usize,
    /// Overrides that break the archetype's policy: a `locked` path, a bound.
    pub violations_before: usize,
    pub violations_after: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct SecretChange {
    pub community: String,
    pub file: String,
    /// `added` or `removed`.
    pub change: String,
}

/// Compares two versions of a fleet, with every credential masked.
pub fn build(base: &Side<'_>, head: &Side<'_>) -> DiffReport {
    let files = file_diffs(base, head);
    let changed_communities: BTreeSet<String> = files
        .iter()
        .filter_map(|file| file.community.clone())
        .collect();
    let stale_overrides = stale_overrides(base, head);
    let declarations = declaration_changes(base, head, &changed_communities, &stale_overrides);
    let drift = drift_diff(base, head);
    let secrets = secret_changes(base.output, head.output);
    let count = |status: &str| files.iter().filter(|f| f.status == status).count();
    let totals = DiffTotals {
        files_added: count("added"),
        files_removed: count("removed"),
        files_changed: count("changed"),
        values_changed: files.iter().map(|f| f.changes.len()).sum(),
        communities_changed: changed_communities.len(),
        declarations_changed: declarations.len(),
        stale_overrides: stale_overrides.len(),
        bespoke_added: drift.bespoke_added.len(),
        bespoke_removed: drift.bespoke_removed.len(),
        budget_changes: drift.budgets.len(),
        secret_changes: secrets.len(),
        archetype_changes: drift.archetype_changes.len(),
    };
    let changed = !files.is_empty()
        || !declarations.is_empty()
        || !stale_overrides.is_empty()
        || drift.changed()
        || !secrets.is_empty();
    let mut report = DiffReport {
        schema_version: SCHEMA_VERSION,
        base: base.label.clone(),
        head: head.label.clone(),
        changed,
        totals,
        files,
        declarations,
        stale_overrides,
        drift,
        secrets,
    };
    super::redact::redact(&mut report);
    report
}

// Places and overrides.

pub(super) fn place_at(side: &Side<'_>, file: FileId, span: Span) -> Place {
    let at = side.sources.get(file).line_col(span.start as usize);
    Place {
        file: (side.file_name)(file),
        line: at.line,
        column: at.column,
    }
}

/// Every override of every community, by `(cluster/name, path)`.
pub(super) fn overrides(analysis: &Analysis) -> HashMap<(String, String), &Override> {
    let mut found = HashMap::new();
    for drift in &analysis.drift {
        let community = &analysis.fleet.decl(drift.community).display;
        for o in &drift.overrides {
            let path = path_text(&o.path, &analysis.names);
            found.insert((community.clone(), path), o);
        }
    }
    found
}

pub(super) fn mixin_of(analysis: &Analysis, community: DeclId, found: &Override) -> Option<String> {
    let layer = analysis.fleet.decl(found.layer);
    (found.layer != community && layer.kind == DeclKind::Mixin).then(|| layer.display.clone())
}

fn stale_overrides(base: &Side<'_>, head: &Side<'_>) -> Vec<StaleOverride> {
    let before = overrides(base.analysis);
    let names = &head.analysis.names;
    let mut stale = Vec::new();
    for drift in &head.analysis.drift {
        let community = &head.analysis.fleet.decl(drift.community).display;
        for found in &drift.overrides {
            let (Some(value), Some(base_after), false) = (&found.value, &found.base, found.appends)
            else {
                continue;
            };
            let path = path_text(&found.path, names);
            let Some(old) = before.get(&(community.clone(), path.clone())) else {
                continue;
            };
            let value = value_text(value, names);
            let old_value = old
                .value
                .as_ref()
                .map(|v| value_text(v, &base.analysis.names));
            let base_before = old
                .base
                .as_ref()
                .map(|v| value_text(v, &base.analysis.names));
            let base_after_text = value_text(base_after, names);
            // A redundant override pins the old value once the value under it moves.
            if !matches!(old.class, Class::Tuned | Class::Bespoke | Class::Redundant)
                || old.appends
                || old_value.as_deref() != Some(value.as_str())
                || base_before.as_deref() == Some(base_after_text.as_str())
            {
                continue;
            }
            let setter = base_after.provenance().map(|p| p.origin);
            stale.push(StaleOverride {
                community: community.clone(),
                path,
                value,
                class: found.class.as_str().to_string(),
                base_before,
                base_after: base_after_text,
                changed_by: setter.map(|o| head.analysis.fleet.decl(o.decl).display.clone()),
                changed_at: setter.map(|o| place_at(head, o.file, o.span)),
                mixin: mixin_of(head.analysis, drift.community, found),
                reason: found.notes.reason.clone(),
                place: place_at(head, found.origin.file, found.origin.span),
            });
        }
    }
    stale
}

// Declarations: the blast radius.

fn kind_name(kind: DeclKind) -> Option<&'static str> {
    match kind {
        DeclKind::Chart => Some("chart"),
        DeclKind::Platform => Some("platform"),
        DeclKind::Archetype => Some("archetype"),
        DeclKind::Mixin => Some("mixin"),
        _ => None,
    }
}

/// The platforms, archetypes and mixins of a fleet, by `(kind, name)`.
fn shared_declarations(analysis: &Analysis) -> BTreeMap<(&'static str, String), DeclId> {
    let mut found = BTreeMap::new();
    for (index, decl) in analysis.fleet.decls.iter().enumerate() {
        if let Some(kind) = kind_name(decl.kind) {
            found.insert((kind, decl.display.clone()), DeclId(index as u32));
        }
    }
    found
}

/// What a declaration itself says: each value it sets (leaf by leaf), and its policy.
fn statements(analysis: &Analysis, id: DeclId) -> BTreeMap<String, String> {
    let names = &analysis.names;
    let layer = &analysis.fleet.decl(id).layer;
    let mut out = BTreeMap::new();
    for op in layer.properties.iter().chain(&layer.ops) {
        match &op.kind {
            OpKind::Set(node) => node.for_each_leaf(&mut op.path.to_vec(), &mut |path, leaf| {
                out.insert(path_text(path, names), value_text(leaf, names));
            }),
            OpKind::Append(node) => {
                out.insert(
                    path_text(&op.path, names),
                    format!("+= {}", value_text(node, names)),
                );
            }
            OpKind::Delete => {
                out.insert(path_text(&op.path, names), "(deleted)".to_string());
            }
        }
    }
    for tunable in &layer.policy.tunables {
        let bounds: Vec<String> = tunable
            .bounds
            .iter()
            .map(|bound| match &bound.target {
                BoundValue::Base => format!("{} base", bound.op.as_str()),
                BoundValue::Value(limit) => {
                    format!("{} {}", bound.op.as_str(), value_text(limit, names))
                }
                BoundValue::OneOf(allowed) => {
                    let allowed: Vec<String> =
                        allowed.iter().map(|a| value_text(a, names)).collect();
                    format!("in [{}]", allowed.join(", "))
                }
            })
            .collect();
        let text = if bounds.is_empty() {
            "tunable".to_string()
        } else {
            format!("tunable {}", bounds.join(", "))
        };
        out.insert(format!("tunable {}", path_text(&tunable.path, names)), text);
    }
    for locked in &layer.policy.locked {
        out.insert(
            format!("locked {}", path_text(&locked.path, names)),
            "locked".to_string(),
        );
    }
    for budget in &layer.policy.budgets {
        out.insert(
            format!("budget {}", names.resolve(budget.kind)),
            format!("<= {}", budget.limit),
        );
    }
    out
}

/// Whether `community` is built on `decl`: its platform, an archetype of its chain, or a mixin.
fn uses(analysis: &Analysis, community: DeclId, decl: DeclId) -> bool {
    analysis.fleet.decl(community).mixins.contains(&decl)
        || analysis.fleet.chain(community).contains(&decl)
}

/// Whether `community` ends up with another value at one of `changes`' paths: how a chart's
/// defaults reach a hub, since they are never in its values file.
fn inherits_a_change(
    (base, base_ids): (&Side<'_>, &HashMap<&str, DeclId>),
    (head, head_ids): (&Side<'_>, &HashMap<&str, DeclId>),
    community: &str,
    changes: &[ValueChange],
) -> bool {
    let value_at = |side: &Side<'_>, ids: &HashMap<&str, DeclId>, path: &str| -> Option<String> {
        let analysis = side.analysis;
        let id = *ids.get(community)?;
        let keys = crate::explain::split_path(path)?;
        let symbols: Option<Vec<_>> = keys.iter().map(|key| analysis.names.get(key)).collect();
        let node = analysis.fleet.values(id).lookup(&symbols?)?;
        Some(value_text(node, &analysis.names))
    };
    changes.iter().any(|change| {
        value_at(base, base_ids, &change.path) != value_at(head, head_ids, &change.path)
    })
}

/// Every community of a side by its `cluster/name`, looked up once rather than per change.
fn community_ids<'a>(side: &Side<'a>) -> HashMap<&'a str, DeclId> {
    let fleet = &side.analysis.fleet;
    fleet
        .communities
        .iter()
        .map(|&id| (fleet.decl(id).display.as_str(), id))
        .collect()
}

fn declaration_changes(
    base: &Side<'_>,
    head: &Side<'_>,
    changed: &BTreeSet<String>,
    stale: &[StaleOverride],
) -> Vec<DeclarationChange> {
    let (base_ids, head_ids) = (community_ids(base), community_ids(head));
    let before = shared_declarations(base.analysis);
    let after = shared_declarations(head.analysis);
    let keys: BTreeSet<&(&'static str, String)> = before.keys().chain(after.keys()).collect();
    let mut found = Vec::new();
    for key in keys {
        let old = before.get(key).map(|&id| statements(base.analysis, id));
        let new = after.get(key).map(|&id| statements(head.analysis, id));
        let status = match (&old, &new) {
            (Some(old), Some(new)) if old == new => continue,
            (Some(_), Some(_)) => "changed",
            (None, _) => "added",
            (_, None) => "removed",
        };
        let changes = value_changes(&old.unwrap_or_default(), &new.unwrap_or_default());
        // Who it reaches: the communities of the new version, or of the old one when removed.
        let (side, id) = match after.get(key) {
            Some(&id) => (head, id),
            None => (base, before[key]),
        };
        let decl = side.analysis.fleet.decl(id);
        let mut communities = Vec::new();
        let mut unchanged = Vec::new();
        for &community in &side.analysis.fleet.communities {
            if !uses(side.analysis, community, id) {
                continue;
            }
            let name = side.analysis.fleet.decl(community).display.clone();
            let through_helm = decl.kind == DeclKind::Chart
                && inherits_a_change((base, &base_ids), (head, &head_ids), &name, &changes);
            if changed.contains(&name) || through_helm {
                communities.push(name);
            } else {
                unchanged.push(name);
            }
        }
        let mut stale: Vec<String> = stale
            .iter()
            .filter(|s| s.changed_by.as_deref() == Some(key.1.as_str()))
            .map(|s| s.community.clone())
            .collect();
        stale.dedup();
        found.push(DeclarationChange {
            declaration: key.1.clone(),
            kind: key.0.to_string(),
            status: status.to_string(),
            place: place_at(side, decl.file, decl.name_span),
            changes,
            communities,
            unchanged,
            stale,
        });
    }
    // Platforms first, then archetypes, then mixins.
    let rank = |kind: &str| {
        ["chart", "platform", "archetype", "mixin"]
            .iter()
            .position(|k| *k == kind)
    };
    found.sort_by(|l, r| (rank(&l.kind), &l.declaration).cmp(&(rank(&r.kind), &r.declaration)));
    found
}

/// The exit code of `hubc diff`: 0 when nothing changes, 2 when something does.
pub fn exit_code(report: &DiffReport) -> u8 {
    if report.changed { 2 } else { 0 }
}
