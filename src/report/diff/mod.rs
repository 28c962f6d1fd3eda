//! The diff of a fleet between two versions (`hubc diff`). The model, built from the two sides,
//! is `model.rs`, with what changes in every emitted file in `files.rs` and how drift moves in
//! `drift.rs`, and the credentials masked out of it in `redact.rs`; the renderers sit beside it: `render.rs` (what they share, JSON and GitHub
//! annotations), `text.rs`, and `markdown/` for the pull-request comment. The model uses no
//! renderer.

mod drift;
mod files;
mod markdown;
mod model;
mod redact;
mod render;
mod text;

pub use markdown::markdown;
pub use model::{
    ArchetypeChange, BespokeChange, BudgetChange, DeclarationChange, DiffReport, DiffTotals,
    DriftDiff, FileDiff, Place, SCHEMA_VERSION, SecretChange, Side, StaleOverride, ValueChange,
    build, exit_code,
};
pub use render::{github, json};
pub use text::text;
