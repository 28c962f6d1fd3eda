//! The standard library: `.hub` modules embedded in the binary, imported as `std.NAME`.

/// Every standard module: its import name and its text.
pub const MODULES: &[(&str, &str)] = &[
    ("std.basehub", include_str!("../stdlib/basehub.hub")),
    ("std.clusters", include_str!("../stdlib/clusters.hub")),
    ("std.instances", include_str!("../stdlib/instances.hub")),
    ("std.jupyterhub", include_str!("../stdlib/jupyterhub.hub")),
    ("std.platform", include_str!("../stdlib/platform.hub")),
    ("std.terraform", include_str!("../stdlib/terraform.hub")),
];

/// The text of a standard module.
pub fn module(name: &str) -> Option<&'static str> {
    MODULES
        .iter()
        .find(|(module, _)| *module == name)
        .map(|(_, text)| *text)
}
