//! A generated fleet: a platform, four archetypes, two mixins, the clusters, and one file per
//! cluster of communities with a realistic mix of tuned and bespoke overrides. The fleet bench
//! analyses one of 10,000 communities; the diff tests compare two versions of one, changed by
//! the knobs of [`Spec`].

/// What to generate. [`Spec::new`] gives the fleet of the bench; every other knob changes it in
/// a way `hubc diff` must report.
#[derive(Debug, Clone)]
pub struct Spec {
    pub communities: usize,
    pub clusters: usize,
    /// The platform's culling timeout, in seconds: changing it changes every values file.
    pub cull_timeout: u32,
    /// What the `gpu` mixin sets: changing it changes the communities that use it.
    pub gpu_capabilities: String,
    /// The bespoke budget of the `course` archetype.
    pub course_budget: u32,
    /// Every community whose index this divides moves to the next archetype.
    pub move_every: Option<usize>,
    /// Every community whose index this divides gets one more bespoke override, with this value
    /// and reason; the index is added to the value when `distinct` is set.
    pub extra_every: Option<usize>,
    pub extra_value: String,
    pub extra_reason: String,
    pub distinct: bool,
    /// Every community whose index this divides lists one more secret file.
    pub secret_every: Option<usize>,
    /// How many more environment variables each community sets: the even ones to one of ten
    /// values shared across the fleet (promotion candidates), the odd ones to its own value.
    pub extra_settings: usize,
}

impl Spec {
    pub fn new(communities: usize, clusters: usize) -> Spec {
        Spec {
            communities,
            clusters,
            cull_timeout: 3600,
            gpu_capabilities: "compute,utility".to_string(),
            course_budget: 2,
            move_every: None,
            extra_every: None,
            extra_value: String::new(),
            extra_reason: String::new(),
            distinct: false,
            secret_every: None,
            extra_settings: 0,
        }
    }
}

const ARCHETYPES: [&str; 4] = ["research_group", "course", "dask_lab", "essential"];

fn divides(every: Option<usize>, index: usize) -> bool {
    every.is_some_and(|every| every > 0 && index.is_multiple_of(every))
}

/// The files of the fleet, by name.
pub fn generate(spec: &Spec) -> Vec<(String, String)> {
    let mut files = vec![("platform.hub".to_string(), platform(spec))];
    let mut clusters = String::new();
    for cluster in 0..spec.clusters {
        clusters.push_str(&format!(
            "cluster cluster{cluster} {{\n  provider = gcp {{ project = \"project-{cluster}\", region = \"us-central1\", zone = \"us-central1-b\" }}\n  node_pool \"n2-highmem-4\" {{\n    min = 0\n    max = 100\n  }}\n}}\n\n"
        ));
    }
    files.push(("clusters.hub".to_string(), clusters));
    let per_cluster = spec.communities / spec.clusters.max(1);
    for cluster in 0..spec.clusters {
        let mut text = String::new();
        for index in 0..per_cluster {
            text.push_str(&community(spec, cluster, index));
        }
        files.push((format!("communities/cluster{cluster}.hub"), text));
    }
    files
}

fn platform(spec: &Spec) -> String {
    format!(
        r#"import std.basehub

platform basehub {{
  chart = "basehub"
  jupyterhub.singleuser.image = image("quay.io/jupyter/scipy-notebook:2026-10-07")
  jupyterhub.singleuser.memory = {{ guarantee = 1GiB, limit = 2GiB }}
  jupyterhub.singleuser.cpu = {{ guarantee = 0.5, limit = 2 }}
  jupyterhub.cull = {{ timeout = {timeout}, every = 600 }}
  jupyterhub.proxy.chp.resources.limits.memory = 512Mi
  jupyterhub.hub.config.JupyterHub.authenticator_class = "github"
  jupyterhub.singleuser.profileList = [
    {{ slug = "small", display_name = "Small", kubespawner_override.mem_limit = 2G }},
    {{ slug = "large", display_name = "Large", kubespawner_override.mem_limit = 16G }},
  ]
}}

archetype research_group extends basehub {{
  tunable jupyterhub.singleuser.image
  tunable jupyterhub.singleuser.memory.limit <= 64GiB
  tunable jupyterhub.proxy.chp.resources.limits.memory >= base
  tunable jupyterhub.hub.config.GitHubOAuthenticator
  tunable jupyterhub.singleuser.profileList
  locked jupyterhub.cull.timeout
  budget bespoke <= 5
}}

archetype course extends research_group {{
  jupyterhub.singleuser.memory.limit = 1GiB
  budget bespoke <= {course_budget}
}}

archetype dask_lab extends research_group {{
  jupyterhub.singleuser.memory.limit = 8GiB
}}

archetype essential extends basehub {{
  tunable jupyterhub.hub.config.GitHubOAuthenticator
  budget bespoke <= 0
}}

mixin gpu {{
  jupyterhub.singleuser.extraEnv.NVIDIA_DRIVER_CAPABILITIES = {gpu}
}}

mixin shared_data {{
  jupyterhub.singleuser.storage.extraVolumeMounts = [{{ name = "home", mountPath = "/home/jovyan/shared" }}]
}}
"#,
        timeout = spec.cull_timeout,
        course_budget = spec.course_budget,
        gpu = hubc::syntax::quote(&spec.gpu_capabilities),
    )
}

fn community(spec: &Spec, cluster: usize, index: usize) -> String {
    // A community that moves keeps what it sets: only its archetype changes.
    let original = ARCHETYPES[index % ARCHETYPES.len()];
    let moved = usize::from(divides(spec.move_every, index));
    let archetype = ARCHETYPES[(index + moved) % ARCHETYPES.len()];
    let mixins = match index % 5 {
        0 => " with gpu",
        1 => " with gpu, shared_data",
        _ => "",
    };
    let mut secrets = format!("secret(\"enc-hub{index}.secret.values.yaml\")");
    if divides(spec.secret_every, index) {
        secrets.push_str(", secret(\"enc-extra.secret.values.yaml\")");
    }
    let mut text = format!(
        "community \"hub{index}\" : {archetype}{mixins} {{\n  cluster = cluster{cluster}\n  domain = \"hub{index}.cluster{cluster}.example.org\"\n  display_name = \"Hub {index}\"\n  secrets = [{secrets}]\n  jupyterhub.hub.config.GitHubOAuthenticator.allowed_organizations = [\"org-{index}\"]\n"
    );
    if original != "essential" {
        text.push_str(&format!(
            "  jupyterhub.singleuser.image = image(\"pangeo/pangeo-notebook:2026.{:02}.01\")\n  jupyterhub.singleuser.memory.limit = {}GiB\n",
            index % 12 + 1,
            index % 8 + 2
        ));
        text.push_str(&format!(
            "  @reason(\"needs its own greeting\") @ticket(\"infra#{index}\")\n  jupyterhub.singleuser.extraEnv.GREETING = \"hello {index}\"\n"
        ));
    }
    if divides(spec.extra_every, index) {
        let value = if spec.distinct {
            format!("{}{index}", spec.extra_value)
        } else {
            spec.extra_value.clone()
        };
        if !spec.extra_reason.is_empty() {
            let reason = hubc::syntax::quote(&spec.extra_reason);
            text.push_str(&format!("  @reason({reason})\n"));
        }
        text.push_str(&format!(
            "  jupyterhub.singleuser.extraEnv.EXTRA = {}\n",
            hubc::syntax::quote(&value)
        ));
    }
    for setting in 0..spec.extra_settings {
        let value = if setting % 2 == 0 {
            format!("{setting}-{}", index % 10)
        } else {
            format!("{setting}-{index}")
        };
        if setting % 3 == 0 {
            text.push_str(&format!("  @reason(\"setting {setting} of the hub\")\n"));
        }
        text.push_str(&format!(
            "  jupyterhub.singleuser.extraEnv.SETTING_{setting} = \"{value}\"\n"
        ));
    }
    text.push_str("}\n\n");
    text
}
