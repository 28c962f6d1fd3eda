//! Reports for people and machines: the drift of a fleet (`hubc drift`). The report is its own
//! output type, built from the analysis; renderers turn it into text, Markdown, JSON or HTML.

pub mod diff;
pub mod drift;
mod drift_html;
mod drift_markdown;
mod drift_text;
