//! The drift report (`hubc drift`): the model, built from an analysis, in `model.rs` with the
//! edits it proposes in `edits.rs`; a renderer per format beside it (`text.rs`, `markdown.rs`,
//! `html/`), and what the renderers share in `render.rs`. The model uses no renderer.

mod edits;
pub mod html;
pub mod markdown;
mod model;
mod render;
mod sarif;
pub mod text;

pub use sarif::sarif;

pub use model::{
    ArchetypeReport, Candidate, CommunityReport, DriftReport, Edit, Located, OverrideReport,
    PathCount, SCHEMA_VERSION, Target, Totals, build, distance, fails_check, json,
};
