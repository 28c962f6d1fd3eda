//! Checks of the policy statements themselves: paths the schema knows, bounds of the right
//! type, identity settings every community sets.

use super::Day;
use crate::check::error::CheckError;
use crate::check::error::PolicyError;
use crate::check::schema::Schema;
use crate::intern::Interner;
use crate::resolve::Fleet;
use crate::resolve::lower::BoundValue;
use crate::resolve::value::{DeclId, Scalar, path_text, value_text};
use crate::source::Loc;
use crate::syntax::ast::DeclKind;

/// Checks what archetypes declare, whether or not a community uses them: tunable and locked
/// paths must exist in the schema, bounds must compare with their path, the budget must be
/// `bespoke`. Also reports `@expires` dates past on platforms and archetypes, whose values no
/// community classification sees as its own.
pub fn validate(
    fleet: &Fleet,
    schema: &Schema,
    names: &Interner,
    today: Day,
) -> (Vec<CheckError>, Vec<PolicyError>) {
    use rayon::prelude::*;
    // Each declaration on its own, on every core, collected in the declarations' order.
    let found: Vec<(Vec<CheckError>, Vec<PolicyError>)> = fleet
        .decls
        .par_iter()
        .enumerate()
        .map(|(index, _)| validate_decl(fleet, schema, names, today, DeclId(index as u32)))
        .collect();
    let mut check_errors = Vec::new();
    let mut errors = Vec::new();
    for (found_check_errors, found_errors) in found {
        check_errors.extend(found_check_errors);
        errors.extend(found_errors);
    }
    (check_errors, errors)
}

/// The problems of the policy statements and expired dates of one declaration.
fn validate_decl(
    fleet: &Fleet,
    schema: &Schema,
    names: &Interner,
    today: Day,
    id: DeclId,
) -> (Vec<CheckError>, Vec<PolicyError>) {
    let decl = fleet.decl(id);
    let (mut check_errors, mut errors) = (Vec::new(), Vec::new());
    if matches!(decl.kind, DeclKind::Platform | DeclKind::Archetype) {
        for op in &decl.layer.ops {
            if let Some(expires) = op.notes.expires
                && expires < today
            {
                errors.push(PolicyError::Expired {
                    path: path_text(&op.path, names),
                    date: format!("{:04}-{:02}-{:02}", expires.0, expires.1, expires.2),
                    at: Loc::new(op.origin.file, op.origin.span),
                });
            }
        }
    }
    let policy = &decl.layer.policy;
    for budget in &policy.budgets {
        if names.resolve(budget.kind) != "bespoke" {
            errors.push(PolicyError::UnknownBudget {
                kind: names.resolve(budget.kind).to_string(),
                at: budget.at,
            });
        }
    }
    let Some(root) = fleet.root_type(id) else {
        return (check_errors, errors);
    };
    let paths = policy
        .tunables
        .iter()
        .map(|t| (&t.path, t.at))
        .chain(policy.locked.iter().map(|l| (&l.path, l.at)))
        .chain(policy.identities.iter().map(|i| (&i.path, i.at)));
    for (path, at) in paths {
        crate::check::typecheck::check_path(schema, names, root, path, at, &mut check_errors);
    }
    for tunable in &policy.tunables {
        let Some(ty) = schema.type_at(root, &tunable.path) else {
            continue;
        };
        let measure = schema.measure(ty);
        for bound in &tunable.bounds {
            let comparable = match &bound.target {
                BoundValue::OneOf(_) => true,
                BoundValue::Base => measure.is_some() || schema.is_number(ty),
                BoundValue::Value(limit) => match (measure, limit.as_scalar()) {
                    (Some(measure), Some(scalar)) => {
                        crate::check::typecheck::quantity_of(scalar, measure).is_some()
                    }
                    (None, Some(Scalar::Int(_) | Scalar::Float(_))) => schema.is_number(ty),
                    _ => false,
                },
            };
            if !comparable {
                let target = match &bound.target {
                    BoundValue::Value(limit) => value_text(limit, names),
                    _ => "base".to_string(),
                };
                errors.push(PolicyError::BadBound {
                    bound: format!("{} {target}", bound.op.as_str()),
                    path: path_text(&tunable.path, names),
                    at: bound.at,
                });
            }
        }
    }
    (check_errors, errors)
}
