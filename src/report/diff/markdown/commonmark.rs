//! CommonMark for the Markdown diff: code spans, text and HTML escaped so that GitHub reads
//! them as written (even in a table cell), and lists of names that stay short.

use crate::report::diff::render::{cut, per_group, plural};

/// Names listed one by one; more are counted per cluster or directory.
const MAX_NAMES: usize = 12;

/// A code span holding `text` on one line, cut to a readable length. Its fence is longer than
/// any run of backticks inside, and spaces pad text that starts or ends with one.
pub(super) fn code(text: &str) -> String {
    let text = cut(text).replace(['\n', '\r'], " ");
    if text.is_empty() {
        return "(empty)".to_string();
    }
    crate::report::markdown_code_span(&text)
}

/// A code span in a table cell: GitHub splits a row at every `|` that is not escaped, even
/// inside code.
pub(super) fn cell(text: &str) -> String {
    code(text).replace('|', "\\|")
}

/// Text as it is: every character Markdown (or GitHub: `@` mentions) would read escaped, on one
/// line, cut to a readable length. Safe in a table cell.
pub(super) fn plain(text: &str) -> String {
    let mut out = String::new();
    for c in cut(text).chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '&' | '~' | '#' | '!' | '@'
            | '$' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Text for the `<summary>` of a `<details>` block, where Markdown is not read: HTML escaped.
pub(super) fn html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace(['\n', '\r'], " ")
}

/// What a list of names holds, and what they are grouped by when there are many: the singular
/// and plural of each.
pub(super) struct Names {
    pub what: (&'static str, &'static str),
    pub groups: (&'static str, &'static str),
    pub group: fn(&str) -> &str,
}

/// Communities, by cluster.
pub(super) const COMMUNITIES: Names = Names {
    what: ("community", "communities"),
    groups: ("cluster", "clusters"),
    group: crate::report::diff::render::cluster_of,
};

/// Files, by directory.
pub(super) const FILES: Names = Names {
    what: ("file", "files"),
    groups: ("directory", "directories"),
    group: directory_of,
};

/// Community names in code, or when there are many, how many in each cluster.
pub(super) fn communities(list: &[&str]) -> String {
    names(list, &COMMUNITIES)
}

/// Names in code, or when there are many, how many in each group.
pub(super) fn names(list: &[&str], kind: &Names) -> String {
    if list.len() <= MAX_NAMES {
        let names: Vec<String> = list.iter().map(|n| code(n)).collect();
        return names.join(", ");
    }
    let groups = per_group(list.iter().map(|name| (kind.group)(name)));
    let mut shown: Vec<String> = groups
        .iter()
        .take(MAX_NAMES)
        .map(|(group, n)| format!("{} ({n})", code(group)))
        .collect();
    let more = groups.len().saturating_sub(MAX_NAMES);
    if more > 0 {
        shown.push(format!(
            "and {more} more {}",
            plural(more, kind.groups.0, kind.groups.1)
        ));
    }
    let (one, many) = kind.what;
    format!(
        "{} {}: {}",
        list.len(),
        plural(list.len(), one, many),
        shown.join(", ")
    )
}

/// The directory of a file's path.
pub(super) fn directory_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(directory, _)| directory)
}

pub(super) fn strs(list: &[String]) -> Vec<&str> {
    list.iter().map(String::as_str).collect()
}

/// `a → b`
pub(super) fn arrow(before: impl std::fmt::Display, after: impl std::fmt::Display) -> String {
    format!("{before} \u{2192} {after}")
}
