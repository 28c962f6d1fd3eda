//! `hubc explain`: the values a community ends up with under a path, how each is classified,
//! and the chain of assignments that produced it.

use crate::analysis::Analysis;
use crate::check::policy::{Class, CommunityDrift};
use crate::intern::Symbol;
use crate::resolve::value::{DeclId, Node, Origin, Provenance, path_text, value_text};
use crate::source::SourceMap;

/// Splits a path as written on the command line (`a.b."c.d"`) into keys.
pub fn split_path(text: &str) -> Option<Vec<String>> {
    let mut keys = Vec::new();
    let mut rest = text.trim();
    if rest.is_empty() {
        return Some(keys);
    }
    loop {
        let (key, after) = if let Some(quoted) = rest.strip_prefix('"') {
            let end = quoted.find('"')?;
            (quoted[..end].to_string(), &quoted[end + 1..])
        } else {
            let end = rest.find('.').unwrap_or(rest.len());
            (rest[..end].to_string(), &rest[end..])
        };
        if key.is_empty() {
            return None;
        }
        keys.push(key);
        match after.strip_prefix('.') {
            Some(next) => rest = next,
            None if after.is_empty() => return Some(keys),
            None => return None,
        }
    }
}

/// What went wrong looking up a path.
pub struct NoSuchPath {
    pub path: String,
    pub suggestion: Option<String>,
}

/// Explains the values of `community` under `path`.
pub fn explain(
    analysis: &Analysis,
    sources: &SourceMap,
    community: DeclId,
    path: &[String],
) -> Result<String, NoSuchPath> {
    let names = &analysis.names;
    let fleet = &analysis.fleet;
    let decl = fleet.decl(community);
    let symbols: Vec<Symbol> = path
        .iter()
        .map(|key| names.get(key).unwrap_or(Symbol::MISSING))
        .collect();
    // The hub's properties (chart, cluster, domain, ...) are shown beside its chart values.
    let mut tree = fleet.values(community).clone();
    if let Some(properties) = fleet.properties(community).as_map() {
        for (key, value) in properties {
            tree = crate::resolve::merge::insert(tree, &[*key], value.clone());
        }
    }
    let tree = &tree;
    let deleted_here = analysis.drift.iter().any(|drift| {
        drift.community == community
            && drift
                .overrides
                .iter()
                .any(|o| o.value.is_none() && o.path.starts_with(&symbols))
    });
    let empty = Node::empty_map();
    let node = match tree.lookup(&symbols) {
        Some(node) => node,
        None if deleted_here => &empty,
        None => return Err(no_such_path(analysis, tree, &symbols, path)),
    };
    let drift = analysis
        .drift
        .iter()
        .find(|drift| drift.community == community);
    let mut out = String::new();
    let archetype = decl
        .parent
        .map_or("?".to_string(), |parent| fleet.decl(parent).display.clone());
    out.push_str(&format!("community {} : {archetype}", decl.display));
    for (index, mixin) in decl.mixins.iter().enumerate() {
        out.push_str(if index == 0 { " with " } else { ", " });
        out.push_str(&fleet.decl(*mixin).display);
    }
    out.push_str(&format!(
        " ({})\n",
        place(sources, decl_origin(fleet, community))
    ));
    let mut leaves = Vec::new();
    node.for_each_leaf(&mut symbols.clone(), &mut |leaf_path, leaf| {
        leaves.push((leaf_path.to_vec(), leaf.clone()));
    });
    leaves.sort_by_cached_key(|(leaf_path, _)| path_text(leaf_path, names));
    // The elements of a list keyed by a field are shown value by value, each with its own
    // provenance, as `path[key="value"].field`.
    let root = fleet.root_type(community);
    let mut shown = Vec::new();
    for (leaf_path, leaf) in leaves {
        let keyed_by = root
            .and_then(|root| analysis.schema.type_at(root, &leaf_path))
            .and_then(|ty| analysis.schema.keyed_by(ty));
        match (keyed_by, leaf.kind()) {
            (Some(key), crate::resolve::value::NodeKind::List(elements)) => {
                for (index, element) in elements.iter().enumerate() {
                    // An element is named by its key, `profileList[slug="small"]`, or by its
                    // position when it has none.
                    let label = element.get(key).map_or(index.to_string(), |k| {
                        format!("{}={}", names.resolve(key), value_text(k, names))
                    });
                    let prefix = format!("{}[{label}]", path_text(&leaf_path, names));
                    let mut fields = Vec::new();
                    element.for_each_leaf(&mut Vec::new(), &mut |inner, value| {
                        let text = if inner.is_empty() {
                            prefix.clone()
                        } else {
                            format!("{prefix}.{}", path_text(inner, names))
                        };
                        fields.push((text, leaf_path.clone(), value.clone()));
                    });
                    fields.sort_by(|left, right| left.0.cmp(&right.0));
                    shown.extend(fields);
                }
            }
            _ => shown.push((path_text(&leaf_path, names), leaf_path.clone(), leaf)),
        }
    }
    // A value last set by a layer above the community is inherited, even inside a list the
    // community merged into.
    let own_layers: Vec<DeclId> = decl.mixins.iter().copied().chain([community]).collect();
    for (text, leaf_path, leaf) in shown {
        let set_by_community = leaf
            .provenance()
            .is_some_and(|p| own_layers.contains(&p.origin.decl));
        let class = match drift {
            Some(drift) if set_by_community => class_of(drift, &leaf_path),
            _ => Class::Inherited,
        };
        let mut value = value_text(&leaf, names);
        if crate::check::credential::is_printed_credential(&text, &value) {
            value = crate::check::credential::REDACTED.to_string();
        }
        out.push_str(&format!("\n{text} = {value}  [{}]\n", class.as_str()));
        out.push_str("  ");
        out.push_str(&chain_text(analysis, sources, leaf.provenance()));
        out.push('\n');
        if let Some(drift) = drift
            && let Some(found) = drift.overrides.iter().find(|o| o.path == leaf_path)
        {
            let notes = &found.notes;
            if let Some(reason) = &notes.reason {
                out.push_str(&format!("  reason: {reason}\n"));
            }
            if let Some(ticket) = &notes.ticket {
                out.push_str(&format!("  ticket: {ticket}\n"));
            }
            if let Some((year, month, day)) = notes.expires {
                out.push_str(&format!("  expires: {year:04}-{month:02}-{day:02}\n"));
            }
        }
    }
    // What the community deleted leaves no value behind; say so, with where.
    if let Some(drift) = drift {
        for deleted in drift
            .overrides
            .iter()
            .filter(|o| o.value.is_none() && o.path.starts_with(&symbols))
        {
            let decl = fleet.decl(deleted.origin.decl);
            out.push_str(&format!(
                "\n{} deleted  [{}]\n  {} {} ({})\n",
                path_text(&deleted.path, names),
                deleted.class.as_str(),
                decl.kind.keyword(),
                decl.display,
                place(sources, deleted.origin)
            ));
        }
    }
    Ok(out)
}

/// The class of a leaf: its own override, or the override of the list or value that holds it.
fn class_of(drift: &CommunityDrift, path: &[Symbol]) -> Class {
    drift
        .overrides
        .iter()
        .filter(|o| path.starts_with(&o.path))
        .max_by_key(|o| o.path.len())
        .map_or(Class::Inherited, |o| o.class)
}

fn chain_text(
    analysis: &Analysis,
    sources: &SourceMap,
    provenance: Option<&std::sync::Arc<Provenance>>,
) -> String {
    let Some(provenance) = provenance else {
        return "(built by merging)".to_string();
    };
    provenance
        .chain()
        .into_iter()
        .map(|origin| {
            let decl = analysis.fleet.decl(origin.decl);
            format!(
                "{} {} ({})",
                decl.kind.keyword(),
                decl.display,
                place(sources, origin)
            )
        })
        .collect::<Vec<_>>()
        .join(" -> ")
}

fn decl_origin(fleet: &crate::resolve::Fleet, id: DeclId) -> Origin {
    let decl = fleet.decl(id);
    Origin {
        decl: id,
        file: decl.file,
        span: decl.name_span,
    }
}

/// `file:line:column`
pub fn place(sources: &SourceMap, origin: Origin) -> String {
    let file = sources.get(origin.file);
    let at = file.line_col(origin.span.start as usize);
    format!("{}:{}:{}", file.name, at.line, at.column)
}

fn no_such_path(
    analysis: &Analysis,
    tree: &Node,
    symbols: &[Symbol],
    path: &[String],
) -> NoSuchPath {
    let names = &analysis.names;
    // The longest prefix that exists, and a suggestion for the next key.
    let mut depth = 0;
    while depth < symbols.len() && tree.lookup(&symbols[..=depth]).is_some() {
        depth += 1;
    }
    let parent = tree.lookup(&symbols[..depth]);
    let siblings: Vec<&str> = parent
        .and_then(Node::as_map)
        .map(|entries| entries.iter().map(|(key, _)| names.resolve(*key)).collect())
        .unwrap_or_default();
    let suggestion = crate::diagnostics::suggest::did_you_mean(&path[depth], siblings).map(|key| {
        let mut suggested: Vec<String> = path[..depth].to_vec();
        suggested.push(key.to_string());
        suggested.join(".")
    });
    NoSuchPath {
        path: path.join("."),
        suggestion,
    }
}
