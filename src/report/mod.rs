//! Reports for people and machines: the drift of a fleet (`hubc drift`) and the diff of two
//! versions of it (`hubc diff`). Each report is its own output type, built from analyses;
//! renderers turn it into text, Markdown, JSON, HTML or GitHub annotations.

pub mod diff;
pub mod doc;
pub mod drift;
