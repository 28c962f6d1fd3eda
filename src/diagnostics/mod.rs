//! The plain diagnostic record every phase's errors become, and the renderers that print it.
//!
//! Each phase owns an error enum deriving `miette::Diagnostic`. [`Diagnostic::from_miette`] is
//! the one conversion from those enums to a [`Diagnostic`]; `--format human|json|github` and
//! the editor server all start from that record, so an error is never mapped twice.

mod render;
pub mod sarif;
pub mod suggest;

pub use render::{Format, escape_data, escape_property, render, render_all, render_limited};

use crate::source::{FileId, Loc, Span};

/// An error that knows its places: where it is, with the primary label's text, and the other
/// places that explain it. Implemented by the errors of phases that span files.
pub trait Located {
    fn primary(&self) -> (Loc, Option<String>);
    fn related(&self) -> Vec<(Loc, String)> {
        Vec::new()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Advice,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Advice => "advice",
        }
    }
}

/// A diagnostic as data: where it is, what it says, and which other places explain it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// A stable namespaced code such as `hub::syntax::unexpected_token`.
    pub code: String,
    pub severity: Severity,
    pub message: String,
    pub file: FileId,
    pub span: Span,
    /// The text of the primary label: what is wrong at `span`.
    pub label: Option<String>,
    /// Secondary places that say why.
    pub related: Vec<Related>,
    /// A sentence naming the action that fixes it.
    pub help: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub file: FileId,
    pub span: Span,
    pub message: String,
}

impl Diagnostic {
    /// Converts any phase error into the plain record. The first primary label (or the first
    /// label) becomes the diagnostic's location; the other labels become related locations in
    /// the same file.
    pub fn from_miette(file: FileId, error: &dyn miette::Diagnostic) -> Diagnostic {
        let code = error
            .code()
            .map(|code| code.to_string())
            .unwrap_or_else(|| "hub::internal".to_string());
        let severity = match error.severity() {
            Some(miette::Severity::Warning) => Severity::Warning,
            Some(miette::Severity::Advice) => Severity::Advice,
            _ => Severity::Error,
        };
        let labels: Vec<miette::LabeledSpan> = error.labels().into_iter().flatten().collect();
        let primary_index = labels.iter().position(|label| label.primary()).unwrap_or(0);
        let mut span = Span::default();
        let mut label = None;
        let mut related = Vec::new();
        for (index, labeled) in labels.iter().enumerate() {
            let labeled_span = Span::new(labeled.offset(), labeled.offset() + labeled.len());
            if index == primary_index {
                span = labeled_span;
                label = labeled.label().map(str::to_string);
            } else {
                related.push(Related {
                    file,
                    span: labeled_span,
                    message: labeled.label().unwrap_or_default().to_string(),
                });
            }
        }
        Diagnostic {
            code,
            severity,
            message: error.to_string(),
            file,
            span,
            label,
            related,
            help: error.help().map(|help| help.to_string()),
        }
    }

    /// Converts a phase error whose places may lie in several files. The error says where it
    /// is and which other places explain it; everything else comes from its miette derive.
    pub fn from_located(error: &(impl miette::Diagnostic + Located)) -> Diagnostic {
        let (primary, label) = error.primary();
        let mut diagnostic = Diagnostic::from_miette(primary.file, error);
        diagnostic.span = primary.span;
        diagnostic.label = label;
        diagnostic.related = Located::related(error)
            .into_iter()
            .map(|(place, message)| Related {
                file: place.file,
                span: place.span,
                message,
            })
            .collect();
        diagnostic
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Whether it was found reading and parsing the files, before any analysis.
    pub fn is_from_loading(&self) -> bool {
        self.code.starts_with("hub::syntax::")
            || self.code.starts_with("hub::io::")
            || self.code == "hub::resolve::import_outside_fleet"
    }
}

/// Puts diagnostics in the order they are reported, whatever order they were found in: those
/// of loading first, file by file, each file's in the order found; then those of analysis, then
/// those only building finds (`hub::emit::*`), each by file and place, then code and text,
/// without repeats (a problem found once per community, in a mixin say, is reported once). A
/// build that reuses part of an earlier one reports in the same order as a build from scratch.
pub fn sort_canonically(diagnostics: &mut Vec<Diagnostic>) {
    sort_canonically_with(diagnostics, |diagnostic| diagnostic);
}

/// [`sort_canonically`] for things that each hold a diagnostic, which `of` gives.
pub fn sort_canonically_with<T>(items: &mut Vec<T>, of: impl Fn(&T) -> &Diagnostic) {
    fn phase(d: &Diagnostic) -> u8 {
        if d.is_from_loading() {
            0
        } else if d.code.starts_with("hub::emit::") {
            2
        } else {
            1
        }
    }
    fn related(d: &Diagnostic) -> impl Iterator<Item = (FileId, u32, u32, &str)> {
        d.related
            .iter()
            .map(|r| (r.file, r.span.start, r.span.end, r.message.as_str()))
    }
    fn compare(left: &Diagnostic, right: &Diagnostic) -> std::cmp::Ordering {
        let by_phase = (phase(left), left.file).cmp(&(phase(right), right.file));
        if by_phase.is_ne() || left.is_from_loading() {
            return by_phase;
        }
        (left.span.start, left.span.end, &left.code, &left.message)
            .cmp(&(
                right.span.start,
                right.span.end,
                &right.code,
                &right.message,
            ))
            .then_with(|| left.severity.cmp(&right.severity))
            .then_with(|| (&left.label, &left.help).cmp(&(&right.label, &right.help)))
            .then_with(|| related(left).cmp(related(right)))
    }
    items.sort_by(|left, right| compare(of(left), of(right)));
    items.dedup_by(|right, left| {
        let (left, right) = (of(left), of(right));
        !left.is_from_loading() && left == right
    });
}

/// Counts of diagnostics by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub errors: usize,
    pub warnings: usize,
}

impl Tally {
    pub fn of<'a>(diagnostics: impl IntoIterator<Item = &'a Diagnostic>) -> Tally {
        let mut tally = Tally::default();
        for diagnostic in diagnostics {
            match diagnostic.severity {
                Severity::Error => tally.errors += 1,
                Severity::Warning => tally.warnings += 1,
                Severity::Advice => {}
            }
        }
        tally
    }
}
