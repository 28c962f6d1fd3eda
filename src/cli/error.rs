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

    #[error("`{name}` cannot name a {kind}")]
    #[diagnostic(
        code(hub::cli::invalid_name),
        help(
            "a {kind}'s name becomes a file name of the build and a Kubernetes name: use at most 63 letters, digits, `-`, `_` and `.`, not `/` or `..`"
        )
    )]
    InvalidName {
        name: String,
        kind: &'static str,
        #[label("not a file name")]
        at: SourceSpan,
    },

    #[error("no archetype `{name}` in the fleet")]
    #[diagnostic(code(hub::cli::unknown_archetype))]
    UnknownArchetype {
        name: String,
        #[label("not an archetype of the fleet")]
        at: SourceSpan,
        #[help]
        help: String,
    },

    #[error("no cluster `{name}` in the fleet")]
    #[diagnostic(code(hub::cli::unknown_cluster))]
    UnknownCluster {
        name: String,
        #[label("not a cluster of the fleet")]
        at: SourceSpan,
        #[help]
        help: String,
    },

    #[error("no provider `{name}`: the fleet has no `schema cluster_{name}`")]
    #[diagnostic(code(hub::cli::unknown_provider))]
    UnknownProvider {
        name: String,
        #[label("not a provider of the fleet")]
        at: SourceSpan,
        #[help]
        help: String,
    },

    #[error("the fleet already has a community `{community}`")]
    #[diagnostic(
        code(hub::cli::duplicate_community),
        help("choose another name, or edit the community's file")
    )]
    DuplicateCommunity {
        community: String,
        #[label("taken on this cluster")]
        at: SourceSpan,
    },

    #[error("the fleet already has a cluster `{cluster}`")]
    #[diagnostic(
        code(hub::cli::duplicate_cluster),
        help("choose another name, or edit the cluster's file")
    )]
    DuplicateCluster {
        cluster: String,
        #[label("taken")]
        at: SourceSpan,
    },

    #[error("`{path}` already exists")]
    #[diagnostic(
        code(hub::cli::file_exists),
        help("`hubc new` never overwrites a file: pass `--out` with a path that is free")
    )]
    FileExists {
        path: String,
        #[label("not overwritten")]
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
