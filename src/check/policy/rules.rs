//! The effective policy of an archetype chain: the rules of the more specific archetype win.

use crate::intern::{Interner, Symbol};
use crate::resolve::Fleet;
use crate::resolve::value::DeclId;
use crate::source::Loc;

/// The policy of an archetype chain: rules of more specific archetypes win. What `check`
/// classifies overrides by and what `hubc doc` lists for a layer.
#[derive(Debug, Default)]
pub(crate) struct Effective {
    /// `(path, rule)`, later entries from more specific archetypes.
    pub(crate) rules: Vec<(Vec<Symbol>, Rule)>,
    /// The identity settings every community must set, and where each is declared.
    pub(crate) required: Vec<(Vec<Symbol>, Loc)>,
    /// The bespoke budget in force, and where it is set.
    pub(crate) budget: Option<(i64, Loc)>,
    /// The layer whose bespoke budget is in force.
    pub(crate) budget_in: Option<DeclId>,
    pub(crate) archetype: Option<DeclId>,
}

/// A rule in force: the layer that states it and the statement's position among that layer's
/// statements of its kind (`tunables`, `locked`, `identities`).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Rule {
    Tunable(DeclId, usize),
    Locked(DeclId, usize),
    Identity(DeclId, usize),
}

impl Rule {
    /// The layer that states it.
    pub(crate) fn layer(self) -> DeclId {
        match self {
            Rule::Tunable(layer, _) | Rule::Locked(layer, _) | Rule::Identity(layer, _) => layer,
        }
    }
}

impl Effective {
    pub(crate) fn of(fleet: &Fleet, names: &Interner, archetype: DeclId) -> Effective {
        let mut effective = Effective {
            archetype: Some(archetype),
            ..Effective::default()
        };
        for layer in fleet.chain(archetype) {
            let policy = &fleet.decl(layer).layer.policy;
            for (index, tunable) in policy.tunables.iter().enumerate() {
                effective.rules.retain(|(path, _)| *path != tunable.path);
                effective
                    .rules
                    .push((tunable.path.clone(), Rule::Tunable(layer, index)));
            }
            for (index, locked) in policy.locked.iter().enumerate() {
                effective.rules.retain(|(path, _)| *path != locked.path);
                effective
                    .rules
                    .push((locked.path.clone(), Rule::Locked(layer, index)));
            }
            for (index, identity) in policy.identities.iter().enumerate() {
                effective.rules.retain(|(path, _)| *path != identity.path);
                effective
                    .rules
                    .push((identity.path.clone(), Rule::Identity(layer, index)));
                if identity.required {
                    effective
                        .required
                        .retain(|(path, _)| *path != identity.path);
                    effective
                        .required
                        .push((identity.path.clone(), identity.at));
                }
            }
            if let Some(budget) = policy
                .budgets
                .iter()
                .rev()
                .find(|budget| names.resolve(budget.kind) == "bespoke")
            {
                effective.budget = Some((budget.limit, budget.at));
                effective.budget_in = Some(layer);
            }
        }
        effective
    }

    /// A locked path strictly below `path`, if any, and where it is locked.
    pub(super) fn locked_below(&self, fleet: &Fleet, path: &[Symbol]) -> Option<(&[Symbol], Loc)> {
        self.rules.iter().find_map(|(rule_path, rule)| match *rule {
            Rule::Locked(layer, index)
                if rule_path.len() > path.len() && rule_path.starts_with(path) =>
            {
                Some((rule_path.as_slice(), locked_at(fleet, layer, index)))
            }
            _ => None,
        })
    }

    /// The rule for `path`: the one on its longest prefix.
    pub(super) fn rule(&self, path: &[Symbol]) -> Option<(&[Symbol], Rule)> {
        self.rules
            .iter()
            .filter(|(rule_path, _)| path.starts_with(rule_path))
            .max_by_key(|(rule_path, _)| rule_path.len())
            .map(|(rule_path, rule)| (rule_path.as_slice(), *rule))
    }
}

/// Where the `index`th `locked` statement of `layer` is.
pub(super) fn locked_at(fleet: &Fleet, layer: DeclId, index: usize) -> Loc {
    fleet.decl(layer).layer.policy.locked[index].at
}
