//! Checking errors: policy (`hub::policy::*`); those of types and schemas (`hub::check::*`) are
//! the schema's.

pub use crate::schema::error::CheckError;

use miette::Diagnostic;
use thiserror::Error;

use crate::diagnostics::Located;
use crate::source::Loc;

#[derive(Debug, Clone, Error, Diagnostic, PartialEq, Eq)]
pub enum PolicyError {
    #[error("`{path}` is locked by archetype `{archetype}`")]
    #[diagnostic(
        code(hub::policy::locked),
        help("remove this override, or ask for an archetype that makes `{path}` tunable")
    )]
    Locked {
        path: String,
        archetype: String,
        at: Loc,
        locked_at: Loc,
    },

    #[error("`{path}` = {value} is outside the bounds of archetype `{archetype}` ({bound})")]
    #[diagnostic(
        code(hub::policy::out_of_bounds),
        help(
            "choose a value that is {bound}, or move the community to an archetype that allows it"
        )
    )]
    OutOfBounds {
        path: String,
        value: String,
        bound: String,
        archetype: String,
        at: Loc,
        bound_at: Loc,
    },

    #[error("`{path}` = {value} is below the inherited {base}")]
    #[diagnostic(
        code(hub::policy::below_base),
        help(
            "archetype `{archetype}` lets communities raise `{path}`, never lower it; remove the override or raise it"
        )
    )]
    BelowBase {
        path: String,
        value: String,
        base: String,
        archetype: String,
        at: Loc,
        floor_at: Loc,
        base_at: Option<Loc>,
    },

    #[error("the override of `{path}` expired on {date}")]
    #[diagnostic(
        code(hub::policy::expired),
        help("remove the override, or extend `@expires` with a reason")
    )]
    Expired { path: String, date: String, at: Loc },

    #[error("`{path}` is set to {value}, the value it inherits anyway")]
    #[diagnostic(
        code(hub::policy::redundant),
        severity(Warning),
        help("delete this override; the community keeps the same value")
    )]
    Redundant {
        path: String,
        value: String,
        at: Loc,
        inherited_at: Option<Loc>,
    },

    #[error("community `{community}` does not set `{path}`, which identifies each community")]
    #[diagnostic(
        code(hub::policy::missing_identity),
        help("set `{path}` to this community's own value")
    )]
    MissingIdentity {
        community: String,
        path: String,
        at: Loc,
        declared_at: Loc,
    },

    #[error("community `{community}` has {count} bespoke {overrides}, over the budget of {limit}", overrides = if *count == 1 { "override" } else { "overrides" })]
    #[diagnostic(
        code(hub::policy::over_budget),
        severity(Warning),
        help(
            "remove bespoke overrides, make them tunable in the archetype, or move the community to another archetype"
        )
    )]
    OverBudget {
        community: String,
        count: usize,
        limit: i64,
        at: Loc,
        budget_at: Loc,
    },

    #[error("unknown budget `{kind}`")]
    #[diagnostic(
        code(hub::policy::unknown_budget),
        help("the budget an archetype sets is `budget bespoke <= N`")
    )]
    UnknownBudget { kind: String, at: Loc },

    #[error("bound `{bound}` cannot apply to `{path}`")]
    #[diagnostic(
        code(hub::policy::bad_bound),
        help("bounds compare numbers and quantities; `in [...]` lists allowed values of any kind")
    )]
    BadBound {
        bound: String,
        path: String,
        at: Loc,
    },
}

impl Located for PolicyError {
    fn primary(&self) -> (Loc, Option<String>) {
        use PolicyError::*;
        let (at, label) = match self {
            Locked { at, .. } => (at, "overrides a locked path"),
            OutOfBounds { at, .. } => (at, "out of bounds"),
            BelowBase { at, .. } => (at, "lowers the inherited value"),
            Expired { at, .. } => (at, "expired"),
            Redundant { at, .. } => (at, "same as inherited"),
            OverBudget { at, .. } => (at, "over budget"),
            MissingIdentity { at, .. } => (at, "sets no value there"),
            BadBound { at, .. } => (at, "this bound"),
            UnknownBudget { at, .. } => (at, "not a budget"),
        };
        (*at, Some(label.to_string()))
    }

    fn related(&self) -> Vec<(Loc, String)> {
        use PolicyError::*;
        match self {
            Locked { locked_at, .. } => vec![(*locked_at, "locked here".into())],
            OutOfBounds { bound_at, .. } => vec![(*bound_at, "the bound is declared here".into())],
            BelowBase {
                floor_at, base_at, ..
            } => {
                let mut related = vec![(*floor_at, "the floor is declared here".into())];
                if let Some(base_at) = base_at {
                    related.push((*base_at, "the inherited value is set here".into()));
                }
                related
            }
            Redundant {
                inherited_at: Some(inherited_at),
                ..
            } => vec![(*inherited_at, "inherited from here".into())],
            MissingIdentity { declared_at, .. } => {
                vec![(*declared_at, "required here".into())]
            }
            OverBudget { budget_at, .. } => {
                vec![(*budget_at, "the budget is declared here".into())]
            }
            _ => Vec::new(),
        }
    }
}
