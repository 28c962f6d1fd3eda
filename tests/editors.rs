//! The editor set-ups, driven by a real editor: Neovim, headless, loads editors/nvim, starts
//! `hubc lsp` through it, and checks what the user would see (the filetype and syntax of every
//! example file; a diagnostic's code, hover and go to definition on a broken example).
//! The VS Code extension is built and its grammar tested by `npm test` in editors/vscode, which
//! `.ci/run` runs.

#![allow(clippy::disallowed_methods)] // tests run Neovim

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn neovim(script: &str, files: &[String]) -> (bool, String) {
    let root = common::root();
    let mut child = Command::new("nvim")
        .args(["--headless", "-u", "NONE", "-i", "NONE", "-n"])
        .args(["--cmd", "set rtp^=editors/nvim"])
        .args(["--cmd", "filetype plugin indent on", "--cmd", "syntax on"])
        .args(["-c", &format!("luafile {script}")])
        .args(files)
        .env("HUBC", env!("CARGO_BIN_EXE_hubc"))
        .env("HUBC_TIMEOUT_MS", "60000")
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nvim runs");
    // A script that fails to load leaves a headless Neovim waiting: it is stopped, and fails.
    let deadline = Instant::now() + Duration::from_secs(180);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), printed)
}

#[test]
#[cfg_attr(hubc_no_nvim, ignore = "nvim is missing")]
fn neovim_shows_a_broken_examples_diagnostics_hover_and_definition() {
    let (passed, printed) = neovim(
        "tests/nvim/smoke.lua",
        &["examples/drifting/campus.hub".into()],
    );
    assert!(passed, "{printed}");
    for check in [
        "ok   a diagnostic hub::policy::below_base",
        "ok   hover at",
        "ok   definition at",
        "smoke: passed",
    ] {
        assert!(
            printed.contains(check),
            "`{check}` is missing from:\n{printed}"
        );
    }
}

#[test]
#[cfg_attr(hubc_no_nvim, ignore = "nvim is missing")]
fn neovim_detects_and_highlights_every_example_and_standard_file() {
    let root = common::root();
    let mut files: Vec<String> = ["examples", "stdlib"]
        .iter()
        .flat_map(|directory| common::hub_files(&root.join(directory)))
        .map(|path| {
            path.strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    files.sort();
    assert!(files.len() > 20, "{files:?}");
    let (passed, printed) = neovim("tests/nvim/runtime.lua", &files);
    assert!(passed, "{printed}");
    for file in &files {
        assert!(
            printed.contains(file.as_str()),
            "{file} was not checked:\n{printed}"
        );
    }
}
