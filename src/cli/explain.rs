//! `hubc explain`: a community's values, how each is classified, and where it comes from.

use std::path::Path;
use std::process::ExitCode;

use hubc::diagnostics::Tally;
use hubc::driver;

use super::*;

pub fn run(cx: &Context, community: &str, path: Option<&str>, fleet: &Path) -> ExitCode {
    let today = cx.today;
    let mut session = load_fleet("explain", fleet, &fleet.display().to_string());
    let analysis = driver::analyze(&mut session, today);
    let tally = Tally::of(&session.diagnostics);
    if tally.errors > 0 {
        print_diagnostics(&session, cx);
    }
    let Some(analysis) = analysis else {
        return ExitCode::from(1);
    };
    let path = path.unwrap_or("");
    let Some(keys) = hubc::explain::split_path(path) else {
        return argument_error(
            cx,
            path,
            CliError::InvalidPath {
                path: path.to_string(),
                at: error::whole(path),
            },
        );
    };
    let id = match analysis.fleet.find_community(community, &analysis.names) {
        Ok(id) => id,
        Err(several) if !several.is_empty() => {
            return argument_error(
                cx,
                community,
                CliError::AmbiguousCommunity {
                    community: community.to_string(),
                    at: error::whole(community),
                    help: format!("name one of `{}`", several.join("`, `")),
                },
            );
        }
        Err(_) => {
            let known: Vec<&str> = analysis
                .fleet
                .communities
                .iter()
                .map(|&id| analysis.fleet.decl(id).display.as_str())
                .collect();
            let help = match hubc::diagnostics::suggest::did_you_mean(community, known) {
                Some(suggestion) => format!("did you mean `{suggestion}`?"),
                None => "name it as `cluster/name`; `hubc drift` lists every community".to_string(),
            };
            return argument_error(
                cx,
                community,
                CliError::UnknownCommunity {
                    community: community.to_string(),
                    at: error::whole(community),
                    help,
                },
            );
        }
    };
    match hubc::explain::explain(&analysis, &session.sources, id, &keys) {
        Ok(text) => {
            out!("{text}");
            exit_for(tally, false)
        }
        Err(missing) => {
            let help = match missing.suggestion {
                Some(suggestion) => format!("did you mean `{suggestion}`?"),
                None => format!("`hubc explain {community}` lists every value it has"),
            };
            argument_error(
                cx,
                path,
                CliError::NoValue {
                    community: community.to_string(),
                    path: missing.path.clone(),
                    at: error::whole(path),
                    help,
                },
            )
        }
    }
}
