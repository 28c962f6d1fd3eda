//! The standard schemas against the charts' own JSON schemas and the real fleet: every key
//! zero-to-jupyterhub allows under `hub` and `singleuser` is known, a misspelled key is rejected
//! with a suggestion, and every key the corpus sets is known.

#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;

use std::collections::BTreeSet;

use hubc::check::schema::{Schema, Step, TypeId};
use hubc::driver::Analysis;
use hubc::intern::{Interner, Symbol};
use serde_yaml_ng::Value;

/// Analyses a fleet that imports the standard schemas, for its schema table.
fn standard_schema() -> Analysis {
    let (session, analysis) = common::analyze_fixture(
        "import std.basehub\nplatform basehub {\n  chart = \"basehub\"\n}\n",
    );
    assert!(session.diagnostics.is_empty(), "{:?}", session.diagnostics);
    analysis.expect("the standard modules analyse")
}

fn symbol(names: &Interner, key: &str) -> Symbol {
    names.get(key).unwrap_or(Symbol::MISSING)
}

fn type_at(schema: &Schema, names: &Interner, root: TypeId, path: &[&str]) -> TypeId {
    let mut ty = root;
    for key in path {
        match schema.step(ty, symbol(names, key)) {
            Step::Found(next) => ty = next,
            _ => panic!("`{}` is not typed in the standard schema", path.join(".")),
        }
    }
    ty
}

/// The keys the z2jh schema lists under `properties.<section>.properties`.
fn z2jh_keys(z2jh: &Value, section: &str) -> BTreeSet<String> {
    z2jh["properties"][section]["properties"]
        .as_mapping()
        .expect("the section has properties")
        .keys()
        .filter_map(|key| key.as_str().map(str::to_string))
        .collect()
}

#[cfg_attr(hubc_no_corpus, ignore = "../shared/corpus is missing")]
#[test]
fn every_key_z2jh_allows_under_hub_and_singleuser_is_known_and_no_other() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let text =
        std::fs::read_to_string(corpus.join("z2jh/values.schema.yaml")).expect("z2jh schema");
    let z2jh: Value = serde_yaml_ng::from_str(&text).expect("z2jh schema parses");
    let analysis = standard_schema();
    let (schema, names) = (&analysis.schema, &analysis.names);
    let root = schema
        .schema(symbol(names, "basehub"))
        .expect("schema basehub");
    for section in ["hub", "singleuser"] {
        let section_type = type_at(schema, names, root, &["jupyterhub", section]);
        let allowed = z2jh_keys(&z2jh, section);
        for key in &allowed {
            assert!(
                matches!(
                    schema.step(section_type, symbol(names, key)),
                    Step::Found(_)
                ),
                "z2jh allows `{section}.{key}`, the standard schema does not know it"
            );
        }
        let body = schema.as_struct(section_type).expect("a struct");
        assert!(
            !body.open,
            "`{section}` is closed in z2jh and must be closed here"
        );
        let known: BTreeSet<String> = body
            .fields
            .iter()
            .map(|field| names.resolve(field.key).to_string())
            .collect();
        let invented: Vec<&String> = known.difference(&allowed).collect();
        assert!(
            invented.is_empty(),
            "keys z2jh rejects under `{section}`: {invented:?}"
        );
    }
}

#[cfg_attr(hubc_no_corpus, ignore = "../shared/corpus is missing")]
#[test]
fn a_key_z2jh_rejects_is_rejected_with_a_suggestion() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let text =
        std::fs::read_to_string(corpus.join("z2jh/values.schema.yaml")).expect("z2jh schema");
    let z2jh: Value = serde_yaml_ng::from_str(&text).expect("z2jh schema parses");
    for section in ["hub", "singleuser"] {
        let allowed = z2jh_keys(&z2jh, section);
        let mut n_checked = 0;
        for key in &allowed {
            // Double the last letter: a typo z2jh rejects, unless it happens to be a real key.
            let typo = format!("{key}{}", key.chars().last().unwrap_or('x'));
            if allowed.contains(&typo) {
                continue;
            }
            let fixture = format!(
                "import std.basehub\nplatform basehub {{\n  chart = \"basehub\"\n  jupyterhub.{section}.{typo} = 1\n}}\n"
            );
            let (session, _) = common::analyze_fixture(&fixture);
            let codes: Vec<(&str, Option<&str>)> = session
                .diagnostics
                .iter()
                .map(|d| (d.code.as_str(), d.help.as_deref()))
                .collect();
            let expected_help = format!("did you mean `{key}`?");
            assert_eq!(
                codes,
                [("hub::check::unknown_key", Some(expected_help.as_str()))],
                "`jupyterhub.{section}.{typo}`"
            );
            n_checked += 1;
        }
        assert!(
            n_checked > 20,
            "only {n_checked} keys of `{section}` were tried"
        );
    }
}

#[cfg_attr(hubc_no_corpus, ignore = "../shared/corpus is missing")]
#[test]
fn every_key_the_corpus_sets_is_known() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let analysis = standard_schema();
    let (schema, names) = (&analysis.schema, &analysis.names);
    let root = schema
        .schema(symbol(names, "basehub"))
        .expect("schema basehub");
    let mut unknown = BTreeSet::new();
    let mut n_hubs = 0;
    for path in common::files_under(&corpus.join("2i2c/expected")) {
        let text = std::fs::read_to_string(&path).expect("expected file");
        let expected: serde_json::Value = serde_json::from_str(&text).expect("expected JSON");
        let mut values = &expected["merged_values"];
        if expected["chart"] == "daskhub" {
            values = &values["basehub"];
        }
        walk(schema, names, root, values, &mut Vec::new(), &mut unknown);
        n_hubs += 1;
    }
    assert_eq!(n_hubs, 127);
    assert!(
        unknown.is_empty(),
        "paths the standard schema rejects: {unknown:#?}"
    );
}

fn walk(
    schema: &Schema,
    names: &Interner,
    ty: TypeId,
    value: &serde_json::Value,
    path: &mut Vec<String>,
    unknown: &mut BTreeSet<String>,
) {
    let Some(object) = value.as_object() else {
        return;
    };
    for (key, child) in object {
        path.push(key.clone());
        match schema.step(ty, symbol(names, key)) {
            Step::Found(next) => walk(schema, names, next, child, path, unknown),
            Step::Open => {}
            Step::Unknown(_) | Step::NotAMap => {
                unknown.insert(path.join("."));
            }
        }
        path.pop();
    }
}
