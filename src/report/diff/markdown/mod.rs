//! The fleet diff as a pull-request comment: CommonMark with GitHub's tables, always under
//! GitHub's limit on a comment. Each section says its counts first; when the rest does not fit
//! its share of the budget (`budget.rs`), it shows counts per community, path, cluster or
//! directory, then the largest items first, and the comment ends by saying what it left out.

mod budget;
mod commonmark;
mod drift;

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use crate::report::diff::render::{
    ARCHETYPE_COUNTS, Count, archetype_moves, capitalise, file_groups, plural, stale_groups,
    summary,
};
use crate::report::diff::{DeclarationChange, DiffReport, FileDiff, StaleOverride, ValueChange};
use budget::{Section, Writer, compose};
use commonmark::{FILES, arrow, cell, code, communities, directory_of, html, names, plain, strs};
use drift::drift as drift_section;

/// Rows of one table of value changes, or statements of one declaration, when not everything
/// fits: the rest of the budget goes to the other groups.
const MAX_ROWS: usize = 40;
/// Rows of any other table, and items of a list.
const ALL: usize = usize::MAX;
/// Rows of a table of counts, or items of a list, shown before the largest items when not
/// everything fits: enough for the largest, and room left for what comes after.
const SUMMARY_ROWS: usize = 30;

/// The report as a pull-request comment.
pub fn markdown(report: &DiffReport) -> String {
    let head = format!(
        "## hubc diff: {} \u{2192} {}\n\n{}.\n\n",
        code(&report.base),
        plain(&report.head),
        capitalise(&summary(report))
    );
    if !report.changed {
        return head;
    }
    let section = |weight: usize, write: fn(&DiffReport, &mut Writer)| Section {
        weight,
        write: Box::new(move |w: &mut Writer| write(report, w)),
    };
    let drift = &report.drift;
    let mut sections = Vec::new();
    if !report.stale_overrides.is_empty() {
        sections.push(section(3, stale_overrides));
    }
    if !report.declarations.is_empty() {
        sections.push(section(2, blast_radius));
    }
    if !drift.archetype_changes.is_empty() {
        sections.push(section(1, archetypes));
    }
    if drift.changed() {
        sections.push(section(3, drift_section));
    }
    if !report.secrets.is_empty() {
        sections.push(section(1, secrets));
    }
    if !report.files.is_empty() {
        sections.push(section(3, files));
    }
    let see_all = format!(
        "To see everything, run {} on the fleet, or {} for machines.",
        code(&format!("hubc diff --base {} --format text", report.base)),
        code("--format json")
    );
    compose(&head, &sections, &see_all)
}

// Sections.

fn stale_overrides(report: &DiffReport, w: &mut Writer) {
    let groups = stale_groups(report);
    let communities: BTreeSet<&str> = report
        .stale_overrides
        .iter()
        .map(|s| s.community.as_str())
        .collect();
    w.always("### \u{26a0}\u{fe0f} Stale overrides\n\n");
    w.always(&format!(
        "{} {} in {} {}: the value they replace changed, and they did not. Check each still makes sense (an override left below a raised platform value once took a hub down).\n\n",
        report.stale_overrides.len(),
        plural(report.stale_overrides.len(), "override", "overrides"),
        communities.len(),
        plural(communities.len(), "community", "communities"),
    ));
    const HEADER: [&str; 7] = [
        "where",
        "path",
        "its value",
        "inherited before",
        "inherited now",
        "class",
        "communities",
    ];
    const WHAT: &str = "lines with stale overrides";
    let rows: Vec<String> = groups.iter().map(|group| stale_row(group)).collect();
    if w.whole(|w| w.table(&HEADER, &rows, ALL, WHAT)) {
        return;
    }
    let mut by_path: BTreeMap<&str, (usize, BTreeSet<&str>, BTreeSet<&str>)> = BTreeMap::new();
    for stale in &report.stale_overrides {
        let entry = by_path.entry(&stale.path).or_default();
        entry.0 += 1;
        entry.1.insert(&stale.community);
        entry.2.extend(stale.changed_by.as_deref());
    }
    let mut paths: Vec<_> = by_path.into_iter().collect();
    paths.sort_by_key(|(_, (n, _, _))| Reverse(*n));
    let summary: Vec<String> = paths
        .iter()
        .map(|(path, (n, communities, by))| {
            let by: Vec<String> = by.iter().map(|b| cell(b)).collect();
            format!(
                "| {} | {n} | {} | {} |",
                cell(path),
                communities.len(),
                by.join(", ")
            )
        })
        .collect();
    w.table(
        &["path", "overrides", "communities", "changed by"],
        &summary,
        SUMMARY_ROWS,
        "paths with stale overrides",
    );
    let mut order: Vec<usize> = (0..groups.len()).collect();
    order.sort_by_key(|&index| Reverse(groups[index].len()));
    let rows: Vec<String> = order.into_iter().map(|i| rows[i].clone()).collect();
    w.table(&HEADER, &rows, ALL, WHAT);
}

fn stale_row(group: &[&StaleOverride]) -> String {
    let stale = group[0];
    let by = stale
        .changed_by
        .as_deref()
        .map(|by| format!(" ({})", plain(by)))
        .unwrap_or_default();
    let members: Vec<&str> = group.iter().map(|s| s.community.as_str()).collect();
    format!(
        "| {} | {} | {} | {} | {}{by} | {} | {} |",
        cell(&stale.place.to_string()),
        cell(&stale.path),
        cell(&stale.value),
        stale.base_before.as_deref().map_or("(unset)".into(), cell),
        cell(&stale.base_after),
        plain(&stale.class),
        communities(&members).replace('|', "\\|"),
    )
}

fn blast_radius(report: &DiffReport, w: &mut Writer) {
    let decls = &report.declarations;
    let union = |list: fn(&DeclarationChange) -> &Vec<String>| -> usize {
        let all: BTreeSet<&String> = decls.iter().flat_map(list).collect();
        all.len()
    };
    w.always("### Blast radius\n\n");
    w.always(&format!(
        "{} shared {} changed: the output of {} changes, {} {} {} unchanged, {} {} a stale override.\n\n",
        decls.len(),
        plural(decls.len(), "declaration", "declarations"),
        count_of(union(|d| &d.communities), "community", "communities"),
        count_of(union(|d| &d.unchanged), "community", "communities"),
        plural(union(|d| &d.unchanged), "uses", "use"),
        plural(decls.len(), "it", "them"),
        union(|d| &d.stale),
        plural(union(|d| &d.stale), "has", "have"),
    ));
    if w.whole(|w| decls.iter().for_each(|decl| declaration(decl, ALL, w))) {
        return;
    }
    let reach = |d: &DeclarationChange| d.communities.len() + d.unchanged.len();
    let mut order: Vec<&DeclarationChange> = decls.iter().collect();
    order.sort_by_key(|d| Reverse(reach(d)));
    let rows: Vec<String> = order
        .iter()
        .map(|d| {
            format!(
                "| {} | {} | {} | {} | {} | {} | {} |",
                cell(&d.declaration),
                d.kind,
                d.status,
                d.changes.len(),
                d.communities.len(),
                d.unchanged.len(),
                d.stale.len()
            )
        })
        .collect();
    w.table(
        &[
            "declaration",
            "kind",
            "status",
            "statements",
            "output changes",
            "unchanged",
            "stale",
        ],
        &rows,
        SUMMARY_ROWS,
        "shared declarations in the summary",
    );
    order.iter().for_each(|decl| declaration(decl, MAX_ROWS, w));
}

/// A table of what comes and what goes, by name (a cluster, a path), the most first.
fn counts_table(
    counts: BTreeMap<&str, (usize, usize)>,
    header: &[&str; 3],
    what: &'static str,
    w: &mut Writer,
) {
    let mut counts: Vec<_> = counts.into_iter().collect();
    counts.sort_by_key(|(_, (added, removed))| Reverse(added + removed));
    let rows: Vec<String> = counts
        .iter()
        .map(|(name, (added, removed))| format!("| {} | {added} | {removed} |", cell(name)))
        .collect();
    w.table(header, &rows, SUMMARY_ROWS, what);
}

/// `1 community` or `3 communities`.
fn count_of(count: usize, one: &'static str, many: &'static str) -> String {
    format!("{count} {}", plural(count, one, many))
}

/// One declaration of the blast radius: what it says now (at most `limit` statements), and whom
/// it reaches.
fn declaration(decl: &DeclarationChange, limit: usize, w: &mut Writer) {
    let heading = format!(
        "#### {} {} ({}): {} {} change\n\n",
        decl.kind,
        code(&decl.declaration),
        decl.status,
        decl.communities.len(),
        plural(decl.communities.len(), "community", "communities"),
    );
    if !w.block(&heading, "shared declarations") {
        return;
    }
    let statements: Vec<String> = decl.changes.iter().map(statement).collect();
    w.list("", &statements, limit, "statements of shared declarations");
    let lines = [
        ("Output changes", &decl.communities),
        ("Output unchanged", &decl.unchanged),
        ("Stale overrides", &decl.stale),
    ];
    for (label, list) in lines {
        if !list.is_empty() {
            let line = format!("{label}: {}\n\n", communities(&strs(list)));
            w.block(&line, "lists of communities");
        }
    }
}

fn statement(change: &ValueChange) -> String {
    let (old, new) = (change.old.as_deref(), change.new.as_deref());
    match change.change.as_str() {
        "added" => format!("{}: added {}", code(&change.path), code(new.unwrap_or(""))),
        "removed" => format!(
            "{}: removed (was {})",
            code(&change.path),
            code(old.unwrap_or(""))
        ),
        _ => format!(
            "{}: {}",
            code(&change.path),
            arrow(code(old.unwrap_or("")), code(new.unwrap_or("")))
        ),
    }
}

fn archetypes(report: &DiffReport, w: &mut Writer) {
    let moves = archetype_moves(report);
    let changes = &report.drift.archetype_changes;
    let sum = |count: Count| changes.iter().map(count).sum::<usize>();
    let totals: Vec<String> = ARCHETYPE_COUNTS
        .iter()
        .map(|&(name, before, after)| format!("{name} {}", arrow(sum(before), sum(after))))
        .collect();
    w.always("### Archetype changes\n\n");
    w.always(&format!(
        "{} {} to another archetype. Among them: {}.\n\n",
        changes.len(),
        plural(changes.len(), "community moved", "communities moved"),
        totals.join(", "),
    ));
    let archetype = |name: Option<&str>| match name {
        Some(name) => cell(name),
        None => "(none)".to_string(),
    };
    // `| 0 → 3 | 3 → 0 | 0 → 0 |`, a cell per count.
    let cells = |total: &dyn Fn(Count) -> usize| -> String {
        let cells: Vec<String> = ARCHETYPE_COUNTS
            .iter()
            .map(|&(_, before, after)| format!(" {} |", arrow(total(before), total(after))))
            .collect();
        cells.concat()
    };
    let rows: Vec<String> = moves
        .iter()
        .map(|m| {
            format!(
                "| {} | {} | {} |{}",
                archetype(m.before),
                archetype(m.after),
                m.communities.len(),
                cells(&|count| m.total(count)),
            )
        })
        .collect();
    w.table(
        &[
            "from",
            "to",
            "communities",
            "bespoke",
            "tuned",
            "violations",
        ],
        &rows,
        SUMMARY_ROWS,
        "archetype moves",
    );
    let mut order: Vec<_> = changes.iter().collect();
    order.sort_by_key(|c| Reverse(c.bespoke_after.abs_diff(c.bespoke_before)));
    let rows: Vec<String> = order
        .iter()
        .map(|c| {
            format!(
                "| {} | {} | {} |{}",
                cell(&c.community),
                archetype(c.archetype_before.as_deref()),
                archetype(c.archetype_after.as_deref()),
                cells(&|count| count(c)),
            )
        })
        .collect();
    const HEADER: [&str; 6] = ["community", "from", "to", "bespoke", "tuned", "violations"];
    const WHAT: &str = "communities that changed archetype";
    if !w.whole(|w| w.table(&HEADER, &rows, ALL, WHAT)) {
        w.table(&HEADER, &rows, SUMMARY_ROWS, WHAT);
    }
}

fn secrets(report: &DiffReport, w: &mut Writer) {
    let added = report
        .secrets
        .iter()
        .filter(|s| s.change == "added")
        .count();
    let communities: BTreeSet<&str> = report
        .secrets
        .iter()
        .map(|s| s.community.as_str())
        .collect();
    w.always("### Secret files\n\n");
    w.always(&format!(
        "{added} added, {} removed, in {} {}; by name only, nothing reads them.\n\n",
        report.secrets.len() - added,
        communities.len(),
        plural(communities.len(), "community", "communities"),
    ));
    let items: Vec<String> = report
        .secrets
        .iter()
        .map(|s| format!("{}: {} {}", code(&s.community), s.change, code(&s.file)))
        .collect();
    const WHAT: &str = "secret files";
    if w.whole(|w| w.list("", &items, ALL, WHAT)) {
        return;
    }
    let mut clusters: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for secret in &report.secrets {
        let entry = clusters
            .entry(crate::report::diff::render::cluster_of(&secret.community))
            .or_default();
        if secret.change == "added" {
            entry.0 += 1;
        } else {
            entry.1 += 1;
        }
    }
    counts_table(
        clusters,
        &["cluster", "added", "removed"],
        "clusters with secret files",
        w,
    );
    w.list("", &items, ALL, WHAT);
}

fn files(report: &DiffReport, w: &mut Writer) {
    let t = &report.totals;
    w.always("### Files\n\n");
    w.always(&format!(
        "{} {}: {} added, {} removed, {} changed ({} {}).\n\n",
        report.files.len(),
        plural(report.files.len(), "file changes", "files change"),
        t.files_added,
        t.files_removed,
        t.files_changed,
        t.values_changed,
        plural(t.values_changed, "value", "values"),
    ));
    let groups = file_groups(&report.files);
    if w.whole(|w| file_details(&groups, false, w)) {
        return;
    }
    let mut directories: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
    for file in &report.files {
        let entry = directories.entry(directory_of(&file.path)).or_default();
        let column = match file.status.as_str() {
            "added" => 0,
            "removed" => 1,
            _ => 2,
        };
        entry[column] += 1;
        entry[3] += file.changes.len();
    }
    let mut directories: Vec<_> = directories.into_iter().collect();
    directories.sort_by_key(|(_, counts)| Reverse(counts[0] + counts[1] + counts[2]));
    let rows: Vec<String> = directories
        .iter()
        .map(|(directory, [a, r, c, v])| format!("| {} | {a} | {r} | {c} | {v} |", cell(directory)))
        .collect();
    w.table(
        &["directory", "added", "removed", "changed", "values changed"],
        &rows,
        SUMMARY_ROWS,
        "rows of file counts per directory",
    );
    file_details(&groups, true, w);
}

/// Groups of files that change the same way, each in a `<details>` block, then the files added,
/// removed, or changed in their text only. When not everything fits, the lists come first, each
/// cut short, then the largest groups.
fn file_details(
    groups: &[crate::report::diff::render::FileGroup<'_>],
    largest_first: bool,
    w: &mut Writer,
) {
    let mut changed: Vec<_> = groups
        .iter()
        .filter(|(_, status, changes)| *status == "changed" && !changes.is_empty())
        .collect();
    if largest_first {
        file_lists(groups, SUMMARY_ROWS, w);
        changed.sort_by_key(|(files, _, changes)| Reverse((files.len(), changes.len())));
    }
    let limit = if largest_first { MAX_ROWS } else { ALL };
    for (files, _, changes) in changed {
        file_group(files, changes, limit, w);
    }
    if !largest_first {
        file_lists(groups, ALL, w);
    }
}

/// The files added, removed, or changed in their text only, at most `limit` of each.
fn file_lists(groups: &[crate::report::diff::render::FileGroup<'_>], limit: usize, w: &mut Writer) {
    let lists = [
        ("Added:", "added files", "added", true),
        ("Removed:", "removed files", "removed", true),
        (
            "Changed in their text, not their values:",
            "files changed in their text only",
            "changed",
            false,
        ),
    ];
    for (label, what, status, with_values) in lists {
        let items: Vec<String> = groups
            .iter()
            .filter(|(_, s, changes)| *s == status && (with_values || changes.is_empty()))
            .flat_map(|(files, _, _)| files)
            .map(|file| {
                if with_values {
                    format!("{} ({} values)", code(&file.path), file.values)
                } else {
                    code(&file.path)
                }
            })
            .collect();
        w.list(label, &items, limit, what);
    }
}

/// Files that change the same way: which, and the values that change, before and after (at most
/// `limit` of them).
fn file_group(files: &[&FileDiff], changes: &[ValueChange], limit: usize, w: &mut Writer) {
    let title = match files {
        [file] => file.path.clone(),
        _ => format!("{} files", files.len()),
    };
    let summary = html(&format!(
        "changed: {title} ({} {})",
        changes.len(),
        plural(changes.len(), "value", "values")
    ));
    w.details(&summary, "groups of changed files", |w| {
        if files.len() > 1 {
            let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
            w.block(&format!("{}\n\n", names(&paths, &FILES)), "lists of files");
        }
        let rows: Vec<String> = changes
            .iter()
            .map(|change| {
                let sign = match change.change.as_str() {
                    "added" => "+",
                    "removed" => "\u{2212}",
                    _ => "~",
                };
                format!(
                    "| {sign} | {} | {} | {} |",
                    cell(&change.path),
                    change.old.as_deref().map(cell).unwrap_or_default(),
                    change.new.as_deref().map(cell).unwrap_or_default(),
                )
            })
            .collect();
        let before = w.left_out();
        w.table(
            &["", "path", "before", "after"],
            &rows,
            limit,
            "values in the tables of changed files",
        );
        w.left_out() - before < rows.len()
    });
}
