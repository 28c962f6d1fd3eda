//! Reports for people and machines: the drift of a fleet (`hubc drift`) and the diff of two
//! versions of it (`hubc diff`). Each report is its own output type, built from analyses;
//! renderers turn it into text, Markdown, JSON, HTML or GitHub annotations.

pub mod diff;
pub mod drift;
mod drift_edits;
pub mod drift_html;
mod drift_html_charts;
mod drift_html_data;
pub mod drift_markdown;
pub mod drift_text;
