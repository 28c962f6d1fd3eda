//! Policy and drift: every value a community sets (itself or through a mixin) is classified as
//! tuned, bespoke, redundant, a violation or expired, against its archetype's policy.

use std::collections::{BTreeMap, HashMap};

use super::error::PolicyError;
use super::quantity::Measure;
use super::schema::Schema;
use super::typecheck::compare_nodes;
use crate::intern::{Interner, Symbol};
use crate::resolve::Fleet;
use crate::resolve::lower::{BoundValue, Notes, OpKind};
use crate::resolve::value::{DeclId, Node, Origin, Scalar, path_text, remove_under, value_text};
use crate::source::Loc;
use crate::syntax::ast::DeclKind;

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
    pub notes: Notes,
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

/// Classifies what every community sets and reports violations, expired overrides, redundant
/// overrides and budgets exceeded.
pub fn classify(
    fleet: &Fleet,
    schema: &Schema,
    names: &Interner,
    today: Day,
) -> (Vec<CommunityDrift>, Vec<PolicyError>) {
    let mut errors = Vec::new();
    let mut policies: HashMap<DeclId, Effective> = HashMap::new();
    let mut leaf_counts: HashMap<DeclId, usize> = HashMap::new();
    let mut drifts = Vec::with_capacity(fleet.communities.len());
    for &community in &fleet.communities {
        if fleet.broken[community.0 as usize] {
            continue;
        }
        let archetype = fleet.decl(community).parent;
        let policy = match archetype {
            Some(archetype) => policies
                .entry(archetype)
                .or_insert_with(|| Effective::of(fleet, names, archetype)),
            None => &Effective::default(),
        };
        let base_tree = archetype.map_or_else(Node::empty_map, |a| fleet.values(a).clone());
        let n_base_leaves = *leaf_counts
            .entry(archetype.unwrap_or(community))
            .or_insert_with(|| {
                let mut count = 0;
                base_tree.for_each_leaf(&mut Vec::new(), &mut |_, _| count += 1);
                count
            });
        let scope = Scope {
            fleet,
            schema,
            names,
            today,
        };
        let drift = scope.community(
            community,
            archetype,
            policy,
            &base_tree,
            n_base_leaves,
            &mut errors,
        );
        drifts.push(drift);
    }
    (drifts, errors)
}

/// What classification needs from the fleet.
struct Scope<'a> {
    fleet: &'a Fleet,
    schema: &'a Schema,
    names: &'a Interner,
    today: Day,
}

impl Scope<'_> {
    /// Classifies what `community` sets, measured against `archetype` (its own, or one it is
    /// tried against), reporting problems to `errors`.
    fn community(
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
                        node.for_each_leaf(&mut op.path.clone(), &mut |path, leaf| {
                            leaves.push((path.to_vec(), Some(leaf.clone())));
                        });
                        leaves
                    }
                    OpKind::Append(node) => vec![(op.path.clone(), Some(node.clone()))],
                    OpKind::Delete => vec![(op.path.clone(), None)],
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
                            vec![(op.path.clone(), Some(node.clone()), op.origin)]
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

/// Checks what archetypes declare, whether or not a community uses them: tunable and locked
/// paths must exist in the schema, bounds must compare with their path, the budget must be
/// `bespoke`. Also reports `@expires` dates past on platforms and archetypes, whose values no
/// community classification sees as its own.
pub fn validate(
    fleet: &Fleet,
    schema: &Schema,
    names: &Interner,
    today: Day,
) -> (Vec<super::error::CheckError>, Vec<PolicyError>) {
    let mut check_errors = Vec::new();
    let mut errors = Vec::new();
    for (index, decl) in fleet.decls.iter().enumerate() {
        let id = DeclId(index as u32);
        if matches!(decl.kind, DeclKind::Platform | DeclKind::Archetype) {
            for op in &decl.layer.ops {
                if let Some(expires) = op.notes.expires
                    && expires < today
                {
                    errors.push(PolicyError::Expired {
                        path: path_text(&op.path, names),
                        date: format!("{:04}-{:02}-{:02}", expires.0, expires.1, expires.2),
                        at: Loc::new(op.origin.file, op.origin.span),
                    });
                }
            }
        }
        let policy = &decl.layer.policy;
        for budget in &policy.budgets {
            if names.resolve(budget.kind) != "bespoke" {
                errors.push(PolicyError::UnknownBudget {
                    kind: names.resolve(budget.kind).to_string(),
                    at: budget.at,
                });
            }
        }
        let Some(root) = fleet.root_type(id) else {
            continue;
        };
        let paths = policy
            .tunables
            .iter()
            .map(|t| (&t.path, t.at))
            .chain(policy.locked.iter().map(|l| (&l.path, l.at)))
            .chain(policy.identities.iter().map(|i| (&i.path, i.at)));
        for (path, at) in paths {
            super::typecheck::check_path(schema, names, root, path, at, &mut check_errors);
        }
        for tunable in &policy.tunables {
            let Some(ty) = schema.type_at(root, &tunable.path) else {
                continue;
            };
            let measure = schema.measure(ty);
            for bound in &tunable.bounds {
                let comparable = match &bound.target {
                    BoundValue::OneOf(_) => true,
                    BoundValue::Base => measure.is_some() || schema.is_number(ty),
                    BoundValue::Value(limit) => match (measure, limit.as_scalar()) {
                        (Some(measure), Some(scalar)) => {
                            super::typecheck::quantity_of(scalar, measure).is_some()
                        }
                        (None, Some(Scalar::Int(_) | Scalar::Float(_))) => schema.is_number(ty),
                        _ => false,
                    },
                };
                if !comparable {
                    let target = match &bound.target {
                        BoundValue::Value(limit) => value_text(limit, names),
                        _ => "base".to_string(),
                    };
                    errors.push(PolicyError::BadBound {
                        bound: format!("{} {target}", bound.op.as_str()),
                        path: path_text(&tunable.path, names),
                        at: bound.at,
                    });
                }
            }
        }
    }
    (check_errors, errors)
}

/// The policy of an archetype chain: rules of more specific archetypes win.
#[derive(Debug, Default)]
struct Effective {
    /// `(path, rule)`, later entries from more specific archetypes.
    rules: Vec<(Vec<Symbol>, Rule)>,
    /// The identity settings every community must set, and where each is declared.
    required: Vec<(Vec<Symbol>, Loc)>,
    budget: Option<(i64, Loc)>,
    archetype: Option<DeclId>,
}

#[derive(Debug, Clone, Copy)]
enum Rule {
    /// Index of the tunable statement: (declaration, position in its policy).
    Tunable(DeclId, usize),
    Locked(Loc),
    Identity,
}

impl Effective {
    fn of(fleet: &Fleet, names: &Interner, archetype: DeclId) -> Effective {
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
    fn locked_below(&self, path: &[Symbol]) -> Option<(&[Symbol], Loc)> {
        self.rules.iter().find_map(|(rule_path, rule)| match rule {
            Rule::Locked(at) if rule_path.len() > path.len() && rule_path.starts_with(path) => {
                Some((rule_path.as_slice(), *at))
            }
            _ => None,
        })
    }

    /// The rule for `path`: the one on its longest prefix.
    fn rule(&self, path: &[Symbol]) -> Option<(&[Symbol], Rule)> {
        self.rules
            .iter()
            .filter(|(rule_path, _)| path.starts_with(rule_path))
            .max_by_key(|(rule_path, _)| rule_path.len())
            .map(|(rule_path, rule)| (rule_path.as_slice(), *rule))
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
            self.policy.locked_below(path)
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
            Some((_, Rule::Locked(locked_at))) if !same_as_base => {
                self.errors.push(PolicyError::Locked {
                    path: path_string(),
                    archetype: archetype_name,
                    at,
                    locked_at,
                });
                Class::Violation
            }
            _ if same_as_base => Class::Redundant,
            Some((_, Rule::Identity)) => Class::Identity,
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

/// Today's date in UTC, from the system clock.
pub fn today() -> Day {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    civil_from_days((seconds / 86_400) as i64)
}

/// The calendar date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> Day {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year as u16, month as u8, day as u8)
}

/// Parses `YYYY-MM-DD`.
pub fn parse_day(text: &str) -> Option<Day> {
    let mut parts = text.split('-');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    (parts.next().is_none() && crate::syntax::is_valid_date(year, month, day))
        .then_some((year, month, day))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_since_the_epoch_become_calendar_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_454), (2026, 1, 1));
        assert_eq!(civil_from_days(20_783), (2026, 11, 26));
        assert_eq!(parse_day("2026-02-29"), None);
        assert_eq!(parse_day("2028-02-29"), Some((2028, 2, 29)));
    }
}
