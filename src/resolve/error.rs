//! Resolution errors: the `hub::resolve::*` diagnostics.

use miette::Diagnostic;
use thiserror::Error;

use crate::diagnostics::Located;
use crate::source::Loc;

#[derive(Debug, Clone, Error, Diagnostic, PartialEq, Eq)]
pub enum ResolveError {
    #[error("`{name}` is declared twice")]
    #[diagnostic(code(hub::resolve::duplicate_declaration))]
    DuplicateDeclaration {
        name: String,
        at: Loc,
        first: Loc,
        #[help]
        help: String,
    },

    #[error("`{name}` cannot name a {kind}")]
    #[diagnostic(
        code(hub::resolve::invalid_name),
        help(
            "a {kind}'s name becomes a file name of the build and a Kubernetes name: use at most 63 letters, digits, `-`, `_` and `.`, not `/` or `..`"
        )
    )]
    InvalidName {
        name: String,
        kind: &'static str,
        at: Loc,
    },

    #[error("unknown {expected} `{name}`")]
    #[diagnostic(code(hub::resolve::unknown_name))]
    UnknownName {
        expected: &'static str,
        name: String,
        at: Loc,
        #[help]
        help: String,
    },

    #[error(
        "`{name}` is {}, but {} is needed here",
        article(found),
        article(expected)
    )]
    #[diagnostic(code(hub::resolve::wrong_kind))]
    WrongKind {
        name: String,
        expected: &'static str,
        found: &'static str,
        at: Loc,
        declared: Loc,
        #[help]
        help: String,
    },

    #[error("inheritance cycle: {cycle}")]
    #[diagnostic(
        code(hub::resolve::cycle),
        help("break the cycle: one of these declarations must extend something outside it")
    )]
    Cycle {
        cycle: String,
        at: Loc,
        links: Vec<(Loc, String)>,
    },

    #[error("mixins `{first_mixin}` and `{second_mixin}` set `{path}` to different values")]
    #[diagnostic(
        code(hub::resolve::mixin_conflict),
        help("set `{path}` in community `{community}` to decide, or make the mixins agree")
    )]
    MixinConflict {
        path: String,
        community: String,
        first_mixin: String,
        second_mixin: String,
        at: Loc,
        first: Loc,
        second: Loc,
    },

    #[error("unknown module `{module}`")]
    #[diagnostic(code(hub::resolve::unknown_import))]
    UnknownImport {
        module: String,
        at: Loc,
        #[help]
        help: String,
    },

    #[error("module `{module}` lies outside the fleet")]
    #[diagnostic(
        code(hub::resolve::import_outside_fleet),
        help(
            "imports resolve from the fleet root and may not leave it; move the file into the fleet"
        )
    )]
    ImportOutsideFleet { module: String, at: Loc },

    #[error("community `{community}` has no cluster")]
    #[diagnostic(
        code(hub::resolve::missing_cluster),
        help("say where the hub runs: `cluster = NAME`")
    )]
    MissingCluster { community: String, at: Loc },

    #[error("`{path}` is set twice in {decl}")]
    #[diagnostic(
        code(hub::resolve::duplicate_assignment),
        help("keep one of the two assignments")
    )]
    DuplicateAssignment {
        path: String,
        decl: String,
        at: Loc,
        first: Loc,
    },

    #[error("unknown function `{name}`")]
    #[diagnostic(code(hub::resolve::unknown_function))]
    UnknownFunction {
        name: String,
        at: Loc,
        #[help]
        help: String,
    },

    #[error("a value still to be written: {what}")]
    #[diagnostic(
        code(hub::resolve::placeholder),
        help(
            "replace `todo(...)` with the value; `hubc new` writes these for what a new community or cluster must set"
        )
    )]
    Placeholder { what: String, at: Loc },

    #[error("`{function}` takes {expected}")]
    #[diagnostic(code(hub::resolve::bad_arguments))]
    BadArguments {
        function: String,
        expected: &'static str,
        at: Loc,
        #[help]
        help: String,
    },

    #[error("cannot append to `{path}`: it is not a list")]
    #[diagnostic(
        code(hub::resolve::append_to_non_list),
        help("`+=` appends to a list; use `=` to replace the value")
    )]
    AppendToNonList {
        path: String,
        at: Loc,
        base: Option<Loc>,
    },

    #[error("`delete {path}` removes nothing: no layer below sets it")]
    #[diagnostic(code(hub::resolve::delete_missing), severity(Warning))]
    DeleteMissing {
        path: String,
        at: Loc,
        #[help]
        help: String,
    },

    #[error("`{statement}` is not allowed in a {kind}")]
    #[diagnostic(code(hub::resolve::misplaced_statement))]
    MisplacedStatement {
        statement: &'static str,
        kind: &'static str,
        at: Loc,
        #[help]
        help: String,
    },

    #[error("a path {depth} keys deep, more than {limit}")]
    #[diagnostic(
        code(hub::resolve::too_deep),
        help(
            "nested blocks and dotted paths add up: no values tree is this deep; flatten the blocks"
        )
    )]
    TooDeep { depth: usize, limit: usize, at: Loc },

    #[error("platform `{platform}` does not name its chart")]
    #[diagnostic(
        code(hub::resolve::missing_chart),
        help("add `chart = \"basehub\"` (or `\"daskhub\"`) to the root platform")
    )]
    MissingChart { platform: String, at: Loc },

    #[error("no schema for chart `{chart}`")]
    #[diagnostic(code(hub::resolve::unknown_chart))]
    UnknownChart {
        chart: String,
        at: Loc,
        #[help]
        help: String,
    },

    #[error("no schema for the variables of Terraform module `{module}`; they are not checked")]
    #[diagnostic(code(hub::resolve::unknown_module))]
    UnknownModule {
        module: String,
        at: Loc,
        #[help]
        help: String,
    },
}

/// `a platform`, `an archetype`.
fn article(noun: &str) -> String {
    let article = if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {noun}")
}

impl Located for ResolveError {
    fn primary(&self) -> (Loc, Option<String>) {
        use ResolveError::*;
        let (at, label) = match self {
            DuplicateDeclaration { at, .. } => (at, "declared again here"),
            InvalidName { at, .. } => (at, "not a file name"),
            UnknownName { at, .. } => (at, "not declared anywhere in the fleet"),
            WrongKind { at, .. } => (at, "used here"),
            Cycle { at, .. } => (at, "this declaration is part of the cycle"),
            MixinConflict { at, .. } => (at, "uses both mixins"),
            UnknownImport { at, .. } => (at, "no such module"),
            ImportOutsideFleet { at, .. } => (at, "resolves outside the fleet root"),
            MissingCluster { at, .. } => (at, "no `cluster = ...` in this community"),
            DuplicateAssignment { at, .. } => (at, "set again here"),
            UnknownFunction { at, .. } => (at, "not a function"),
            Placeholder { at, .. } => (at, "to be written"),
            BadArguments { at, .. } => (at, "wrong arguments"),
            AppendToNonList { at, .. } => (at, "appended here"),
            DeleteMissing { at, .. } => (at, "nothing to delete"),
            MisplacedStatement { at, .. } => (at, "not allowed here"),
            TooDeep { at, .. } => (at, "too deep here"),
            MissingChart { at, .. } => (at, "no `chart = ...`"),
            UnknownChart { at, .. } => (at, "no `schema` of this name is loaded"),
            UnknownModule { at, .. } => (at, "the module of this cluster"),
        };
        (*at, Some(label.to_string()))
    }

    fn related(&self) -> Vec<(Loc, String)> {
        use ResolveError::*;
        match self {
            DuplicateDeclaration { first, .. } => vec![(*first, "first declared here".into())],
            WrongKind {
                declared, found, ..
            } => vec![(*declared, format!("declared as a {found} here"))],
            Cycle { links, .. } => links.clone(),
            MixinConflict {
                first,
                second,
                first_mixin,
                second_mixin,
                ..
            } => vec![
                (*first, format!("set by `{first_mixin}` here")),
                (*second, format!("set differently by `{second_mixin}` here")),
            ],
            DuplicateAssignment { first, .. } => vec![(*first, "first set here".into())],
            AppendToNonList {
                base: Some(base), ..
            } => {
                vec![(*base, "the inherited value is set here".into())]
            }
            _ => Vec::new(),
        }
    }
}
