//! Renderers of the fleet diff: text for a terminal, Markdown for a pull-request comment, JSON
//! for machines, and GitHub Actions annotations on the `.hub` lines that add bespoke drift or
//! leave an override stale.

use crate::diagnostics::{escape_data, escape_property};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use super::{DiffReport, FileDiff, StaleOverride, ValueChange};

/// Values longer than this are cut in text and Markdown; JSON keeps them whole.
const MAX_VALUE: usize = 160;
/// Rows of one group of files shown in Markdown.
const MAX_ROWS: usize = 40;
/// A pull-request comment holds at most 65,536 characters.
const MAX_MARKDOWN: usize = 60_000;

/// The report as pretty-printed JSON, ending with a newline.
pub fn json(report: &DiffReport) -> String {
    let mut text = serde_json::to_string_pretty(report).expect("the report serializes");
    text.push('\n');
    text
}

/// One line: what changes, in numbers.
fn summary(report: &DiffReport) -> String {
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
    if t.secret_changes > 0 {
        parts.push(format!(
            "{} secret file {}",
            t.secret_changes,
            plural(t.secret_changes, "change", "changes")
        ));
    }
    parts.join(", ")
}

fn plural(count: usize, one: &'static str, many: &'static str) -> &'static str {
    if count == 1 { one } else { many }
}

/// Cuts a value to [`MAX_VALUE`] characters.
fn cut(text: &str) -> String {
    if text.chars().count() <= MAX_VALUE {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(MAX_VALUE - 1).collect();
    cut.push('\u{2026}');
    cut
}

/// `a, b, c`
fn names(list: &[String], wrap: impl Fn(&str) -> String) -> String {
    let shown: Vec<String> = list.iter().map(|n| wrap(n)).collect();
    shown.join(", ")
}

/// Files with the same status and the same changes, together: a platform change touches many
/// values files the same way.
fn file_groups(files: &[FileDiff]) -> Vec<(Vec<&FileDiff>, &str, &[ValueChange])> {
    let mut groups: Vec<(Vec<&FileDiff>, &str, &[ValueChange])> = Vec::new();
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
fn stale_groups(report: &DiffReport) -> Vec<Vec<&StaleOverride>> {
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

fn communities_of(group: &[&StaleOverride]) -> String {
    let names: Vec<&str> = group.iter().map(|s| s.community.as_str()).collect();
    names.join(", ")
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

/// The report for a terminal.
pub fn text(report: &DiffReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "hubc diff: {} -> {}", report.base, report.head);
    let _ = writeln!(out, "{}", summary(report));
    if !report.stale_overrides.is_empty() {
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
    if !report.declarations.is_empty() {
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
    let drift = &report.drift;
    if drift.changed() {
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
    if !report.secrets.is_empty() {
        let _ = writeln!(out, "\nSecret files (names only)");
        for secret in &report.secrets {
            let sign = if secret.change == "added" { "+" } else { "-" };
            let _ = writeln!(out, "  {sign} {}  {}", secret.community, secret.file);
        }
    }
    if !report.files.is_empty() {
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
    out
}

fn of_budget(bespoke: usize, budget: Option<i64>) -> String {
    match budget {
        Some(budget) => format!("{bespoke}/{budget}"),
        None => bespoke.to_string(),
    }
}

/// Inline code for a Markdown table cell.
fn code(text: &str) -> String {
    let text = cut(text).replace('|', "\\|").replace(['\n', '\r'], " ");
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

/// The report as a pull-request comment.
pub fn markdown(report: &DiffReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## hubc diff: `{}` \u{2192} {}\n",
        report.base, report.head
    );
    let _ = writeln!(out, "{}.\n", capitalise(&summary(report)));
    if !report.stale_overrides.is_empty() {
        let _ = writeln!(out, "### \u{26a0}\u{fe0f} Stale overrides\n");
        let _ = writeln!(
            out,
            "The value these overrides replace changed, and they did not: check each still makes sense (an override left below a raised platform value once took a hub down).\n"
        );
        let _ = writeln!(
            out,
            "| where | path | its value | inherited before | inherited now | class | communities |"
        );
        let _ = writeln!(out, "| --- | --- | --- | --- | --- | --- | --- |");
        for group in stale_groups(report) {
            let stale = group[0];
            let by = stale
                .changed_by
                .as_deref()
                .map(|by| format!(" ({by})"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {}{by} | {} | {} |",
                code(&stale.place.to_string()),
                code(&stale.path),
                code(&stale.value),
                stale.base_before.as_deref().map_or("(unset)".into(), code),
                code(&stale.base_after),
                stale.class,
                names(
                    &group
                        .iter()
                        .map(|s| s.community.clone())
                        .collect::<Vec<_>>(),
                    |n: &str| format!("`{n}`")
                ),
            );
        }
        out.push('\n');
    }
    if !report.declarations.is_empty() {
        let _ = writeln!(out, "### Blast radius\n");
        for decl in &report.declarations {
            let _ = writeln!(
                out,
                "#### {} `{}` ({}): {} {} change\n",
                decl.kind,
                decl.declaration,
                decl.status,
                decl.communities.len(),
                plural(decl.communities.len(), "community", "communities"),
            );
            for change in &decl.changes {
                let _ = writeln!(out, "- {}", markdown_change(change));
            }
            out.push('\n');
            let wrap = |n: &str| format!("`{n}`");
            if !decl.communities.is_empty() {
                let _ = writeln!(out, "Output changes: {}\n", names(&decl.communities, wrap));
            }
            if !decl.unchanged.is_empty() {
                let _ = writeln!(out, "Output unchanged: {}\n", names(&decl.unchanged, wrap));
            }
            if !decl.stale.is_empty() {
                let _ = writeln!(out, "Stale overrides: {}\n", names(&decl.stale, wrap));
            }
        }
    }
    markdown_drift(report, &mut out);
    if !report.secrets.is_empty() {
        let _ = writeln!(out, "### Secret files\n");
        for secret in &report.secrets {
            let _ = writeln!(
                out,
                "- `{}`: {} `{}`",
                secret.community, secret.change, secret.file
            );
        }
        out.push('\n');
    }
    if !report.files.is_empty() {
        let _ = writeln!(out, "### Files\n");
        let mut omitted = 0;
        for (files, status, changes) in file_groups(&report.files) {
            let group = markdown_files(&files, status, changes);
            if omitted > 0 || out.len() + group.len() > MAX_MARKDOWN {
                omitted += files.len();
            } else {
                out.push_str(&group);
            }
        }
        if omitted > 0 {
            let _ = writeln!(
                out,
                "\n{omitted} more files change; run `hubc diff --base {}` to see them all.",
                report.base
            );
        }
    }
    out
}

/// One group of files with the same changes, as a list item or a `<details>` block.
fn markdown_files(files: &[&FileDiff], status: &str, changes: &[ValueChange]) -> String {
    let mut out = String::new();
    let paths: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
    let listed = names(&paths, |p: &str| format!("<code>{p}</code>"));
    let title = if files.len() == 1 {
        format!("{status}: {listed}")
    } else {
        format!("{status}: {} files", files.len())
    };
    match status {
        "added" | "removed" => {
            let _ = writeln!(out, "- {title} ({} values)", files[0].values);
        }
        _ if changes.is_empty() => {
            let _ = writeln!(out, "- {title} (the text changes, not the values)");
        }
        _ => {
            let _ = writeln!(
                out,
                "<details><summary>{title} ({} {})</summary>\n",
                changes.len(),
                plural(changes.len(), "value", "values")
            );
            if files.len() > 1 {
                let _ = writeln!(out, "{listed}\n");
            }
            let _ = writeln!(out, "| | path | before | after |");
            let _ = writeln!(out, "| --- | --- | --- | --- |");
            for change in changes.iter().take(MAX_ROWS) {
                let sign = match change.change.as_str() {
                    "added" => "+",
                    "removed" => "\u{2212}",
                    _ => "~",
                };
                let _ = writeln!(
                    out,
                    "| {sign} | {} | {} | {} |",
                    code(&change.path),
                    change.old.as_deref().map(code).unwrap_or_default(),
                    change.new.as_deref().map(code).unwrap_or_default(),
                );
            }
            if changes.len() > MAX_ROWS {
                let _ = writeln!(out, "\n\u{2026} and {} more", changes.len() - MAX_ROWS);
            }
            let _ = writeln!(out, "\n</details>");
        }
    }
    out
}

fn markdown_change(change: &ValueChange) -> String {
    match change.change.as_str() {
        "added" => format!(
            "{}: added {}",
            code(&change.path),
            code(change.new.as_deref().unwrap_or(""))
        ),
        "removed" => format!(
            "{}: removed (was {})",
            code(&change.path),
            code(change.old.as_deref().unwrap_or(""))
        ),
        _ => format!(
            "{}: {} \u{2192} {}",
            code(&change.path),
            code(change.old.as_deref().unwrap_or("")),
            code(change.new.as_deref().unwrap_or(""))
        ),
    }
}

fn markdown_drift(report: &DiffReport, out: &mut String) {
    let drift = &report.drift;
    if !drift.changed() {
        return;
    }
    let _ = writeln!(out, "### Drift\n");
    let _ = writeln!(
        out,
        "Bespoke {} \u{2192} {}, tuned {} \u{2192} {}, over budget {} \u{2192} {}.\n",
        drift.before.bespoke,
        drift.after.bespoke,
        drift.before.tuned,
        drift.after.tuned,
        drift.before.over_budget,
        drift.after.over_budget
    );
    for name in &drift.communities_added {
        let _ = writeln!(out, "- new community `{name}`");
    }
    for name in &drift.communities_removed {
        let _ = writeln!(out, "- removed community `{name}`");
    }
    if !drift.communities_added.is_empty() || !drift.communities_removed.is_empty() {
        out.push('\n');
    }
    if !drift.bespoke_added.is_empty() || !drift.bespoke_removed.is_empty() {
        let _ = writeln!(out, "| | community | path | value | reason | where |");
        let _ = writeln!(out, "| --- | --- | --- | --- | --- | --- |");
        for (sign, list) in [
            ("new", &drift.bespoke_added),
            ("removed", &drift.bespoke_removed),
        ] {
            for change in list {
                let _ = writeln!(
                    out,
                    "| {sign} | `{}` | {} | {} | {} | {} |",
                    change.community,
                    code(&change.path),
                    change.value.as_deref().map_or("(deleted)".into(), code),
                    change
                        .reason
                        .as_deref()
                        .map(|r| cut(r).replace('|', "\\|"))
                        .unwrap_or_default(),
                    change
                        .place
                        .as_ref()
                        .map(|p| code(&p.to_string()))
                        .unwrap_or_default(),
                );
            }
        }
        out.push('\n');
    }
    if !drift.budgets.is_empty() {
        let _ = writeln!(
            out,
            "| community | archetype | bespoke before | bespoke now |"
        );
        let _ = writeln!(out, "| --- | --- | --- | --- |");
        for budget in &drift.budgets {
            let over = if budget.over_budget_after {
                " **over budget**"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {}{over} |",
                budget.community,
                budget.archetype.as_deref().unwrap_or(""),
                of_budget(budget.bespoke_before, budget.budget_before),
                of_budget(budget.bespoke_after, budget.budget_after),
            );
        }
        out.push('\n');
    }
}

fn capitalise(text: &str) -> String {
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
    for ((place, path), changes) in by_place {
        let communities: Vec<String> = changes
            .iter()
            .map(|change| {
                let budget = report
                    .drift
                    .budgets
                    .iter()
                    .find(|b| b.community == change.community)
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
