//! Credentials masked out of the diff: a value under a credential key (`password`, `token`,
//! `client_secret`, any `*_password`, `*_token`, `*_secret`), a recognisable token, or a list
//! or map that holds either is printed as [`REDACTED`] in every format. The working tree
//! cannot hold such a literal (`hub::check::literal_secret`), but the base can: a change that
//! moves a committed credential into an encrypted secret file must not print it again.

use super::DiffReport;
use crate::check::credential::{REDACTED, is_printed_credential};

/// Masks every credential the report holds, on both sides of every change.
pub(super) fn redact(report: &mut DiffReport) {
    let changes = report
        .files
        .iter_mut()
        .flat_map(|file| &mut file.changes)
        .chain(report.declarations.iter_mut().flat_map(|d| &mut d.changes));
    for change in changes {
        for value in [&mut change.old, &mut change.new].into_iter().flatten() {
            mask(&change.path, value);
        }
    }
    for stale in &mut report.stale_overrides {
        mask(&stale.path, &mut stale.value);
        mask(&stale.path, &mut stale.base_after);
        if let Some(value) = &mut stale.base_before {
            mask(&stale.path, value);
        }
    }
    let bespoke = report
        .drift
        .bespoke_added
        .iter_mut()
        .chain(&mut report.drift.bespoke_removed);
    for change in bespoke {
        if let Some(value) = &mut change.value {
            mask(&change.path, value);
        }
    }
}

fn mask(path: &str, value: &mut String) {
    if is_printed_credential(path, value) {
        *value = REDACTED.to_string();
    }
}
