//! Writing communities: each hub as a `community` of its archetype, once the fleet-wide mixins
//! (bundles of values the same hubs of several clusters set alike) are found and written.

use super::values::{is_empty_map, lookup};
use super::write::{Types, literal, path};
use super::{Hub, HubValues, Imported, Importer, canonical, groups, name_literal, placement};
use crate::emit::Value;

impl Importer<'_> {
    /// The text of a community: what its values set beyond the values of its archetype
    /// (`archetype_values`); `inherited` adds the chart's defaults below them. Every value the
    /// hub's files set is written, even one equal to the chart's default, since Helm does not
    /// write those.
    fn community(
        &mut self,
        cluster: &str,
        directory: &str,
        hub: &Hub,
        values: &HubValues,
        (archetype, mixins): (&str, &[String]),
        (own, inherited): (&Value, &Value),
    ) -> String {
        let mut text = format!(
            "//! The hub `{}` of cluster `{cluster}`, imported from `{directory}/cluster.yaml`.\n\n",
            hub.name
        );
        text.push_str(&format!(
            "community {} : {archetype}",
            name_literal(&hub.name)
        ));
        if !mixins.is_empty() {
            text.push_str(&format!(" with {}", mixins.join(", ")));
        }
        text.push_str(" {\n");
        text.push_str(&format!("  cluster = {}\n", name_literal(cluster)));
        if let Some(domain) = &hub.domain {
            text.push_str(&format!("  domain = {}\n", crate::syntax::quote(domain)));
        }
        if let Some(display_name) = &hub.display_name {
            text.push_str(&format!(
                "  display_name = {}\n",
                crate::syntax::quote(display_name)
            ));
        }
        for (property, files) in [
            ("secrets_first", &hub.secrets_first),
            ("secrets", &hub.secrets),
        ] {
            if !files.is_empty() {
                let list: Vec<String> = files
                    .iter()
                    .map(|file| format!("secret({})", crate::syntax::quote(file)))
                    .collect();
                text.push_str(&format!("  {property} = [{}]\n", list.join(", ")));
            }
        }
        if let Some(chart_override) = &hub.chart_override {
            text.push_str(&format!(
                "  manifest.chart_override = {}\n",
                crate::syntax::quote(chart_override)
            ));
        }
        if !hub.raw.is_empty() {
            text.push_str(&format!(
                "  manifest = {}\n",
                literal(
                    &Value::Map(hub.raw.clone()),
                    &[],
                    &Types::untyped(self.types)
                )
            ));
        }
        if !is_empty_map(&values.raw) {
            text.push_str(&format!(
                "  chart_values = {}\n",
                literal(&values.raw, &[], &Types::untyped(self.types))
            ));
        }
        // A list keyed by a field, set again here over one it inherits, replaces it in Helm; in
        // hubc it would merge, so the community deletes the inherited one first.
        let mut deletes = Vec::new();
        keyed_lists(own, &mut Vec::new(), self.types, &mut |list_path| {
            if lookup(inherited, list_path).is_some() {
                deletes.push(list_path.to_vec());
            }
        });
        text.push('\n');
        for delete in &deletes {
            text.push_str(&format!("  delete {}\n", path(delete)));
        }
        text.push_str(&self.body(own, &[], &values.comments));
        text.push_str("}\n");
        text
    }

    /// Writes every community, after finding the fleet-wide mixins: the bundles of values that
    /// the same hubs of several clusters set the same way themselves. A mixin's values are still
    /// measured against each hub's archetype; the mixin says they are shared.
    pub(super) fn communities(&mut self, imported: &mut Imported) {
        let pending = std::mem::take(&mut self.pending);
        let owns: Vec<(&str, &Value)> = pending
            .iter()
            .map(|community| (community.cluster.as_str(), &community.own))
            .collect();
        // A list keyed by a field merges in hubc where Helm replaces it: a community sets those.
        let types = self.types;
        let shareable = |at: &[String]| {
            types
                .type_at(at)
                .and_then(|ty| types.schema.keyed_by(ty))
                .is_none()
        };
        let bundles = groups::bundles(&owns, &shareable);
        let mut taken: Vec<Vec<String>> = vec![Vec::new(); pending.len()];
        let mut text = String::from(
            "//! Mixins of the fleet, found by `hubc import`: values that hubs of several clusters set\n\
             //! the same way themselves. Each is still measured against every hub's archetype.\n",
        );
        for bundle in &bundles {
            let name = self.unique_name(groups::bundle_name(&bundle.values));
            let doc = format!(
                "The values that {} hubs of the clusters {} set the same way.",
                bundle.members.len(),
                bundle
                    .clusters
                    .iter()
                    .map(|cluster| format!("`{cluster}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            text.push('\n');
            text.push_str(&placement::doc_lines(&doc));
            text.push_str(&format!("mixin {name} {{\n"));
            text.push_str(&self.body(&bundle.values, &[], &[]));
            text.push_str("}\n");
            for &member in &bundle.members {
                taken[member].push(name.clone());
            }
        }
        if !bundles.is_empty() {
            imported
                .files
                .insert("mixins.hub".to_string(), canonical(&text));
        }
        imported.n_mixins = bundles.len();
        for (index, community) in pending.iter().enumerate() {
            let mut own = community.own.clone();
            for bundle in bundles.iter().filter(|b| b.members.contains(&index)) {
                own = groups::own_values(&own, &bundle.values);
            }
            let text = self.community(
                &community.cluster,
                &community.directory,
                &community.hub,
                &community.values,
                (&community.archetype, &taken[index]),
                (&own, &community.inherited),
            );
            imported.files.insert(
                format!("clusters/{}/{}.hub", community.cluster, community.hub.name),
                canonical(&text),
            );
            imported.n_hubs += 1;
        }
    }

    /// `wanted`, or `wanted` with a number when the fleet has a layer of that name already.
    pub(super) fn unique_name(&mut self, wanted: String) -> String {
        let mut name = wanted.clone();
        let mut next = 2;
        while !self.layer_names.insert(name.clone()) {
            name = format!("{wanted}_{next}");
            next += 1;
        }
        name
    }
}

/// Calls `found` with the path of every list in `tree` that the schema keys by a field.
fn keyed_lists(
    tree: &Value,
    at: &mut Vec<String>,
    types: &Types<'_>,
    found: &mut dyn FnMut(&[String]),
) {
    match tree {
        Value::Map(entries) => {
            for (entry_key, value) in entries {
                at.push(entry_key.clone());
                keyed_lists(value, at, types, found);
                at.pop();
            }
        }
        Value::List(_)
            if types
                .type_at(at)
                .and_then(|ty| types.schema.keyed_by(ty))
                .is_some() =>
        {
            found(at);
        }
        _ => {}
    }
}
