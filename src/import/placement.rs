//! Placing imported hubs: each group of hubs, and each hub in no group, goes to the standard
//! archetype it fits best, and the community says why.
//!
//! A candidate is scored by the overrides the hubs would have under its policy, measured against
//! what they inherit: violations first (an archetype that a hub violates is chosen only when
//! every candidate is violated, and then the hub stays in `imported`), then bespoke overrides.
//! Nothing is refused on a first bespoke setting, so a small change to a shared file moves no hub.

use std::collections::{BTreeSet, HashMap};

use super::Imported;
use crate::analysis::Analysis;
use crate::check::policy::{Day, Fit, fit};
use crate::resolve::value::DeclId;

/// Places the imported hubs. `analysis` is of the imported files, `standard` the archetypes of
/// `std.platform`, `file_of` the imported file that declares a declaration.
pub fn place(
    imported: &mut Imported,
    analysis: &Analysis,
    standard: &[DeclId],
    file_of: &dyn Fn(DeclId) -> Option<String>,
    today: Day,
) {
    let community_of: HashMap<String, DeclId> = analysis
        .fleet
        .communities
        .iter()
        .filter_map(|&community| Some((file_of(community)?, community)))
        .collect();
    let placer = Placer {
        analysis,
        standard,
        today,
    };
    let mut grouped = BTreeSet::new();
    for group in imported.groups.clone() {
        let members: Vec<DeclId> = group
            .members
            .iter()
            .filter_map(|file| community_of.get(file).copied())
            .collect();
        grouped.extend(group.members.iter().cloned());
        let Some(ranked) = placer.rank(&members) else {
            continue;
        };
        let (choice, total) = &ranked[0];
        let placed = total.violations == 0;
        let reason = placer.group_reason(&ranked, members.len());
        if let Some(text) = imported.files.get_mut(&group.file) {
            let declared = format!("archetype {} extends ", group.archetype);
            if let Some(at) = text.find(&declared) {
                let rest = &text[at + declared.len()..];
                let placeholder_end = rest.find(' ').unwrap_or(rest.len());
                let parent = if placed {
                    placer.name(*choice).to_string()
                } else {
                    rest[..placeholder_end].to_string()
                };
                let replaced = format!("{}{declared}{parent}", doc_lines(&reason));
                text.replace_range(at..at + declared.len() + placeholder_end, &replaced);
            }
        }
        for (file, &member) in group.members.iter().zip(&members) {
            let own = fit(
                &analysis.fleet,
                &analysis.schema,
                &analysis.names,
                today,
                member,
                *choice,
            );
            let reason = format!(
                "Placed by `hubc import` in `{}`, the archetype found for the hubs of its cluster \
                 (see the cluster's file); under it, this hub has {}.",
                group.archetype,
                counts(&own)
            );
            if let Some(text) = imported.files.get_mut(file) {
                insert_doc(text, &reason);
            }
        }
        if placed {
            imported.n_fitted += members.len();
        }
    }
    for (file, &community) in &community_of {
        if grouped.contains(file) {
            continue;
        }
        let Some(ranked) = placer.rank(&[community]) else {
            continue;
        };
        let (choice, total) = &ranked[0];
        let placed = total.violations == 0;
        let reason = placer.single_reason(&ranked);
        let Some(text) = imported.files.get_mut(file) else {
            continue;
        };
        if placed {
            let name = placer.name(*choice);
            // `community x : imported {` or `community x : imported with m {`.
            let placed_text = text
                .replacen(" : imported_daskhub ", &format!(" : {name} "), 1)
                .replacen(" : imported ", &format!(" : {name} "), 1);
            if placed_text != *text {
                *text = placed_text;
                imported.n_fitted += 1;
            }
        }
        insert_doc(text, &reason);
    }
}

struct Placer<'a> {
    analysis: &'a Analysis,
    standard: &'a [DeclId],
    today: Day,
}

impl Placer<'_> {
    fn name(&self, archetype: DeclId) -> &str {
        &self.analysis.fleet.decl(archetype).display
    }

    fn chart(&self, id: DeclId) -> Option<&str> {
        let key = self.analysis.names.get("chart")?;
        self.analysis.fleet.text_property(id, key)
    }

    /// The standard archetypes of the members' chart, best first, with the members' overrides
    /// under each summed; `None` when there is none.
    fn rank(&self, members: &[DeclId]) -> Option<Vec<(DeclId, Fit)>> {
        let chart = self.chart(*members.first()?);
        let mut ranked: Vec<(DeclId, Fit)> = self
            .standard
            .iter()
            .filter(|&&archetype| self.chart(archetype) == chart)
            .map(|&archetype| {
                let mut total = Fit::default();
                for &member in members {
                    total += fit(
                        &self.analysis.fleet,
                        &self.analysis.schema,
                        &self.analysis.names,
                        self.today,
                        member,
                        archetype,
                    );
                }
                (archetype, total)
            })
            .collect();
        ranked.sort_by(|(left, left_fit), (right, right_fit)| {
            (left_fit.violations, left_fit.bespoke)
                .cmp(&(right_fit.violations, right_fit.bespoke))
                .then_with(|| self.name(*left).cmp(self.name(*right)))
        });
        (!ranked.is_empty()).then_some(ranked)
    }

    fn group_reason(&self, ranked: &[(DeclId, Fit)], n_members: usize) -> String {
        let (choice, total) = &ranked[0];
        let head = if total.violations == 0 {
            format!(
                "It extends `{}`, the standard archetype its {n_members} hubs fit best: together \
                 they have {} under it.",
                self.name(*choice),
                counts(total)
            )
        } else {
            format!(
                "Its hubs fit no standard archetype without a violation, so it extends `imported`; \
                 the nearest is `{}`, with {}.",
                self.name(*choice),
                counts(total)
            )
        };
        format!("{head}{}", self.others(ranked))
    }

    fn single_reason(&self, ranked: &[(DeclId, Fit)]) -> String {
        let (choice, total) = &ranked[0];
        let head = if total.violations == 0 {
            format!(
                "Placed by `hubc import` in `{}`, the standard archetype it fits best: under it, \
                 this hub has {}.",
                self.name(*choice),
                counts(total)
            )
        } else {
            format!(
                "Left by `hubc import` in `imported`: it fits no standard archetype without a \
                 violation; the nearest is `{}`, with {}.",
                self.name(*choice),
                counts(total)
            )
        };
        format!("{head}{}", self.others(ranked))
    }

    /// The other candidates and how they fit.
    fn others(&self, ranked: &[(DeclId, Fit)]) -> String {
        let others: Vec<String> = ranked[1..]
            .iter()
            .map(|(archetype, fit)| format!("`{}`: {}", self.name(*archetype), counts(fit)))
            .collect();
        if others.is_empty() {
            String::new()
        } else {
            format!(" Other fits: {}.", others.join("; "))
        }
    }
}

/// `2 bespoke and 3 tuned overrides, no violation`.
fn counts(fit: &Fit) -> String {
    let violations = match fit.violations {
        0 => "no violation".to_string(),
        1 => "1 violation".to_string(),
        n => format!("{n} violations"),
    };
    let budget = if fit.over_budget {
        ", over the budget"
    } else {
        ""
    };
    format!(
        "{} bespoke and {} tuned {}, {violations}{budget}",
        fit.bespoke,
        fit.tuned,
        if fit.bespoke + fit.tuned == 1 {
            "override"
        } else {
            "overrides"
        }
    )
}

/// Puts `reason` as the doc comment of the community a file declares.
fn insert_doc(text: &mut String, reason: &str) {
    if let Some(at) = text.find("\ncommunity ") {
        text.insert_str(at + 1, &doc_lines(reason));
    }
}

/// `text` as `///` lines of at most 100 characters.
pub(super) fn doc_lines(text: &str) -> String {
    let mut out = String::new();
    let mut line = "///".to_string();
    for word in text.split_whitespace() {
        if line.len() + 1 + word.len() > 100 && line.len() > 3 {
            out.push_str(&line);
            out.push('\n');
            line = "///".to_string();
        }
        line.push(' ');
        line.push_str(word);
    }
    out.push_str(&line);
    out.push('\n');
    out
}
