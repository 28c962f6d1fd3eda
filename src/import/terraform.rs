//! Terraform's own files, for the importer: variables files (`.tfvars`, read by `hcl/`) and a
//! module's `variables.tf`, turned into a `.hub` schema.

pub use super::hcl::{HclError, HclErrorKind, parse_tfvars};
