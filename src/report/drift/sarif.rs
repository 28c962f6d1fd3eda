//! The drift report as a SARIF log, for code-scanning views: the policy diagnostics (redundant
//! and expired overrides, violations, communities over budget) and, as notes, every bespoke
//! setting of every community, where it is set.

use super::DriftReport;
use crate::analysis::Session;
use crate::diagnostics::Severity;
use crate::diagnostics::sarif::{Finding, Place, findings, log};

/// The rule of a bespoke setting.
pub const BESPOKE: &str = "drift/bespoke";

pub fn sarif(report: &DriftReport, session: &Session) -> String {
    let mut found = findings(&session.diagnostics, &session.sources);
    for community in &report.communities {
        let archetype = community.archetype.as_deref().unwrap_or("none");
        for setting in community.overrides.iter().filter(|o| o.class == "bespoke") {
            let Some(place) = place(&setting.place) else {
                continue;
            };
            let mut message = format!(
                "`{}` sets `{}` to {}, a bespoke setting: archetype `{archetype}` does not make it tunable",
                community.name,
                setting.path,
                setting.value.as_deref().unwrap_or("nothing"),
            );
            if let Some(mixin) = &setting.mixin {
                message.push_str(&format!(" (through mixin `{mixin}`)"));
            }
            match &setting.reason {
                Some(reason) => message.push_str(&format!("\nreason: {reason}")),
                None => message.push_str("\nhelp: say why with `@reason(\"...\")`, or make the path tunable in the archetype"),
            }
            found.push(Finding {
                rule: BESPOKE.to_string(),
                severity: Severity::Advice,
                message,
                place,
                related: Vec::new(),
            });
        }
    }
    log(
        &found,
        &[(
            BESPOKE,
            "A bespoke setting: a community's override of a path its archetype does not make tunable, counted against the archetype's budget",
        )],
    )
}

/// `file:line:column`, as the report places a statement.
fn place(text: &str) -> Option<Place> {
    let mut parts = text.rsplitn(3, ':');
    let column: usize = parts.next()?.parse().ok()?;
    let line: usize = parts.next()?.parse().ok()?;
    let file = parts.next()?.to_string();
    Some(Place {
        file,
        start: (line, column),
        end: (line, column),
    })
}
