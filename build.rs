//! Says plainly, when the crate is built on a clone without `../shared/corpus`, that the tests
//! over the real fleet are ignored, with that reason in the test summary (CI requires the corpus
//! and fails instead).

#![allow(clippy::disallowed_methods)] // a build script looks at the disk

fn main() {
    println!("cargo:rerun-if-changed=../shared/corpus");
    println!("cargo::rustc-check-cfg=cfg(hubc_no_corpus)");
    if !std::path::Path::new("../shared/corpus").is_dir() {
        // The tests over the real fleet are then `ignored` in the summary, with this reason.
        println!("cargo:rustc-cfg=hubc_no_corpus");
        println!(
            "cargo:warning=../shared/corpus is missing: the tests over the real fleet are ignored"
        );
    }
}
