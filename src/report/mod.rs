//! Reports for people and machines: the drift of a fleet (`hubc drift`) and the diff of two
//! versions of it (`hubc diff`). Each report is its own output type, built from analyses;
//! renderers turn it into text, Markdown, JSON, HTML or GitHub annotations.

pub mod diff;
pub mod drift;

// The renderers of the drift report under the names they had before they moved into `drift/`,
// which the command line still calls them by.
pub use drift::html as drift_html;
pub use drift::markdown as drift_markdown;
pub use drift::text as drift_text;
