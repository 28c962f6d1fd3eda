//! `hubc new`: starts a community or a cluster, writing its file with what it must set as
//! `todo("...")` placeholders and what it may set as commented-out lines (`hubc::scaffold`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use hubc::diagnostics::suggest::did_you_mean;
use hubc::report::doc;
use hubc::resolve::declare::is_file_name;
use hubc::syntax::ast::DeclKind;

use super::*;

#[derive(Subcommand)]
pub enum NewCommand {
    /// A community of an archetype on a cluster. Written beside the cluster's file as
    /// `NAME.hub` unless `--out` says where.
    Community {
        /// The community's name: letters, digits, `-`, `_` and `.`, at most 63 of them.
        name: String,
        /// The archetype it is a community of.
        #[arg(long)]
        archetype: String,
        /// The cluster it runs on.
        #[arg(long)]
        cluster: String,
        /// The fleet: a directory, or a file and its imports.
        #[arg(default_value = ".")]
        fleet: PathBuf,
        /// The file to write; it must not exist.
        #[arg(short, long)]
        out: Option<PathBuf>,
    },
    /// A cluster, from its provider's deployer settings (`schema cluster_<provider>`) and
    /// Terraform variables (`schema terraform_<provider>`). Written as
    /// `clusters/NAME/cluster.hub` when the fleet's clusters are laid out so, else as
    /// `NAME.hub`, unless `--out` says where.
    Cluster {
        /// The cluster's name: letters, digits, `-`, `_` and `.`, at most 63 of them.
        name: String,
        /// The kind of cluster: `gcp`, `aws`, `azure`, `kubeconfig`, or the tag of a provider
        /// the fleet declares a `cluster_<provider>` schema for.
        #[arg(long)]
        provider: String,
        /// The fleet: a directory, or a file and its imports.
        #[arg(default_value = ".")]
        fleet: PathBuf,
        /// The file to write; it must not exist.
        #[arg(short, long)]
        out: Option<PathBuf>,
    },
}

pub fn run(cx: &Context, command: &NewCommand) -> ExitCode {
    let (NewCommand::Community { name, fleet, .. } | NewCommand::Cluster { name, fleet, .. }) =
        command;
    let kind = match command {
        NewCommand::Community { .. } => "community",
        NewCommand::Cluster { .. } => "cluster",
    };
    if !is_file_name(name) {
        return argument_error(
            cx,
            name,
            CliError::InvalidName {
                name: name.clone(),
                kind,
                at: error::whole(name),
            },
        );
    }
    let mut session = load_fleet("new", fleet, &fleet.display().to_string());
    // Other files still to be filled in do not stop a new one.
    let Some(analysis) = analyze_for_report(&mut session, cx, &["hub::resolve::placeholder"])
    else {
        eprintln!("new failed: nothing was written");
        return ExitCode::from(1);
    };
    let root = if fleet.is_dir() {
        fleet.clone()
    } else {
        fleet.parent().map(PathBuf::from).unwrap_or_default()
    };
    let source_name = |file: hubc::source::FileId| session.sources.get(file).name.clone();
    let documented = doc::build(&session, &analysis, "fleet", &source_name);
    let declared = |kind: DeclKind, wanted: &str| {
        let fleet = &analysis.fleet;
        (0..fleet.decls.len() as u32)
            .map(hubc::resolve::value::DeclId)
            .filter(|&id| fleet.decl(id).kind == kind)
            .map(|id| fleet.decl(id))
            .find(|decl| decl.display == wanted)
    };
    let (text, path, shown) = match command {
        NewCommand::Community {
            archetype,
            cluster,
            out,
            ..
        } => {
            let Some(layer) = documented
                .layers
                .iter()
                .find(|layer| layer.kind == DeclKind::Archetype && layer.name == *archetype)
            else {
                let archetypes = documented
                    .layers
                    .iter()
                    .filter(|layer| layer.kind == DeclKind::Archetype)
                    .map(|layer| layer.name.as_str());
                return argument_error(
                    cx,
                    archetype,
                    CliError::UnknownArchetype {
                        name: archetype.clone(),
                        at: error::whole(archetype),
                        help: suggestion(archetype, archetypes, "archetypes"),
                    },
                );
            };
            let Some(on) = declared(DeclKind::Cluster, cluster) else {
                let clusters = documented.clusters.iter().map(|c| c.name.as_str());
                return argument_error(
                    cx,
                    cluster,
                    CliError::UnknownCluster {
                        name: cluster.clone(),
                        at: error::whole(cluster),
                        help: suggestion(cluster, clusters, "clusters"),
                    },
                );
            };
            let display = format!("{cluster}/{name}");
            if declared(DeclKind::Community, &display).is_some() {
                return argument_error(
                    cx,
                    name,
                    CliError::DuplicateCommunity {
                        community: display,
                        at: error::whole(name),
                    },
                );
            }
            let beside = Path::new(&session.sources.get(on.file).name)
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| root.clone());
            let path = out
                .clone()
                .unwrap_or_else(|| beside.join(format!("{name}.hub")));
            let text = hubc::scaffold::community(name, cluster, layer);
            (text, path, display)
        }
        NewCommand::Cluster { provider, out, .. } => {
            if declared(DeclKind::Cluster, name).is_some() {
                return argument_error(
                    cx,
                    name,
                    CliError::DuplicateCluster {
                        cluster: name.clone(),
                        at: error::whole(name),
                    },
                );
            }
            let Some(text) = hubc::scaffold::cluster(name, provider, &analysis) else {
                let providers = providers(&analysis);
                return argument_error(
                    cx,
                    provider,
                    CliError::UnknownProvider {
                        name: provider.clone(),
                        at: error::whole(provider),
                        help: suggestion(
                            provider,
                            providers.iter().map(String::as_str),
                            "providers",
                        ),
                    },
                );
            };
            let path = out
                .clone()
                .unwrap_or_else(|| cluster_path(&session, &analysis, &root, name));
            (text, path, name.clone())
        }
    };
    // In `hubc fmt`'s layout, which the scaffold is written in; formatting checks it parses.
    let parsed = hubc::syntax::parse(&text);
    let text = if parsed.errors.is_empty() {
        hubc::format::format(&text, &parsed.file)
    } else {
        text
    };
    let display = path.display().to_string();
    match driver::create_new_file(&path, text.as_bytes()) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            return argument_error(
                cx,
                &display,
                CliError::FileExists {
                    path: display.clone(),
                    at: error::whole(&display),
                },
            );
        }
        Err(error) => {
            let mut failure = Session::default();
            driver::report_output_error(
                &mut failure,
                &path,
                driver::IoError::WriteFailed {
                    path: display.clone(),
                    reason: error.to_string(),
                },
            );
            print_diagnostics(&failure, cx);
            return ExitCode::from(1);
        }
    }
    let n_todo = text
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .map(|line| line.matches("todo(\"").count())
        .sum::<usize>();
    eprintln!(
        "wrote {kind} `{shown}` to `{display}`: {n_todo} {} to fill in, then `hubc check`",
        plural(n_todo, "placeholder", "placeholders"),
    );
    ExitCode::SUCCESS
}

/// `did you mean ...?`, or the names there are.
fn suggestion<'a>(
    wanted: &str,
    known: impl Iterator<Item = &'a str> + Clone,
    what: &str,
) -> String {
    match did_you_mean(wanted, known.clone()) {
        Some(close) => format!("did you mean `{close}`?"),
        None => {
            let mut listed: Vec<String> = known.map(|name| format!("`{name}`")).collect();
            listed.sort();
            listed.dedup();
            if listed.is_empty() {
                format!("the fleet declares no {what}")
            } else {
                format!("the fleet's {what} are {}", listed.join(", "))
            }
        }
    }
}

/// The providers the fleet has a `cluster_<provider>` schema for.
fn providers(analysis: &hubc::analysis::Analysis) -> Vec<String> {
    let mut found: Vec<String> = analysis
        .schema
        .named
        .iter()
        .filter(|(_, named)| named.is_schema)
        .filter_map(|(name, _)| {
            analysis
                .names
                .resolve(*name)
                .strip_prefix("cluster_")
                .map(str::to_string)
        })
        .collect();
    found.sort();
    found
}

/// Where a new cluster's file goes: `DIR/NAME/cluster.hub` when the fleet's clusters are each
/// declared in `DIR/<cluster>/cluster.hub`, else `NAME.hub` in the fleet's directory.
fn cluster_path(
    session: &Session,
    analysis: &hubc::analysis::Analysis,
    root: &Path,
    name: &str,
) -> PathBuf {
    let fleet = &analysis.fleet;
    let laid_out: Vec<PathBuf> = (0..fleet.decls.len() as u32)
        .map(hubc::resolve::value::DeclId)
        .map(|id| fleet.decl(id))
        .filter(|decl| decl.kind == DeclKind::Cluster)
        .filter_map(|decl| {
            let file = Path::new(&session.sources.get(decl.file).name);
            let directory = file.parent()?;
            let fits = file.file_name()? == "cluster.hub"
                && directory.file_name()? == decl.display.as_str();
            fits.then(|| directory.parent().map(Path::to_path_buf))?
        })
        .collect();
    match laid_out.first() {
        Some(directory) if laid_out.iter().all(|other| other == directory) => {
            directory.join(name).join("cluster.hub")
        }
        _ => root.join(format!("{name}.hub")),
    }
}
