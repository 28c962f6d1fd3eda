//! Schedulability: whether each user server a community offers can start on the node it asks
//! for. A server's requests are the hub's defaults (`singleuser.memory`, `singleuser.cpu`,
//! `singleuser.nodeSelector`), overridden by its profile's `kubespawner_override`, overridden by
//! the chosen option's. Where the node selector names an instance type
//! (`node.kubernetes.io/instance-type`) that the fleet declares (`instance_type "NAME" { }`,
//! `std.instances`), the guarantees must fit in what a node of that type has allocatable (an
//! error: Kubernetes never schedules the server) and the limits should (a warning: the server
//! is killed before it reaches them); where the cluster lists its node pools, the type must be
//! one of them. Everywhere, a guarantee must not exceed its limit (Kubernetes refuses the pod).
//!
//! Each problem is reported once, where the value at fault is set, whatever number of
//! communities share it.

use std::collections::HashMap;

use miette::Diagnostic;
use thiserror::Error;

use crate::diagnostics::Located;
use crate::intern::{Interner, Symbol};
use crate::resolve::Fleet;
use crate::resolve::value::{DeclId, Node, NodeKind, Origin, Scalar};
use crate::source::Loc;
use crate::syntax::ast::DeclKind;

/// The node label a profile selects an instance type with.
const INSTANCE_TYPE_LABEL: &str = "node.kubernetes.io/instance-type";

#[derive(Debug, Clone, Error, Diagnostic, PartialEq, Eq)]
pub enum ScheduleError {
    #[error(
        "{server} guarantees {amount} of {resource}, more than the {allocatable} a `{instance_type}` node has allocatable"
    )]
    #[diagnostic(
        code(hub::schedule::guarantee_exceeds_node),
        help(
            "a server that asks for more than its node can give never starts (\"0/3 nodes are available: Insufficient {resource}\"): guarantee at most {allocatable}, or select a larger instance type"
        )
    )]
    GuaranteeExceedsNode {
        server: String,
        resource: &'static str,
        amount: String,
        allocatable: String,
        instance_type: String,
        at: Loc,
        declared_at: Loc,
    },

    #[error(
        "{server} limits {resource} to {amount}, more than the {allocatable} a `{instance_type}` node has allocatable"
    )]
    #[diagnostic(
        code(hub::schedule::limit_exceeds_node),
        severity(Warning),
        help(
            "the server can never use what is above {allocatable}: it is killed (memory) or throttled (cpu) first; limit it to at most {allocatable}"
        )
    )]
    LimitExceedsNode {
        server: String,
        resource: &'static str,
        amount: String,
        allocatable: String,
        instance_type: String,
        at: Loc,
        declared_at: Loc,
    },

    #[error("{server} guarantees {guarantee} of {resource}, more than its limit of {limit}")]
    #[diagnostic(
        code(hub::schedule::guarantee_over_limit),
        help(
            "Kubernetes refuses a pod whose request is above its limit: raise the limit to at least {guarantee}, or lower the guarantee"
        )
    )]
    GuaranteeOverLimit {
        server: String,
        resource: &'static str,
        guarantee: String,
        limit: String,
        at: Loc,
        limit_at: Loc,
    },

    #[error(
        "{server} selects instance type `{instance_type}`, which no node pool of cluster `{cluster}` has"
    )]
    #[diagnostic(code(hub::schedule::not_a_node_pool))]
    NotANodePool {
        server: String,
        instance_type: String,
        cluster: String,
        at: Loc,
        cluster_at: Loc,
        #[help]
        help: String,
    },

    #[error("{server} selects instance type `{instance_type}`, which the fleet does not declare")]
    #[diagnostic(
        code(hub::schedule::unknown_instance_type),
        severity(Warning),
        help(
            "declare it, `instance_type \"{instance_type}\" {{ capacity = {{ ... }}, allocatable = {{ ... }} }}`, with what `kubectl get node` reports, so that what its servers ask for is checked"
        )
    )]
    UnknownInstanceType {
        server: String,
        instance_type: String,
        at: Loc,
    },
}

impl Located for ScheduleError {
    fn primary(&self) -> (Loc, Option<String>) {
        use ScheduleError::*;
        let (at, label) = match self {
            GuaranteeExceedsNode { at, .. } => (at, "more than the node has"),
            LimitExceedsNode { at, .. } => (at, "more than the node has"),
            GuaranteeOverLimit { at, .. } => (at, "above the limit"),
            NotANodePool { at, .. } => (at, "no node pool of this type"),
            UnknownInstanceType { at, .. } => (at, "not declared"),
        };
        (*at, Some(label.to_string()))
    }

    fn related(&self) -> Vec<(Loc, String)> {
        use ScheduleError::*;
        match self {
            GuaranteeExceedsNode { declared_at, .. } | LimitExceedsNode { declared_at, .. } => {
                vec![(*declared_at, "the instance type is declared here".into())]
            }
            GuaranteeOverLimit { limit_at, .. } => {
                vec![(*limit_at, "the limit is set here".into())]
            }
            NotANodePool { cluster_at, .. } => {
                vec![(
                    *cluster_at,
                    "the cluster's node pools are declared here".into(),
                )]
            }
            UnknownInstanceType { .. } => Vec::new(),
        }
    }
}

/// A problem, with the community whose server has it and the instance type it is measured
/// against, if any.
pub struct Found {
    pub community: DeclId,
    pub instance_type: Option<DeclId>,
    pub error: ScheduleError,
}

/// The schedulability problems of every community of `fleet`, as many times as communities
/// have them ([`report`] makes them the diagnostics). Reads only the resolved fleet, so it runs
/// beside the other checks.
pub fn check(fleet: &Fleet, names: &Interner) -> Vec<Found> {
    let keys = Keys::new(names);
    let instance_types: HashMap<&str, InstanceType> = fleet
        .decls
        .iter()
        .enumerate()
        .filter(|(_, decl)| decl.kind == DeclKind::InstanceType && !decl.shadowed)
        .filter_map(|(index, decl)| {
            let id = DeclId(index as u32);
            Some((decl.display.as_str(), InstanceType::of(fleet, id, &keys)?))
        })
        .collect();
    // The node pools of every cluster, read once.
    let pools: HashMap<DeclId, Option<Vec<String>>> = fleet
        .decls
        .iter()
        .enumerate()
        .filter(|(_, decl)| decl.kind == DeclKind::Cluster)
        .map(|(index, _)| {
            let id = DeclId(index as u32);
            (id, node_pools(fleet, id, names))
        })
        .collect();
    use rayon::prelude::*;
    fleet
        .communities
        .par_iter()
        .flat_map_iter(|&community| {
            let mut found = Vec::new();
            let Some(singleuser) = singleuser(fleet.values(community), &keys) else {
                return found;
            };
            let cluster = fleet.decl(community).cluster;
            let pools = cluster.and_then(|cluster| pools.get(&cluster)?.as_deref());
            let checker = Checker {
                names,
                community,
                instance_types: &instance_types,
                pools: cluster.zip(pools),
                fleet,
                fallback: Origin {
                    decl: community,
                    file: fleet.decl(community).file,
                    span: fleet.decl(community).name_span,
                },
            };
            for server in servers(singleuser, &keys) {
                checker.server(&server, &mut found);
            }
            found
        })
        .collect()
}

/// The diagnostics of what [`check`] found, each once, but those of the communities and
/// instance types `reported` holds back (what a lost statement of their layers may have
/// caused), unless another community causes them too.
pub fn report(found: Vec<Found>, reported: &dyn Fn(DeclId) -> bool) -> Vec<ScheduleError> {
    let mut errors: Vec<ScheduleError> = found
        .into_iter()
        .filter(|found| reported(found.community) && found.instance_type.is_none_or(reported))
        .map(|found| found.error)
        .collect();
    errors.sort_by_key(|error| {
        let (at, _) = error.primary();
        (at.file, at.span.start, at.span.end, error.to_string())
    });
    errors.dedup();
    errors
}

/// The keys the check reads, interned once.
struct Keys {
    jupyterhub: Option<Symbol>,
    singleuser: Option<Symbol>,
    memory: Option<Symbol>,
    cpu: Option<Symbol>,
    guarantee: Option<Symbol>,
    limit: Option<Symbol>,
    node_selector_z2jh: Option<Symbol>,
    profile_list: Option<Symbol>,
    profile_options: Option<Symbol>,
    choices: Option<Symbol>,
    kubespawner_override: Option<Symbol>,
    mem_guarantee: Option<Symbol>,
    mem_limit: Option<Symbol>,
    cpu_guarantee: Option<Symbol>,
    cpu_limit: Option<Symbol>,
    node_selector: Option<Symbol>,
    instance_type_label: Option<Symbol>,
    slug: Option<Symbol>,
    display_name: Option<Symbol>,
    allocatable: Option<Symbol>,
}

impl Keys {
    fn new(names: &Interner) -> Keys {
        Keys {
            jupyterhub: names.get("jupyterhub"),
            singleuser: names.get("singleuser"),
            memory: names.get("memory"),
            cpu: names.get("cpu"),
            guarantee: names.get("guarantee"),
            limit: names.get("limit"),
            node_selector_z2jh: names.get("nodeSelector"),
            profile_list: names.get("profileList"),
            profile_options: names.get("profile_options"),
            choices: names.get("choices"),
            kubespawner_override: names.get("kubespawner_override"),
            mem_guarantee: names.get("mem_guarantee"),
            mem_limit: names.get("mem_limit"),
            cpu_guarantee: names.get("cpu_guarantee"),
            cpu_limit: names.get("cpu_limit"),
            node_selector: names.get("node_selector"),
            instance_type_label: names.get(INSTANCE_TYPE_LABEL),
            slug: names.get("slug"),
            display_name: names.get("display_name"),
            allocatable: names.get("allocatable"),
        }
    }
}

/// `node.get(key)` for a key that may not be interned (then nothing has it).
fn get(node: &Node, key: Option<Symbol>) -> Option<&Node> {
    node.get(key?)
}

/// The `singleuser` map of a hub's values: `jupyterhub.singleuser`, at the top or one level
/// down (a chart that wraps basehub, such as daskhub's `basehub.jupyterhub.singleuser`).
fn singleuser<'a>(values: &'a Node, keys: &Keys) -> Option<&'a Node> {
    let direct = |node: &'a Node| get(get(node, keys.jupyterhub)?, keys.singleuser);
    direct(values).or_else(|| values.as_map()?.iter().find_map(|(_, inner)| direct(inner)))
}

/// What a node of an instance type has allocatable, and where the type is declared.
struct InstanceType {
    id: DeclId,
    memory: Option<u128>,
    millicores: Option<u128>,
    declared_at: Loc,
}

impl InstanceType {
    fn of(fleet: &Fleet, id: DeclId, keys: &Keys) -> Option<InstanceType> {
        let allocatable = get(fleet.values(id), keys.allocatable)?;
        Some(InstanceType {
            id,
            memory: get(allocatable, keys.memory).and_then(bytes),
            millicores: get(allocatable, keys.cpu).and_then(millicores),
            declared_at: fleet.decl(id).loc(),
        })
    }
}

/// One user server a hub offers: the default one, a profile, or a profile with one choice of
/// each of its options. Each setting is the node that sets it, the choice's over the profile's
/// over the hub's default.
struct Server<'a> {
    name: ServerName<'a>,
    mem_guarantee: Option<&'a Node>,
    mem_limit: Option<&'a Node>,
    cpu_guarantee: Option<&'a Node>,
    cpu_limit: Option<&'a Node>,
    instance_type: Option<&'a Node>,
    /// Whether its memory and its cpu guarantee and limit are the hub's defaults, which the
    /// schema's `check guarantee <= limit` covers.
    defaults: (bool, bool),
}

/// How a server is named in messages, written out only for one that has a problem: the default
/// server, or a profile (its number and its slug or display name) with the option and choice.
#[derive(Clone, Copy)]
struct ServerName<'a> {
    profile: Option<(usize, Option<&'a str>)>,
    choice: Option<(Symbol, Symbol)>,
}

impl ServerName<'_> {
    fn text(&self, names: &Interner) -> String {
        let mut text = match self.profile {
            None => return "the default server".to_string(),
            Some((_, Some(name))) => format!("profile `{name}`"),
            Some((index, None)) => format!("profile {}", index + 1),
        };
        if let Some((option, choice)) = self.choice {
            text.push_str(&format!(
                ", option `{}` choice `{}`",
                names.resolve(option),
                names.resolve(choice)
            ));
        }
        text
    }
}

/// The servers a hub offers: its default server when it has no profiles, else each profile,
/// and each choice of each option of a profile.
fn servers<'a>(singleuser: &'a Node, keys: &Keys) -> Vec<Server<'a>> {
    let default = Server {
        name: ServerName {
            profile: None,
            choice: None,
        },
        mem_guarantee: get(singleuser, keys.memory).and_then(|m| get(m, keys.guarantee)),
        mem_limit: get(singleuser, keys.memory).and_then(|m| get(m, keys.limit)),
        cpu_guarantee: get(singleuser, keys.cpu).and_then(|c| get(c, keys.guarantee)),
        cpu_limit: get(singleuser, keys.cpu).and_then(|c| get(c, keys.limit)),
        instance_type: get(singleuser, keys.node_selector_z2jh)
            .and_then(|selector| get(selector, keys.instance_type_label)),
        defaults: (true, true),
    };
    let profiles = match get(singleuser, keys.profile_list).map(Node::kind) {
        Some(NodeKind::List(profiles)) if !profiles.is_empty() => profiles,
        _ => return vec![default],
    };
    let mut servers = Vec::new();
    for (index, profile) in profiles.iter().enumerate() {
        let name = ServerName {
            profile: Some((
                index,
                get(profile, keys.slug)
                    .or_else(|| get(profile, keys.display_name))
                    .and_then(text),
            )),
            choice: None,
        };
        let base = overridden(
            &default,
            get(profile, keys.kubespawner_override),
            keys,
            name,
        );
        let options = get(profile, keys.profile_options).and_then(Node::as_map);
        let mut chosen = Vec::new();
        for (option, node) in options.unwrap_or_default() {
            let choices = get(node, keys.choices).and_then(Node::as_map);
            for (choice, node) in choices.unwrap_or_default() {
                let name = ServerName {
                    choice: Some((*option, *choice)),
                    ..base.name
                };
                chosen.push((name, get(node, keys.kubespawner_override)));
            }
        }
        if chosen.is_empty() {
            servers.push(base);
        } else {
            for (name, overrides) in chosen {
                servers.push(overridden(&base, overrides, keys, name));
            }
        }
    }
    servers
}

/// `server` with the settings a `kubespawner_override` map sets in their place.
fn overridden<'a>(
    server: &Server<'a>,
    overrides: Option<&'a Node>,
    keys: &Keys,
    name: ServerName<'a>,
) -> Server<'a> {
    let set = |key| overrides.and_then(|map| get(map, key));
    // A node selector is replaced whole, as KubeSpawner replaces the trait.
    let instance_type = match set(keys.node_selector) {
        Some(selector) => get(selector, keys.instance_type_label),
        None => server.instance_type,
    };
    let (memory, cpu) = server.defaults;
    Server {
        name,
        mem_guarantee: set(keys.mem_guarantee).or(server.mem_guarantee),
        mem_limit: set(keys.mem_limit).or(server.mem_limit),
        cpu_guarantee: set(keys.cpu_guarantee).or(server.cpu_guarantee),
        cpu_limit: set(keys.cpu_limit).or(server.cpu_limit),
        instance_type,
        defaults: (
            memory && set(keys.mem_guarantee).is_none() && set(keys.mem_limit).is_none(),
            cpu && set(keys.cpu_guarantee).is_none() && set(keys.cpu_limit).is_none(),
        ),
    }
}

struct Checker<'a> {
    names: &'a Interner,
    community: DeclId,
    instance_types: &'a HashMap<&'a str, InstanceType>,
    /// The community's cluster and the instance types of its node pools, when it lists them.
    pools: Option<(DeclId, &'a [String])>,
    fleet: &'a Fleet,
    fallback: Origin,
}

impl Checker<'_> {
    fn server(&self, server: &Server<'_>, found: &mut Vec<Found>) {
        let mut errors = Vec::new();
        let measured = self.measure(server, &mut errors);
        found.extend(errors.into_iter().map(|(error, by_type)| Found {
            community: self.community,
            instance_type: measured.filter(|_| by_type),
            error,
        }));
    }

    /// The problems of `server`, each with whether it is measured against its instance type;
    /// returns the declaration of that type.
    fn measure(
        &self,
        server: &Server<'_>,
        errors: &mut Vec<(ScheduleError, bool)>,
    ) -> Option<DeclId> {
        let measures = [
            (
                "memory",
                server.defaults.0,
                server.mem_guarantee,
                server.mem_limit,
                server.mem_guarantee.and_then(bytes),
                server.mem_limit.and_then(bytes),
            ),
            (
                "cpu",
                server.defaults.1,
                server.cpu_guarantee,
                server.cpu_limit,
                server.cpu_guarantee.and_then(millicores),
                server.cpu_limit.and_then(millicores),
            ),
        ];
        for (resource, defaults, guarantee_node, limit_node, guarantee, limit) in measures {
            if let (false, Some(node), Some(limit_node), Some(guarantee), Some(limit)) =
                (defaults, guarantee_node, limit_node, guarantee, limit)
                && guarantee > limit
            {
                errors.push((
                    ScheduleError::GuaranteeOverLimit {
                        server: server.name.text(self.names),
                        resource,
                        guarantee: amount(resource, guarantee),
                        limit: amount(resource, limit),
                        at: self.place(node),
                        limit_at: self.place(limit_node),
                    },
                    false,
                ));
            }
        }
        let selected = server.instance_type?;
        let name = text(selected)?;
        if let Some((cluster, pools)) = self.pools
            && !pools.iter().any(|pool| pool == name)
        {
            let decl = self.fleet.decl(cluster);
            let help = if pools.is_empty() {
                format!("cluster `{}` declares no node pools", decl.display)
            } else {
                format!(
                    "select one of the cluster's instance types ({}), or add a node pool of `{name}` to cluster `{}`",
                    pools
                        .iter()
                        .map(|p| format!("`{p}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    decl.display
                )
            };
            errors.push((
                ScheduleError::NotANodePool {
                    server: server.name.text(self.names),
                    instance_type: name.to_string(),
                    cluster: decl.display.clone(),
                    at: self.place(selected),
                    cluster_at: decl.loc(),
                    help,
                },
                false,
            ));
        }
        if self.instance_types.is_empty() {
            return None;
        }
        let Some(node) = self.instance_types.get(name) else {
            errors.push((
                ScheduleError::UnknownInstanceType {
                    server: server.name.text(self.names),
                    instance_type: name.to_string(),
                    at: self.place(selected),
                },
                false,
            ));
            return None;
        };
        let measures = [
            (
                "memory",
                node.memory,
                server.mem_guarantee,
                server.mem_limit,
                bytes as fn(&Node) -> Option<u128>,
            ),
            (
                "cpu",
                node.millicores,
                server.cpu_guarantee,
                server.cpu_limit,
                millicores,
            ),
        ];
        for (resource, allocatable, guarantee, limit, measure) in measures {
            let Some(allocatable) = allocatable else {
                continue;
            };
            for (set, is_guarantee) in [(guarantee, true), (limit, false)] {
                let Some(set) = set else {
                    continue;
                };
                let Some(asked) = measure(set).filter(|&asked| asked > allocatable) else {
                    continue;
                };
                let (server, amount, allocatable, instance_type, at, declared_at) = (
                    server.name.text(self.names),
                    amount(resource, asked),
                    amount(resource, allocatable),
                    name.to_string(),
                    self.place(set),
                    node.declared_at,
                );
                let error = if is_guarantee {
                    ScheduleError::GuaranteeExceedsNode {
                        server,
                        resource,
                        amount,
                        allocatable,
                        instance_type,
                        at,
                        declared_at,
                    }
                } else {
                    ScheduleError::LimitExceedsNode {
                        server,
                        resource,
                        amount,
                        allocatable,
                        instance_type,
                        at,
                        declared_at,
                    }
                };
                errors.push((error, true));
            }
        }
        Some(node.id)
    }

    fn place(&self, node: &Node) -> Loc {
        node.place_or(self.fallback)
    }
}

/// The instance types of a cluster's node pools (`node_pool "x" { machine_type = ... }` on
/// GKE, `vm_size` on AKS, and those of `notebook_nodes`), or `None` when it lists none: its
/// nodes are managed elsewhere (EKS node groups) and cannot be checked.
fn node_pools(fleet: &Fleet, cluster: DeclId, names: &Interner) -> Option<Vec<String>> {
    let values = fleet.values(cluster);
    let type_keys: Vec<Symbol> = ["machine_type", "vm_size", "instance_type"]
        .iter()
        .filter_map(|key| names.get(key))
        .collect();
    let mut found = Vec::new();
    let mut listed = false;
    for pools in [
        "node_pool",
        "notebook_nodes",
        "dask_node_pool",
        "dask_nodes",
    ] {
        let Some(entries) = names
            .get(pools)
            .and_then(|key| values.get(key))
            .and_then(Node::as_map)
        else {
            continue;
        };
        for (_, pool) in entries {
            listed = true;
            if let Some(kind) = type_keys
                .iter()
                .find_map(|&key| pool.get(key))
                .and_then(text)
            {
                found.push(kind.to_string());
            }
        }
    }
    listed.then_some(found)
}

/// The text of a string or name.
fn text(node: &Node) -> Option<&str> {
    match node.as_scalar()? {
        Scalar::Str(text) | Scalar::Reference(text) => Some(text),
        _ => None,
    }
}

/// A memory amount in bytes: a number of bytes, or a quantity. Units of one capital letter are
/// powers of 1024, as KubeSpawner reads them (`4G` is 4 GiB).
fn bytes(node: &Node) -> Option<u128> {
    let (number, unit) = match node.as_scalar()? {
        Scalar::Int(int) => return u128::try_from(*int).ok(),
        Scalar::Float(float) => return (*float >= 0.0).then_some(*float as u128),
        Scalar::Quantity { number, unit } => (number.as_ref(), unit.as_ref()),
        Scalar::Str(text) => split_quantity(text),
        _ => return None,
    };
    let factor: u128 = match unit {
        "" | "B" => 1,
        "k" | "KB" => 1000,
        "MB" => 1000u128.pow(2),
        "GB" => 1000u128.pow(3),
        "TB" => 1000u128.pow(4),
        "PB" => 1000u128.pow(5),
        "EB" => 1000u128.pow(6),
        "K" | "Ki" | "KiB" => 1 << 10,
        "M" | "Mi" | "MiB" => 1 << 20,
        "G" | "Gi" | "GiB" => 1 << 30,
        "T" | "Ti" | "TiB" => 1 << 40,
        "P" | "Pi" | "PiB" => 1 << 50,
        "E" | "Ei" | "EiB" => 1 << 60,
        _ => return None,
    };
    scaled(number, factor as f64)
}

/// A cpu amount in millicores, to the nearest: a number of cores, or `500m`.
fn millicores(node: &Node) -> Option<u128> {
    let (number, unit) = match node.as_scalar()? {
        Scalar::Int(int) => return u128::try_from(*int).ok()?.checked_mul(1000),
        Scalar::Float(float) => return scaled(&float.to_string(), 1000.0),
        Scalar::Quantity { number, unit } => (number.as_ref(), unit.as_ref()),
        Scalar::Str(text) => split_quantity(text),
        _ => return None,
    };
    match unit {
        "" => scaled(number, 1000.0),
        "m" => scaled(number, 1.0),
        _ => None,
    }
}

/// A decimal number times `factor`, to the nearest whole: exact for whole numbers.
fn scaled(number: &str, factor: f64) -> Option<u128> {
    let unseparated;
    let number = if number.contains('_') {
        unseparated = number.replace('_', "");
        unseparated.as_str()
    } else {
        number
    };
    if let Ok(whole) = number.parse::<u128>() {
        return whole
            .checked_mul(factor as u128)
            .filter(|_| factor.fract() == 0.0);
    }
    let value: f64 = number.parse().ok()?;
    let value = (value * factor).round();
    (0.0..1e30).contains(&value).then_some(value as u128)
}

/// `4G` as `("4", "G")`.
fn split_quantity(text: &str) -> (&str, &str) {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
        .unwrap_or(text.len());
    text.split_at(split)
}

/// An amount as messages show it: memory in GiB, cpu in cores.
fn amount(resource: &str, value: u128) -> String {
    if resource == "memory" {
        let gib = value as f64 / f64::from(1u32 << 30);
        format!("{gib:.2} GiB")
    } else {
        let cores = value as f64 / 1000.0;
        let text = format!("{cores:.3}");
        let text = text.trim_end_matches('0').trim_end_matches('.');
        format!("{text} {}", if cores == 1.0 { "core" } else { "cores" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(scalar: Scalar) -> Node {
        Node::new(NodeKind::Scalar(scalar), None)
    }

    fn quantity(number: &str, unit: &str) -> Node {
        scalar(Scalar::Quantity {
            number: number.into(),
            unit: unit.into(),
        })
    }

    #[test]
    fn memory_is_read_as_kubespawner_reads_it() {
        assert_eq!(bytes(&quantity("14", "G")), Some(14 << 30));
        assert_eq!(bytes(&quantity("14", "GB")), Some(14_000_000_000));
        assert_eq!(bytes(&quantity("1.5", "Gi")), Some(3 << 29));
        assert_eq!(bytes(&scalar(Scalar::Int(3902839759))), Some(3902839759));
        assert_eq!(bytes(&scalar(Scalar::Str("512M".into()))), Some(512 << 20));
        assert_eq!(bytes(&scalar(Scalar::Null)), None);
        assert_eq!(bytes(&quantity("1", "parsecs")), None);
    }

    #[test]
    fn cores_are_read_to_the_nearest_millicore() {
        assert_eq!(millicores(&scalar(Scalar::Float(3.6505))), Some(3651));
        assert_eq!(millicores(&scalar(Scalar::Int(4))), Some(4000));
        assert_eq!(millicores(&quantity("500", "m")), Some(500));
        assert_eq!(millicores(&quantity("1_000", "m")), Some(1000));
        assert_eq!(millicores(&quantity("2", "Gi")), None);
    }
}
