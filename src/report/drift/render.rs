//! What the drift renderers share: which overrides of a community a reader must look at, and
//! the phrases (counts, verdicts, arrows, places) that text, Markdown and HTML word alike.

use super::model::{CommunityReport, DriftReport, Edit, OverrideReport, Target};

/// The overrides of a community a reader must look at: violations, expired overrides, then
/// bespoke ones, each group in path order.
pub(super) fn drifting(community: &CommunityReport) -> Vec<&OverrideReport> {
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
pub(super) fn community_fails(community: &CommunityReport) -> bool {
    community.over_budget || community.expired > 0 || community.violations > 0
}

/// `3/5`, or `3` when the archetype sets no budget.
pub(super) fn bespoke_of_budget(community: &CommunityReport) -> String {
    match community.budget {
        Some(budget) => format!("{}/{budget}", community.bespoke),
        None => community.bespoke.to_string(),
    }
}

/// What a community was given before it overrode a path, for `inherited -> value`.
pub(super) fn inherited_text(found: &OverrideReport) -> &str {
    found.inherited.as_deref().unwrap_or("(unset)")
}

/// The value an override sets, for `inherited -> value`.
pub(super) fn value_shown(value: Option<&str>) -> &str {
    value.unwrap_or("(deleted)")
}

/// The arrow between the inherited value and the value set: `+=` for an append.
pub(super) fn arrow(found: &OverrideReport, unicode: bool) -> &'static str {
    match (found.appends, unicode) {
        (true, _) => "+=",
        (false, true) => "\u{2192}",
        (false, false) => "->",
    }
}

/// `text` on one line and at most `max` characters, cut with an ellipsis.
pub(super) fn clip(text: &str, max: usize) -> String {
    let line = text.replace('\r', "\\r").replace('\n', "\\n");
    if line.chars().count() <= max {
        return line;
    }
    let mut cut: String = line.chars().take(max.saturating_sub(1)).collect();
    cut.push('\u{2026}');
    cut
}

/// `count` and the noun, singular or plural.
pub(super) fn counted(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// The fleet's counts on one line: `7 tuned, 3 bespoke, ...; 1 over budget`.
pub(super) fn totals_line(report: &DriftReport) -> String {
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
pub(super) fn verdict(community: &CommunityReport) -> String {
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

/// What else a promotion changes: `3 other communities under basehub do not set it and would
/// take the value too`.
pub(super) fn newly_inheriting_note(count: usize, target: &str) -> String {
    format!(
        "{} under {target} {} not set it and would take the value too",
        counted(count, "other community", "other communities"),
        if count == 1 { "does" } else { "do" }
    )
}

/// Where a promotion's statement goes: `add to archetype a (file:line:column)`, or with `, replacing
/// its value at file:line:column` when the archetype sets the path already.
pub(super) fn where_to_set(edit: &Edit, target: &Target) -> String {
    match &edit.replace_at {
        Some(place) => format!(
            "set in {} {} ({}), replacing its value at {place}",
            target.kind, target.name, target.place
        ),
        None => format!("add to {} {} ({})", target.kind, target.name, target.place),
    }
}

/// Places `file:line:column` grouped by file, in their order: `(file, ["line:column", ...])`.
pub(super) fn places_by_file(places: &[String]) -> Vec<(&str, Vec<&str>)> {
    let mut by_file: Vec<(&str, Vec<&str>)> = Vec::new();
    for place in places {
        let (file, at) = split_file(place);
        match by_file.last_mut() {
            Some((last, ats)) if *last == file => ats.push(at),
            _ => by_file.push((file, vec![at])),
        }
    }
    by_file
}

/// `file:line:column` as the file and `line:column`; a place of another shape is all file.
fn split_file(place: &str) -> (&str, &str) {
    let mut colons = place.rmatch_indices(':').map(|(at, _)| at);
    match (colons.next(), colons.next()) {
        (Some(_), Some(at)) => (&place[..at], &place[at + 1..]),
        _ => (place, ""),
    }
}
