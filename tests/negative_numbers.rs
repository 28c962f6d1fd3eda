//! Negative numbers on quantity-like keys: every key of the standard schemas that takes a number
//! or a quantity is set to a negative value, generated from the schema itself, and must be
//! refused, unless it is one of the few keys whose numbers may be negative.

#![allow(clippy::disallowed_methods)] // the shared helpers set up and read files

mod common;

use std::collections::HashSet;

use hubc::check::schema::{Schema, Type, TypeId};
use hubc::diagnostics::Severity;
use hubc::intern::Interner;

/// Keys whose numbers are not amounts, so that a negative value means something or is no
/// business of the schema: identifiers, priorities, ports, permissions, verbosity.
const NOT_AMOUNTS: &[&str] = &[
    "uid",
    "gid",
    "fsGid",
    "min_projid",
    "port",
    "nodePort",
    "http",
    "https",
    "allowedIngressPorts",
    "mode",
    "logLevel",
    "defaultPriority",
    "imagePullerPriority",
    "userPlaceholderPriority",
    "tolerationSeconds",
    "activeServerLimit",
    "concurrentSpawnLimit",
    "consecutiveFailureLimit",
    "namedServerLimitPerUser",
    "maxUnavailable",
    "minAvailable",
    "hubspot_deal_id",
    "account",
];

/// One step of a path to a key: a field, or the elements of a list.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Element,
}

/// A key that takes numbers: its steps from the root, and whether it takes fractions.
struct NumberKey {
    steps: Vec<Step>,
    fractions: bool,
}

/// The analysed standard modules, for their schema table.
fn standard() -> hubc::driver::Analysis {
    let (session, analysis) = common::analyze_fixture(
        "import std.basehub\nimport std.terraform\nplatform basehub {\n  chart = \"basehub\"\n}\n",
    );
    assert!(session.diagnostics.is_empty(), "{:?}", session.diagnostics);
    analysis.expect("the standard modules analyse")
}

/// Every key below `ty` that takes a number or a quantity.
fn number_keys(schema: &Schema, names: &Interner, ty: TypeId) -> Vec<NumberKey> {
    let mut found = Vec::new();
    let mut seen = HashSet::new();
    walk(schema, names, ty, &mut Vec::new(), &mut seen, &mut found);
    let mut written = HashSet::new();
    found.retain(|key| written.insert(format!("{:?}", key.steps)));
    found
}

fn walk(
    schema: &Schema,
    names: &Interner,
    ty: TypeId,
    steps: &mut Vec<Step>,
    seen: &mut HashSet<(TypeId, usize)>,
    found: &mut Vec<NumberKey>,
) {
    // A recursive type is walked once at each depth, and never deeper than the schemas go.
    if steps.len() > 12 || !seen.insert((ty, steps.len())) {
        return;
    }
    if let Some(fractions) = takes_numbers(schema, ty) {
        found.push(NumberKey {
            steps: steps.clone(),
            fractions,
        });
    }
    match schema.get(ty) {
        Type::Struct(body) => {
            for field in &body.fields {
                steps.push(Step::Key(names.resolve(field.key).to_string()));
                walk(schema, names, field.ty, steps, seen, found);
                steps.pop();
            }
        }
        Type::Map(value) => {
            steps.push(Step::Key("entry".to_string()));
            walk(schema, names, *value, steps, seen, found);
            steps.pop();
        }
        Type::List { element, .. } => {
            steps.push(Step::Element);
            walk(schema, names, *element, steps, seen, found);
            steps.pop();
        }
        Type::Union(alternatives) => {
            for &alternative in alternatives {
                if !matches!(
                    schema.get(alternative),
                    Type::Int(_) | Type::Float(_) | Type::Literal(_)
                ) {
                    walk(schema, names, alternative, steps, seen, found);
                }
            }
        }
        Type::Alias(target) | Type::Matching { base: target, .. } => {
            walk(schema, names, *target, steps, seen, found)
        }
        _ => {}
    }
}

/// `Some(takes fractions)` when the type takes numbers: a quantity, an `int` or a `float`.
fn takes_numbers(schema: &Schema, ty: TypeId) -> Option<bool> {
    match schema.get(ty) {
        Type::Memory | Type::BinaryMemory | Type::Cpu | Type::Cores | Type::Duration => Some(true),
        Type::Float(_) => Some(true),
        Type::Int(_) => Some(false),
        Type::Union(alternatives) => alternatives
            .iter()
            .filter_map(|&alternative| takes_numbers(schema, alternative))
            .reduce(|left, right| left || right),
        Type::Alias(target) => takes_numbers(schema, *target),
        _ => None,
    }
}

/// `key = value` for the steps: keys before the first list are a dotted path, and what is below
/// a list is written inside its element.
fn assignment(steps: &[Step], value: &str) -> String {
    let Some(first_list) = steps.iter().position(|step| matches!(step, Step::Element)) else {
        return format!("{} = {value}", dotted(steps));
    };
    format!(
        "{} = {}",
        dotted(&steps[..first_list]),
        nested(&steps[first_list..], value)
    )
}

fn dotted(steps: &[Step]) -> String {
    steps
        .iter()
        .map(|step| match step {
            Step::Key(key) => hubc::import::write::key(key),
            Step::Element => unreachable!("no list in a dotted path"),
        })
        .collect::<Vec<_>>()
        .join(".")
}

fn nested(steps: &[Step], value: &str) -> String {
    match steps.split_first() {
        None => value.to_string(),
        Some((Step::Element, rest)) => format!("[{}]", nested(rest, value)),
        Some((Step::Key(key), rest)) => {
            format!(
                "{{ {} = {} }}",
                hubc::import::write::key(key),
                nested(rest, value)
            )
        }
    }
}

fn last_key(steps: &[Step]) -> &str {
    steps
        .iter()
        .rev()
        .find_map(|step| match step {
            Step::Key(key) => Some(key.as_str()),
            Step::Element => None,
        })
        .expect("a key")
}

/// The codes of the errors a fleet made of `fixture` gets.
fn error_codes(fixture: &str) -> Vec<(String, String)> {
    let (session, _) = common::analyze_fixture(fixture);
    session
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.severity == Severity::Error)
        .map(|diagnostic| (diagnostic.code.clone(), diagnostic.message.clone()))
        .collect()
}

/// The chart values of a platform, or the body of a cluster on `provider`.
fn fleet(target: &Target, line: &str) -> String {
    match target {
        Target::Chart => format!(
            "import std.basehub\nplatform basehub {{\n  chart = \"basehub\"\n  {line}\n}}\n"
        ),
        Target::Cluster(provider) => format!(
            "import std.terraform\ncluster \"c\" {{\n  provider = {provider} {{}}\n  {line}\n}}\n"
        ),
    }
}

enum Target {
    Chart,
    Cluster(&'static str),
}

const NEGATIVE_CODES: &[&str] = &["hub::check::bad_quantity", "hub::check::out_of_range"];

/// Sets every number key of `root` to negative numbers and to zero: the negative ones must be
/// refused with a negative-quantity or out-of-range error naming the key, zero must not be.
/// Returns the number of negative cases.
fn every_number_key_refuses_negatives(root: &str, target: Target) -> usize {
    let analysis = standard();
    let (schema, names) = (&analysis.schema, &analysis.names);
    let root_type = schema
        .named
        .get(&names.get(root).expect("the schema is named"))
        .expect("the schema is declared")
        .id;
    let keys = number_keys(schema, names, root_type);
    let mut accepted = Vec::new();
    let mut tested = 0;
    for key in keys
        .iter()
        .filter(|key| !NOT_AMOUNTS.contains(&last_key(&key.steps)))
    {
        let mut negatives = vec!["-2"];
        if key.fractions {
            negatives.push("-0.5");
        }
        for negative in negatives {
            tested += 1;
            let line = assignment(&key.steps, negative);
            let errors = error_codes(&fleet(&target, &line));
            let name = format!("{}`", last_key(&key.steps));
            let refused = errors.iter().any(|(code, message)| {
                NEGATIVE_CODES.contains(&code.as_str()) && message.contains(&name)
            });
            if !refused {
                accepted.push(format!("{line}: {errors:?}"));
            }
        }
        let line = assignment(&key.steps, "0");
        let errors = error_codes(&fleet(&target, &line));
        assert!(
            !errors
                .iter()
                .any(|(code, _)| NEGATIVE_CODES.contains(&code.as_str())),
            "zero is refused: {line}: {errors:?}"
        );
    }
    assert!(
        accepted.is_empty(),
        "negative numbers accepted:\n{}",
        accepted.join("\n")
    );
    tested
}

#[test]
fn every_number_key_of_the_chart_values_refuses_negatives() {
    let tested = every_number_key_refuses_negatives("basehub", Target::Chart);
    assert!(tested > 50, "only {tested} cases");
}

#[test]
fn every_number_key_of_cluster_bodies_refuses_negatives() {
    let mut tested = 0;
    for provider in ["gcp", "aws", "azure"] {
        tested += every_number_key_refuses_negatives(
            &format!("cluster_{provider}"),
            Target::Cluster(provider),
        );
        tested += every_number_key_refuses_negatives(
            &format!("terraform_{provider}"),
            Target::Cluster(provider),
        );
    }
    assert!(tested > 50, "only {tested} cases");
}

#[test]
fn a_bound_on_a_type_that_is_not_a_number_is_reported() {
    let output = common::check_fleet(
        "schema values {\n  size: memory >= 0\n  name: string >= 1\n}\n\nplatform p {\n  chart = \"values\"\n}\n",
    );
    assert_eq!(
        output.matches("hub::check::bad_type_bound").count(),
        2,
        "{output}"
    );
}

#[test]
fn bounds_of_a_declared_type_hold_at_every_key_of_that_type() {
    let output = common::check_fleet(
        "type Percent = (int | float | null) >= 0 <= 100\n\nschema values {\n  share: Percent\n  shares: map<Percent>\n}\n\nplatform p {\n  chart = \"values\"\n  share = 100.5\n  shares = { a = 0, b = 100, c = -1, d = null }\n}\n",
    );
    assert!(
        output.contains("`share` must be <= 100, but is `100.5`"),
        "{output}"
    );
    assert!(
        output.contains("`shares.c` must be >= 0, but is `-1`"),
        "{output}"
    );
    assert_eq!(
        output.matches("hub::check::out_of_range").count(),
        2,
        "{output}"
    );
}
