//! What a command finds wrong with its own arguments: the `hub::cli::*` diagnostics. Each points
//! at the argument, shown as the source `<command line>`.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub enum CliError {
    #[error("`{path}` is not a path like `jupyterhub.singleuser.image`")]
    #[diagnostic(
        code(hub::cli::invalid_path),
        help(
            "write keys separated by dots, quoting a key that holds a dot or a space: `jupyterhub.singleuser.extraEnv.\"A.B\"`"
        )
    )]
    InvalidPath {
        path: String,
        #[label("not a path")]
        at: SourceSpan,
    },

    #[error("`{community}` names a community on several clusters")]
    #[diagnostic(code(hub::cli::ambiguous_community))]
    AmbiguousCommunity {
        community: String,
        #[label("ambiguous")]
        at: SourceSpan,
        #[help]
        help: String,
    },

    #[error("no community `{community}` in the fleet")]
    #[diagnostic(code(hub::cli::unknown_community))]
    UnknownCommunity {
        community: String,
        #[label("not a community of the fleet")]
        at: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`{community}` has no value at `{path}`")]
    #[diagnostic(code(hub::cli::no_value))]
    NoValue {
        community: String,
        path: String,
        #[label("no value here")]
        at: SourceSpan,
        #[help]
        help: String,
    },

    #[error("cannot read the base `{base}`: {reason}")]
    #[diagnostic(
        code(hub::cli::base_unavailable),
        help(
            "pass a git revision of the repository the fleet is in (such as `origin/main`), or a directory holding that version of the fleet"
        )
    )]
    BaseUnavailable {
        base: String,
        reason: String,
        #[label("this base")]
        at: SourceSpan,
    },

    #[error("`hubc {command}` needs a fleet, and `{fleet}` holds no `.hub` files")]
    #[diagnostic(
        code(hub::cli::empty_fleet),
        help("pass the directory that holds the fleet's `.hub` files, or one of them")
    )]
    EmptyFleet {
        command: &'static str,
        fleet: String,
        #[label("no fleet here")]
        at: SourceSpan,
    },

    /// The command line does not parse: an unknown option or command, a value an option does
    /// not take, a missing argument. Its source is the whole command line.
    #[error("{message}")]
    #[diagnostic(code(hub::cli::usage))]
    Usage {
        message: String,
        label: String,
        #[label("{label}")]
        at: SourceSpan,
        #[help]
        help: String,
    },
}

/// The span of a whole argument in the `<command line>` source that holds it.
pub fn whole(argument: &str) -> SourceSpan {
    (0, argument.len()).into()
}
