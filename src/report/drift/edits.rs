//! The edits the drift report proposes across the fleet: the shared overrides worth promoting
//! into an archetype or the platform, each with the `.hub` edit that promotes it, and the
//! redundant overrides, each with the statement to delete.

use std::collections::BTreeMap;

use super::model::{Candidate, Edit, Located, Target};
use crate::analysis::Analysis;
use crate::check::policy::{Class, CommunityDrift, Override};
use crate::intern::Symbol;
use crate::resolve::Fleet;
use crate::resolve::value::{DeclId, Origin, path_text, value_text};
use crate::source::{FileId, SourceMap};
use crate::syntax::ast::DeclKind;

/// The same path set to the same value by at least `threshold` communities, most communities
/// first, then by path, then by value; each with the edit that promotes it.
pub(super) fn promotion_candidates(
    analysis: &Analysis,
    sources: &SourceMap,
    threshold: usize,
) -> Vec<Candidate> {
    let names = &analysis.names;
    let mut shared: BTreeMap<(String, String, bool), Sharing> = BTreeMap::new();
    for drift in &analysis.drift {
        for found in &drift.overrides {
            let Some(value) = &found.value else {
                continue;
            };
            if !matches!(found.class, Class::Tuned | Class::Bespoke) {
                continue;
            }
            let key = (
                path_text(&found.path, names),
                value_text(value, names),
                found.appends,
            );
            shared
                .entry(key)
                .or_insert_with(|| Sharing::new(&found.path))
                .add(sources, drift, found);
        }
    }
    let mut candidates: Vec<Candidate> = shared
        .into_iter()
        .filter(|(_, sharing)| sharing.communities.len() >= threshold)
        .map(|(key, sharing)| candidate(analysis, sources, key, sharing))
        .collect();
    // A stable sort: equal counts keep the order of their path, then their value.
    candidates.sort_by_key(|candidate| std::cmp::Reverse(candidate.communities.len()));
    candidates
}

/// The overrides a community sets itself (not through a mixin) to the value it inherits anyway,
/// by community, then by path: each with the statement to delete.
pub(super) fn redundant(analysis: &Analysis, sources: &SourceMap) -> Vec<Located> {
    let names = &analysis.names;
    let mut found_redundant = Vec::new();
    for drift in &analysis.drift {
        let community = analysis.fleet.decl(drift.community).display.clone();
        for found in &drift.overrides {
            if found.class != Class::Redundant
                || found.layer != drift.community
                || !whole_statement_redundant(drift, found)
            {
                continue;
            }
            let path = path_text(&found.path, names);
            let value = found.value.as_ref().map(|v| value_text(v, names));
            found_redundant.push(Located {
                community: community.clone(),
                statement: statement(&path, value.as_deref(), found.appends),
                path,
                value,
                place: Place::of(sources, found.origin.file, found.origin.span.start).to_string(),
            });
        }
    }
    found_redundant
}

/// A statement in `.hub` syntax: `path = value`, `path += value`, or `delete path` when there is
/// no value.
pub(crate) fn statement(path: &str, value: Option<&str>, appends: bool) -> String {
    match (value, appends) {
        (Some(value), true) => format!("{path} += {value}"),
        (Some(value), false) => format!("{path} = {value}"),
        (None, _) => format!("delete {path}"),
    }
}

/// Only a statement redundant as a whole can be deleted: an image whose tag changes restates its
/// name, which is not an override to delete.
fn whole_statement_redundant(drift: &CommunityDrift, found: &Override) -> bool {
    drift
        .overrides
        .iter()
        .filter(|other| other.statement == found.statement)
        .all(|other| other.class == Class::Redundant)
}

/// Who sets one value at one path, and where.
struct Sharing {
    path: Vec<Symbol>,
    communities: Vec<DeclId>,
    tuned: usize,
    bespoke: usize,
    /// Statements that set this value alone.
    deletable: Vec<Place>,
    /// Statements that set other values with it.
    rewritable: Vec<Place>,
}

impl Sharing {
    fn new(path: &[Symbol]) -> Sharing {
        Sharing {
            path: path.to_vec(),
            communities: Vec::new(),
            tuned: 0,
            bespoke: 0,
            deletable: Vec::new(),
            rewritable: Vec::new(),
        }
    }

    fn add(&mut self, sources: &SourceMap, drift: &CommunityDrift, found: &Override) {
        self.communities.push(drift.community);
        if found.class == Class::Tuned {
            self.tuned += 1;
        } else {
            self.bespoke += 1;
        }
        let place = Place::of(sources, found.origin.file, found.origin.span.start);
        if sets_other_values(drift, found.origin) {
            self.rewritable.push(place);
        } else {
            self.deletable.push(place);
        }
    }
}

/// Whether the value written at `origin` sets more than one path of the community, as an image
/// sets its name and its tag.
fn sets_other_values(drift: &CommunityDrift, origin: Origin) -> bool {
    drift
        .overrides
        .iter()
        .filter(|other| other.origin == origin)
        .nth(1)
        .is_some()
}

fn candidate(
    analysis: &Analysis,
    sources: &SourceMap,
    (path, value, appends): (String, String, bool),
    sharing: Sharing,
) -> Candidate {
    let fleet = &analysis.fleet;
    let mut communities: Vec<String> = sharing
        .communities
        .iter()
        .map(|&id| fleet.decl(id).display.clone())
        .collect();
    communities.sort();
    communities.dedup();
    let add_to = common_ancestor(fleet, &sharing.communities);
    let edit = Edit {
        add_to: add_to.map(|target| target_of(fleet, sources, target)),
        replace_at: add_to.and_then(|target| set_by_itself(fleet, sources, target, &sharing.path)),
        statement: statement(&path, Some(&value), appends),
        newly_inheriting: add_to.map_or(0, |target| newly_inheriting(analysis, target, &sharing)),
        delete_at: in_file_order(sharing.deletable),
        rewrite_at: in_file_order(sharing.rewritable),
    };
    Candidate {
        path,
        value,
        communities,
        class: if sharing.bespoke >= sharing.tuned {
            "bespoke"
        } else {
            "tuned"
        }
        .to_string(),
        edit,
    }
}

/// What a declaration extends, nearest first: its archetypes, then its platform. Never a
/// chart: what a chart declaration sets is Helm's and never written, so nothing is promoted
/// into one.
fn ancestors(fleet: &Fleet, id: DeclId) -> Vec<DeclId> {
    let mut chain = fleet.chain(id);
    chain.pop();
    chain.reverse();
    chain.retain(|&ancestor| fleet.decl(ancestor).kind != DeclKind::Chart);
    chain
}

/// The nearest archetype or platform every one of `communities` extends.
fn common_ancestor(fleet: &Fleet, communities: &[DeclId]) -> Option<DeclId> {
    let (first, rest) = communities.split_first()?;
    let chains: Vec<Vec<DeclId>> = rest.iter().map(|&id| ancestors(fleet, id)).collect();
    ancestors(fleet, *first)
        .into_iter()
        .find(|ancestor| chains.iter().all(|chain| chain.contains(ancestor)))
}

fn target_of(fleet: &Fleet, sources: &SourceMap, id: DeclId) -> Target {
    let decl = fleet.decl(id);
    Target {
        kind: match decl.kind {
            DeclKind::Platform => "platform",
            _ => "archetype",
        }
        .to_string(),
        name: decl.display.clone(),
        place: Place::of(sources, decl.file, decl.name_span.start).to_string(),
    }
}

/// Where `target` itself sets `path`, if it does.
fn set_by_itself(
    fleet: &Fleet,
    sources: &SourceMap,
    target: DeclId,
    path: &[Symbol],
) -> Option<String> {
    let origin = fleet.values(target).lookup(path)?.provenance()?.origin;
    (origin.decl == target).then(|| Place::of(sources, origin.file, origin.span.start).to_string())
}

/// The communities that extend `target`, do not share the value, and do not set the path: they
/// would take the value from the added statement.
fn newly_inheriting(analysis: &Analysis, target: DeclId, sharing: &Sharing) -> usize {
    analysis
        .drift
        .iter()
        .filter(|drift| !sharing.communities.contains(&drift.community))
        .filter(|drift| drift.class_of(&sharing.path) == Class::Inherited)
        .filter(|drift| ancestors(&analysis.fleet, drift.community).contains(&target))
        .count()
}

fn in_file_order(mut places: Vec<Place>) -> Vec<String> {
    places.sort();
    places.dedup();
    places.iter().map(Place::to_string).collect()
}

/// A place in a file, ordered by file name, then line, then column.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Place {
    file: String,
    line: usize,
    column: usize,
}

impl Place {
    fn of(sources: &SourceMap, file: FileId, offset: u32) -> Place {
        let source = sources.get(file);
        let at = source.line_col(offset as usize);
        Place {
            file: source.name.to_string(),
            line: at.line,
            column: at.column,
        }
    }
}

impl std::fmt::Display for Place {
    /// `file:line:column`, as every place in the report.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}
