//! Input that controls a recursion depth is bounded, with a coded diagnostic: paths of any
//! length, on one line or across nested blocks. And the deepest input accepted goes through
//! every command without exhausting a stack. The size of a file and the length of a list are
//! bounded too, each with its own code.

#![allow(clippy::disallowed_methods)] // tests write fleets and run hubc

mod common;

use std::path::Path;

use common::TempDir;

fn keys(n: usize) -> String {
    vec!["k"; n].join(".")
}

/// Runs hubc in `dir`: the exit code and the codes of its JSON diagnostics. A crash (a signal,
/// such as the abort of a stack overflow) fails the test.
fn codes(dir: &Path, args: &[&str]) -> (i32, Vec<String>) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = common::run(dir, &all);
    assert!(
        code >= 0,
        "hubc {args:?} was killed by a signal: {}",
        &stderr[stderr.len().saturating_sub(500)..]
    );
    assert!(
        !stderr.contains("overflow"),
        "{}",
        &stderr[..stderr.len().min(500)]
    );
    let found = stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|value| value["code"].as_str().map(str::to_string))
        .collect();
    (code, found)
}

fn platform(statement: &str) -> String {
    format!("import std.basehub\n\nplatform basehub {{\n  chart = \"basehub\"\n{statement}\n}}\n")
}

#[test]
fn a_path_of_any_length_is_reported_not_followed() {
    let dir = TempDir::new("long_paths");
    // Just over the limit, long, and a single line of about a megabyte.
    for (index, n) in [65, 1_000, 50_000, 300_000].into_iter().enumerate() {
        let name = format!("p{index}/platform.hub");
        dir.write(
            &name,
            platform(&format!("  jupyterhub.custom.{} = 1", keys(n))),
        );
        let (code, found) = codes(dir.path(), &["check", &format!("p{index}")]);
        assert_eq!(code, 1);
        assert_eq!(found, ["hub::syntax::path_too_long"], "{n} keys");
    }
    // At the limit, the path is taken.
    dir.write(
        "ok/platform.hub",
        platform(&format!("  jupyterhub.custom.{} = 1", keys(62))),
    );
    assert_eq!(codes(dir.path(), &["check", "ok"]), (0, Vec::new()));
}

#[test]
fn nested_blocks_and_paths_add_up_to_a_bounded_depth() {
    let dir = TempDir::new("deep_blocks");
    let nested = |inner: usize| {
        format!(
            "  jupyterhub.custom {{\n    {k} {{\n      {k} {{\n        {inner_path} = 1\n      }}\n    }}\n  }}",
            k = keys(63),
            inner_path = keys(inner)
        )
    };
    // 2 + 63 + 63 + 1 keys: one too many. 2 + 63 + 63 + 0 is not a statement, so compare with
    // a path that ends one level higher.
    dir.write("deep/platform.hub", platform(&nested(1)));
    let (code, found) = codes(dir.path(), &["check", "deep"]);
    assert_eq!(
        (code, found),
        (1, vec!["hub::resolve::too_deep".to_string()])
    );
    let shallower = format!(
        "  jupyterhub.custom {{\n    {k} {{\n      {j} = 1\n    }}\n  }}",
        k = keys(63),
        j = keys(63)
    );
    dir.write("ok/platform.hub", platform(&shallower));
    assert_eq!(codes(dir.path(), &["check", "ok"]), (0, Vec::new()));
}

#[test]
fn the_deepest_accepted_fleet_goes_through_every_command() {
    let dir = TempDir::new("deepest");
    let fleet = dir.join("fleet");
    common::copy_dir(&common::root().join("examples/fleet"), &fleet);
    // A path 127 keys deep, holding lists nested 60 deep.
    let value = format!("{}1{}", "[".repeat(60), "]".repeat(60));
    let deep = format!(
        "  jupyterhub.custom {{\n    {k} {{\n      {k}.x = {value}\n    }}\n  }}\n",
        k = keys(62)
    );
    let platform_path = fleet.join("platform.hub");
    let text = std::fs::read_to_string(&platform_path).unwrap();
    let at = text.rfind('}').unwrap();
    std::fs::write(
        &platform_path,
        format!("{}{deep}{}", &text[..at], &text[at..]),
    )
    .unwrap();
    for args in [
        vec!["check", "fleet"],
        vec!["build", "fleet", "-o", "out"],
        vec!["drift", "fleet"],
        vec![
            "explain",
            "--fleet",
            "fleet",
            "leap/prod",
            "jupyterhub.custom",
        ],
        vec!["fmt", "--check", "fleet"],
    ] {
        let (code, found) = codes(dir.path(), &args);
        assert!(found.is_empty(), "hubc {args:?}: {found:?}");
        assert!(code == 0 || args[0] == "fmt", "hubc {args:?} exited {code}");
    }
    let values = std::fs::read_to_string(dir.join("out/helm/leap/prod.values.yaml")).unwrap();
    // The community inherits the deep value: every key of its path is emitted.
    assert!(
        values.matches(" k:").count() >= 124,
        "the deep value is emitted"
    );
}

#[test]
fn a_name_too_long_for_kubernetes_is_found_by_check() {
    let dir = TempDir::new("long_name");
    let fleet = dir.join("fleet");
    common::copy_dir(&common::root().join("examples/fleet"), &fleet);
    let staging = fleet.join("clusters/leap/staging.hub");
    let text = std::fs::read_to_string(&staging).unwrap();
    for (length, expected) in [(63, 0), (64, 1), (300, 1)] {
        let name = "s".repeat(length);
        std::fs::write(
            &staging,
            text.replace("community \"staging\"", &format!("community \"{name}\"")),
        )
        .unwrap();
        let (code, found) = codes(dir.path(), &["check", "fleet"]);
        assert_eq!(code, expected, "{length}: {found:?}");
        let wanted: &[&str] = if expected == 0 {
            &[]
        } else {
            &["hub::resolve::invalid_name"]
        };
        assert_eq!(found, wanted, "{length}");
    }
}

/// A credential is found by its look whatever its key, and by its key whatever its look; a
/// `secret(...)` reference, or an ordinary string, is not one.
#[test]
fn credentials_are_found_by_their_look_and_by_their_key() {
    let dir = TempDir::new("credentials");
    let cases = [
        (
            "jupyterhub.custom.note = \"ghp_0123456789abcdefABCDEF0123\"",
            true,
        ),
        (
            "jupyterhub.custom.note = \"AKIAIOSFODNN7EXAMPLE1234\"",
            true,
        ),
        (
            "jupyterhub.custom.note = \"-----BEGIN RSA PRIVATE KEY-----\\nMIIE\"",
            true,
        ),
        ("jupyterhub.custom.api_token = \"hunter2hunter2\"", true),
        ("jupyterhub.custom.note = \"ghp_short\"", false),
        (
            "jupyterhub.custom.note = \"a skeleton key for the museum\"",
            false,
        ),
    ];
    for (index, (statement, credential)) in cases.into_iter().enumerate() {
        let name = format!("c{index}/platform.hub");
        dir.write(&name, platform(&format!("  {statement}")));
        let (_, found) = codes(dir.path(), &["check", &format!("c{index}")]);
        let wanted: &[&str] = if credential {
            &["hub::check::literal_secret"]
        } else {
            &[]
        };
        assert_eq!(found, wanted, "{statement}");
    }
}

#[test]
fn a_list_longer_than_the_limit_is_reported_and_the_fleet_not_built() {
    let dir = TempDir::new("long_lists");
    let list = |n: usize| {
        let values: Vec<String> = (0..n).map(|index| format!("\"u{index}\"")).collect();
        platform(&format!(
            "  jupyterhub.hub.config.Authenticator.admin_users = [{}]",
            values.join(", ")
        ))
    };
    dir.write("over/platform.hub", list(100_001));
    let (code, found) = codes(dir.path(), &["check", "over"]);
    assert_eq!(
        (code, found),
        (1, vec!["hub::syntax::list_too_long".to_string()])
    );
    let (code, found) = codes(dir.path(), &["build", "over", "-o", "out"]);
    assert_eq!(code, 1);
    assert!(found.contains(&"hub::syntax::list_too_long".to_string()));
    assert!(!dir.join("out").exists());
    // Written one value a line, at the limit: taken.
    dir.write("at/platform.hub", list(100_000).replace(", ", ",\n"));
    assert_eq!(codes(dir.path(), &["check", "at"]), (0, Vec::new()));
}

#[test]
fn a_file_larger_than_the_limit_is_not_read() {
    let dir = TempDir::new("large_files");
    dir.write("fleet/platform.hub", platform(""));
    // Sparse: 64 MiB and one byte, of which nothing is read.
    let large = std::fs::File::create(dir.join("fleet/large.hub")).unwrap();
    large.set_len((64 << 20) + 1).unwrap();
    let (code, found) = codes(dir.path(), &["check", "fleet"]);
    assert_eq!((code, found), (1, vec!["hub::io::too_large".to_string()]));
    // The files `hubc import` reads are bounded alike.
    let clusters = dir.join("src/config/clusters/c");
    std::fs::create_dir_all(&clusters).unwrap();
    std::fs::write(
        clusters.join("cluster.yaml"),
        "name: c\nprovider: gcp\nhubs:\n  - name: h\n    domain: h.example.org\n    helm_chart: basehub\n    helm_chart_values_files:\n      - h.values.yaml\n",
    )
    .unwrap();
    let values = std::fs::File::create(clusters.join("h.values.yaml")).unwrap();
    values.set_len((64 << 20) + 1).unwrap();
    let (code, found) = codes(dir.path(), &["import", "src", "-o", "imported"]);
    assert_eq!(code, 1);
    assert!(
        found.contains(&"hub::io::too_large".to_string()),
        "{found:?}"
    );
    assert!(!dir.join("imported").exists());
}
