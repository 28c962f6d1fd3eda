//! Golden tests of resolution, types and policy: each fixture is a small fleet (several files
//! split by `### path` lines), analysed on a fixed day; the snapshot holds it and its diagnostics.

#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;

#[test]
fn check_fixtures() {
    insta::glob!("fixtures/check/*.hub", |path| {
        let fixture = std::fs::read_to_string(path).expect("fixture is readable");
        let output = common::check_fleet(&fixture);
        insta::assert_snapshot!(format!("{fixture}\n----- diagnostics -----\n{output}"));
    });
}
