//! Schedulability, on generated fleets: a hub's default server and a profile (with or without
//! a choice) ask for memory and cpu, set at any of those levels, and select an instance type
//! that is declared, undeclared or absent, on a cluster whose node pools have it or not. What
//! `hubc check` reports is compared with what a plain reading of the rules predicts, at the
//! boundaries too. Then the imported corpus: no server of its 127 hubs fails to schedule.

#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;

use std::collections::BTreeSet;

use common::{TempDir, run};
use proptest::prelude::*;

/// Memory in MiB and cpu in millicores a level of settings sets (`None`: not set there).
#[derive(Debug, Clone, Default)]
struct Asks {
    mem_guarantee: Option<u64>,
    mem_limit: Option<u64>,
    cpu_guarantee: Option<u64>,
    cpu_limit: Option<u64>,
}

#[derive(Debug, Clone)]
struct Case {
    /// The declared instance type `t1`: allocatable MiB and millicores.
    memory: u64,
    millicores: u64,
    default: Asks,
    profile: Asks,
    /// A choice of the profile's option, over the profile.
    choice: Option<Asks>,
    /// `t1`, `t2` (undeclared) or none, selected by the profile.
    selects: Option<&'static str>,
    /// Whether the cluster's node pool is of the selected type (else of `t3`).
    pooled: bool,
}

fn amount(around: u64) -> impl Strategy<Value = Option<u64>> {
    prop_oneof![
        Just(None),
        Just(Some(around)),
        Just(Some(around + 1)),
        Just(Some(around.saturating_sub(1).max(1))),
        (1..=around * 2).prop_map(Some),
    ]
}

fn asks(memory: u64, millicores: u64) -> impl Strategy<Value = Asks> {
    (
        amount(memory),
        amount(memory),
        amount(millicores),
        amount(millicores),
    )
        .prop_map(
            |(mem_guarantee, mem_limit, cpu_guarantee, cpu_limit)| Asks {
                mem_guarantee,
                mem_limit,
                cpu_guarantee,
                cpu_limit,
            },
        )
}

fn case() -> impl Strategy<Value = Case> {
    (1024u64..65536, 1000u64..16000).prop_flat_map(|(memory, millicores)| {
        (
            asks(memory, millicores),
            asks(memory, millicores),
            proptest::option::of(asks(memory, millicores)),
            prop_oneof![Just(None), Just(Some("t1")), Just(Some("t2"))],
            any::<bool>(),
        )
            .prop_map(move |(mut default, profile, choice, selects, pooled)| {
                // The default's own guarantee and limit are the schema's to check.
                if let (Some(g), Some(l)) = (default.mem_guarantee, default.mem_limit) {
                    default.mem_guarantee = Some(g.min(l));
                }
                if let (Some(g), Some(l)) = (default.cpu_guarantee, default.cpu_limit) {
                    default.cpu_guarantee = Some(g.min(l));
                }
                Case {
                    memory,
                    millicores,
                    default,
                    profile,
                    choice,
                    selects,
                    pooled,
                }
            })
    })
}

fn cores(millicores: u64) -> String {
    format!("{}.{:03}", millicores / 1000, millicores % 1000)
}

/// The overrides of a level, as `kubespawner_override` entries.
fn overrides(asks: &Asks, indent: &str) -> String {
    let mut text = String::new();
    if let Some(m) = asks.mem_guarantee {
        text += &format!("{indent}kubespawner_override.mem_guarantee = {m}M\n");
    }
    if let Some(m) = asks.mem_limit {
        text += &format!("{indent}kubespawner_override.mem_limit = {m}M\n");
    }
    if let Some(c) = asks.cpu_guarantee {
        text += &format!(
            "{indent}kubespawner_override.cpu_guarantee = {}\n",
            cores(c)
        );
    }
    if let Some(c) = asks.cpu_limit {
        text += &format!("{indent}kubespawner_override.cpu_limit = {}\n", cores(c));
    }
    text
}

fn fleet(case: &Case) -> String {
    let pool = match (case.pooled, case.selects) {
        (true, Some(selected)) => selected,
        _ => "t3",
    };
    let mut text = format!(
        "import std.basehub\nimport std.clusters\n\n\
         instance_type \"t1\" {{\n  capacity = {{ cpu = 64, memory = 1TiB }}\n  \
         allocatable = {{ cpu = {}, memory = {}MiB }}\n}}\n\n\
         platform basehub {{\n  chart = \"basehub\"\n}}\n\n\
         archetype research extends basehub {{}}\n\n\
         cluster leap {{\n  provider = gcp {{ key = \"k.json\", project = \"p\", cluster = \"c\", zone = \"z\" }}\n  \
         node_pool \"user\" {{ min = 0, max = 10, machine_type = \"{pool}\" }}\n}}\n\n\
         community \"prod\" : research {{\n  cluster = leap\n  domain = \"prod.example.org\"\n  \
         display_name = \"Prod\"\n",
        cores(case.millicores),
        case.memory
    );
    let d = &case.default;
    if let Some(m) = d.mem_guarantee {
        text += &format!("  jupyterhub.singleuser.memory.guarantee = {m}MiB\n");
    }
    if let Some(m) = d.mem_limit {
        text += &format!("  jupyterhub.singleuser.memory.limit = {m}MiB\n");
    }
    if let Some(c) = d.cpu_guarantee {
        text += &format!("  jupyterhub.singleuser.cpu.guarantee = {}\n", cores(c));
    }
    if let Some(c) = d.cpu_limit {
        text += &format!("  jupyterhub.singleuser.cpu.limit = {}\n", cores(c));
    }
    text += "  jupyterhub.singleuser.profileList = [\n    {\n      slug = \"p\"\n      display_name = \"P\"\n";
    text += &overrides(&case.profile, "      ");
    if let Some(selected) = case.selects {
        text += &format!(
            "      kubespawner_override.node_selector.\"node.kubernetes.io/instance-type\" = \"{selected}\"\n"
        );
    }
    if let Some(choice) = &case.choice {
        text += "      profile_options.size.display_name = \"Size\"\n";
        text += "      profile_options.size.choices.c.display_name = \"C\"\n";
        text += &overrides(choice, "      profile_options.size.choices.c.");
    }
    text += "    },\n  ]\n}\n";
    text
}

/// What the rules predict: the codes of the schedule diagnostics.
fn predicted(case: &Case) -> BTreeSet<&'static str> {
    let mut codes = BTreeSet::new();
    let pick = |field: fn(&Asks) -> Option<u64>| {
        let chosen = case.choice.as_ref().and_then(field);
        let profiled = field(&case.profile);
        let own = chosen.or(profiled);
        (own.or(field(&case.default)), own.is_some())
    };
    let (mem_g, mem_g_own) = pick(|a| a.mem_guarantee);
    let (mem_l, mem_l_own) = pick(|a| a.mem_limit);
    let (cpu_g, cpu_g_own) = pick(|a| a.cpu_guarantee);
    let (cpu_l, cpu_l_own) = pick(|a| a.cpu_limit);
    // Memory in MiB and cpu in millicores compare as they are.
    for (g, l, own) in [
        (mem_g, mem_l, mem_g_own || mem_l_own),
        (cpu_g, cpu_l, cpu_g_own || cpu_l_own),
    ] {
        if let (Some(g), Some(l), true) = (g, l, own)
            && g > l
        {
            codes.insert("hub::schedule::guarantee_over_limit");
        }
    }
    match case.selects {
        None => {}
        Some(selected) => {
            if !case.pooled {
                codes.insert("hub::schedule::not_a_node_pool");
            }
            if selected == "t2" {
                codes.insert("hub::schedule::unknown_instance_type");
            } else {
                for (g, l, allocatable) in
                    [(mem_g, mem_l, case.memory), (cpu_g, cpu_l, case.millicores)]
                {
                    if g.is_some_and(|g| g > allocatable) {
                        codes.insert("hub::schedule::guarantee_exceeds_node");
                    }
                    if l.is_some_and(|l| l > allocatable) {
                        codes.insert("hub::schedule::limit_exceeds_node");
                    }
                }
            }
        }
    }
    codes
}

proptest! {
    #![proptest_config(common::proptest_config(48))]

    #[test]
    fn what_is_reported_is_what_the_rules_predict(case in case()) {
        let scratch = TempDir::new("schedule");
        scratch.write("fleet.hub", fleet(&case));
        let (_, stdout, stderr) = run(scratch.path(), &["check", "fleet.hub", "--format", "json"]);
        let codes: Vec<serde_json::Value> = stdout
            .lines()
            .map(|line| serde_json::from_str(line).expect("a JSON diagnostic"))
            .collect();
        let others: Vec<&serde_json::Value> = codes
            .iter()
            .filter(|d| !d["code"].as_str().unwrap_or("").starts_with("hub::schedule::"))
            .filter(|d| d["severity"] == "error")
            .collect();
        prop_assert!(others.is_empty(), "{others:?}\n{}\n{stderr}", fleet(&case));
        let found: BTreeSet<&str> = codes
            .iter()
            .filter_map(|d| d["code"].as_str())
            .filter(|code| code.starts_with("hub::schedule::"))
            .collect();
        prop_assert_eq!(&found, &predicted(&case), "{}", fleet(&case));
    }
}

#[test]
fn no_server_of_the_imported_corpus_fails_to_schedule() {
    let scratch = TempDir::new("schedule-corpus");
    let Some(fleet) = common::imported_corpus(&scratch) else {
        return;
    };
    // The measured table is imported, and takes the place of the standard estimates.
    let declared = std::fs::read_to_string(fleet.join("instance_types.hub")).expect("imported");
    assert!(
        declared.contains("instance_type \"n2-highmem-4\""),
        "{declared}"
    );
    assert!(declared.contains("import std.instances"), "{declared}");
    let (code, stdout, stderr) = run(&fleet, &["check", ".", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let schedule: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).expect("JSON"))
        .filter(|d| {
            d["code"]
                .as_str()
                .unwrap_or("")
                .starts_with("hub::schedule::")
        })
        .collect();
    // Every server fits its node; a few may use more than the node has (warnings), and every
    // instance type a profile selects is declared.
    for diagnostic in &schedule {
        assert_eq!(
            diagnostic["code"], "hub::schedule::limit_exceeds_node",
            "{diagnostic}"
        );
        assert_eq!(diagnostic["severity"], "warning", "{diagnostic}");
    }
}
