//! Rendering of [`Diagnostic`] records: miette's graphical report, JSON lines, GitHub annotations.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
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
    /// One SARIF 2.1.0 log of them all, for code-scanning views.
    Sarif,
}

/// Renders every diagnostic in order, each ending with a newline.
pub fn render_all(
    diagnostics: &[Diagnostic],
    sources: &SourceMap,
    format: Format,
    color: bool,
) -> String {
    if format == Format::Sarif {
        return super::sarif::log(&super::sarif::findings(diagnostics, sources), &[]);
    }
    let masked = masked_credentials(diagnostics, sources, format);
    let sources = masked.as_ref().unwrap_or(sources);
    let shown: Vec<&Diagnostic> = diagnostics.iter().collect();
    render_each(&shown, sources, format, color)
}

/// Renders each diagnostic on every core (each report is made on its own), joined in order.
fn render_each(
    diagnostics: &[&Diagnostic],
    sources: &SourceMap,
    format: Format,
    color: bool,
) -> String {
    use rayon::prelude::*;
    let rendered: Vec<String> = diagnostics
        .par_iter()
        .map(|diagnostic| render(diagnostic, sources, format, color))
        .collect();
    rendered.concat()
}

/// The codes whose primary span is a credential: human reports, which quote the source around
/// every diagnostic, show it masked (for this diagnostic and any other whose snippet reaches
/// it), so that a log never repeats it.
const CREDENTIAL_CODES: &[&str] = &["hub::check::literal_secret"];

/// The sources with every credential masked, when human reports are to quote any.
fn masked_credentials(
    diagnostics: &[Diagnostic],
    sources: &SourceMap,
    format: Format,
) -> Option<SourceMap> {
    let spans: Vec<(crate::source::FileId, crate::source::Span)> = diagnostics
        .iter()
        .filter(|d| CREDENTIAL_CODES.contains(&d.code.as_str()))
        .map(|d| (d.file, d.span))
        .collect();
    (format == Format::Human && !spans.is_empty()).then(|| sources.masked(&spans))
}

/// Renders diagnostics for people, showing at most `limit` warnings (or advice) of any one code
/// in full and counting the rest in one line per code at the end; errors are always shown, and
/// a `limit` of 0 shows everything. The machine formats are never limited: they go to
/// [`render_all`].
pub fn render_limited(
    diagnostics: &[Diagnostic],
    sources: &SourceMap,
    format: Format,
    color: bool,
    limit: usize,
) -> String {
    if format != Format::Human || limit == 0 {
        return render_all(diagnostics, sources, format, color);
    }
    let masked = masked_credentials(diagnostics, sources, format);
    let sources = masked.as_ref().unwrap_or(sources);
    let mut shown: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    // Codes past the limit, in the order their first hidden diagnostic came.
    let mut hidden: Vec<(&str, usize)> = Vec::new();
    let mut kept: Vec<&Diagnostic> = Vec::new();
    for diagnostic in diagnostics {
        if !diagnostic.is_error() {
            let count = shown.entry(&diagnostic.code).or_default();
            if *count >= limit {
                match hidden.iter_mut().find(|(code, _)| *code == diagnostic.code) {
                    Some((_, n)) => *n += 1,
                    None => hidden.push((&diagnostic.code, 1)),
                }
                continue;
            }
            *count += 1;
        }
        kept.push(diagnostic);
    }
    let mut out = render_each(&kept, sources, Format::Human, color);
    for (code, n) in hidden {
        let kind = if n == 1 { "warning" } else { "warnings" };
        out.push_str(&format!(
            "{code}: {n} more {kind} not shown ({limit} shown; `--warning-limit 0` shows all, \
             `--format json` lists all)\n"
        ));
    }
    out
}

/// Renders one diagnostic.
pub fn render(diagnostic: &Diagnostic, sources: &SourceMap, format: Format, color: bool) -> String {
    match format {
        Format::Human => render_human(diagnostic, sources, color),
        Format::Json => render_json(diagnostic, sources),
        Format::Github => render_github(diagnostic, sources),
        Format::Sarif => super::sarif::log(
            &super::sarif::findings(std::slice::from_ref(diagnostic), sources),
            &[],
        ),
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
    source: Excerpts<'a>,
    related: Vec<Report<'a>>,
    label: Option<String>,
    span: Span,
    secondary: Vec<(Span, String)>,
    /// True for a location in another file, shown under the main report.
    is_related: bool,
}

impl<'a> Report<'a> {
    fn new(diagnostic: &'a Diagnostic, sources: &'a SourceMap) -> Report<'a> {
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
                    source: Excerpts::new(other),
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
            source: Excerpts::new(file),
            related,
            label: diagnostic.label.clone(),
            span: clamp(diagnostic.span, file),
            secondary,
            is_related: false,
        }
    }
}

/// A file's text as miette reads it. miette finds a span's lines by scanning the text from its
/// start, which made rendering cost the size of the file for every diagnostic; here the lines
/// around the span are cut out with the file's line index first and only they are scanned, with
/// the line numbers put back, so a diagnostic costs the size of its snippet. Reported columns
/// count characters, as the JSON and GitHub formats do; miette counts bytes.
struct Excerpts<'a> {
    file: &'a SourceFile,
    /// Where each line starts as miette counts lines (a lone carriage return ends one too).
    starts: &'a [u32],
}

impl<'a> Excerpts<'a> {
    fn new(file: &'a SourceFile) -> Excerpts<'a> {
        Excerpts {
            file,
            starts: file.break_starts(),
        }
    }

    fn is_empty(&self) -> bool {
        self.file.text.is_empty()
    }

    /// The 0-based line `offset` is on.
    fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&(offset as u32)) {
            Ok(index) => index,
            Err(index) => index - 1,
        }
    }

    /// The part of the text that holds the lines of `span` and `before` and `after` more, with
    /// a line to spare after them: where it starts and ends, and its first line's number.
    fn window(&self, span: &SourceSpan, before: usize, after: usize) -> (usize, usize, usize) {
        let text = &self.file.text;
        let start = span.offset().min(text.len());
        let end = (span.offset() + span.len()).min(text.len());
        // miette decides where a span ends one byte before its end: for an empty span at the
        // start of a line, on the line break before it, which the window must then hold.
        let anchor = start.min(end.saturating_sub(1));
        let first_line = self.line_of(anchor).saturating_sub(before);
        let last_line = self.line_of(end) + after + 2;
        let at = |line: usize| self.starts.get(line).map(|&start| start as usize);
        let window_start = at(first_line).unwrap_or(0);
        let window_end = at(last_line).unwrap_or(text.len());
        (window_start, window_end, first_line)
    }
}

impl SourceCode for Excerpts<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let text: &'b str = &self.file.text;
        let (window_start, window_end, first_line) =
            self.window(span, context_lines_before, context_lines_after);
        let window = &text[window_start..window_end];
        let in_window = SourceSpan::new((span.offset() - window_start).into(), span.len());
        let contents = window.read_span(&in_window, context_lines_before, context_lines_after)?;
        let found = contents.span();
        let data_start = window_start + found.offset();
        // Only the location header asks for a span with no context lines; the snippet renderer
        // itself walks the text and needs miette's own columns.
        let column = if context_lines_before == 0 && context_lines_after == 0 {
            let start = span.offset().min(text.len());
            let line_start = text[..start].rfind('\n').map_or(0, |index| index + 1);
            text.get(line_start..start)
                .map_or(contents.column(), |line| line.chars().count())
        } else {
            contents.column()
        };
        let fixed = MietteSpanContents::new_named(
            self.file.name.clone(),
            &text.as_bytes()[data_start..data_start + found.len()],
            SourceSpan::new(data_start.into(), found.len()),
            contents.line() + first_line,
            column,
            contents.line_count() + first_line,
        )
        .with_language("hub");
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
        if self.source.is_empty() {
            // Problems with a file as a whole (it cannot be read, say) have no text to show.
            return None;
        }
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.source.is_empty() {
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Texts of short lines of a few kinds of characters, with every kind of line break.
    fn text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just("a"),
                Just("bc = 1"),
                Just("é"),
                Just(" "),
                Just("\n"),
                Just("\n"),
                Just("\r\n"),
                Just("\r"),
                Just("\n\n"),
            ],
            0..60,
        )
        .prop_map(|pieces| pieces.concat())
    }

    fn warning(code: &str, severity: Severity, file: crate::source::FileId) -> Diagnostic {
        Diagnostic {
            code: code.to_string(),
            severity,
            message: format!("a {code}"),
            file,
            span: Span::new(0, 1),
            label: None,
            related: Vec::new(),
            help: None,
        }
    }

    #[test]
    fn past_the_limit_warnings_of_one_code_are_counted_and_errors_always_shown() {
        let mut sources = SourceMap::new();
        let file = sources.add("f.hub", "x = 1\n");
        let mut found = Vec::new();
        for _ in 0..5 {
            found.push(warning("hub::a", Severity::Warning, file));
            found.push(warning("hub::e", Severity::Error, file));
        }
        found.push(warning("hub::b", Severity::Advice, file));
        let limited = render_limited(&found, &sources, Format::Human, false, 2);
        assert_eq!(limited.matches("a hub::a").count(), 2);
        assert_eq!(limited.matches("a hub::e").count(), 5);
        assert_eq!(limited.matches("a hub::b").count(), 1);
        assert!(limited.ends_with(
            "hub::a: 3 more warnings not shown (2 shown; `--warning-limit 0` shows all, \
             `--format json` lists all)\n"
        ));
        // No limit, and the machine formats, show all.
        let all = render_all(&found, &sources, Format::Human, false);
        assert_eq!(
            render_limited(&found, &sources, Format::Human, false, 0),
            all
        );
        assert_eq!(all.matches("a hub::a").count(), 5);
        let json = render_limited(&found, &sources, Format::Json, false, 2);
        assert_eq!(json.lines().count(), found.len());
    }

    proptest! {
        // Cheap cases, and the edge ones (an empty span at a line start, a lone carriage
        // return) are rare among them: many are run.
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// The excerpt reader gives miette what its own reader of the whole text gives: the
        /// same snippet, place, line and line count (columns are the reader's own only where
        /// snippets are drawn).
        #[test]
        fn excerpts_read_as_the_whole_text_does(
            text in text(),
            start in 0usize..400,
            len in 0usize..40,
            before in 0usize..3,
            after in 0usize..3,
        ) {
            let start = start.min(text.len());
            let end = (start + len).min(text.len());
            prop_assume!(text.is_char_boundary(start) && text.is_char_boundary(end));
            let file = SourceFile::new("f.hub", text.as_str());
            let span = SourceSpan::new(start.into(), end - start);
            let whole = text.as_str().read_span(&span, before, after);
            let excerpts = Excerpts::new(&file);
            let excerpt = excerpts.read_span(&span, before, after);
            match (whole, excerpt) {
                (Ok(whole), Ok(excerpt)) => {
                    prop_assert_eq!(whole.data(), excerpt.data());
                    prop_assert_eq!(whole.span(), excerpt.span());
                    prop_assert_eq!(whole.line(), excerpt.line());
                    prop_assert_eq!(whole.line_count(), excerpt.line_count());
                    if before != 0 || after != 0 {
                        prop_assert_eq!(whole.column(), excerpt.column());
                    }
                }
                (whole, excerpt) => prop_assert_eq!(whole.is_ok(), excerpt.is_ok()),
            }
        }
    }
}
