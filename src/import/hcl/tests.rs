//! Unit tests of the tfvars reader: each construct of HCL a variables file may hold, with the
//! values Terraform gives for it (checked with `terraform show -json`), and each it refuses.

use super::number::{Number, NumberError};
use super::*;

/// Checks that each expression, assigned to `x`, reads as the value with that debug text.
fn assert_values(cases: &[(&str, &str)]) {
    let mut wrong = Vec::new();
    for (expression, expected) in cases {
        let text = format!("x = {expression}\n");
        match parse_tfvars(&text).as_deref() {
            Ok([(_, value)]) if format!("{value:?}") == *expected => {}
            other => wrong.push(format!("{text:?} parsed as {other:?}")),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Checks that each text fails at the given offset with the given message.
fn assert_errors(cases: &[(&str, usize, &str)]) {
    let mut wrong = Vec::new();
    for (text, offset, message) in cases {
        let error = parse_tfvars(text).expect_err(text);
        if (error.offset, error.message.as_str()) != (*offset, *message) {
            wrong.push(format!("{text:?}: {} {:?}", error.offset, error.message));
        }
        assert_eq!(error.kind, HclErrorKind::Malformed, "{text:?}");
        assert!(
            error.offset <= error.end && error.end <= text.len(),
            "{text:?}"
        );
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Checks that each text is refused at the given offset, naming the construct.
fn assert_refused(cases: &[(&str, usize, &str)]) {
    for (text, offset, construct) in cases {
        let error = parse_tfvars(text).expect_err(text);
        assert_eq!(
            (error.offset, error.message.as_str()),
            (*offset, *construct),
            "{text:?}"
        );
        assert_eq!(error.kind, HclErrorKind::Refused, "{text:?}");
    }
}

#[test]
#[rustfmt::skip]
fn scalars() {
    assert_values(&[
        ("true", "Bool(true)"), ("false", "Bool(false)"), ("null", "Null"),
        ("42", "Int(42)"), ("- 7", "Int(-7)"), ("007", "Int(7)"),
        ("-9223372036854775808", "Int(-9223372036854775808)"),
        // Terraform prints whole numbers as integers, however they are written.
        ("1.0", "Int(1)"), ("2e3", "Int(2000)"), ("-2.5", "Float(-2.5)"),
        ("1.5E-2", "Float(0.015)"), ("9223372036854775808", "Float(9.223372036854776e18)"),
        ("123456789012345678901234567890", "Float(1.2345678901234568e29)"),
    ]);
    assert_errors(&[
        ("x = 1e400", 4, "the number `1e400` is out of range"),
        ("x = 1e300 * 1e300\n", 4, "the number `100000000000...` (601 digits) is out of range: a variable holds numbers up to about 1.8e308"),
        // hcl-edit reads `1.` as the start of an attribute access, and fails at its start.
        ("x = 1.\n", 0, "unexpected token"),
        ("x = .5\n", 4, "invalid expression; expected `\"`, `[`, `{`, `-`, `!`, `(`, `_`, `<`, letter or digit"),
    ]);
}

#[test]
#[rustfmt::skip]
fn arithmetic() {
    assert_values(&[
        ("12 * 60 * 60", "Int(43200)"), ("10 / 4", "Float(2.5)"), ("7 / 7", "Int(1)"),
        ("0.1 + 0.2", "Float(0.3)"), ("10 / 3", "Float(3.3333333333333335)"),
        ("-7 % 3", "Int(-1)"), ("7.5 % -2", "Float(1.5)"), ("7 % 0", "Int(7)"),
        ("2 * -3", "Int(-6)"), ("- - 5", "Int(5)"), ("1 - - 1", "Int(2)"), ("-(1)", "Int(-1)"),
        ("3 / 2 * 2", "Int(3)"), ("(1 + 2) * 3", "Int(9)"), ("1 + 2 * 3", "Int(7)"),
        ("9223372036854775807 + 1", "Float(9.223372036854776e18)"),
        // Beyond 2^53 the nearest f64 is whole: it is the integer written back.
        ("9007199254740993 * 7 + 2.5 / 7", "Int(63050394783186952)"),
        // Strings that read as numbers are numbers to arithmetic, as in Terraform.
        (r#""5" + 1"#, "Int(6)"), (r#"-"5""#, "Int(-5)"),
    ]);
    assert_errors(&[
        ("x = 5 / 0\n", 4, "division by zero"),
        ("x = 0 / 0\n", 4, "division by zero"),
        ("x = 1 + null\n", 8, "a number is required here, not null"),
        ("x = true + 1\n", 4, "a number is required here"),
        ("x = \"a\" * 2\n", 4, "a number is required here"),
        ("x = -true\n", 5, "a number is required here"),
    ]);
}

#[test]
#[rustfmt::skip]
fn comparison_and_logic() {
    assert_values(&[
        ("1 == 1.0", "Bool(true)"), ("1 == \"1\"", "Bool(false)"), ("\"${1}\" == 1", "Bool(true)"),
        ("[1, \"a\"] == [1, \"a\"]", "Bool(true)"), ("{a = 1} == {a = 1}", "Bool(true)"),
        ("null == null", "Bool(true)"), ("\"a\" != \"b\"", "Bool(true)"), ("1 == true", "Bool(false)"),
        ("5 > 3.5", "Bool(true)"), ("\"1\" < 2", "Bool(true)"), ("2 <= 2", "Bool(true)"), ("1 >= 2", "Bool(false)"),
        ("!true || false && true", "Bool(false)"), ("true && \"true\"", "Bool(true)"),
        ("!\"1\"", "Bool(false)"), ("!\"0\"", "Bool(true)"), ("!false", "Bool(true)"),
    ]);
    assert_errors(&[
        ("x = \"a\" < \"b\"\n", 4, "a number is required here"),
        ("x = \"a\" && true\n", 4, "a bool is required here"),
        ("x = !null\n", 5, "a bool is required here, not null"),
    ]);
}

#[test]
#[rustfmt::skip]
fn conditionals() {
    assert_values(&[
        ("1 > 2 ? \"a\" : \"b\"", r#"Str("b")"#), ("\"true\" ? 1 : 2", "Int(1)"),
        // Both results are converted to the type they share.
        ("true ? 1 : \"a\"", r#"Str("1")"#), ("true ? [1] : [\"a\"]", r#"List([Str("1")])"#),
        ("true ? {a = 1} : {a = \"x\"}", r#"Map([("a", Str("1"))])"#),
        ("true ? [1] : [1, 2]", "List([Int(1)])"), ("false ? null : 3", "Int(3)"),
        // The branch not taken may hold what Terraform would refuse, or fail.
        ("false ? var.x : 1", "Int(1)"), ("true ? 1 : 1 / 0", "Int(1)"),
    ]);
    assert_errors(&[
        ("x = true ? 1 : true\n", 4, "the results of this conditional have inconsistent types: number if true, bool if false"),
        ("x = true ? [1] : [true]\n", 4, "the results of this conditional have inconsistent types: list if true, list if false"),
        ("x = null ? 1 : 2\n", 4, "the condition is null: it must be true or false"),
        ("x = 1 ? 1 : 2\n", 4, "the condition must be true or false"),
    ]);
}

#[test]
#[rustfmt::skip]
fn for_expressions() {
    assert_values(&[
        ("[for x in [1, 2]: x * 2]", "List([Int(2), Int(4)])"),
        ("{for k, v in {a = 1, b = 2}: k => v if v > 1}", r#"Map([("b", Int(2))])"#),
        // Objects are iterated in the order of their keys.
        ("[for k, v in {b = 1, a = 2}: k]", r#"List([Str("a"), Str("b")])"#),
        ("[for x in {b = 1, a = 2}: x]", "List([Int(2), Int(1)])"),
        ("{for x in [1, 2]: x => x}", r#"Map([("1", Int(1)), ("2", Int(2))])"#),
        ("{for x in [1, 1, 2]: x => x...}", r#"Map([("1", List([Int(1), Int(1)])), ("2", List([Int(2)]))])"#),
        ("[for i, v in [\"a\", \"b\"]: \"${i}${v}\" if i > 0]", r#"List([Str("1b")])"#),
        ("[for x in []: var.y]", "List([])"), ("[for x in {}: x]", "List([])"),
        ("{for x in [1.5, -0]: x => x}", r#"Map([("1.5", Float(1.5)), ("-0", Int(0))])"#),
        ("[for x in [1]: [for y in [x, 2]: x + y]]", "List([List([Int(2), Int(3)])])"),
    ]);
    assert_errors(&[
        ("x = [for x in \"abc\": x]\n", 14, "a string cannot be iterated by `for`"),
        ("x = [for x in null: x]\n", 14, "a null value cannot be iterated by `for`"),
        ("x = {for x in [1, 1]: x => x}\n", 22, "two items produce the key `1`: add `...` after the value to group them"),
        ("x = {for k, v in {a = 1}: null => k}\n", 26, "the key of a `for` entry is null"),
    ]);
    assert_refused(&[("x = [for x in [1]: x if y]\n", 24, "a reference `y`")]);
}

#[test]
#[rustfmt::skip]
fn indexes_and_splats() {
    assert_values(&[
        ("[1, 2][1]", "Int(2)"), ("[1, 2].1", "Int(2)"), ("[\"a\", \"b\"][1.0]", r#"Str("b")"#),
        ("[1, 2][\"1\"]", "Int(2)"), ("{a = {b = 1}}.a.b", "Int(1)"), ("{\"a b\" = 1}[\"a b\"]", "Int(1)"),
        ("[{a = 1}, {a = 2}][*].a", "List([Int(1), Int(2)])"), ("[{a = 1}, {a = 2}].*.a", "List([Int(1), Int(2)])"),
        ("[[1, 2], [3]][*][0]", "List([Int(1), Int(3)])"), ("{a = [1, 2]}.a[*]", "List([Int(1), Int(2)])"),
        ("5[*]", "List([Int(5)])"), ("null[*]", "List([])"),
    ]);
    assert_errors(&[
        ("x = [1, 2][5]\n", 10, "index 5 is outside a list of 2"),
        ("x = [1, 2][-1]\n", 10, "index -1 is outside a list of 2"),
        ("x = [1, 2][0.5]\n", 10, "a list is indexed by a whole number"),
        ("x = {a = 1}.b\n", 11, "this object has no attribute `b`"),
        ("x = {a = 1}[0]\n", 11, "an object is indexed by a string"),
        ("x = {a = 1}.a.b\n", 13, "a number has no attributes"),
    ]);
}

#[test]
#[rustfmt::skip]
fn strings_and_templates() {
    assert_values(&[
        (r#""a\"b\\c\nd\re\tf""#, r#"Str("a\"b\\c\nd\re\tf")"#),
        (r#""\u00e9\U0001F600 日本""#, r#"Str("é😀 日本")"#),
        (r#""$${a} %%{b} $$${c} $ % $$ %% 5$""#, r#"Str("${a} %{b} $${c} $ % $$ %% 5$")"#),
        (r#""${1+1}x""#, r#"Str("2x")"#), (r#""x${10/3}""#, r#"Str("x3.3333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333332")"#),
        // A template of one interpolation is that value, whatever its type.
        (r#""${10/4}""#, "Float(2.5)"), (r#""${[1]}""#, "List([Int(1)])"), (r#""${null}""#, "Null"),
        (r#""x${-0}${1e-7}${true}""#, r#"Str("x-00.0000001true")"#),
        (r#""%{ if 1 > 2 }x%{ else }y%{ endif }""#, r#"Str("y")"#),
        (r#""%{ for i, x in ["a", "b"] }${i}=${x} %{ endfor }""#, r#"Str("0=a 1=b ")"#),
        (r#""%{ for k, v in {b = 1, a = 2} }${k}${v}%{ endfor }""#, r#"Str("a2b1")"#),
        (r#""a ${~ "b" ~} c""#, r#"Str("abc")"#), (r#""a \n\n ${~ 1 ~} \n \n b""#, r#"Str("a1b")"#),
        (r#""a %{~ if true ~}  x  %{~ else ~} y %{~ endif ~} b""#, r#"Str("axb")"#),
        (r#""[%{ for x in [1, 2] ~}  ${x}  %{~ endfor }]""#, r#"Str("[12]")"#),
        (r#""%{ if false }${var.x}%{ endif }""#, r#"Str("")"#),
        (r#""${ {a = 1}.a }""#, "Int(1)"),
    ]);
    assert_errors(&[
        ("x = \"x${null}\"\n", 8, "a template value cannot be null"),
        ("x = \"x${[1]}\"\n", 8, "a template value must be a string, not a list"),
        ("x = \"\\x\"\n", 7, "invalid escape sequence; expected `n`, `r`, `t`, `u`, `U`, `\\` or `\"`"),
        ("x = \"abc", 4, "`\"` is never closed"),
        ("x = \"a\nb\"\n", 6, "a quoted string cannot span lines: use a heredoc (`<<EOT`)"),
    ]);
}

#[test]
#[rustfmt::skip]
fn heredocs() {
    assert_values(&[
        ("<<EOT\n  a\n    b\nEOT", r#"Str("  a\n    b\n")"#),
        ("<<EOT\n    a\n  EOT", r#"Str("    a\n")"#),
        ("<<EOT\nEOT", r#"Str("")"#),
        ("<<EOT\na\\nb $${x} %%{y}\nEOT", r#"Str("a\\nb ${x} %{y}\n")"#),
        ("<<-EOT\n    {\n      \"a\": 1\n    }\n  EOT", r#"Str("{\n  \"a\": 1\n}\n")"#),
        // Every whitespace character counts as one column; blank lines are kept whole and do
        // not count; a line that starts with an interpolation has no indentation.
        ("<<-EOT\n\t\ta\n\t  b\n  EOT", r#"Str("a\n b\n")"#),
        ("<<-EOT\n    a\n  \n    b\n    EOT", r#"Str("a\n  \nb\n")"#),
        ("<<-EOT\n    a\n  ${1}\n    b\n    EOT", r#"Str("  a\n1\n  b\n")"#),
        ("<<-EOT\n    a\n${1}\n    b\n    EOT", r#"Str("    a\n1\n    b\n")"#),
        ("<<-EOT\n      a\n    %{ if true }x%{ endif }\n      b\n    EOT", r#"Str("  a\nx\n  b\n")"#),
        // Strip markers trim one line of a heredoc, before the indentation is removed.
        ("<<EOT\na  \n\n  ${~ 1 ~}  \n\n  b\nEOT", r#"Str("a  \n\n1\n  b\n")"#),
        ("<<-EOT\n    a\n    ${~ 1}\n    EOT", r#"Str("    a\n1\n")"#),
        ("<<-EOT\n    a\n    ${1 ~}   \n    b\n    EOT", r#"Str("a\n1    b\n")"#),
        ("<<-EOT\n  $${a} %%{b} \\n EOTX\nEOT", r#"Str("${a} %{b} \\n EOTX\n")"#),
        ("<<EOT\r\na\r\nEOT\r\n", r#"Str("a\r\n")"#),
    ]);
    assert_errors(&[
        ("x = <<EOT\na\nEOF\n", 10, "expected heredoc end delimiter"),
        ("x = [<<EOT\na\nEOT, 1]\n", 16, "the closing `EOT` of a heredoc must be alone on its line"),
    ]);
    assert_values(&[("[<<EOT\na\nEOT\n, 1]", r#"List([Str("a\n"), Int(1)])"#)]);
}

#[test]
#[rustfmt::skip]
fn collections() {
    assert_values(&[
        ("[]", "List([])"), ("{}", "Map([])"),
        ("[1, \"a\", null,]", r#"List([Int(1), Str("a"), Null])"#),
        ("[\n  1\n  ,\n  # note\n  [2],\n]", "List([Int(1), List([Int(2)])])"),
        ("{ a = 1, b-c : 2, \"k/é\" = 3 }", r#"Map([("a", Int(1)), ("b-c", Int(2)), ("k/é", Int(3))])"#),
        ("{\n  true : 1\n\n  for = {}, }", r#"Map([("true", Int(1)), ("for", Map([]))])"#),
        ("{\n  a = 1 # c\n  b = [2] // d\n}", r#"Map([("a", Int(1)), ("b", List([Int(2)]))])"#),
        ("{ (\"a${1}\") = 1, (1 + 1) = 2, null = 3 }", r#"Map([("a1", Int(1)), ("2", Int(2)), ("null", Int(3))])"#),
        ("{ 1.5 = 2 }", r#"Map([("1.5", Int(2))])"#),
        // A repeated key keeps its last value, as in Terraform.
        ("{ a = 1, \"a\" = 2 }", r#"Map([("a", Int(2))])"#),
    ]);
    let nested = |depth: usize| format!("x = {}{}", "[".repeat(depth), "]".repeat(depth));
    assert!(parse_tfvars(&nested(MAX_NESTING)).is_ok());
    assert_errors(&[
        ("x = [,]", 5, "invalid expression; expected `\"`, `[`, `{`, `-`, `!`, `(`, `_`, `<`, letter or digit"),
        ("x = [1 2]", 7, "expected `]`"),
        ("x = [1,\n", 4, "`[` is never closed"),
        ("x = { a = 1", 4, "`{` is never closed"),
        ("x = [{ a = \"${1 + (2\"}]", 20, "expected `)`"),
        ("x = <<EOT\na\n", 10, "expected heredoc end delimiter"),
        ("x = 1 /* a\n", 6, "expected newline or eof"),
        ("x = [1, /* a\n", 8, "invalid expression; expected `\"`, `[`, `{`, `-`, `!`, `(`, `_`, `<`, letter or digit"),
        ("x = [\"a\\\"${[\"}\"\n", 11, "`[` is never closed"),
        ("x = { a = [(1 + 2\n", 11, "`(` is never closed"),
        ("x = { a.b = 1 }", 6, "the object key `a.b` is ambiguous: quote a key with dots, or put a reference in parentheses"),
        (&nested(100_000), 20, "brackets nested more than 16 deep"),
        (&format!("x = {}", "a[o<b -(".repeat(20)), 69, "brackets nested more than 16 deep"),
    ]);
}

#[test]
#[rustfmt::skip]
fn files_and_comments() {
    let text = "# 1\n\n// 2\na = 1 # 3\nb = /* 4 */ \"b\" // 5\r\n/* 6\n 7 */\nc = [\n]";
    let expected = r#"Ok([("a", Int(1)), ("b", Str("b")), ("c", List([]))])"#;
    assert_eq!(format!("{:?}", parse_tfvars(text)), expected);
    assert_eq!(parse_tfvars(""), Ok(Vec::new()));
    assert_errors(&[
        ("x = 1\nx = 2\n", 6, "invalid attribute; expected unique attribute key; found redefined attribute"),
        ("x = 1 y = 2\n", 6, "expected newline or eof"),
        ("x =\n 1\n", 3, "invalid expression; expected `\"`, `[`, `{`, `-`, `!`, `(`, `_`, `<`, letter or digit"),
        ("x : 1\n", 2, "invalid structure; expected `{`, `=`, `\"` or identifier"),
        ("x = 1 /* open\n", 6, "expected newline or eof"),
    ]);
}

#[test]
#[rustfmt::skip]
fn refused_constructs() {
    assert_refused(&[
        ("x = var.y\n", 4, "a reference `var.y`"),
        ("x = local.settings.zone\n", 4, "a reference `local.settings.zone`"),
        ("x = zone\n", 4, "a reference `zone`"),
        ("x = [1, { a = var.y[0] }]\n", 14, "a reference `var.y[0]`"),
        ("x = max(1, 2)\n", 4, "a function call `max(...)`"),
        ("x = provider::aws::arn_parse(\"a\")\n", 4, "a function call `provider::aws::arn_parse(...)`"),
        ("x = \"a ${upper(\"b\")}\"\n", 9, "a function call `upper(...)`"),
        ("x = { (y) = 1 }\n", 7, "a reference `y`"),
        ("x = 1\nnode_pool \"a\" {\n  size = 1\n}\n", 6, "a block `node_pool { ... }`"),
        ("x = 1 + 2 * var.very_long_variable_name_that_goes_on.and_on.and_on\n", 12, "a reference `var.very_long_variable_name_that_goes_on...`"),
    ]);
}

/// Hostile input gives an error, not a hang or a panic: work is bounded, and so are numbers.
#[test]
fn hostile_input_is_bounded() {
    let ten = format!("[{}]", ["0"; 10].join(", "));
    let nested_loops = format!(
        "x = {}1{}\n",
        format!("[for x in {ten}: ").repeat(8),
        "]".repeat(8)
    );
    let error = parse_tfvars(&nested_loops).expect_err("ten to the eighth values");
    assert!(error.message.contains("too much work"), "{error:?}");
    let templates = format!(
        "x = \"{}{}\"\n",
        format!("%{{ for x in {ten} }}").repeat(8),
        "%{ endfor }".repeat(8)
    );
    assert!(parse_tfvars(&templates).is_err());
    let huge = format!("x = {}\n", ["1e300"; 6].join(" * "));
    assert_eq!(
        parse_tfvars(&huge).expect_err("out of range").message,
        "the result is out of range"
    );
    let tiny = format!("x = 0.{}1\n", "0".repeat(100_000));
    assert!(parse_tfvars(&tiny).is_err());
}

/// Every prefix of a text using every construct reads without a panic, and every error
/// offset lies within the text read.
#[test]
fn truncated_input_never_panics() {
    let text = "a = { \"é\\u00e9\" : [1, -2.5e3, null], b = <<-EOT\n  x $${y} ${1 + 2}\n  EOT\n} # c\nb = [for k, v in {a = 1}: \"%{ if v > 0 }${k}%{ endif }\" if true]\n";
    for (end, _) in text.char_indices() {
        if let Err(error) = parse_tfvars(&text[..end]) {
            assert!(error.end <= end, "{error:?} for {:?}", &text[..end]);
        }
    }
    assert!(parse_tfvars(text).is_ok());
}

/// Every Terraform variable file of the corpus parses, and encoding it again with the tfvars
/// writer and parsing that gives the same values.
#[test]
fn corpus_round_trips() {
    let root = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpus/2i2c/terraform"
    );
    let Ok(providers) = std::fs::read_dir(root) else {
        return eprintln!("skipped: no corpus at {root}");
    };
    let mut files: Vec<_> = (providers.flatten())
        .filter_map(|provider| std::fs::read_dir(provider.path().join("projects")).ok())
        .flat_map(|projects| projects.flatten().map(|entry| entry.path()))
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "tfvars")
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .tfvars file under {root}");
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let parsed = parse_tfvars(&text).unwrap_or_else(|error| panic!("{path:?}: {error:?}"));
        let written = crate::emit::hcl::tfvars(&parsed);
        assert_eq!(parse_tfvars(&written).as_ref(), Ok(&parsed), "{path:?}");
    }
}

// Numbers: Terraform's 512-bit floats.
fn number(text: &str) -> Number {
    Number::parse(text).expect("a number").expect("in range")
}

#[test]
fn texts_match_terraform() {
    // Each pair is what `terraform show -json` printed for `"x${expression}"`.
    let ten_thirds = "3.3333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333332";
    let cases = [
        (number("10").divide(&number("3")), ten_thirds),
        (number("0").negate().add(&number("0").negate()), "-0"),
        (Ok(number("1e-5")), "0.00001"),
        (Ok(number("1.0")), "1"),
        (
            Ok(number("100000000000000000000000")),
            "100000000000000000000000",
        ),
        (number("0.1").add(&number("0.2")), "0.3"),
        (Ok(number("-2.5")), "-2.5"),
        (number("1").divide(&number("1024")), "0.0009765625"),
        (Ok(number("123456789.125")), "123456789.125"),
        (
            number("2")
                .divide(&number("3"))
                .and_then(|n| n.multiply(&number("3"))),
            "2",
        ),
        (Ok(number("1e-7")), "0.0000001"),
    ];
    for (result, expected) in cases {
        assert_eq!(result.expect("in range").to_text(), expected);
    }
}

#[test]
fn arithmetic_matches_terraform() {
    let value = |result: Result<Number, NumberError>| result.expect("in range").to_f64();
    assert_eq!(value(number("-7").remainder(&number("3"))), Ok(-1.0));
    assert_eq!(value(number("7.5").remainder(&number("-2"))), Ok(1.5));
    assert_eq!(value(number("5").remainder(&number("-3"))), Ok(2.0));
    assert_eq!(value(number("7").remainder(&number("0"))), Ok(7.0));
    assert_eq!(value(number("0.1").multiply(&number("3"))), Ok(0.3));
    assert_eq!(value(number("10").divide(&number("3"))), Ok(10.0 / 3.0));
    assert_eq!(
        number("5").divide(&number("0")).err(),
        Some(NumberError::DivisionByZero)
    );
    assert_eq!(number("9223372036854775807").to_i64(), Some(i64::MAX));
    assert_eq!(number("9223372036854775808").to_i64(), None);
    assert_eq!(number("-9223372036854775808").to_i64(), Some(i64::MIN));
    assert_eq!(number("2e3").to_i64(), Some(2000));
    assert_eq!(number("2.5").to_i64(), None);
}

#[test]
fn floats_round_to_nearest_even() {
    for text in [
        "0.1",
        "1e-320",
        "4.9e-324",
        "1.7976931348623157e308",
        "123.456",
        "2.5e-8",
    ] {
        assert_eq!(
            number(text).to_f64(),
            Ok(text.parse::<f64>().expect("f64")),
            "{text}"
        );
    }
    assert_eq!(number("1e309").to_f64(), Err(NumberError::OutOfRange));
    assert_eq!(number("1e-400").to_f64(), Ok(0.0));
    assert_eq!(
        Number::parse("1e2000").map(|n| n.err()),
        Some(Some(NumberError::OutOfRange))
    );
    assert_eq!(
        Number::parse("1e99999999999999").map(|n| n.err()),
        Some(Some(NumberError::OutOfRange))
    );
}

#[test]
fn parsing_follows_go() {
    for text in [".5", "5.", "+1", "-1e+2", "007"] {
        assert!(Number::parse(text).is_some(), "{text}");
    }
    for text in ["", ".", "e5", "1e", "0x10", "1_000", "Inf", "1.2.3", " 1"] {
        assert!(Number::parse(text).is_none(), "{text}");
    }
    // Digits past the 400th still round the value right.
    let long = format!("0.{}", "3".repeat(5000));
    assert_eq!(number(&long).to_f64(), Ok(1.0 / 3.0));
}

/// Wherever hcl-edit stops in a text holding multi-byte characters, the error points at whole
/// characters (it once panicked slicing `rx û`, found by the `tfvars` fuzz target).
#[test]
fn errors_point_at_whole_characters() {
    let characters = ["û", "é", "€", "😀", "ı", "\u{301}"];
    let shapes = [
        "rx {c}",
        "x = {c}",
        "x = [{c}",
        "{c} = 1",
        "x = \"{c}",
        "x = { {c} }",
        "x = 1{c}",
        "x = 1e{c}",
        "x = <<EOT\n{c}",
        "x {c} y",
        "x = [1, {c}]",
        "x = {c}{c}{c}",
    ];
    for character in characters {
        for shape in shapes {
            let text = shape.replace("{c}", character);
            if let Err(error) = parse_tfvars(&text) {
                assert!(
                    text.is_char_boundary(error.offset) && text.is_char_boundary(error.end),
                    "{text:?}: {error:?}"
                );
            }
        }
    }
}
