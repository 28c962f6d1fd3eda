//! Resolution, type checking and drift classification of a generated fleet of 10,000
//! communities: the whole analysis `hubc check` runs, without the disk.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use hubc::driver::{self, Session};

/// The allocator the `hubc` binary uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const N_COMMUNITIES: usize = 10_000;
const N_CLUSTERS: usize = 50;
const RUNS: usize = 5;
const N_WIDE: usize = 20_000;

fn main() {
    let files = generate();
    let lines: usize = files.iter().map(|(_, text)| text.lines().count()).sum();
    let session = load(&files);
    let mut first = session;
    let analysis = driver::analyze(&mut first, (2026, 11, 26)).expect("the fleet parses");
    let errors: Vec<_> = first.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(
        errors.is_empty(),
        "the generated fleet has errors: {:?}",
        &errors[..errors.len().min(3)]
    );
    println!(
        "generated fleet: {} communities on {} clusters, {} files, {lines} lines",
        analysis.fleet.communities.len(),
        N_CLUSTERS,
        files.len()
    );
    let mut parse_times = Vec::new();
    let mut analyze_times = Vec::new();
    let mut emit_times = Vec::new();
    let mut n_files = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        let mut session = load(&files);
        parse_times.push(started.elapsed());
        let started = Instant::now();
        let analysis = driver::analyze(&mut session, (2026, 11, 26)).expect("the fleet parses");
        analyze_times.push(started.elapsed());
        let started = Instant::now();
        let (output, _) = hubc::emit::build(&analysis, &|_| String::new());
        emit_times.push(started.elapsed());
        n_files = output.files.len();
        black_box(output);
        // Dropping the analysis is left out of the timings, as `hubc` exits without it.
        std::mem::forget(analysis);
        std::mem::forget(session);
    }
    report("parse", &parse_times);
    report("analyze", &analyze_times);
    report("emit", &emit_times);
    println!("emitted {n_files} files");
    wide_community();
}

/// One community with `N_WIDE` overrides of its own: every pass over a community's overrides
/// must stay linear in their number.
fn wide_community() {
    let mut text = String::from(
        "import std.basehub\n\nplatform basehub {\n  chart = \"basehub\"\n}\n\narchetype open extends basehub {\n}\n\ncluster c {\n  provider = gcp { project = \"p\", region = \"us-central1\", zone = \"us-central1-b\" }\n}\n\ncommunity \"wide\" : open {\n  cluster = c\n  domain = \"wide.example.org\"\n  display_name = \"Wide\"\n",
    );
    for index in 0..N_WIDE {
        text.push_str(&format!(
            "  jupyterhub.singleuser.extraEnv.VARIABLE_{index} = \"{index}\"\n"
        ));
    }
    text.push_str("}\n");
    let files = vec![("wide.hub".to_string(), text)];
    let mut times = Vec::new();
    for _ in 0..RUNS {
        let mut session = load(&files);
        let started = Instant::now();
        let analysis = driver::analyze(&mut session, (2026, 11, 26)).expect("the fleet parses");
        times.push(started.elapsed());
        let errors = session.diagnostics.iter().filter(|d| d.is_error()).count();
        assert_eq!(
            errors,
            0,
            "the wide community has errors: {:?}",
            session.diagnostics.first()
        );
        std::mem::forget(analysis);
        std::mem::forget(session);
    }
    println!("one community with {N_WIDE} overrides:");
    report("analyze", &times);
}

fn load(files: &[(String, String)]) -> Session {
    let mut session = Session::default();
    for (name, text) in files {
        driver::add_file(&mut session, PathBuf::from(name), text.as_bytes());
    }
    driver::load_imports(&mut session, None);
    session
}

fn report(what: &str, times: &[Duration]) {
    let best = times.iter().min().expect("runs");
    let mean = times.iter().sum::<Duration>() / times.len() as u32;
    println!(
        "{what:<8} best {:>8.1} ms  mean {:>8.1} ms",
        best.as_secs_f64() * 1000.0,
        mean.as_secs_f64() * 1000.0
    );
}

/// A platform, four archetypes, two mixins, the clusters, and one file per cluster of
/// communities with a realistic mix of tuned and bespoke overrides.
fn generate() -> Vec<(String, String)> {
    let mut files = vec![(
        "platform.hub".to_string(),
        r#"import std.basehub

platform basehub {
  chart = "basehub"
  jupyterhub.singleuser.image = image("quay.io/jupyter/scipy-notebook:2026-10-07")
  jupyterhub.singleuser.memory = { guarantee = 1GiB, limit = 2GiB }
  jupyterhub.singleuser.cpu = { guarantee = 0.5, limit = 2 }
  jupyterhub.cull = { timeout = 3600, every = 600 }
  jupyterhub.proxy.chp.resources.limits.memory = 512Mi
  jupyterhub.hub.config.JupyterHub.authenticator_class = "github"
  jupyterhub.singleuser.profileList = [
    { slug = "small", display_name = "Small", kubespawner_override.mem_limit = 2G },
    { slug = "large", display_name = "Large", kubespawner_override.mem_limit = 16G },
  ]
}

archetype research_group extends basehub {
  tunable jupyterhub.singleuser.image
  tunable jupyterhub.singleuser.memory.limit <= 64GiB
  tunable jupyterhub.proxy.chp.resources.limits.memory >= base
  tunable jupyterhub.hub.config.GitHubOAuthenticator
  tunable jupyterhub.singleuser.profileList
  locked jupyterhub.cull.timeout
  budget bespoke <= 5
}

archetype course extends research_group {
  jupyterhub.singleuser.memory.limit = 1GiB
  budget bespoke <= 2
}

archetype dask_lab extends research_group {
  jupyterhub.singleuser.memory.limit = 8GiB
}

archetype essential extends basehub {
  tunable jupyterhub.hub.config.GitHubOAuthenticator
  budget bespoke <= 0
}

mixin gpu {
  jupyterhub.singleuser.extraEnv.NVIDIA_DRIVER_CAPABILITIES = "compute,utility"
}

mixin shared_data {
  jupyterhub.singleuser.storage.extraVolumeMounts = [{ name = "home", mountPath = "/home/jovyan/shared" }]
}
"#
        .to_string(),
    )];
    let mut clusters = String::new();
    for cluster in 0..N_CLUSTERS {
        clusters.push_str(&format!(
            "cluster cluster{cluster} {{\n  provider = gcp {{ project = \"project-{cluster}\", region = \"us-central1\", zone = \"us-central1-b\" }}\n  node_pool \"n2-highmem-4\" {{\n    min = 0\n    max = 100\n  }}\n}}\n\n"
        ));
    }
    files.push(("clusters.hub".to_string(), clusters));
    let archetypes = ["research_group", "course", "dask_lab", "essential"];
    let per_cluster = N_COMMUNITIES / N_CLUSTERS;
    for cluster in 0..N_CLUSTERS {
        let mut text = String::new();
        for index in 0..per_cluster {
            let archetype = archetypes[index % archetypes.len()];
            let mixins = match index % 5 {
                0 => " with gpu",
                1 => " with gpu, shared_data",
                _ => "",
            };
            text.push_str(&format!(
                "community \"hub{index}\" : {archetype}{mixins} {{\n  cluster = cluster{cluster}\n  domain = \"hub{index}.cluster{cluster}.example.org\"\n  display_name = \"Hub {index}\"\n  secrets = [secret(\"enc-hub{index}.secret.values.yaml\")]\n  jupyterhub.hub.config.GitHubOAuthenticator.allowed_organizations = [\"org-{index}\"]\n"
            ));
            if archetype != "essential" {
                text.push_str(&format!(
                    "  jupyterhub.singleuser.image = image(\"pangeo/pangeo-notebook:2026.{:02}.01\")\n  jupyterhub.singleuser.memory.limit = {}GiB\n",
                    index % 12 + 1,
                    index % 8 + 2
                ));
                text.push_str(&format!(
                    "  @reason(\"needs its own greeting\") @ticket(\"infra#{index}\")\n  jupyterhub.singleuser.extraEnv.GREETING = \"hello {index}\"\n"
                ));
            }
            text.push_str("}\n\n");
        }
        files.push((format!("communities/cluster{cluster}.hub"), text));
    }
    files
}
