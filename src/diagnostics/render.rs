//! Rendering of [`Diagnostic`] records: miette's graphical report, JSON lines, GitHub annotations.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    NamedSource, SourceCode, SourceSpan, SpanContents,
};
use serde::Serialize;

use super::{Diagnostic, Severity};
use crate::source::{SourceFile, SourceMap, Span};

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// miette's graphical report, for people.
    Human,
    /// One JSON object per line, for machines.
    Json,
    /// GitHub Actions workflow commands, which annotate pull requests.
    Github,
}

/// Renders every diagnostic in order, each ending with a newline.
pub fn render_all(
    diagnostics: &[Diagnostic],
    sources: &SourceMap,
    format: Format,
    color: bool,
) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics {
        out.push_str(&render(diagnostic, sources, format, color));
    }
    out
}

/// Renders one diagnostic.
pub fn render(diagnostic: &Diagnostic, sources: &SourceMap, format: Format, color: bool) -> String {
    match format {
        Format::Human => render_human(diagnostic, sources, color),
        Format::Json => render_json(diagnostic, sources),
        Format::Github => render_github(diagnostic, sources),
    }
}

/// Lines longer than this are not drawn: miette cannot pad a label that far (Rust's format
/// widths stop at 65,535), and nobody reads such a snippet anyway.
const LONGEST_DRAWN_LINE: usize = 10_000;

fn render_human(diagnostic: &Diagnostic, sources: &SourceMap, color: bool) -> String {
    if touches_long_line(diagnostic, sources) {
        return render_plain(diagnostic, sources);
    }
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
        .with_show_related_as_nested(true)
        .with_wrap_lines(false);
    let report = Report::new(diagnostic, sources);
    let mut out = String::new();
    if handler.render_report(&mut out, &report).is_err() {
        // Rendering only fails when writing to the string fails, which it does not; keep the
        // plain message so nothing is ever lost.
        out = format!("{}: {}\n", diagnostic.code, diagnostic.message);
    }
    out
}

fn touches_long_line(diagnostic: &Diagnostic, sources: &SourceMap) -> bool {
    let places = std::iter::once((diagnostic.file, diagnostic.span)).chain(
        diagnostic
            .related
            .iter()
            .map(|place| (place.file, place.span)),
    );
    places.into_iter().any(|(file, span)| {
        let text = &sources.get(file).text;
        let start = (span.start as usize).min(text.len());
        let line_start = text[..start].rfind('\n').map_or(0, |index| index + 1);
        let line_end = text[start..]
            .find('\n')
            .map_or(text.len(), |end| start + end);
        line_end - line_start > LONGEST_DRAWN_LINE
    })
}

/// The report without a source snippet: code, message, location and help.
fn render_plain(diagnostic: &Diagnostic, sources: &SourceMap) -> String {
    let file = sources.get(diagnostic.file);
    let at = file.line_col(diagnostic.span.start as usize);
    let mut out = format!(
        "{}\n\n  × {}\n   ─[{}:{}:{}]\n",
        diagnostic.code, diagnostic.message, file.name, at.line, at.column
    );
    if let Some(label) = &diagnostic.label {
        out.push_str(&format!("   {label}\n"));
    }
    if let Some(help) = &diagnostic.help {
        out.push_str(&format!("  help: {help}\n"));
    }
    out
}

/// Adapts a plain [`Diagnostic`] to miette, attaching its source text.
struct Report<'a> {
    diagnostic: &'a Diagnostic,
    source: CharColumns,
    related: Vec<Report<'a>>,
    label: Option<String>,
    span: Span,
    secondary: Vec<(Span, String)>,
    /// True for a location in another file, shown under the main report.
    is_related: bool,
}

impl<'a> Report<'a> {
    fn new(diagnostic: &'a Diagnostic, sources: &SourceMap) -> Report<'a> {
        let file = sources.get(diagnostic.file);
        let mut secondary = Vec::new();
        let mut related = Vec::new();
        for place in &diagnostic.related {
            if place.file == diagnostic.file {
                secondary.push((clamp(place.span, file), place.message.clone()));
            } else {
                let other = sources.get(place.file);
                related.push(Report {
                    diagnostic,
                    source: named_source(other),
                    related: Vec::new(),
                    label: Some(place.message.clone()),
                    span: clamp(place.span, other),
                    secondary: Vec::new(),
                    is_related: true,
                });
            }
        }
        Report {
            diagnostic,
            source: named_source(file),
            related,
            label: diagnostic.label.clone(),
            span: clamp(diagnostic.span, file),
            secondary,
            is_related: false,
        }
    }
}

fn named_source(file: &SourceFile) -> CharColumns {
    CharColumns(NamedSource::new(file.name.clone(), file.text.to_string()).with_language("hub"))
}

/// A source whose reported columns count characters, as the JSON and GitHub formats do;
/// miette counts bytes, which is wrong after multi-byte text.
struct CharColumns(NamedSource<String>);

impl SourceCode for CharColumns {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let contents = self
            .0
            .read_span(span, context_lines_before, context_lines_after)?;
        // Only the location header asks for a span with no context lines; the snippet renderer
        // itself walks the text and needs miette's own columns.
        if context_lines_before != 0 || context_lines_after != 0 {
            return Ok(contents);
        }
        let text = self.0.inner().as_str();
        let start = span.offset().min(text.len());
        let line_start = text[..start].rfind('\n').map_or(0, |index| index + 1);
        let column = text
            .get(line_start..start)
            .map_or(contents.column(), |line| line.chars().count());
        let mut fixed = MietteSpanContents::new_named(
            contents.name().unwrap_or_default().to_string(),
            contents.data(),
            *contents.span(),
            contents.line(),
            column,
            contents.line_count(),
        );
        if let Some(language) = contents.language() {
            fixed = fixed.with_language(language);
        }
        Ok(Box::new(fixed))
    }
}

fn clamp(span: Span, file: &SourceFile) -> Span {
    let len = file.text.len();
    Span::new((span.start as usize).min(len), (span.end as usize).min(len))
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.diagnostic.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_related {
            formatter.write_str(self.label.as_deref().unwrap_or_default())
        } else {
            formatter.write_str(&self.diagnostic.message)
        }
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        if self.is_related {
            return None;
        }
        Some(Box::new(&self.diagnostic.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Advice => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        if self.is_related {
            return None;
        }
        self.diagnostic
            .help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        if self.source.0.inner().is_empty() {
            // Problems with a file as a whole (it cannot be read, say) have no text to show.
            return None;
        }
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.source.0.inner().is_empty() {
            return None;
        }
        let primary = LabeledSpan::new_primary_with_span(
            self.label.clone(),
            (self.span.start as usize, self.span.len()),
        );
        let secondary = self.secondary.iter().map(|(span, message)| {
            LabeledSpan::new_with_span(Some(message.clone()), (span.start as usize, span.len()))
        });
        Some(Box::new(std::iter::once(primary).chain(secondary)))
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn miette::Diagnostic> + 'b>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related
                .iter()
                .map(|report| report as &dyn miette::Diagnostic),
        ))
    }
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end: JsonPosition,
    code: &'a str,
    severity: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<&'a str>,
    help: Option<&'a str>,
    related: Vec<JsonRelated<'a>>,
}

#[derive(Serialize)]
struct JsonPosition {
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end: JsonPosition,
    message: &'a str,
}

fn render_json(diagnostic: &Diagnostic, sources: &SourceMap) -> String {
    let file = sources.get(diagnostic.file);
    let start = file.line_col(diagnostic.span.start as usize);
    let end = file.line_col(diagnostic.span.end as usize);
    let related = diagnostic
        .related
        .iter()
        .map(|place| {
            let other = sources.get(place.file);
            let start = other.line_col(place.span.start as usize);
            let end = other.line_col(place.span.end as usize);
            JsonRelated {
                file: &other.name,
                line: start.line,
                column: start.column,
                end: JsonPosition {
                    line: end.line,
                    column: end.column,
                },
                message: &place.message,
            }
        })
        .collect();
    let record = JsonDiagnostic {
        file: &file.name,
        line: start.line,
        column: start.column,
        end: JsonPosition {
            line: end.line,
            column: end.column,
        },
        code: &diagnostic.code,
        severity: diagnostic.severity.as_str(),
        message: &diagnostic.message,
        label: diagnostic.label.as_deref(),
        help: diagnostic.help.as_deref(),
        related,
    };
    let mut line = serde_json::to_string(&record).expect("diagnostics serialize to JSON");
    line.push('\n');
    line
}

fn render_github(diagnostic: &Diagnostic, sources: &SourceMap) -> String {
    let file = sources.get(diagnostic.file);
    let start = file.line_col(diagnostic.span.start as usize);
    let end = file.line_col(diagnostic.span.end as usize);
    let command = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Advice => "notice",
    };
    let mut message = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!(
        "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
        escape_property(&file.name),
        start.line,
        start.column,
        end.line,
        end.column,
        escape_property(&diagnostic.code),
        escape_data(&message),
    )
}

/// Escapes the message of a workflow command, as the GitHub Actions toolkit does.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value of a workflow command, as the GitHub Actions toolkit does.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}
