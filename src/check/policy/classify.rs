//! Classifying what every community sets: tuned, bespoke, identity, redundant or expired, a
//! violation of its archetype's policy, and the budgets its bespoke overrides exceed.

use std::collections::{BTreeMap, HashMap};

use super::rules::{Effective, Rule, locked_at};
use super::{Class, CommunityDrift, Day, Override};
use crate::check::error::PolicyError;
use crate::check::quantity::Measure;
use crate::check::schema::Schema;
use crate::check::typecheck::compare_nodes;
use crate::intern::{Interner, Symbol};
use crate::resolve::Fleet;
use crate::resolve::lower::{BoundValue, Notes, OpKind};
use crate::resolve::value::{DeclId, Node, Origin, path_text, remove_under, value_text};
use crate::source::Loc;

/// Classifies what every community sets and reports violations, expired overrides, redundant
/// overrides and budgets exceeded.
pub fn classify(
    fleet: &Fleet,
    schema: &Schema,
    names: &Interner,
    today: Day,
) -> (Vec<CommunityDrift>, Vec<PolicyError>) {
    use rayon::prelude::*;
    // What each archetype allows, and how many leaves it has: computed once each.
    let mut policies: HashMap<DeclId, Effective> = HashMap::new();
    let mut leaf_counts: HashMap<DeclId, usize> = HashMap::new();
    let live: Vec<DeclId> = fleet
        .communities
        .iter()
        .copied()
        .filter(|community| !fleet.broken[community.0 as usize])
        .collect();
    for &community in &live {
        let archetype = fleet.decl(community).parent;
        if let Some(archetype) = archetype {
            policies
                .entry(archetype)
                .or_insert_with(|| Effective::of(fleet, names, archetype));
        }
        leaf_counts
            .entry(archetype.unwrap_or(community))
            .or_insert_with(|| {
                let base_tree = archetype.map_or_else(Node::empty_map, |a| fleet.values(a).clone());
                let mut count = 0;
                base_tree.for_each_leaf(&mut Vec::new(), &mut |_, _| count += 1);
                count
            });
    }
    let none = Effective::default();
    let scope = Scope {
        fleet,
        schema,
        names,
        today,
    };
    // Then each community alone, on every core, in the communities' order.
    let classified: Vec<(CommunityDrift, Vec<PolicyError>)> = live
        .par_iter()
        .map(|&community| {
            let archetype = fleet.decl(community).parent;
            let policy = archetype.map_or(&none, |archetype| &policies[&archetype]);
            let base_tree = archetype.map_or_else(Node::empty_map, |a| fleet.values(a).clone());
            let n_base_leaves = leaf_counts[&archetype.unwrap_or(community)];
            let mut errors = Vec::new();
            let drift = scope.community(
                community,
                archetype,
                policy,
                &base_tree,
                n_base_leaves,
                &mut errors,
            );
            (drift, errors)
        })
        .collect();
    let mut drifts = Vec::with_capacity(classified.len());
    let mut errors = Vec::new();
    for (drift, found) in classified {
        drifts.push(drift);
        errors.extend(found);
    }
    (drifts, errors)
}

/// What classification needs from the fleet.
pub(super) struct Scope<'a> {
    pub(super) fleet: &'a Fleet,
    pub(super) schema: &'a Schema,
    pub(super) names: &'a Interner,
    pub(super) today: Day,
}

impl Scope<'_> {
    /// Classifies what `community` sets, measured against `archetype` (its own, or one it is
    /// tried against), reporting problems to `errors`.
    pub(super) fn community(
        &self,
        community: DeclId,
        archetype: Option<DeclId>,
        policy: &Effective,
        base_tree: &Node,
        n_base_leaves: usize,
        errors: &mut Vec<PolicyError>,
    ) -> CommunityDrift {
        let (fleet, schema, names, today) = (self.fleet, self.schema, self.names, self.today);
        let decl = fleet.decl(community);
        let mut classifier = Classifier {
            fleet,
            schema,
            names,
            today,
            community,
            policy,
            base: base_tree,
            before: base_tree,
            errors,
        };
        let before_own = fleet.before_own[community.0 as usize].clone();
        // Ordered by path, so the overrides a new one replaces (at its path or below it) are
        // found by a range instead of a scan: the pass stays linear in the overrides.
        let mut by_path: BTreeMap<Vec<Symbol>, Override> = BTreeMap::new();
        for layer in decl.mixins.iter().copied().chain([community]) {
            if layer == community
                && let Some(before_own) = &before_own
            {
                classifier.before = before_own;
            }
            for op in &fleet.decl(layer).layer.ops {
                let leaves: Vec<(Vec<Symbol>, Option<Node>)> = match &op.kind {
                    OpKind::Set(node) => {
                        let mut leaves = Vec::new();
                        node.for_each_leaf(&mut op.path.to_vec(), &mut |path, leaf| {
                            leaves.push((path.to_vec(), Some(leaf.clone())));
                        });
                        leaves
                    }
                    OpKind::Append(node) => vec![(op.path.to_vec(), Some(node.clone()))],
                    OpKind::Delete => vec![(op.path.to_vec(), None)],
                };
                let appends = matches!(op.kind, OpKind::Append(_));
                let mut redundant = Vec::new();
                let n_leaves = leaves.len();
                for (path, value) in leaves {
                    remove_under(&mut by_path, &path);
                    let origin = value
                        .as_ref()
                        .and_then(Node::provenance)
                        .map_or(op.origin, |p| p.origin);
                    let class = classifier.class(&path, value.as_ref(), appends, origin, &op.notes);
                    if class == Class::Redundant && value.is_some() {
                        redundant.push((path.clone(), value.clone(), origin));
                    }
                    by_path.insert(
                        path.clone(),
                        Override {
                            base: base_tree.lookup(&path).cloned(),
                            path,
                            value,
                            class,
                            layer,
                            origin,
                            statement: op.origin,
                            notes: op.notes.clone(),
                            appends,
                        },
                    );
                }
                // A mixin shared by many communities repeats its values; only the community's
                // own redundant statements are worth a warning, one per statement when all of
                // it is redundant. Deleting what is not there was reported by resolution.
                // A value of several leaves that restates some of them (an image whose tag alone
                // changes) is not redundant as a statement.
                if layer == community && redundant.len() == n_leaves {
                    let warnings: Vec<(Vec<Symbol>, Option<Node>, Origin)> = match &op.kind {
                        OpKind::Set(node) if n_leaves > 1 => {
                            vec![(op.path.to_vec(), Some(node.clone()), op.origin)]
                        }
                        _ => redundant,
                    };
                    for (path, value, origin) in warnings {
                        classifier.errors.push(PolicyError::Redundant {
                            path: path_text(&path, names),
                            value: value.map_or("nothing".into(), |v| value_text(&v, names)),
                            at: Loc::new(origin.file, origin.span),
                            inherited_at: classifier
                                .before
                                .lookup(&path)
                                .and_then(Node::provenance)
                                .map(|p| Loc::new(p.origin.file, p.origin.span)),
                        });
                    }
                }
            }
        }
        // Each required identity setting must be set by the community or one of its mixins.
        for (identity_path, declared_at) in &policy.required {
            let set = by_path
                .range(identity_path.clone()..)
                .take_while(|(path, _)| path.starts_with(identity_path))
                .any(|(_, found)| found.value.is_some());
            if !set {
                errors.push(PolicyError::MissingIdentity {
                    community: decl.display.clone(),
                    path: path_text(identity_path, names),
                    at: decl.loc(),
                    declared_at: *declared_at,
                });
            }
        }
        let mut overrides: Vec<Override> = by_path.into_values().collect();
        overrides.sort_by_cached_key(|o| path_text(&o.path, names));
        let replaced = overrides.iter().filter(|o| o.base.is_some()).count();
        let drift = CommunityDrift {
            community,
            archetype,
            n_inherited: n_base_leaves.saturating_sub(replaced),
            budget: policy.budget,
            overrides,
        };
        if let Some((limit, budget_at)) = drift.budget {
            let count = drift.count(Class::Bespoke);
            if count as i64 > limit {
                errors.push(PolicyError::OverBudget {
                    community: decl.display.clone(),
                    count,
                    limit,
                    at: decl.loc(),
                    budget_at,
                });
            }
        }

        drift
    }
}

struct Classifier<'a> {
    fleet: &'a Fleet,
    schema: &'a Schema,
    names: &'a Interner,
    today: Day,
    community: DeclId,
    policy: &'a Effective,
    /// The archetype chain's values: what bounds and floors measure against.
    base: &'a Node,
    /// What the layer being classified would leave in place: the archetype's values for a
    /// mixin, the values after the mixins for the community's own statements.
    before: &'a Node,
    errors: &'a mut Vec<PolicyError>,
}

impl Classifier<'_> {
    fn class(
        &mut self,
        path: &[Symbol],
        value: Option<&Node>,
        appends: bool,
        origin: Origin,
        notes: &Notes,
    ) -> Class {
        let at = Loc::new(origin.file, origin.span);
        let path_string = || path_text(path, self.names);
        if let Some(expires) = notes.expires
            && expires < self.today
        {
            self.errors.push(PolicyError::Expired {
                path: path_string(),
                date: format!("{:04}-{:02}-{:02}", expires.0, expires.1, expires.2),
                at,
            });
            return Class::Expired;
        }
        let base = self.base.lookup(path);
        let before = self.before.lookup(path);
        // A value that decides between two mixins is never redundant: without it they clash.
        let decides = self.fleet.decided[self.community.0 as usize]
            .iter()
            .any(|decided| decided.starts_with(path));
        let same_as_base = match (value, before) {
            (Some(value), Some(before)) => {
                !appends
                    && !decides
                    && (value.same_value(before)
                        || compare_nodes(value, before, self.measure(path))
                            == Some(std::cmp::Ordering::Equal))
            }
            (None, None) => true,
            _ => false,
        };
        let archetype_name = self
            .policy
            .archetype
            .map_or(String::new(), |a| self.fleet.decl(a).display.clone());
        // Deleting a value removes every locked path below it too.
        // Deleting a value, or replacing a map with a scalar or list, removes every locked
        // path below it too.
        let replaces_subtree = match value {
            None => before.is_some(),
            Some(value) => value.as_map().is_none(),
        };
        let locked_below = if replaces_subtree {
            self.policy.locked_below(self.fleet, path)
        } else {
            None
        };
        if let Some((locked_path, locked_at)) = locked_below {
            self.errors.push(PolicyError::Locked {
                path: path_text(locked_path, self.names),
                archetype: archetype_name,
                at,
                locked_at,
            });
            return Class::Violation;
        }
        match self.policy.rule(path) {
            Some((_, Rule::Locked(layer, index))) if !same_as_base => {
                self.errors.push(PolicyError::Locked {
                    path: path_string(),
                    archetype: archetype_name,
                    at,
                    locked_at: locked_at(self.fleet, layer, index),
                });
                Class::Violation
            }
            _ if same_as_base => Class::Redundant,
            Some((_, Rule::Identity(..))) => Class::Identity,
            Some((_, Rule::Tunable(owner, index))) => {
                let tunable = &self.fleet.decl(owner).layer.policy.tunables[index];
                match value {
                    Some(value) if !appends => {
                        if self.within_bounds(
                            path,
                            value,
                            base,
                            &tunable.bounds,
                            at,
                            &archetype_name,
                        ) {
                            Class::Tuned
                        } else {
                            Class::Violation
                        }
                    }
                    _ => Class::Tuned,
                }
            }
            _ => Class::Bespoke,
        }
    }

    fn measure(&self, path: &[Symbol]) -> Option<Measure> {
        let root = self.fleet.root_type(self.community)?;
        self.schema.measure(self.schema.type_at(root, path)?)
    }

    fn within_bounds(
        &mut self,
        path: &[Symbol],
        value: &Node,
        base: Option<&Node>,
        bounds: &[crate::resolve::lower::Bound],
        at: Loc,
        archetype: &str,
    ) -> bool {
        let measure = self.measure(path);
        let mut ok = true;
        for bound in bounds {
            match &bound.target {
                BoundValue::OneOf(allowed) => {
                    if !allowed.iter().any(|candidate| candidate.same_value(value)) {
                        let listed: Vec<String> =
                            allowed.iter().map(|a| value_text(a, self.names)).collect();
                        self.errors.push(PolicyError::OutOfBounds {
                            path: path_text(path, self.names),
                            value: value_text(value, self.names),
                            bound: format!("in [{}]", listed.join(", ")),
                            archetype: archetype.to_string(),
                            at,
                            bound_at: bound.at,
                        });
                        ok = false;
                    }
                }
                BoundValue::Base => {
                    let Some(base) = base else {
                        continue;
                    };
                    // A value that is not comparable was reported by the type check, a bound
                    // that is not by the check of the archetype's policy.
                    let Some(ordering) = compare_nodes(value, base, measure) else {
                        continue;
                    };
                    if !bound.op.holds(ordering) {
                        self.errors.push(PolicyError::BelowBase {
                            path: path_text(path, self.names),
                            value: value_text(value, self.names),
                            base: value_text(base, self.names),
                            archetype: archetype.to_string(),
                            at,
                            floor_at: bound.at,
                            base_at: base
                                .provenance()
                                .map(|p| Loc::new(p.origin.file, p.origin.span)),
                        });
                        ok = false;
                    }
                }
                BoundValue::Value(limit) => {
                    let Some(ordering) = compare_nodes(value, limit, measure) else {
                        continue;
                    };
                    if !bound.op.holds(ordering) {
                        self.errors.push(PolicyError::OutOfBounds {
                            path: path_text(path, self.names),
                            value: value_text(value, self.names),
                            bound: format!(
                                "{} {}",
                                bound.op.as_str(),
                                value_text(limit, self.names)
                            ),
                            archetype: archetype.to_string(),
                            at,
                            bound_at: bound.at,
                        });
                        ok = false;
                    }
                }
            }
        }
        ok
    }
}
