//! The build cache. A build records in its output's marker a digest of everything its output
//! depends on (hubc's version and standard modules, the day, and every fleet file by name and
//! text) and the diagnostics it reported. The next build of the same fleet into the same
//! directory computes the digest from the files' bytes alone, before parsing anything; when it
//! matches and the directory holds exactly what the marker lists, as written, the build writes
//! nothing and reports the recorded diagnostics again, as they were.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{Disk, Session, store};
use crate::check::policy::Day;
use crate::diagnostics::{Diagnostic, Related, Severity};
use crate::source::{FileId, Span};

/// The fleet files of a build, decoded as loading decodes them, and the digest of its inputs.
pub struct Inputs {
    pub digest: String,
    files: Vec<(String, Arc<str>)>,
}

/// The inputs of a build of the fleet directory `fleet` on `today`, read from the disk without
/// parsing; `None` for a fleet the cache does not cover (see [`store::fleet_sources`]).
pub fn fleet_inputs(fleet: &Path, today: Day) -> Option<Inputs> {
    let files: Vec<(String, Arc<str>)> = store::fleet_sources(&Disk, fleet)?
        .into_iter()
        .map(|(path, bytes)| {
            let text: Arc<str> = crate::syntax::decode(&bytes).0.into();
            (path.display().to_string(), text)
        })
        .collect();
    let digest = digest(
        today,
        files.iter().map(|(name, text)| (name.as_str(), &**text)),
    );
    Some(Inputs { digest, files })
}

/// The digest of what `session` loaded for a build on `today`: equal to [`fleet_inputs`]'s for
/// the same files, as it read them.
pub fn session_digest(session: &Session, today: Day) -> String {
    let files = session
        .files
        .iter()
        .filter(|file| !file.path.starts_with("<std>"))
        .map(|file| {
            let source = session.sources.get(file.id);
            (source.name.as_str(), &*source.text)
        });
    digest(today, files)
}

fn digest<'a>(today: Day, files: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    // Two independent 64-bit SipHash states: a digest that only this binary must reproduce,
    // since its version and standard modules are part of what is hashed.
    let mut first = std::hash::DefaultHasher::new();
    let mut second = std::hash::DefaultHasher::new();
    1u8.hash(&mut second);
    for hasher in [&mut first, &mut second] {
        env!("CARGO_PKG_VERSION").hash(hasher);
        crate::stdlib::MODULES.hash(hasher);
        today.hash(hasher);
    }
    for (name, text) in files {
        for hasher in [&mut first, &mut second] {
            name.hash(hasher);
            text.hash(hasher);
        }
    }
    format!("{:016x}{:016x}", first.finish(), second.finish())
}

/// A diagnostic as the marker records it: its file by name.
#[derive(Serialize, Deserialize)]
struct Recorded {
    code: String,
    severity: String,
    message: String,
    file: String,
    span: (u32, u32),
    label: Option<String>,
    related: Vec<(String, (u32, u32), String)>,
    help: Option<String>,
}

/// The records of a build's diagnostics; `None` when one is in a file that is not one of the
/// fleet's (a standard module), which a replay could not show.
pub fn records(session: &Session) -> Option<Vec<String>> {
    let fleet_file = |id: FileId| {
        session
            .files
            .iter()
            .any(|file| file.id == id && !file.path.starts_with("<std>"))
    };
    let name = |id: FileId| session.sources.get(id).name.clone();
    session
        .diagnostics
        .iter()
        .map(|diagnostic| {
            let places = std::iter::once(diagnostic.file)
                .chain(diagnostic.related.iter().map(|related| related.file));
            if !places.into_iter().all(fleet_file) {
                return None;
            }
            let record = Recorded {
                code: diagnostic.code.clone(),
                severity: diagnostic.severity.as_str().to_string(),
                message: diagnostic.message.clone(),
                file: name(diagnostic.file),
                span: (diagnostic.span.start, diagnostic.span.end),
                label: diagnostic.label.clone(),
                related: diagnostic
                    .related
                    .iter()
                    .map(|r| (name(r.file), (r.span.start, r.span.end), r.message.clone()))
                    .collect(),
                help: diagnostic.help.clone(),
            };
            serde_json::to_string(&record).ok()
        })
        .collect()
}

/// A session holding the fleet's files and the recorded diagnostics, to print as the build
/// that recorded them printed them; `None` when a record does not read back or names a file
/// the fleet does not have.
pub fn replay(inputs: &Inputs, records: &[String]) -> Option<Session> {
    let mut session = Session::default();
    let ids: HashMap<&str, FileId> = inputs
        .files
        .iter()
        .map(|(name, text)| {
            (
                name.as_str(),
                session.sources.add(name.clone(), text.clone()),
            )
        })
        .collect();
    for record in records {
        let recorded: Recorded = serde_json::from_str(record).ok()?;
        let severity = match recorded.severity.as_str() {
            "error" => Severity::Error,
            "warning" => Severity::Warning,
            "advice" => Severity::Advice,
            _ => return None,
        };
        let span = |(start, end): (u32, u32)| Span::new(start as usize, end as usize);
        let mut related = Vec::new();
        for (file, at, message) in recorded.related {
            related.push(Related {
                file: *ids.get(file.as_str())?,
                span: span(at),
                message,
            });
        }
        session.diagnostics.push(Diagnostic {
            code: recorded.code,
            severity,
            message: recorded.message,
            file: *ids.get(recorded.file.as_str())?,
            span: span(recorded.span),
            label: recorded.label,
            related,
            help: recorded.help,
        });
    }
    Some(session)
}
