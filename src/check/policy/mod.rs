//! Policy and drift: every value a community sets (itself or through a mixin) is classified as
//! tuned, bespoke, redundant, a violation or expired, against its archetype's policy.
//!
//! This file holds the classes and the drift of a community. `classify.rs` classifies every
//! community, `rules.rs` gathers the effective rules of an archetype chain, `fit.rs` measures a
//! community against another archetype, `validate.rs` checks the policy statements themselves,
//! and `days.rs` reads the dates of `@expires`.

mod classify;
mod days;
mod fit;
mod rules;
mod validate;

use crate::intern::Symbol;
use crate::resolve::lower::Notes;
use crate::resolve::value::{DeclId, Node, Origin};
use crate::source::Loc;

pub use classify::classify;
pub use days::{parse_day, today};
pub use fit::{Fit, fit};
pub(crate) use rules::{Effective, Rule};
pub use validate::validate;

/// How a value a community ends up with relates to its archetype.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// Not set by the community or its mixins.
    Inherited,
    /// Set on a path the archetype makes tunable, within its bounds.
    Tuned,
    /// Set on a path the archetype does not make tunable.
    Bespoke,
    /// Set on an identity path: what each community sets for itself, never drift.
    Identity,
    /// Set to the value it would inherit anyway.
    Redundant,
    /// Set on a locked path, out of bounds, or under a floor.
    Violation,
    /// Past its `@expires` date.
    Expired,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Inherited => "inherited",
            Class::Tuned => "tuned",
            Class::Bespoke => "bespoke",
            Class::Identity => "identity",
            Class::Redundant => "redundant",
            Class::Violation => "violation",
            Class::Expired => "expired",
        }
    }
}

/// One value a community sets, through its own statements or a mixin's.
#[derive(Debug, Clone)]
pub struct Override {
    pub path: Vec<Symbol>,
    /// The value set, or `None` for a `delete`.
    pub value: Option<Node>,
    /// What the archetype chain gives at this path.
    pub base: Option<Node>,
    pub class: Class,
    /// The mixin or the community that sets it.
    pub layer: DeclId,
    pub origin: Origin,
    /// The statement that sets it: one statement may set several values (a map, an image).
    pub statement: Origin,
    /// Shared with the statement's operation.
    pub notes: std::sync::Arc<Notes>,
    /// `+=` rather than `=`.
    pub appends: bool,
}

/// The drift of one community.
#[derive(Debug, Clone)]
pub struct CommunityDrift {
    pub community: DeclId,
    pub archetype: Option<DeclId>,
    /// Sorted by path.
    pub overrides: Vec<Override>,
    /// Values inherited unchanged.
    pub n_inherited: usize,
    /// The bespoke budget of its archetype and where it is declared.
    pub budget: Option<(i64, Loc)>,
}

impl CommunityDrift {
    pub fn count(&self, class: Class) -> usize {
        self.overrides.iter().filter(|o| o.class == class).count()
    }

    /// The classification of the value at `path`, if the community sets it.
    pub fn class_of(&self, path: &[Symbol]) -> Class {
        self.overrides
            .iter()
            .find(|o| o.path == path)
            .map_or(Class::Inherited, |o| o.class)
    }
}

/// A calendar day, for `@expires`.
pub type Day = (u16, u8, u8);
