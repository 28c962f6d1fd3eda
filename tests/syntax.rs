//! Golden tests of the parser: one fixture per behaviour, source and diagnostics in one snapshot.

mod common;

#[test]
fn syntax_fixtures() {
    insta::glob!("fixtures/syntax/*.hub", |path| {
        let fixture = std::fs::read_to_string(path).expect("fixture is readable");
        let output = common::check(&fixture);
        insta::assert_snapshot!(format!("{fixture}\n----- diagnostics -----\n{output}"));
    });
}
