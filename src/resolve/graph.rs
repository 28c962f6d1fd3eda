//! The override graph (petgraph): declarations as nodes, `extends`, `with` and cluster
//! references as edges. It gives the order layers are merged in and finds cycles.

use petgraph::Direction;
use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};

use super::Decl;
use super::error::ResolveError;
use super::value::DeclId;
use crate::source::Loc;

/// Why one declaration depends on another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    Extends,
    UsesMixin,
    RunsOn,
}

/// Builds the graph: an edge from each declaration to what it depends on.
pub fn build(decls: &[Decl]) -> DiGraph<DeclId, Edge> {
    let mut graph = DiGraph::with_capacity(decls.len(), decls.len() * 2);
    let nodes: Vec<NodeIndex> = (0..decls.len())
        .map(|index| graph.add_node(DeclId(index as u32)))
        .collect();
    for (index, decl) in decls.iter().enumerate() {
        if let Some(parent) = decl.parent {
            graph.add_edge(nodes[index], nodes[parent.0 as usize], Edge::Extends);
        }
        for mixin in &decl.mixins {
            graph.add_edge(nodes[index], nodes[mixin.0 as usize], Edge::UsesMixin);
        }
        if let Some(cluster) = decl.cluster {
            graph.add_edge(nodes[index], nodes[cluster.0 as usize], Edge::RunsOn);
        }
    }
    graph
}

/// The order to resolve declarations in (everything a declaration depends on comes first),
/// and which declarations are broken: in a cycle, or depending on one. Reports each cycle once.
pub fn order(decls: &[Decl], errors: &mut Vec<ResolveError>) -> (Vec<DeclId>, Vec<bool>) {
    let graph = build(decls);
    let mut broken = vec![false; decls.len()];
    // Tarjan's algorithm yields strongly connected components in reverse topological order:
    // dependencies before their dependents, which is the order merging needs.
    let components = tarjan_scc(&graph);
    let mut order = Vec::with_capacity(decls.len());
    for component in &components {
        let is_cycle = component.len() > 1
            || graph
                .edges_directed(component[0], Direction::Outgoing)
                .any(|edge| petgraph::visit::EdgeRef::target(&edge) == component[0]);
        if is_cycle {
            report_cycle(decls, &graph, component, errors);
            for node in component {
                broken[graph[*node].0 as usize] = true;
            }
        }
        for node in component {
            order.push(graph[*node]);
        }
    }
    // Whatever extends a broken declaration is broken too; `order` has parents first.
    for &id in &order {
        if let Some(parent) = decls[id.0 as usize].parent
            && broken[parent.0 as usize]
        {
            broken[id.0 as usize] = true;
        }
    }
    (order, broken)
}

fn report_cycle(
    decls: &[Decl],
    graph: &DiGraph<DeclId, Edge>,
    component: &[NodeIndex],
    errors: &mut Vec<ResolveError>,
) {
    // Walk the cycle from its first declaration in source order, following `extends`.
    let members: Vec<DeclId> = component.iter().map(|node| graph[*node]).collect();
    let start = *members.iter().min().expect("a cycle has members");
    let mut walk = vec![start];
    let mut next = decls[start.0 as usize].parent;
    while let Some(parent) = next {
        if parent == start || walk.contains(&parent) || !members.contains(&parent) {
            break;
        }
        walk.push(parent);
        next = decls[parent.0 as usize].parent;
    }
    let mut names: Vec<&str> = walk
        .iter()
        .map(|id| decls[id.0 as usize].display.as_str())
        .collect();
    names.push(&decls[start.0 as usize].display);
    let links = walk
        .iter()
        .skip(1)
        .map(|id| {
            let decl = &decls[id.0 as usize];
            let parent = decl
                .parent
                .map_or("?", |parent| decls[parent.0 as usize].display.as_str());
            (decl.loc(), format!("`{}` extends `{parent}`", decl.display))
        })
        .collect::<Vec<(Loc, String)>>();
    errors.push(ResolveError::Cycle {
        cycle: names
            .iter()
            .map(|name| format!("`{name}`"))
            .collect::<Vec<_>>()
            .join(" -> "),
        at: decls[start.0 as usize].loc(),
        links,
    });
}
