//! hubc: a compiler for `.hub` files, one typed source for a fleet of JupyterHubs.
//!
//! The pipeline is load -> parse -> resolve -> check -> emit. [`driver`] does the IO; every
//! other module works on text and data.
//!
//! Parsing never fails: it returns a tree and every syntax error found.
//!
//! ```
//! let parsed = hubc::syntax::parse("platform basehub {\n  jupyterhub.cull.timeout = 1h\n}\n");
//! assert!(parsed.errors.is_empty());
//! assert_eq!(parsed.file.items.len(), 1);
//!
//! let broken = hubc::syntax::parse("platform basehub {\n  memory = 4GiBB\n}\n");
//! let codes: Vec<String> = broken
//!     .errors
//!     .iter()
//!     .map(|error| miette::Diagnostic::code(error).unwrap().to_string())
//!     .collect();
//! assert_eq!(codes, ["hub::syntax::unknown_unit"]);
//!
//! // The formatter prints the canonical layout of a file that parsed cleanly.
//! let text = "platform basehub {\n    jupyterhub.cull.timeout=1h\n}";
//! let formatted = hubc::format::format(text, &hubc::syntax::parse(text).file);
//! assert_eq!(formatted, "platform basehub {\n  jupyterhub.cull.timeout = 1h\n}\n");
//! ```

pub mod analysis;
pub mod check;
pub mod diagnostics;
pub mod driver;
pub mod emit;
pub mod explain;
pub mod format;
pub mod import;
pub mod intern;
pub mod lsp;
pub mod report;
pub mod resolve;
pub mod scaffold;
pub mod schema;
pub mod source;
pub mod stdlib;
pub mod syntax;
pub mod timings;
