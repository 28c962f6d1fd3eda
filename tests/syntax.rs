//! Golden tests of the parser: one fixture per behaviour, source and diagnostics in one snapshot.

#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;

#[test]
fn syntax_fixtures() {
    insta::glob!("fixtures/syntax/*.hub", |path| {
        let fixture = std::fs::read_to_string(path).expect("fixture is readable");
        let output = common::check(&fixture);
        insta::assert_snapshot!(format!("{fixture}\n----- diagnostics -----\n{output}"));
    });
}
