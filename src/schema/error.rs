//! Errors of types and schemas: the `hub::check::*` diagnostics.

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

    #[error("`{path}` must be {bound}, but is {value}")]
    #[diagnostic(code(hub::check::out_of_range), help("write a number {bound}"))]
    OutOfRange {
        path: String,
        /// `>= 0`
        bound: String,
        value: String,
        at: Loc,
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

    #[error("a bound such as `>= 0` applies to numbers, not to {ty}")]
    #[diagnostic(
        code(hub::check::bad_type_bound),
        help(
            "bound an `int` or a `float` with a number (`float >= 0`); a quantity type rejects negative values by itself"
        )
    )]
    BadTypeBound {
        ty: String,
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
            OutOfRange { at, .. } => (*at, "out of range".into()),
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
            BadTypeBound { file, span, .. } => (Loc::new(*file, *span), "this bound".into()),
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
