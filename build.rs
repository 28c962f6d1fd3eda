//! Says plainly, in the test summary, which tests cannot run on this machine: when
//! `../shared/corpus`, `terraform`, Python's PyYAML, Chromium or Neovim is missing, the tests
//! that need it are `ignored` with that reason (CI has them all and fails instead of skipping).

#![allow(clippy::disallowed_methods)] // a build script looks at the disk and the tools

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=../shared/corpus");
    println!("cargo:rerun-if-env-changed=PATH");
    for cfg in [
        "hubc_no_corpus",
        "hubc_no_terraform",
        "hubc_no_pyyaml",
        "hubc_no_chromium",
        "hubc_no_nvim",
    ] {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
    }
    let runs = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .output()
            .is_ok_and(|output| output.status.success())
    };
    let missing = [
        (
            "hubc_no_corpus",
            !std::path::Path::new("../shared/corpus").is_dir(),
            "../shared/corpus",
        ),
        (
            "hubc_no_terraform",
            !runs("terraform", &["version"]),
            "terraform",
        ),
        (
            "hubc_no_pyyaml",
            !runs("python3", &["-c", "import yaml"]),
            "python3 with PyYAML",
        ),
        (
            "hubc_no_chromium",
            ![
                "chromium",
                "chromium-browser",
                "google-chrome-stable",
                "google-chrome",
            ]
            .iter()
            .any(|browser| runs(browser, &["--version"])),
            "chromium",
        ),
        ("hubc_no_nvim", !runs("nvim", &["--version"]), "nvim"),
    ];
    for (cfg, is_missing, what) in missing {
        if is_missing {
            println!("cargo:rustc-cfg={cfg}");
            println!("cargo:warning={what} is missing: the tests that need it are ignored");
        }
    }
}
