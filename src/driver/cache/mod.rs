//! The build cache. A build records beside its output a digest of everything its output
//! depends on (hubc's version and standard modules, the day, and every fleet file by name and
//! bytes), what each fleet file declared, and the diagnostics it reported. The next build of
//! the same fleet into the same directory reads the fleet's files and digests them before
//! parsing anything: when nothing changed and the directory holds exactly what the record
//! lists, as written, it writes nothing and reports the recorded diagnostics again, as they
//! were; when only files of communities changed, it builds those communities' clusters again
//! and keeps the rest ([`rebuild`]).

mod partial;

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{Disk, Record, Session, SourceRecord, store};
use crate::analysis::Analysis;
use crate::check::policy::Day;
use crate::diagnostics::{Diagnostic, Related, Severity};
use crate::source::{FileId, Span};

pub use partial::{Rebuilt, rebuild};

/// The fleet files of a build, read as loading reads them, with the digests of its inputs.
pub struct Inputs {
    /// The digest of everything: [`Inputs::context`] and every file by name and bytes.
    pub digest: String,
    /// The digest of what is read besides the fleet: hubc's version, its standard modules, the
    /// day.
    pub context: String,
    root: PathBuf,
    files: Vec<InputFile>,
}

struct InputFile {
    path: PathBuf,
    /// The file's name in diagnostics: its path as loading gives it.
    name: String,
    module: String,
    bytes: Arc<[u8]>,
    digest: String,
}

/// The inputs of a build of the fleet directory `fleet` on `today`, read from the disk (on
/// every core) without parsing; `None` for a fleet the cache does not cover (see
/// [`store::fleet_files`]), or when a file cannot be read (the build reports it).
pub fn fleet_inputs(fleet: &Path, today: Day) -> Option<Inputs> {
    use rayon::prelude::*;
    let files: Vec<InputFile> = store::fleet_files(&Disk, fleet)?
        .into_par_iter()
        .map(|path| {
            let bytes = store::Store::read(&Disk, &path).ok()?;
            let relative = path.strip_prefix(fleet).unwrap_or(&path);
            Some(InputFile {
                name: path.display().to_string(),
                module: crate::analysis::module_name(relative),
                digest: file_digest(&bytes),
                path,
                bytes,
            })
        })
        .collect::<Option<_>>()?;
    let context = digest_of(|hasher| {
        env!("CARGO_PKG_VERSION").hash(hasher);
        crate::stdlib::MODULES.hash(hasher);
        today.hash(hasher);
    });
    let digest = digest_of(|hasher| {
        context.hash(hasher);
        for file in &files {
            file.name.hash(hasher);
            file.digest.hash(hasher);
        }
    });
    Some(Inputs {
        digest,
        context,
        root: fleet.to_path_buf(),
        files,
    })
}

/// The digest of a fleet file's bytes: 64-bit SipHash, as Cargo fingerprints files; the
/// chance that an edit keeps it is 2^-64. One pass, where two were a tenth of a build with
/// nothing to do.
fn file_digest(bytes: &[u8]) -> String {
    let mut hasher = std::hash::DefaultHasher::new();
    bytes.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// A 128-bit digest: two independent 64-bit SipHash states over what `feed` hashes. Only this
/// binary must reproduce it, since its version is part of every build's context.
fn digest_of(feed: impl Fn(&mut std::hash::DefaultHasher)) -> String {
    let mut first = std::hash::DefaultHasher::new();
    let mut second = std::hash::DefaultHasher::new();
    1u8.hash(&mut second);
    feed(&mut first);
    feed(&mut second);
    format!("{:016x}{:016x}", first.finish(), second.finish())
}

/// The session of the whole fleet, loaded from the bytes the inputs hold: what
/// [`super::load_fleet`] loads, without reading the files again, declared as it loads
/// ([`Session::declaring`]). Each file's text is its bytes, shared, not a copy
/// ([`crate::syntax::decode_shared`]).
pub fn load(inputs: &Inputs) -> Session {
    load_some(inputs, |_| true)
}

/// The session of the fleet files `keep` takes (by their index), and the standard modules they
/// import. Files of the fleet they import but did not take are not loaded.
fn load_some(inputs: &Inputs, keep: impl Fn(usize) -> bool) -> Session {
    let mut session = Session::declaring();
    let files = inputs
        .files
        .iter()
        .enumerate()
        .filter(|(index, _)| keep(*index))
        .map(|(_, file)| (file.path.clone(), file.module.clone(), file.bytes.clone()))
        .collect();
    crate::analysis::add_modules(&mut session, files);
    let all = inputs.files.len() == session.files.len();
    super::load_imports(&mut session, all.then_some(inputs.root.as_path()));
    session
}

/// What a whole build of `inputs` records for the next one; `None` when a diagnostic is in a
/// file that a replay could not show (neither the fleet's nor a standard module).
pub fn record(inputs: &Inputs, session: &Session, analysis: &Analysis) -> Option<Record> {
    let names = fleet_names(inputs, session);
    let diagnostics = records_of(&session.diagnostics, |id| names.get(&id).copied())?;
    let facts = file_facts(session, analysis);
    let sources = inputs
        .files
        .iter()
        .map(|file| {
            let (count, communities) = facts.get(file.name.as_str()).cloned().unwrap_or_default();
            SourceRecord {
                path: file.name.clone(),
                digest: file.digest.clone(),
                count,
                communities,
            }
        })
        .collect();
    Some(Record {
        inputs: inputs.digest.clone(),
        context: inputs.context.clone(),
        sources,
        diagnostics,
    })
}

/// The files of `session` that a record can name, by id: the fleet's, and the standard
/// modules', whose texts come with hubc (see [`standard_text`]).
fn fleet_names<'a>(inputs: &Inputs, session: &'a Session) -> HashMap<FileId, &'a str> {
    let fleet: std::collections::HashSet<&str> =
        inputs.files.iter().map(|file| file.name.as_str()).collect();
    session
        .files
        .iter()
        .map(|file| (file.id, session.sources.get(file.id).name.as_str()))
        .filter(|(_, name)| fleet.contains(name) || standard_text(name).is_some())
        .collect()
}

/// The text of the standard module loading names `name` (`<std>/archetypes.hub`).
fn standard_text(name: &str) -> Option<&'static str> {
    let module = name.strip_prefix("<std>/")?.strip_suffix(".hub")?;
    crate::stdlib::module(&format!("std.{module}"))
}

/// For each fleet file of `session`, by name: how many communities it declares and, when it
/// declares nothing but communities (and imports), the clusters they are on.
fn file_facts<'a>(
    session: &'a Session,
    analysis: &Analysis,
) -> HashMap<&'a str, (usize, Option<Vec<String>>)> {
    let fleet = &analysis.fleet;
    let mut clusters: HashMap<FileId, std::collections::BTreeSet<&str>> = HashMap::new();
    for &community in &fleet.communities {
        let decl = fleet.decl(community);
        let on = decl.cluster.map_or("", |cluster| {
            analysis.names.resolve(fleet.decl(cluster).name)
        });
        clusters.entry(decl.file).or_default().insert(on);
    }
    session
        .files
        .iter()
        .map(|file| {
            let count = file.shape.n_communities;
            let only_communities = file.shape.only_communities;
            let on = clusters.get(&file.id).map_or_else(Vec::new, |on| {
                on.iter().map(|name| name.to_string()).collect()
            });
            let name = session.sources.get(file.id).name.as_str();
            (name, (count, only_communities.then_some(on)))
        })
        .collect()
}

/// A diagnostic as the record keeps it: its files by name.
#[derive(Serialize, Deserialize, Default)]
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

impl Recorded {
    /// `diagnostic` with its files named by `name_of`; `None` when one has no name.
    fn of<'a>(
        diagnostic: &Diagnostic,
        name_of: impl Fn(FileId) -> Option<&'a str>,
    ) -> Option<Recorded> {
        let mut related = Vec::with_capacity(diagnostic.related.len());
        for place in &diagnostic.related {
            let at = (place.span.start, place.span.end);
            related.push((name_of(place.file)?.to_string(), at, place.message.clone()));
        }
        Some(Recorded {
            code: diagnostic.code.clone(),
            severity: diagnostic.severity.as_str().to_string(),
            message: diagnostic.message.clone(),
            file: name_of(diagnostic.file)?.to_string(),
            span: (diagnostic.span.start, diagnostic.span.end),
            label: diagnostic.label.clone(),
            related,
            help: diagnostic.help.clone(),
        })
    }

    /// The diagnostic again, its files found by `id_of`.
    fn diagnostic(self, id_of: impl Fn(&str) -> Option<FileId>) -> Option<Diagnostic> {
        let severity = match self.severity.as_str() {
            "error" => Severity::Error,
            "warning" => Severity::Warning,
            "advice" => Severity::Advice,
            _ => return None,
        };
        let span = |(start, end): (u32, u32)| Span::new(start as usize, end as usize);
        let mut related = Vec::with_capacity(self.related.len());
        for (file, at, message) in self.related {
            related.push(Related {
                file: id_of(&file)?,
                span: span(at),
                message,
            });
        }
        Some(Diagnostic {
            code: self.code,
            severity,
            message: self.message,
            file: id_of(&self.file)?,
            span: span(self.span),
            label: self.label,
            related,
            help: self.help,
        })
    }
}

/// The records of `diagnostics`; `None` when one is in a file `name_of` does not name.
fn records_of<'a>(
    diagnostics: &[Diagnostic],
    name_of: impl Fn(FileId) -> Option<&'a str> + Copy + Sync,
) -> Option<Vec<String>> {
    use rayon::prelude::*;
    diagnostics
        .par_iter()
        .map(|diagnostic| serde_json::to_string(&Recorded::of(diagnostic, name_of)?).ok())
        .collect()
}

/// Each of `diagnostics` as [`records_of`] records it, with its record's text.
fn records_with_text<'a>(
    diagnostics: &[Diagnostic],
    name_of: impl Fn(FileId) -> Option<&'a str> + Copy + Sync,
) -> Option<Vec<(Recorded, String)>> {
    use rayon::prelude::*;
    diagnostics
        .par_iter()
        .map(|diagnostic| {
            let recorded = Recorded::of(diagnostic, name_of)?;
            let text = serde_json::to_string(&recorded).ok()?;
            Some((recorded, text))
        })
        .collect()
}

fn read_records(records: &[String]) -> Option<Vec<Recorded>> {
    use rayon::prelude::*;
    records
        .par_iter()
        .map(|record| serde_json::from_str(record).ok())
        .collect()
}

/// A session holding every fleet file's text (file `i` is the `i`th input), then the standard
/// modules `diagnostics` name, and `diagnostics`, to print.
fn session_of(inputs: &Inputs, diagnostics: Vec<Recorded>) -> Option<Session> {
    use rayon::prelude::*;
    let mut session = Session::default();
    let sources: Vec<crate::source::SourceFile> = inputs
        .files
        .par_iter()
        .map(|file| {
            let text: Arc<str> = crate::syntax::decode_shared(&file.bytes).0;
            crate::source::SourceFile::new(file.name.clone(), text)
        })
        .collect();
    let mut ids: HashMap<String, FileId> = inputs
        .files
        .iter()
        .zip(sources)
        .map(|(file, source)| (file.name.clone(), session.sources.push(source)))
        .collect();
    // The standard modules the diagnostics name, after the fleet's files.
    for recorded in &diagnostics {
        let places = std::iter::once(&recorded.file).chain(recorded.related.iter().map(|r| &r.0));
        for name in places {
            if !ids.contains_key(name)
                && let Some(text) = standard_text(name)
            {
                ids.insert(name.clone(), session.sources.add(name.clone(), text));
            }
        }
    }
    for recorded in diagnostics {
        let diagnostic = recorded.diagnostic(|name| ids.get(name).copied())?;
        session.diagnostics.push(diagnostic);
    }
    Some(session)
}

/// A session holding the fleet's files and the recorded diagnostics, to print as the build
/// that recorded them printed them; `None` when a record does not read back or names a file
/// the fleet does not have.
pub fn replay(inputs: &Inputs, records: &[String]) -> Option<Session> {
    session_of(inputs, read_records(records)?)
}
