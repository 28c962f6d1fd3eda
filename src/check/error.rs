//! Checking errors: types and schemas (`hub::check::*`) and policy (`hub::policy::*`).

use miette::Diagnostic;
use thiserror::Error;

use crate::diagnostics::Located;
use crate::source::{FileId, Loc, Span};

#[derive(Debug, Clone, Error, Diagnostic, PartialEq, Eq)]
pub enum CheckError {
    #[error("unknown key `{key}` {place}")]
    #[diagnostic(code(hub::check::unknown_key))]
    UnknownKey {
        key: String,
        /// `in `jupyterhub.cull``, `in the chart values`, `among the Terraform variables of ...`.
        place: String,
        at: Loc,
        #[help]
        help: String,
    },

    #[error("`{path}` expects {expected}, found {found}")]
    #[diagnostic(code(hub::check::type_mismatch))]
    TypeMismatch {
        path: String,
        expected: String,
        found: String,
        at: Loc,
        #[help]
        help: Option<String>,
    },

    #[error("`{path}` is {ty}, which has no keys")]
    #[diagnostic(
        code(hub::check::not_a_map),
        help("set `{path}` itself, not a key below it")
    )]
    NotAMap { path: String, ty: String, at: Loc },

    #[error("invalid quantity for `{path}`: {reason}")]
    #[diagnostic(code(hub::check::bad_quantity))]
    BadQuantity {
        path: String,
        reason: String,
        at: Loc,
        #[help]
        help: String,
    },

    #[error("`{path}` must match `{pattern}`")]
    #[diagnostic(
        code(hub::check::pattern_mismatch),
        help("change the value so that it matches the pattern")
    )]
    PatternMismatch {
        path: String,
        pattern: String,
        at: Loc,
    },

    #[error("`{path}` is missing the required field `{field}`")]
    #[diagnostic(code(hub::check::missing_field), help("add `{field} = ...`"))]
    MissingField {
        path: String,
        field: String,
        at: Loc,
    },

    #[error("`{left}` ({left_value}) must be {op} `{right}` ({right_value})")]
    #[diagnostic(
        code(hub::check::constraint),
        help("change one of the two values so that `{left} {op} {right}` holds")
    )]
    Constraint {
        left: String,
        left_value: String,
        op: &'static str,
        right: String,
        right_value: String,
        at: Loc,
        other: Option<Loc>,
        rule: Loc,
    },

    #[error("literal value of `{path}` looks like a credential")]
    #[diagnostic(
        code(hub::check::literal_secret),
        severity(Warning),
        help(
            "keep credentials in an encrypted values file and reference it with `secrets += [secret(\"enc-....secret.values.yaml\")]`"
        )
    )]
    LiteralSecret { path: String, at: Loc },

    #[error("unknown type `{name}`")]
    #[diagnostic(
        code(hub::check::unknown_type),
        help(
            "use a built-in type, declare it (`type {name} = ...` or `schema {name} {{ ... }}`), or import the module that declares it"
        )
    )]
    UnknownType {
        name: String,
        suggestion: Option<String>,
        file: FileId,
        span: Span,
    },

    #[error("type `{name}` is declared twice")]
    #[diagnostic(code(hub::check::duplicate_type), help("rename one of them"))]
    DuplicateType {
        name: String,
        file: FileId,
        span: Span,
        first_file: FileId,
        first_span: Span,
    },

    #[error("type `{name}` has the name of a built-in type")]
    #[diagnostic(code(hub::check::shadows_builtin), help("choose another name"))]
    ShadowsBuiltin {
        name: String,
        file: FileId,
        span: Span,
    },

    #[error("field `{name}` is declared twice")]
    #[diagnostic(code(hub::check::duplicate_field), help("remove one of them"))]
    DuplicateField {
        name: String,
        file: FileId,
        span: Span,
        first_span: Span,
    },

    #[error("invalid pattern: {reason}")]
    #[diagnostic(
        code(hub::check::bad_pattern),
        help("write a regular expression in the syntax of Rust's `regex` crate")
    )]
    BadPattern {
        reason: String,
        file: FileId,
        span: Span,
    },

    #[error("only a list can be `keyed by` a field")]
    #[diagnostic(
        code(hub::check::keyed_not_list),
        help("write `list<T> keyed by FIELD`")
    )]
    KeyedNotList { file: FileId, span: Span },

    #[error("`{name}` takes {expected} type {}, found {found}", if *expected == 1 { "argument" } else { "arguments" })]
    #[diagnostic(
        code(hub::check::type_arguments),
        help("write `list<T>` or `map<T>`; other types take no arguments")
    )]
    TypeArguments {
        name: String,
        expected: usize,
        found: usize,
        file: FileId,
        span: Span,
    },
}

impl Located for CheckError {
    fn primary(&self) -> (Loc, Option<String>) {
        use CheckError::*;
        let (at, label): (Loc, String) = match self {
            UnknownKey { at, .. } => (*at, "not a key of the schema".into()),
            TypeMismatch { at, expected, .. } => (*at, format!("expected {expected}")),
            NotAMap { at, .. } => (*at, "no keys below here".into()),
            BadQuantity { at, .. } => (*at, "this quantity".into()),
            PatternMismatch { at, .. } => (*at, "does not match".into()),
            MissingField { at, .. } => (*at, "this value".into()),
            Constraint { at, .. } => (*at, "set here".into()),
            LiteralSecret { at, .. } => (*at, "a literal credential".into()),
            UnknownType {
                file,
                span,
                suggestion,
                ..
            } => (
                Loc::new(*file, *span),
                match suggestion {
                    Some(suggestion) => format!("did you mean `{suggestion}`?"),
                    None => "not a built-in or declared type".into(),
                },
            ),
            DuplicateType { file, span, .. } => (Loc::new(*file, *span), "declared again".into()),
            ShadowsBuiltin { file, span, .. } => (Loc::new(*file, *span), "a built-in".into()),
            DuplicateField { file, span, .. } => (Loc::new(*file, *span), "declared again".into()),
            BadPattern { file, span, .. } => (Loc::new(*file, *span), "this pattern".into()),
            KeyedNotList { file, span } => (Loc::new(*file, *span), "not a list".into()),
            TypeArguments { file, span, .. } => (Loc::new(*file, *span), "here".into()),
        };
        (at, Some(label))
    }

    fn related(&self) -> Vec<(Loc, String)> {
        use CheckError::*;
        match self {
            Constraint { other, rule, .. } => {
                let mut related = Vec::new();
                if let Some(other) = other {
                    related.push((*other, "the other value is set here".into()));
                }
                related.push((*rule, "the rule is declared here".into()));
                related
            }
            DuplicateType {
                first_file,
                first_span,
                ..
            } => vec![(
                Loc::new(*first_file, *first_span),
                "first declared here".into(),
            )],
            DuplicateField {
                file, first_span, ..
            } => vec![(Loc::new(*file, *first_span), "first declared here".into())],
            _ => Vec::new(),
        }
    }
}

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
