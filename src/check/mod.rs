//! Checking: the schema, types and quantities, cross-field constraints, and policy and drift.

pub mod error;
pub mod policy;
pub mod quantity;
pub mod schema;
pub mod typecheck;

pub use error::{CheckError, PolicyError};
