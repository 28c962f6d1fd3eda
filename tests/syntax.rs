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

/// The code and the labelled text of each syntax error of `text`.
fn coded_errors(text: &str) -> Vec<(String, String)> {
    use miette::Diagnostic as _;
    hubc::syntax::parse(text)
        .errors
        .iter()
        .map(|error| {
            let code = error
                .code()
                .map(|code| code.to_string())
                .unwrap_or_default();
            let labelled = error
                .labels()
                .and_then(|mut labels| labels.next())
                .map(|label| text[label.offset()..label.offset() + label.len()].to_string())
                .unwrap_or_default();
            (code, labelled)
        })
        .collect()
}

#[test]
fn every_control_character_but_tab_and_newline_is_refused_in_strings_raw_and_escaped() {
    let controls = (0x00..=0x1f_u32)
        .chain(0x7f..=0x9f)
        .filter_map(char::from_u32);
    for control in controls.filter(|&c| c != '\t' && c != '\n') {
        let escape = format!("\\u{{{:x}}}", control as u32);
        let raw = control.to_string();
        let mut cases = vec![
            (format!("a = \"x{raw}y\"\n"), raw.clone()),
            (format!("a = \"x{escape}y\"\n"), escape.clone()),
            (format!("\"k{escape}\" = 1\n"), escape.clone()),
        ];
        // A carriage return before a newline ends the line of a text block: CRLF files.
        if control != '\r' {
            cases.push((format!("a = \"\"\"\n  x{raw}y\n  \"\"\"\n"), raw.clone()));
        }
        for (line, written) in cases {
            let text = format!("platform p {{\n  {line}}}\n");
            let errors = coded_errors(&text);
            let expected = ("hub::syntax::control_character".to_string(), written);
            assert!(
                errors.contains(&expected),
                "U+{:04X} in {text:?}: {errors:?}",
                control as u32
            );
        }
    }
    for (escape, name) in [("\\r", "U+000D"), ("\\0", "U+0000")] {
        let text = format!("platform p {{\n  a = \"x{escape}y\"\n}}\n");
        let errors = common::syntax_errors(&text);
        assert_eq!(
            errors,
            [format!("a string cannot hold the control character {name}")]
        );
    }
}

#[test]
fn tabs_newlines_and_other_characters_stay_allowed_in_strings() {
    let text = "platform p {\n  a = \"x\\ty\\nz\u{a0}\u{2028}\\u{9}\\u{a}\\u{a0}\tw\"\n  b = \"\"\"\r\n    x\ty\r\n    \"\"\"\r\n}\n";
    assert_eq!(coded_errors(text), []);
}
