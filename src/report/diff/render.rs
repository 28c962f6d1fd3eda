//! What the renderers of the fleet diff share: the summary line, the groups they show together
//! (files that change the same way, stale overrides set by one line, communities that moved
//! between the same two archetypes), and the two renderers for machines: JSON, and GitHub
//! Actions annotations on the `.hub` lines that add bespoke drift or leave an override stale.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use super::{ArchetypeChange, DiffReport, FileDiff, StaleOverride, ValueChange};
use crate::diagnostics::{escape_data, escape_property};

/// Values longer than this are cut in text and Markdown; JSON keeps them whole.
pub(super) const MAX_VALUE: usize = 160;

/// The report as pretty-printed JSON, ending with a newline.
pub fn json(report: &DiffReport) -> String {
    let mut text = serde_json::to_string_pretty(report).expect("the report serializes");
    text.push('\n');
    text
}

/// One line: what changes, in numbers.
pub(super) fn summary(report: &DiffReport) -> String {
    if !report.changed {
        return "no changes".to_string();
    }
    let t = &report.totals;
    let files = t.files_added + t.files_removed + t.files_changed;
    let mut parts = vec![format!(
        "{files} {} ({} added, {} removed, {} changed)",
        plural(files, "file changes", "files change"),
        t.files_added,
        t.files_removed,
        t.files_changed
    )];
    parts.push(format!(
        "values of {} {}",
        t.communities_changed,
        plural(t.communities_changed, "community", "communities")
    ));
    parts.push(format!(
        "{} shared {}",
        t.declarations_changed,
        plural(t.declarations_changed, "declaration", "declarations")
    ));
    parts.push(format!(
        "{} stale {}",
        t.stale_overrides,
        plural(t.stale_overrides, "override", "overrides")
    ));
    parts.push(format!(
        "bespoke drift +{} -{}",
        t.bespoke_added, t.bespoke_removed
    ));
    if t.archetype_changes > 0 {
        parts.push(format!(
            "{} {} archetype",
            t.archetype_changes,
            plural(
                t.archetype_changes,
                "community changes",
                "communities change"
            )
        ));
    }
    if t.secret_changes > 0 {
        parts.push(format!(
            "{} secret file {}",
            t.secret_changes,
            plural(t.secret_changes, "change", "changes")
        ));
    }
    parts.join(", ")
}

pub(super) fn plural(count: usize, one: &'static str, many: &'static str) -> &'static str {
    if count == 1 { one } else { many }
}

/// Cuts a value to [`MAX_VALUE`] characters.
pub(super) fn cut(text: &str) -> String {
    if text.chars().count() <= MAX_VALUE {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(MAX_VALUE - 1).collect();
    cut.push('\u{2026}');
    cut
}

/// `a, b, c`
pub(super) fn names(list: &[String], wrap: impl Fn(&str) -> String) -> String {
    let shown: Vec<String> = list.iter().map(|n| wrap(n)).collect();
    shown.join(", ")
}

/// `12/5` for a bespoke count against a budget, or the count alone when there is no budget.
pub(super) fn of_budget(bespoke: usize, budget: Option<i64>) -> String {
    match budget {
        Some(budget) => format!("{bespoke}/{budget}"),
        None => bespoke.to_string(),
    }
}

/// An archetype's name, or `(none)`.
pub(super) fn archetype_name(archetype: Option<&str>) -> &str {
    archetype.unwrap_or("(none)")
}

/// Files with the same status and the same changes, together: a platform change touches many
/// values files the same way.
pub(super) type FileGroup<'r> = (Vec<&'r FileDiff>, &'r str, &'r [ValueChange]);

pub(super) fn file_groups(files: &[FileDiff]) -> Vec<FileGroup<'_>> {
    let mut groups: Vec<FileGroup<'_>> = Vec::new();
    let mut index: HashMap<&[ValueChange], usize> = HashMap::new();
    for file in files {
        if file.status == "changed" && !file.changes.is_empty() {
            if let Some(&at) = index.get(file.changes.as_slice()) {
                groups[at].0.push(file);
                continue;
            }
            index.insert(file.changes.as_slice(), groups.len());
        }
        groups.push((vec![file], file.status.as_str(), file.changes.as_slice()));
    }
    groups
}

/// Stale overrides set by the same line to the same effect, together: a mixin's line is stale
/// in every community that uses it.
pub(super) fn stale_groups(report: &DiffReport) -> Vec<Vec<&StaleOverride>> {
    type Key<'a> = (&'a super::Place, &'a str, Option<&'a str>, &'a str, &'a str);
    let mut groups: Vec<Vec<&StaleOverride>> = Vec::new();
    let mut index: HashMap<Key<'_>, usize> = HashMap::new();
    for stale in &report.stale_overrides {
        let key = (
            &stale.place,
            stale.path.as_str(),
            stale.base_before.as_deref(),
            stale.base_after.as_str(),
            stale.class.as_str(),
        );
        match index.get(&key) {
            Some(&at) => groups[at].push(stale),
            None => {
                index.insert(key, groups.len());
                groups.push(vec![stale]);
            }
        }
    }
    groups
}

/// A count of what a community customizes, before and after it changed archetype.
pub(super) type Count = fn(&ArchetypeChange) -> usize;

/// The counts an archetype change reports, by name: before, after.
pub(super) const ARCHETYPE_COUNTS: [(&str, Count, Count); 3] = [
    ("bespoke", |c| c.bespoke_before, |c| c.bespoke_after),
    ("tuned", |c| c.tuned_before, |c| c.tuned_after),
    (
        "violations",
        |c| c.violations_before,
        |c| c.violations_after,
    ),
];

/// The communities that moved from one archetype to the same other one.
pub(super) struct ArchetypeMove<'r> {
    pub before: Option<&'r str>,
    pub after: Option<&'r str>,
    pub communities: Vec<&'r ArchetypeChange>,
}

impl ArchetypeMove<'_> {
    /// The sum of a count over the communities that moved.
    pub fn total(&self, count: Count) -> usize {
        self.communities.iter().map(|c| count(c)).sum()
    }
}

/// The archetype changes grouped by move, the move with the most communities first.
pub(super) fn archetype_moves(report: &DiffReport) -> Vec<ArchetypeMove<'_>> {
    let mut moves: BTreeMap<(Option<&str>, Option<&str>), Vec<&ArchetypeChange>> = BTreeMap::new();
    for change in &report.drift.archetype_changes {
        moves
            .entry((
                change.archetype_before.as_deref(),
                change.archetype_after.as_deref(),
            ))
            .or_default()
            .push(change);
    }
    let mut moves: Vec<ArchetypeMove<'_>> = moves
        .into_iter()
        .map(|((before, after), communities)| ArchetypeMove {
            before,
            after,
            communities,
        })
        .collect();
    moves.sort_by_key(|m| std::cmp::Reverse(m.communities.len()));
    moves
}

/// The cluster of a community named `cluster/name`, or of a file under a cluster's directory.
pub(super) fn cluster_of(name: &str) -> &str {
    name.split_once('/').map_or(name, |(cluster, _)| cluster)
}

/// How many times each group occurs, the most frequent first.
pub(super) fn per_group<'n>(groups: impl IntoIterator<Item = &'n str>) -> Vec<(&'n str, usize)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for group in groups {
        *counts.entry(group).or_default() += 1;
    }
    let mut counts: Vec<(&str, usize)> = counts.into_iter().collect();
    counts.sort_by_key(|&(_, count)| std::cmp::Reverse(count));
    counts
}

pub(super) fn communities_of(group: &[&StaleOverride]) -> String {
    let names: Vec<&str> = group.iter().map(|s| s.community.as_str()).collect();
    names.join(", ")
}

pub(super) fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// GitHub Actions workflow commands: a warning on each `.hub` line that adds bespoke drift or
/// whose override a changed base value left stale, then a notice with the summary.
pub fn github(report: &DiffReport) -> String {
    let mut out = String::new();
    // One annotation per line, even when a mixin's line is stale, or adds drift, in several
    // communities.
    for found in stale_groups(report) {
        let stale = found[0];
        let by = stale
            .changed_by
            .as_deref()
            .map(|by| format!(" ({by})"))
            .unwrap_or_default();
        let verdict = if found.iter().any(|s| s.class == "violation") {
            "it now breaks the archetype's policy: raise it or remove it"
        } else {
            "check the override still makes sense, or remove it"
        };
        let message = format!(
            "{} {} {} with {}, and the value it overrides changed from {} to {}{by}: {verdict}",
            communities_of(&found),
            plural(found.len(), "overrides", "override"),
            stale.path,
            stale.value,
            stale.base_before.as_deref().unwrap_or("(unset)"),
            stale.base_after,
        );
        annotate(&mut out, &stale.place, "stale override", &message);
    }
    let mut by_place: BTreeMap<_, Vec<&super::BespokeChange>> = BTreeMap::new();
    for change in &report.drift.bespoke_added {
        if let Some(place) = &change.place {
            by_place
                .entry((place.clone(), change.path.clone()))
                .or_default()
                .push(change);
        }
    }
    let budgets: HashMap<&str, &super::BudgetChange> = report
        .drift
        .budgets
        .iter()
        .map(|b| (b.community.as_str(), b))
        .collect();
    for ((place, path), changes) in by_place {
        let communities: Vec<String> = changes
            .iter()
            .map(|change| {
                let budget = budgets
                    .get(change.community.as_str())
                    .map(|b| format!(", now {}", of_budget(b.bespoke_after, b.budget_after)))
                    .unwrap_or_default();
                match &change.archetype {
                    Some(archetype) => format!("{} ({archetype}{budget})", change.community),
                    None => change.community.clone(),
                }
            })
            .collect();
        let value = changes[0].value.as_deref().unwrap_or("(deleted)");
        let message = format!(
            "new bespoke drift: {path} = {value} is not tunable in the archetype of {}, and counts against its bespoke budget",
            names(&communities, str::to_string),
        );
        annotate(&mut out, &place, "bespoke drift", &message);
    }
    let _ = writeln!(
        out,
        "::notice title=hubc diff::{}",
        escape_data(&summary(report))
    );
    out
}

fn annotate(out: &mut String, place: &super::Place, title: &str, message: &str) {
    let _ = writeln!(
        out,
        "::warning file={},line={},col={},title={}::{}",
        escape_property(&place.file),
        place.line,
        place.column,
        escape_property(title),
        escape_data(message),
    );
}
