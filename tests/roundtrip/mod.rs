//! Generated YAML fleets for the import round trip: the model of a fleet, its strategies, and
//! what Helm and Terraform read in it.

pub mod fleet;
pub mod model;
pub mod strategy;
