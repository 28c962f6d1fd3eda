//! The drift report as GitHub-flavoured Markdown, for a pull-request comment: a summary line, a
//! table of communities, a `<details>` block for each community that drifts, then the fleet.
//!
//! GitHub refuses comments longer than 65,536 characters; details that would not fit are left
//! out, and the comment says how many.

use std::fmt::Write as _;

use super::render::{
    arrow, bespoke_of_budget, clip, community_fails, counted, drifting, newly_inheriting_note,
    totals_line, verdict,
};
use super::text::{names_list, per_community};
use super::{ArchetypeReport, CommunityReport, DriftReport, Edit, PathCount};

/// The longest value shown in full; longer ones are cut (the JSON report has them whole).
const VALUE_WIDTH: usize = 80;
/// How many communities a promotion candidate lists before `and N more`.
const NAMES_SHOWN: usize = 8;
/// How many promotion candidates and redundant overrides are listed.
const LISTED: usize = 25;
/// The size the comment keeps under, below GitHub's limit of 65,536 characters.
const COMMENT_LIMIT: usize = 60_000;

/// The report as GitHub-flavoured Markdown for a pull-request comment: a summary line, a table,
/// a `<details>` block per community that drifts, then the fleet sections.
pub fn render(report: &DriftReport) -> String {
    let mut head = String::new();
    let failing: Vec<&CommunityReport> = report
        .communities
        .iter()
        .filter(|c| community_fails(c))
        .collect();
    let _ = writeln!(head, "## hubc drift\n");
    let _ = writeln!(
        head,
        "{} **{}** on {}: {}.\n",
        if failing.is_empty() { "✅" } else { "❌" },
        counted(report.totals.communities, "community", "communities"),
        report.today,
        totals_line(report),
    );
    if !failing.is_empty() {
        let names: Vec<String> = failing.iter().map(|c| code(&c.name)).collect();
        let _ = writeln!(
            head,
            "`hubc drift --check` fails for {}: {}.\n",
            counted(failing.len(), "community", "communities"),
            names_list(&names, NAMES_SHOWN)
        );
    }
    let _ = writeln!(
        head,
        "| community | archetype | tuned | bespoke / budget | redundant | expired | violations |"
    );
    let _ = writeln!(head, "| --- | --- | ---: | ---: | ---: | ---: | ---: |");
    for c in &report.communities {
        let mut bespoke = bespoke_of_budget(c).replace('/', " / ");
        if c.over_budget {
            bespoke = format!("**{bespoke}** ❌");
        }
        let _ = writeln!(
            head,
            "| {} | {} | {} | {} | {} | {} | {} |",
            cell(&code(&c.name)),
            c.archetype
                .as_deref()
                .map_or_else(|| "—".to_string(), |a| cell(&code(a))),
            c.tuned,
            bespoke,
            c.redundant,
            flagged(c.expired),
            flagged(c.violations),
        );
    }
    head.push('\n');

    let fleet = fleet_sections(report);

    let mut details = String::new();
    let mut left_out = 0;
    for community in &report.communities {
        let block = community_details(community);
        if block.is_empty() {
            continue;
        }
        if head.len() + details.len() + block.len() + fleet.len() + 200 > COMMENT_LIMIT {
            left_out += 1;
            continue;
        }
        details.push_str(&block);
    }
    if left_out > 0 {
        let _ = writeln!(
            details,
            "_The details of {} are left out to fit a comment; `hubc drift` shows them all._\n",
            counted(left_out, "more community", "more communities")
        );
    }
    head + &details + &fleet
}

/// A `<details>` block with what a community sets outside its archetype's tuning, or nothing
/// when it sets nothing of the kind.
fn community_details(community: &CommunityReport) -> String {
    let found = drifting(community);
    if found.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    let mut heading = format!("<code>{}</code>", html(&community.name));
    if let Some(archetype) = &community.archetype {
        let _ = write!(heading, " (<code>{}</code>)", html(archetype));
    }
    let mark = if community_fails(community) {
        "❌ "
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "<details>\n<summary>{mark}{heading} — {}</summary>\n",
        html(&verdict(community))
    );
    if !community.mixins.is_empty() {
        let mixins: Vec<String> = community.mixins.iter().map(|m| code(m)).collect();
        let _ = writeln!(out, "With {}.\n", mixins.join(", "));
    }
    for o in found {
        let _ = writeln!(
            out,
            "- **{}** {}: {} {} {}  ",
            o.class,
            code(&o.path),
            o.inherited
                .as_deref()
                .map_or_else(|| "_unset_".to_string(), |v| code(&clip(v, VALUE_WIDTH))),
            arrow(o, true),
            o.value
                .as_deref()
                .map_or_else(|| "_deleted_".to_string(), |v| code(&clip(v, VALUE_WIDTH))),
        );
        let mut notes = vec![match &o.reason {
            Some(reason) => text(reason),
            None => "_no reason given_".to_string(),
        }];
        if let Some(ticket) = &o.ticket {
            notes.push(format!("ticket {}", text(ticket)));
        }
        if let Some(expires) = &o.expires {
            notes.push(format!("expires {expires}"));
        }
        let mut place = code(&o.place);
        if let Some(mixin) = &o.mixin {
            let _ = write!(place, " (shared via mixin {})", code(mixin));
        }
        notes.push(place);
        let _ = writeln!(out, "  {}", notes.join(" · "));
    }
    out.push_str("\n</details>\n\n");
    out
}

fn fleet_sections(report: &DriftReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### Drift by archetype\n");
    let _ = writeln!(
        out,
        "| archetype | communities | tuned | bespoke | bespoke per community | over budget |"
    );
    let _ = writeln!(out, "| --- | ---: | ---: | ---: | ---: | ---: |");
    for a in &report.by_archetype {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            cell(&code(&a.archetype)),
            a.communities,
            a.tuned,
            a.bespoke,
            per_community(a.bespoke, a.communities),
            flagged(a.over_budget),
        );
    }

    let _ = writeln!(out, "\n### Most overridden paths\n");
    if report.most_overridden.is_empty() {
        let _ = writeln!(out, "No community overrides anything.");
    } else {
        path_counts(&mut out, &report.most_overridden);
    }
    archetype_paths(&mut out, report);

    let _ = writeln!(out, "\n### Promotion candidates\n");
    let _ = writeln!(
        out,
        "The same value set by {} or more communities: a shared need that belongs in an archetype \
         or the platform.\n",
        report.promotion_threshold
    );
    if report.promotion_candidates.is_empty() {
        let _ = writeln!(out, "None.");
    }
    for candidate in report.promotion_candidates.iter().take(LISTED) {
        let names: Vec<String> = candidate.communities.iter().map(|n| code(n)).collect();
        let _ = writeln!(
            out,
            "- {} = {} ({}, {}): {}",
            code(&candidate.path),
            code(&clip(&candidate.value, VALUE_WIDTH)),
            candidate.class,
            counted(candidate.communities.len(), "community", "communities"),
            names_list(&names, NAMES_SHOWN),
        );
        promotion_edit(&mut out, &candidate.edit);
    }
    more(&mut out, report.promotion_candidates.len(), "candidate");

    let _ = writeln!(out, "\n### Redundant overrides\n");
    if report.redundant.is_empty() {
        let _ = writeln!(out, "None.");
    } else {
        let _ = writeln!(
            out,
            "Each sets the value the community inherits anyway: delete it.\n"
        );
    }
    for r in report.redundant.iter().take(LISTED) {
        let _ = writeln!(
            out,
            "- {}: delete {}: {}",
            code(&r.community),
            code(&r.place),
            code(&clip(&r.statement, VALUE_WIDTH + 60)),
        );
    }
    more(&mut out, report.redundant.len(), "redundant override");
    out
}

/// A table of paths with how many communities override them.
fn path_counts(out: &mut String, paths: &[PathCount]) {
    let _ = writeln!(out, "| path | communities | tuned | bespoke |");
    let _ = writeln!(out, "| --- | ---: | ---: | ---: |");
    for p in paths {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            cell(&code(&p.path)),
            p.communities,
            p.tuned,
            p.bespoke
        );
    }
}

/// A folded table per archetype of the paths its communities override most.
fn archetype_paths(out: &mut String, report: &DriftReport) {
    let _ = writeln!(out, "\n### Most overridden paths by archetype\n");
    let _ = writeln!(
        out,
        "Candidates to become tunable, or for the archetype to change its default.\n"
    );
    let blocks: Vec<String> = report.by_archetype.iter().map(archetype_block).collect();
    out.push_str(&blocks.join("\n"));
}

/// A `<details>` block with the paths the communities of an archetype override most.
fn archetype_block(archetype: &ArchetypeReport) -> String {
    let mut out = format!(
        "<details>\n<summary><code>{}</code> — {}</summary>\n\n",
        html(&archetype.archetype),
        counted(archetype.communities, "community", "communities")
    );
    if archetype.most_overridden.is_empty() {
        out.push_str("Its communities override nothing.\n");
    } else {
        path_counts(&mut out, &archetype.most_overridden);
    }
    out.push_str("\n</details>\n");
    out
}

/// The edit that promotes a candidate, as a nested list: where to add the statement, then what
/// to delete.
fn promotion_edit(out: &mut String, edit: &Edit) {
    let Some(target) = &edit.add_to else {
        let _ = writeln!(
            out,
            "  - no archetype or platform is shared by all of them: they extend different platforms"
        );
        return;
    };
    let (verb, replacing) = match &edit.replace_at {
        Some(place) => (
            "set in",
            format!(", replacing its value at {}", code(place)),
        ),
        None => ("add to", String::new()),
    };
    let _ = writeln!(
        out,
        "  - {verb} {} {} ({}){replacing}: {}",
        target.kind,
        code(&target.name),
        code(&target.place),
        code(&clip(&edit.statement, VALUE_WIDTH + 60)),
    );
    if !edit.delete_at.is_empty() {
        let _ = writeln!(out, "  - then delete: {}", places(&edit.delete_at));
    }
    if !edit.rewrite_at.is_empty() {
        let _ = writeln!(
            out,
            "  - then rewrite to keep only their other values: {}",
            places(&edit.rewrite_at)
        );
    }
    if edit.newly_inheriting > 0 {
        let _ = writeln!(
            out,
            "  - note: {}",
            text(&newly_inheriting_note(edit.newly_inheriting, &target.name))
        );
    }
}

/// Places as code spans, the first few of them and how many more.
fn places(places: &[String]) -> String {
    let places: Vec<String> = places.iter().map(|place| code(place)).collect();
    names_list(&places, NAMES_SHOWN)
}

/// `_… and N more X; `hubc drift --format json` lists them all._` when a list was cut.
fn more(out: &mut String, total: usize, noun: &str) {
    if total > LISTED {
        let _ = writeln!(
            out,
            "- _and {} more {noun}s: `hubc drift --format json` lists them all_",
            total - LISTED
        );
    }
}

/// A count, in bold with a mark when it is not zero.
fn flagged(count: usize) -> String {
    if count == 0 {
        "0".into()
    } else {
        format!("**{count}** ❌")
    }
}

/// `text` as a code span, whatever backticks it holds.
fn code(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') || text.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Markdown for a table cell: a `|` would end the cell, even inside a code span.
fn cell(markdown: &str) -> String {
    markdown.replace('|', "\\|")
}

/// Prose with Markdown's punctuation escaped, so that it reads as written.
fn text(prose: &str) -> String {
    let mut out = String::with_capacity(prose.len());
    for c in prose.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            '#' if out.is_empty() => out.push_str("\\#"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Text for inside HTML tags (`<summary>`), where Markdown is not read.
fn html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
