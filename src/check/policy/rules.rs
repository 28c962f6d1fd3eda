//! The effective policy of an archetype chain: the rules of the more specific archetype win.

use crate::intern::{Interner, Symbol};
use crate::resolve::Fleet;
use crate::resolve::value::DeclId;
use crate::source::Loc;

/// The policy of an archetype chain: rules of more specific archetypes win.
#[derive(Debug, Default)]
pub(super) struct Effective {
    /// `(path, rule)`, later entries from more specific archetypes.
    pub(super) rules: Vec<(Vec<Symbol>, Rule)>,
    /// The identity settings every community must set, and where each is declared.
    pub(super) required: Vec<(Vec<Symbol>, Loc)>,
    pub(super) budget: Option<(i64, Loc)>,
    pub(super) archetype: Option<DeclId>,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Rule {
    /// Index of the tunable statement: (declaration, position in its policy).
    Tunable(DeclId, usize),
    Locked(Loc),
    Identity,
}

impl Effective {
    pub(super) fn of(fleet: &Fleet, names: &Interner, archetype: DeclId) -> Effective {
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
            for locked in &policy.locked {
                effective.rules.retain(|(path, _)| *path != locked.path);
                effective
                    .rules
                    .push((locked.path.clone(), Rule::Locked(locked.at)));
            }
            for identity in &policy.identities {
                effective.rules.retain(|(path, _)| *path != identity.path);
                effective
                    .rules
                    .push((identity.path.clone(), Rule::Identity));
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
            }
        }
        effective
    }

    /// A locked path strictly below `path`, if any, and where it is locked.
    pub(super) fn locked_below(&self, path: &[Symbol]) -> Option<(&[Symbol], Loc)> {
        self.rules.iter().find_map(|(rule_path, rule)| match rule {
            Rule::Locked(at) if rule_path.len() > path.len() && rule_path.starts_with(path) => {
                Some((rule_path.as_slice(), *at))
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
