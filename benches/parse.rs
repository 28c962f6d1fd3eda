//! Throughput of the parser and the formatter on a generated fleet of 100,000 lines.
//!
//! Run with `cargo bench --bench parse`. Uses only std: no benchmark harness, just the best and
//! the mean of several timed runs, so the numbers are for spotting regressions of an order of
//! magnitude, not for comparing small changes.

#![allow(clippy::disallowed_methods)] // tests set up and read files

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// How many lines the generated file has, at least.
const LINES: usize = 100_000;
/// Timed runs of each phase, after one untimed warm-up run.
const RUNS: usize = 10;

fn main() {
    let text = fleet(LINES);
    let n_lines = text.lines().count();
    let megabytes = text.len() as f64 / 1_000_000.0;
    println!(
        "generated fleet: {n_lines} lines, {:.2} MB, {} declarations",
        megabytes,
        hubc::syntax::parse(&text).file.items.len()
    );

    let parsed = hubc::syntax::parse(&text);
    assert!(
        parsed.errors.is_empty(),
        "the generated fleet has syntax errors: {:?}",
        &parsed.errors[..parsed.errors.len().min(5)]
    );
    let formatted = hubc::format::format(&text, &parsed.file);
    if let Some((line, (generated, canonical))) = text
        .lines()
        .zip(formatted.lines())
        .enumerate()
        .find(|(_, (generated, canonical))| generated != canonical)
    {
        panic!(
            "the generated fleet is not in the canonical layout: line {} is\n{generated}\nbut \
             `hubc fmt` writes\n{canonical}",
            line + 1
        );
    }
    assert!(
        formatted == text,
        "the generated fleet does not end as `hubc fmt` ends files"
    );

    let parse = time(|| hubc::syntax::parse(black_box(&text)));
    report("parse", parse, n_lines, megabytes);
    let format = time(|| hubc::format::format(black_box(&text), black_box(&parsed.file)));
    report("format", format, n_lines, megabytes);
}

/// The best and mean durations of [`RUNS`] runs of `run`, after a warm-up run.
fn time<T>(mut run: impl FnMut() -> T) -> (Duration, Duration) {
    black_box(run());
    let mut durations = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let start = Instant::now();
        black_box(run());
        durations.push(start.elapsed());
    }
    let best = durations.iter().min().copied().unwrap_or_default();
    let mean = durations.iter().sum::<Duration>() / RUNS as u32;
    (best, mean)
}

fn report(phase: &str, (best, mean): (Duration, Duration), n_lines: usize, megabytes: f64) {
    let seconds = best.as_secs_f64();
    println!(
        "{phase:<7} best {:>8.2} ms  mean {:>8.2} ms  {:>12.0} lines/s  {:>7.1} MB/s",
        seconds * 1000.0,
        mean.as_secs_f64() * 1000.0,
        n_lines as f64 / seconds,
        megabytes / seconds,
    );
}

/// A fleet file of at least `lines` lines in the canonical layout: platforms, archetypes with
/// policy, mixins, clusters, a schema, then communities until the file is long enough. Every
/// construct of the language appears, with comments, annotations and text blocks.
fn fleet(lines: usize) -> String {
    let mut out = String::with_capacity(lines * 40);
    out.push_str(HEADER);
    let mut n_lines = out.lines().count();
    let mut index = 0;
    while n_lines < lines {
        let before = out.len();
        community(&mut out, index);
        n_lines += out[before..].matches('\n').count();
        index += 1;
    }
    out
}

const HEADER: &str = r#"//! A generated fleet for benchmarks: many communities on a few archetypes and clusters.

import std.jupyterhub

/// The standard platform: zero-to-jupyterhub with the operations team's defaults.
platform basehub {
  chart = "basehub"

  nfs.enabled = true
  nfs.pv.enabled = true

  jupyterhub.singleuser.image = image("quay.io/jupyter/scipy-notebook:2026-10-07")
  jupyterhub.singleuser.defaultUrl = "/lab"
  jupyterhub.singleuser.memory = { guarantee = 1GiB, limit = 2GiB }
  jupyterhub.singleuser.cpu = { guarantee = 50m, limit = 2 }

  /// Servers idle for an hour are stopped; the culler looks every ten minutes.
  jupyterhub.cull.timeout = 1h
  jupyterhub.cull.every = 10min

  /* The proxy's limit was raised after an incident where a hub's own, lower
     override took it down. Archetypes only let communities raise it. */
  jupyterhub.proxy.chp.resources {
    requests = { cpu = 100m, memory = 256MiB }
    limits.memory = 512MiB
  }

  jupyterhub.hub.config.JupyterHub.authenticator_class = "github"
  jupyterhub.hub.config.GitHubOAuthenticator.scope = ["read:org"]
}

/// basehub with Dask Gateway.
platform daskhub extends basehub {
  chart = "daskhub"

  dask-gateway.enabled = true
  dask-gateway.gateway.backend.scheduler {
    cores = { request = 1, limit = 2 }
    memory = { request = 2GiB, limit = 4GiB }
  }
}

/// A research group: a standing community that picks its own image and may grow its servers.
archetype research_group extends basehub {
  jupyterhub.singleuser.memory = { guarantee = 2GiB, limit = 4GiB }

  tunable jupyterhub.singleuser.image
  tunable jupyterhub.singleuser.profileList
  tunable jupyterhub.singleuser.memory.guarantee <= 8GiB
  tunable jupyterhub.singleuser.memory.limit >= 1GiB, <= 16GiB
  tunable jupyterhub.singleuser.extraEnv
  tunable jupyterhub.proxy.chp.resources.limits.memory >= base
  tunable jupyterhub.hub.config.GitHubOAuthenticator.allowed_organizations
  tunable jupyterhub.hub.extraConfig
  tunable jupyterhub.custom.homepage.templateVars

  locked jupyterhub.cull.timeout

  budget bespoke <= 5
}

/// A course: many students, short sessions, small servers.
archetype course extends basehub {
  jupyterhub.singleuser.memory = { guarantee = 512MiB, limit = 1GiB }
  jupyterhub.cull.timeout = 30m

  tunable jupyterhub.singleuser.image
  tunable jupyterhub.singleuser.defaultUrl in ["/lab", "/rstudio", "/tree"]
  tunable jupyterhub.cull.timeout in [30m, 1h, 2h]
  tunable jupyterhub.hub.config.GitHubOAuthenticator.allowed_organizations
  tunable jupyterhub.custom.homepage.templateVars

  locked jupyterhub.singleuser.cpu

  budget bespoke <= 3
}

/// What every hub on a shared cluster has in common.
mixin shared_cluster {
  jupyterhub.hub.annotations."cluster-autoscaler.kubernetes.io/safe-to-evict" = "false"
  jupyterhub.singleuser.nodeSelector."cloud.google.com/gke-nodepool" = "user"
}

/// A cluster on Google Cloud.
cluster "shared-gcp" {
  provider = gcp { project = "shared-pangeo", region = "us-central1", zone = "us-central1-c" }
  enable_network_policy = true

  node_pool "n2-highmem-4" {
    machine_type = "n2-highmem-4"
    min = 0
    max = 100
  }

  @reason("fast startups are worth one idle node")
  node_pool "n2-highmem-16" {
    machine_type = "n2-highmem-16"
    min = 1
    max = 100
  }
}

/// A server option offered in a profile list.
type Choice = { display_name: string, slug: string, kubespawner_override: map<any> }

/// A profile of the server options page.
schema Profile {
  required display_name: string
  required slug: string matching "^[a-z0-9-]+$"
  default: bool = false
  kind: "small" | "medium" | "large"
  choices: list<Choice> keyed by slug
  ...
}
"#;

/// Appends one community of about fifty lines; `index` varies its names and numbers.
fn community(out: &mut String, index: usize) {
    let archetype = if index.is_multiple_of(3) {
        "course"
    } else {
        "research_group"
    };
    let memory = 1 << (index % 4);
    let cpu = 250 * (1 + index % 4);
    let _ = write!(
        out,
        r#"
/// Community {index}: a hub for the people of group {index}.
community "community-{index}" : {archetype} with shared_cluster {{
  cluster = shared-gcp
  domain = "community-{index}.2i2c.cloud"
  display_name = "Community {index}"
  secrets = [secret("enc-{index}.secret.values.yaml")]

  jupyterhub.singleuser.image = image("quay.io/group-{index}/notebook:2026.{month:02}.01") // pinned
  jupyterhub.singleuser.memory {{
    guarantee = {memory}GiB
    limit = {limit}GiB
  }}
  jupyterhub.singleuser.cpu = {{ guarantee = {cpu}m, limit = 2.5 }}

  jupyterhub.singleuser.extraEnv {{
    SCRATCH_BUCKET = "gs://community-{index}-scratch/$(JUPYTERHUB_USER)"
    PERSISTENT_BUCKET = "gs://community-{index}-persistent/$(JUPYTERHUB_USER)"
  }}

  jupyterhub.hub.config.GitHubOAuthenticator.allowed_organizations += [
    "group-{index}:hub-users",
    "group-{index}:hub-admins",
    "2i2c-org:hub-access-for-2i2c-staff-and-collaborators-of-group-{index}",
  ]
  jupyterhub.custom.homepage.templateVars.org = {{ name = "G{index}", url = "https://g{index}.org" }}

  @reason("workshop, remove after the event") @expires(2026-12-31)
  jupyterhub.singleuser.extraEnv.DASK_WORKERS = "{workers}" // bespoke drift

  /// Shared group directories, mounted next to each home.
  @ticket("2i2c-org/infrastructure#{ticket}")
  jupyterhub.hub.extraConfig.10-custom = """
    c.KubeSpawner.group_overrides = {{
        "00-group-{index}": {{
            "groups": ["group-{index}:hub-users"],
            "spawner_override": {{"volume_mounts": [{{"name": "home", "subPath": "_shared"}}]}},
        }},
    }}
    """
  delete jupyterhub.singleuser.extraEnv.LEGACY_{index}
}}
"#,
        month = 1 + index % 12,
        limit = memory * 2,
        workers = 10 + index % 90,
        ticket = 1000 + index,
    );
}
