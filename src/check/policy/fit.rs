//! How well a community fits another archetype's policy, which places imported hubs.

use super::classify::Scope;
use super::rules::Effective;
use super::{Class, Day};
use crate::check::schema::Schema;
use crate::intern::Interner;
use crate::resolve::Fleet;
use crate::resolve::value::{DeclId, Node};

/// How well a community fits an archetype: what its overrides would be under that archetype's
/// policy, measured against the values it inherits now. Used to place imported hubs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Fit {
    /// Violations and expired overrides: errors, so a hub with any does not fit.
    pub violations: usize,
    pub bespoke: usize,
    pub tuned: usize,
    /// Whether its bespoke overrides exceed the archetype's budget.
    pub over_budget: bool,
}

impl std::ops::AddAssign for Fit {
    fn add_assign(&mut self, other: Fit) {
        self.violations += other.violations;
        self.bespoke += other.bespoke;
        self.tuned += other.tuned;
        self.over_budget |= other.over_budget;
    }
}

/// How `community` fits `archetype`'s policy, its overrides measured against the values it
/// inherits from its own archetype.
pub fn fit(
    fleet: &Fleet,
    schema: &Schema,
    names: &Interner,
    today: Day,
    community: DeclId,
    archetype: DeclId,
) -> Fit {
    let policy = Effective::of(fleet, names, archetype);
    let base_tree = fleet
        .decl(community)
        .parent
        .map_or_else(Node::empty_map, |parent| fleet.values(parent).clone());
    let scope = Scope {
        fleet,
        schema,
        names,
        today,
    };
    let mut errors = Vec::new();
    let drift = scope.community(
        community,
        Some(archetype),
        &policy,
        &base_tree,
        0,
        &mut errors,
    );
    let bespoke = drift.count(Class::Bespoke);
    Fit {
        violations: drift.count(Class::Violation) + drift.count(Class::Expired),
        bespoke,
        tuned: drift.count(Class::Tuned),
        over_budget: policy
            .budget
            .is_some_and(|(limit, _)| bespoke as i64 > limit),
    }
}
