//! Checking: types and quantities against the schema, cross-field constraints, and policy and
//! drift.

pub mod credential;
pub mod error;
pub mod policy;
pub mod schedule;
pub mod typecheck;

// The schema sits below resolution; checking uses it under its old paths.
pub use crate::schema;
pub use crate::schema::quantity;

pub use error::{CheckError, PolicyError};
