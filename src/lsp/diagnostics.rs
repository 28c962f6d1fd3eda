//! `hubc check`'s diagnostics as the protocol carries them: the same code, message, related
//! places and help, for every file of a fleet, and an empty list for a file whose problems are
//! gone.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::{
    CodeDescription, Diagnostic as LspDiagnostic, DiagnosticRelatedInformation, DiagnosticSeverity,
    Location, NumberOrString, Uri,
};

use super::text::{Encoding, LineIndex, uri_of};
use super::workspace::Fleet;
use crate::diagnostics::{Diagnostic, Severity};
use crate::source::{FileId, SourceMap};

/// At most this many diagnostics are sent for one file: a file of garbage has one per line, and
/// the first ones say what is wrong.
const MAX_PER_FILE: usize = 500;

/// Where the catalogue of diagnostic codes is: each code links to its entry.
pub fn catalogue() -> String {
    concat!(
        "file://",
        env!("CARGO_MANIFEST_DIR"),
        "/lang/diagnostics.md"
    )
    .to_string()
}

/// The diagnostics to publish for `fleet`, by path: those of each open file (the list may be
/// empty), and those of every other file whose list changed since it was last published, a file
/// whose problems are gone getting an empty list.
pub fn of_fleet<'p>(
    fleet: &mut Fleet,
    open: impl Iterator<Item = &'p Path>,
    encoding: Encoding,
    catalogue: &str,
) -> Vec<(PathBuf, Vec<LspDiagnostic>)> {
    let paths = fleet.paths();
    let mut by_path: BTreeMap<PathBuf, Vec<&Diagnostic>> = BTreeMap::new();
    let mut open_paths = BTreeSet::new();
    for path in open {
        if fleet.file(path).is_some() {
            by_path.insert(path.to_path_buf(), Vec::new());
            open_paths.insert(path.to_path_buf());
        }
    }
    for diagnostic in &fleet.session.diagnostics {
        if let Some(path) = paths.get(&diagnostic.file) {
            by_path.entry(path.clone()).or_default().push(diagnostic);
        }
    }
    let mut lines = Lines {
        sources: &fleet.session.sources,
        encoding,
        indexes: HashMap::new(),
    };
    let mut published = BTreeMap::new();
    let mut out = Vec::new();
    for (path, diagnostics) in by_path {
        let diagnostics: Vec<Diagnostic> = diagnostics
            .into_iter()
            .take(MAX_PER_FILE)
            .cloned()
            .collect();
        // Unchanged records are not converted again: a fleet-wide edit costs what it changed.
        let changed = fleet.published.remove(&path).as_ref() != Some(&diagnostics);
        if changed || open_paths.contains(&path) {
            let converted = diagnostics
                .iter()
                .map(|diagnostic| convert(diagnostic, &mut lines, &paths, catalogue))
                .collect();
            out.push((path.clone(), converted));
        }
        if !diagnostics.is_empty() {
            published.insert(path, diagnostics);
        }
    }
    // What is left was published with problems that are gone.
    for (path, _) in std::mem::replace(&mut fleet.published, published) {
        out.push((path, Vec::new()));
    }
    out
}

/// The line index of each file, made once.
struct Lines<'a> {
    sources: &'a SourceMap,
    encoding: Encoding,
    indexes: HashMap<FileId, LineIndex<'a>>,
}

impl Lines<'_> {
    fn range(&mut self, file: FileId, span: crate::source::Span) -> lsp_types::Range {
        let (sources, encoding) = (self.sources, self.encoding);
        self.indexes
            .entry(file)
            .or_insert_with(|| LineIndex::new(&sources.get(file).text, encoding))
            .range(span)
    }
}

fn convert(
    diagnostic: &Diagnostic,
    lines: &mut Lines<'_>,
    paths: &HashMap<FileId, PathBuf>,
    catalogue: &str,
) -> LspDiagnostic {
    let mut message = diagnostic.message.clone();
    if let Some(label) = diagnostic
        .label
        .as_ref()
        .filter(|label| **label != diagnostic.message)
    {
        message.push_str(&format!(" ({label})"));
    }
    if let Some(help) = &diagnostic.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = diagnostic
        .related
        .iter()
        .filter_map(|related| {
            let path = paths.get(&related.file)?;
            Some(DiagnosticRelatedInformation {
                location: Location::new(uri_of(path)?, lines.range(related.file, related.span)),
                message: related.message.clone(),
            })
        })
        .collect();
    let anchor: String = diagnostic
        .code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    LspDiagnostic {
        range: lines.range(diagnostic.file, diagnostic.span),
        severity: Some(match diagnostic.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Advice => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(diagnostic.code.clone())),
        code_description: Uri::from_str(&format!("{catalogue}#{anchor}"))
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some("hubc".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}
