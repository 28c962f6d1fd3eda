//! SARIF 2.1.0 (the OASIS Static Analysis Results Interchange Format), which code-scanning views
//! read: one log of one run, whose tool is hubc, with a rule for each code reported and a result
//! for each finding, placed by file, line and column (columns count Unicode code points).

use serde_json::{Value, json};

use super::{Diagnostic, Severity};
use crate::source::SourceMap;

/// Where a finding is: a file as the fleet names it, and a range of lines and columns, from 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub file: String,
    pub start: (usize, usize),
    pub end: (usize, usize),
}

/// One result of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule: a diagnostic's code, or a report's kind of finding.
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    pub place: Place,
    /// Other places that explain it, each with what it is.
    pub related: Vec<(Place, String)>,
}

/// The findings of diagnostics: each message with its help, at its primary span, with its
/// related places.
pub fn findings(diagnostics: &[Diagnostic], sources: &SourceMap) -> Vec<Finding> {
    let place = |file, span: crate::source::Span| {
        let source = sources.get(file);
        let start = source.line_col(span.start as usize);
        let end = source.line_col(span.end as usize);
        Place {
            file: source.name.clone(),
            start: (start.line, start.column),
            end: (end.line, end.column),
        }
    };
    diagnostics
        .iter()
        .map(|diagnostic| {
            let mut message = diagnostic.message.clone();
            if let Some(help) = &diagnostic.help {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            Finding {
                rule: diagnostic.code.clone(),
                severity: diagnostic.severity,
                message,
                place: place(diagnostic.file, diagnostic.span),
                related: diagnostic
                    .related
                    .iter()
                    .map(|related| (place(related.file, related.span), related.message.clone()))
                    .collect(),
            }
        })
        .collect()
}

/// The SARIF log of `findings`, in their order, as one JSON document with a final newline.
/// `rules` describes the rules that are not diagnostic codes (`lang/diagnostics.md` documents
/// those), by id.
pub fn log(findings: &[Finding], rules: &[(&str, &str)]) -> String {
    let mut ids: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let rule_index = |id: &str| ids.binary_search(&id).unwrap_or_default();
    let described: Vec<Value> = ids
        .iter()
        .map(|&id| {
            let text = rules.iter().find(|(rule, _)| *rule == id).map_or_else(
                || format!("hubc diagnostic `{id}` (lang/diagnostics.md)"),
                |(_, text)| text.to_string(),
            );
            json!({
                "id": id,
                "shortDescription": { "text": text },
            })
        })
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|finding| {
            let mut result = json!({
                "ruleId": finding.rule,
                "ruleIndex": rule_index(&finding.rule),
                "level": level(finding.severity),
                "message": { "text": finding.message },
                "locations": [location(&finding.place)],
            });
            if !finding.related.is_empty() {
                result["relatedLocations"] = finding
                    .related
                    .iter()
                    .enumerate()
                    .map(|(index, (place, message))| {
                        let mut related = location(place);
                        related["id"] = json!(index);
                        related["message"] = json!({ "text": message });
                        related
                    })
                    .collect();
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "hubc",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": described,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).expect("a SARIF log serializes");
    text.push('\n');
    text
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Advice => "note",
    }
}

fn location(place: &Place) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri(&place.file) },
            "region": {
                "startLine": place.start.0,
                "startColumn": place.start.1,
                "endLine": place.end.0,
                "endColumn": place.end.1,
            }
        }
    })
}

/// A file name as a relative URI reference: `/` separated, `./` dropped, and every byte that a
/// URI may not hold as it is percent-encoded (`<std>/platform.hub` is `%3Cstd%3E/platform.hub`).
fn uri(file: &str) -> String {
    let file = file.replace('\\', "/");
    let file = file.strip_prefix("./").unwrap_or(&file);
    let mut text = String::with_capacity(file.len());
    for byte in file.bytes() {
        let plain = byte.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&byte);
        if plain {
            text.push(byte as char);
        } else {
            text.push_str(&format!("%{byte:02X}"));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_become_uri_references() {
        assert_eq!(uri("./clusters/leap/prod.hub"), "clusters/leap/prod.hub");
        assert_eq!(uri("<std>/platform.hub"), "%3Cstd%3E/platform.hub");
        assert_eq!(uri("a b/ü.hub"), "a%20b/%C3%BC.hub");
    }
}
