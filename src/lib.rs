//! hubc: a compiler for `.hub` files, one typed source for a fleet of JupyterHubs.
//!
//! The pipeline is load -> parse -> resolve -> check -> emit. [`driver`] does the IO; every
//! other module works on text and data.

pub mod diagnostics;
pub mod driver;
pub mod format;
pub mod source;
pub mod syntax;
