//! Robustness of the front end: real files broken by random edits, and hand-picked nasty inputs,
//! must never make decoding, parsing, rendering diagnostics or formatting panic, and every span
//! they produce must point inside the text, on character boundaries.

#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;

use std::path::PathBuf;
use std::sync::OnceLock;

use common::oracles::assert_span;
use hubc::diagnostics::{self, Format};
use hubc::driver::{self, Session};
use hubc::source::Span;
use hubc::syntax::ast::{
    Annotation, Block, BoundTarget, Entry, File, Ident, ItemKind, MemberKind, Path, Statement,
    StatementKind, Struct, Type, TypeKind, Value, ValueKind,
};
use miette::Diagnostic as _;
use proptest::prelude::*;
use proptest::sample::Index;

/// Random edits of the example and stdlib files.
#[derive(Debug, Clone)]
enum Edit {
    Delete { at: Index, len: usize },
    Duplicate { at: Index, len: usize },
    Insert { at: Index, bytes: Vec<u8> },
    Truncate { at: Index },
}

/// Bytes worth inserting: the grammar's punctuation and keywords, invalid and partial UTF-8,
/// multi-byte characters, a byte-order mark and a NUL.
const FRAGMENTS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"(",
    b")",
    b"<",
    b">",
    b"\"",
    b"\"\"\"",
    b"\"\"\"\n",
    b"\n",
    b"\r\n",
    b"\r",
    b"\t",
    b" ",
    b"@",
    b"/",
    b"*",
    b"/*",
    b"*/",
    b"//",
    b"///",
    b"//!",
    b"=",
    b"+=",
    b"<=",
    b".",
    b"...",
    b",",
    b";",
    b":",
    b"|",
    b"\\",
    b"\\u{",
    b"-",
    b"0",
    b"1GiB",
    b"1.5e3",
    b"2026-02-30",
    b"99999999999999999999",
    b"@reason(",
    b"tunable ",
    b"delete ",
    b"platform p {",
    b"community \"c\" : a {",
    b"type T = ",
    b"schema S {",
    b"\xFF",
    b"\xC3",
    b"\xE2\x82",
    b"\xEF\xBB\xBF",
    b"\0",
    "é".as_bytes(),
    "😀".as_bytes(),
];

proptest! {
    #![proptest_config(common::proptest_config(256))]

    #[test]
    fn edited_examples_never_break_the_front_end(
        file in any::<Index>(),
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        let original = &corpus()[file.index(corpus().len())];
        let mut bytes = original.clone();
        for edit in &edits {
            apply(&mut bytes, edit);
        }
        check_bytes(&bytes);
    }

    #[test]
    fn token_soup_never_breaks_the_front_end(
        pieces in prop::collection::vec(piece(), 0..200),
    ) {
        check_bytes(&pieces.concat());
    }
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        3 => (any::<Index>(), 1..80usize).prop_map(|(at, len)| Edit::Delete { at, len }),
        2 => (any::<Index>(), 1..80usize).prop_map(|(at, len)| Edit::Duplicate { at, len }),
        4 => (any::<Index>(), prop::collection::vec(piece(), 1..6))
            .prop_map(|(at, pieces)| Edit::Insert { at, bytes: pieces.concat() }),
        1 => any::<Index>().prop_map(|at| Edit::Truncate { at }),
    ]
}

/// A fragment of the grammar, an identifier-like word, or any single byte.
fn piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => prop::sample::select(FRAGMENTS).prop_map(<[u8]>::to_vec),
        2 => "[a-z_][a-z0-9_-]{0,8}".prop_map(String::into_bytes),
        1 => any::<u8>().prop_map(|byte| vec![byte]),
    ]
}

fn apply(bytes: &mut Vec<u8>, edit: &Edit) {
    // Positions are drawn over one more than the length, so the end is reachable too.
    let position = |at: &Index, bytes: &Vec<u8>| at.index(bytes.len() + 1);
    match edit {
        Edit::Delete { at, len } => {
            let start = position(at, bytes);
            let end = (start + len).min(bytes.len());
            bytes.drain(start..end);
        }
        Edit::Duplicate { at, len } => {
            let start = position(at, bytes);
            let end = (start + len).min(bytes.len());
            let copy = bytes[start..end].to_vec();
            bytes.splice(end..end, copy);
        }
        Edit::Insert {
            at,
            bytes: inserted,
        } => {
            let start = position(at, bytes);
            bytes.splice(start..start, inserted.iter().copied());
        }
        Edit::Truncate { at } => {
            let end = position(at, bytes);
            bytes.truncate(end);
        }
    }
}

/// The bytes of every example and stdlib file, read once.
fn corpus() -> &'static [Vec<u8>] {
    static CORPUS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let mut paths = common::hub_files(&common::root().join("examples"));
        paths.extend(common::hub_files(&common::root().join("stdlib")));
        assert!(paths.len() > 5, "the examples and stdlib were not found");
        paths
            .iter()
            .map(|path| std::fs::read(path).expect("file is readable"))
            .collect()
    })
}

/// Runs the whole front end over `bytes` and checks every invariant; returns the session.
fn check_bytes(bytes: &[u8]) -> Session {
    // Decoding and parsing, as a library user would call them.
    let (text, utf8_error) = hubc::syntax::decode(bytes);
    let parsed = hubc::syntax::parse(&text);
    for error in utf8_error.iter().chain(&parsed.errors) {
        for label in error.labels().into_iter().flatten() {
            let span = Span::new(label.offset(), label.offset() + label.len());
            assert_span(&text, span, &format!("the label of `{error}`"));
        }
    }
    for span in file_spans(&parsed.file) {
        assert_span(&text, span, "a node of the tree");
    }

    // The driver path, which `hubc check` takes, and every renderer.
    let mut session = Session::default();
    driver::add_file(&mut session, PathBuf::from("edited.hub"), bytes);
    let source_text = session.sources.get(session.files[0].id).text.clone();
    assert_eq!(*source_text, *text, "the driver decodes like `decode`");
    common::assert_every_diagnostic_names_a_fix(&session);
    for diagnostic in &session.diagnostics {
        assert_span(&source_text, diagnostic.span, &diagnostic.message);
        for related in &diagnostic.related {
            assert_span(&source_text, related.span, &related.message);
        }
    }
    for format in [Format::Human, Format::Json, Format::Github] {
        let rendered =
            diagnostics::render_all(&session.diagnostics, &session.sources, format, false);
        assert_eq!(
            rendered.is_empty(),
            session.diagnostics.is_empty(),
            "{format:?} rendering lost or invented diagnostics"
        );
    }

    // What `hubc fmt` does with a file that has no errors.
    if !session.diagnostics.iter().any(|d| d.is_error()) {
        let formatted = hubc::format::format(&source_text, &session.files[0].parsed.file);
        let errors = common::syntax_errors(&formatted);
        assert!(
            errors.is_empty(),
            "the formatted text has syntax errors {errors:?}\n--- source\n{source_text}\n--- formatted\n{formatted}"
        );
    }
    session
}

/// Every span in a file's tree.
fn file_spans(file: &File) -> Vec<Span> {
    let mut spans: Vec<Span> = file.comments.iter().map(|comment| comment.span).collect();
    for item in &file.items {
        spans.push(item.span);
        spans.extend(item.doc.iter().map(|doc| doc.span));
        annotation_spans(&item.annotations, &mut spans);
        match &item.kind {
            ItemKind::Import(import) => {
                spans.extend(import.path.iter().chain(&import.alias).map(|i| i.span));
            }
            ItemKind::Decl(decl) => {
                spans.push(decl.keyword_span);
                spans.extend(
                    std::iter::once(&decl.name)
                        .chain(&decl.parent)
                        .chain(&decl.mixins)
                        .map(|name| name.span),
                );
                block_spans(&decl.body, &mut spans);
            }
            ItemKind::Type(type_decl) => {
                spans.push(type_decl.name.span);
                type_spans(&type_decl.ty, &mut spans);
            }
            ItemKind::Schema(schema) => {
                spans.push(schema.name.span);
                struct_spans(&schema.body, &mut spans);
            }
        }
    }
    spans
}

fn annotation_spans(annotations: &[Annotation], spans: &mut Vec<Span>) {
    for annotation in annotations {
        spans.push(annotation.span);
        spans.push(annotation.name.span);
        for argument in &annotation.args {
            value_spans(argument, spans);
        }
    }
}

fn block_spans(block: &Block, spans: &mut Vec<Span>) {
    spans.push(block.span);
    for statement in &block.statements {
        statement_spans(statement, spans);
    }
}

fn statement_spans(statement: &Statement, spans: &mut Vec<Span>) {
    spans.push(statement.span);
    spans.extend(statement.doc.iter().map(|doc| doc.span));
    annotation_spans(&statement.annotations, spans);
    match &statement.kind {
        StatementKind::Assign { path, value } | StatementKind::Append { path, value } => {
            path_spans(path, spans);
            value_spans(value, spans);
        }
        StatementKind::Delete { path }
        | StatementKind::Locked { path }
        | StatementKind::Identity { path, .. } => path_spans(path, spans),
        StatementKind::Nested { path, block } => {
            path_spans(path, spans);
            block_spans(block, spans);
        }
        StatementKind::Labelled { kind, label, block } => {
            spans.push(kind.span);
            spans.push(label.span);
            block_spans(block, spans);
        }
        StatementKind::Tunable { path, bounds } => {
            path_spans(path, spans);
            for bound in bounds {
                spans.push(bound.span);
                spans.push(bound.op_span);
                match &bound.target {
                    BoundTarget::Base(span) => spans.push(*span),
                    BoundTarget::Value(value) => value_spans(value, spans),
                }
            }
        }
        StatementKind::Budget { kind, limit } => {
            spans.push(kind.span);
            value_spans(limit, spans);
        }
    }
}

fn path_spans(path: &Path, spans: &mut Vec<Span>) {
    spans.push(path.span);
    spans.extend(path.keys.iter().map(|key| key.span));
}

fn value_spans(value: &Value, spans: &mut Vec<Span>) {
    spans.push(value.span);
    match &value.kind {
        ValueKind::List(values) => values.iter().for_each(|v| value_spans(v, spans)),
        ValueKind::Map(entries) => entry_spans(entries, spans),
        ValueKind::Call { name, args } => {
            spans.push(name.span);
            args.iter().for_each(|v| value_spans(v, spans));
        }
        ValueKind::Tagged { tag, entries } => {
            spans.push(tag.span);
            entry_spans(entries, spans);
        }
        ValueKind::Reference(names) => spans.extend(names.iter().map(|name: &Ident| name.span)),
        _ => {}
    }
}

fn entry_spans(entries: &[Entry], spans: &mut Vec<Span>) {
    for entry in entries {
        spans.push(entry.span);
        path_spans(&entry.path, spans);
        value_spans(&entry.value, spans);
    }
}

fn type_spans(ty: &Type, spans: &mut Vec<Span>) {
    spans.push(ty.span);
    match &ty.kind {
        TypeKind::Named { name, args } => {
            spans.push(name.span);
            args.iter().for_each(|arg| type_spans(arg, spans));
        }
        TypeKind::Literal(value) => value_spans(value, spans),
        TypeKind::Struct(body) => struct_spans(body, spans),
        TypeKind::Union(alternatives) => alternatives.iter().for_each(|a| type_spans(a, spans)),
        TypeKind::Matching { ty, pattern } => {
            type_spans(ty, spans);
            value_spans(pattern, spans);
        }
        TypeKind::Bounded { ty, limit, .. } => {
            type_spans(ty, spans);
            value_spans(limit, spans);
        }
        TypeKind::KeyedBy { ty, key } => {
            type_spans(ty, spans);
            spans.push(key.span);
        }
    }
}

fn struct_spans(body: &Struct, spans: &mut Vec<Span>) {
    spans.push(body.span);
    spans.extend(body.open);
    for member in &body.members {
        spans.push(member.span);
        spans.extend(member.doc.iter().map(|doc| doc.span));
        annotation_spans(&member.annotations, spans);
        match &member.kind {
            MemberKind::Field(field) => {
                spans.push(field.key.span);
                type_spans(&field.ty, spans);
                if let Some(default) = &field.default {
                    value_spans(default, spans);
                }
            }
            MemberKind::Check { left, right, .. } => {
                path_spans(left, spans);
                path_spans(right, spans);
            }
            MemberKind::Open => {}
        }
    }
}

/// The codes of the diagnostics of `bytes`, after checking every invariant.
fn codes(bytes: &[u8]) -> Vec<String> {
    check_bytes(bytes)
        .diagnostics
        .iter()
        .map(|diagnostic| diagnostic.code.clone())
        .collect()
}

#[test]
fn nasty_inputs_are_reported_not_panicked_on() {
    // Each input, and codes that must be among its diagnostics.
    let cases: &[(&[u8], &[&str])] = &[
        (b"{", &["hub::syntax::unexpected_token"]),
        (b"}", &["hub::syntax::unmatched_delimiter"]),
        (b"\"\"\"", &["hub::syntax::unexpected_token"]),
        (
            b"platform p {\n  a = \"\"\"\n",
            &["hub::syntax::unterminated_text_block"],
        ),
        (
            b"platform p {\n  a = \"\"\"",
            &["hub::syntax::unexpected_token"],
        ),
        (b"/*", &["hub::syntax::unterminated_comment"]),
        (b"/* /* */", &["hub::syntax::unterminated_comment"]),
        (b"///", &["hub::syntax::dangling_doc_comment"]),
        (b"\xFF", &["hub::syntax::invalid_utf8"]),
        (
            b"platform p {\n  a = \"\xC3\"\n}\n",
            &["hub::syntax::invalid_utf8"],
        ),
        (b"platform p {\n  a = 1\xC3", &["hub::syntax::invalid_utf8"]),
        (
            b"platform p {\n  a = \"\\u{",
            &["hub::syntax::unterminated_string"],
        ),
        (
            b"platform p {\n  a = \"\xC3\xA9",
            &["hub::syntax::unterminated_string"],
        ),
        (
            "platform p {\n  a = é\n}\n".as_bytes(),
            &["hub::syntax::unexpected_token"],
        ),
        (
            "platform 😀 {}\n".as_bytes(),
            &["hub::syntax::unexpected_token"],
        ),
        (
            b"platform p {\n  @reason(",
            &["hub::syntax::unclosed_delimiter"],
        ),
        (
            b"platform p {\n  a = 2026-13-45, b = 1e999, c = 99999999999999999999\n}\n",
            &["hub::syntax::invalid_date", "hub::syntax::invalid_number"],
        ),
        (
            b"platform p {\n  a = 1GiBx\n}\n",
            &["hub::syntax::unknown_unit"],
        ),
        (
            b"platform p {\n  a = \"\\q\"\n}\n",
            &["hub::syntax::invalid_escape"],
        ),
        (b"platform\0p {}", &["hub::syntax::unexpected_token"]),
        (b"community \"c\" :", &["hub::syntax::unexpected_token"]),
        (b"type T = ", &["hub::syntax::unexpected_token"]),
        (b"schema S { a: ", &["hub::syntax::unexpected_token"]),
    ];
    for (bytes, expected) in cases {
        let found = codes(bytes);
        for code in *expected {
            assert!(
                found.iter().any(|found| found == code),
                "{:?} should be reported as {code}, found {found:?}",
                String::from_utf8_lossy(bytes)
            );
        }
    }
}

#[test]
fn files_with_nothing_wrong_in_odd_shapes_have_no_diagnostics() {
    let inputs: &[&[u8]] = &[
        b"",
        b"\n\n\n",
        b"\xEF\xBB\xBF",
        b"// only a comment",
        b"/* only a block comment */",
        b"platform p {\r\n  a = 1\r\n}\r\n",
        b"platform p {\n\ta = 1\n}",
        b"platform p {}",
    ];
    for bytes in inputs {
        let found = codes(bytes);
        assert!(
            found.is_empty(),
            "{:?}: {found:?}",
            String::from_utf8_lossy(bytes)
        );
    }
}

#[test]
fn a_byte_order_mark_changes_nothing() {
    for original in corpus() {
        let text = std::str::from_utf8(original).expect("examples are UTF-8");
        let with_bom = format!("\u{feff}{text}");
        let session = check_bytes(with_bom.as_bytes());
        assert!(session.diagnostics.is_empty(), "{:?}", session.diagnostics);
        let formatted = hubc::format::format(&with_bom, &session.files[0].parsed.file);
        assert!(
            formatted == text,
            "formatting drops the mark and nothing else:\n{formatted}"
        );
    }
}

#[test]
fn crlf_line_ends_parse_and_format_to_lf() {
    for original in corpus() {
        let text = std::str::from_utf8(original).expect("examples are UTF-8");
        let crlf = text.replace('\n', "\r\n");
        let session = check_bytes(crlf.as_bytes());
        assert!(session.diagnostics.is_empty(), "{:?}", session.diagnostics);
        let formatted = hubc::format::format(&crlf, &session.files[0].parsed.file);
        let stray = formatted.split('\n').position(|line| line.ends_with('\r'));
        assert!(
            formatted == text,
            "formatting a CRLF file does not give the LF file back; first line still ending \
             with CR: {:?}\n{formatted}",
            stray.map(|index| index + 1)
        );
    }
}

/// miette pads the underline of a label to its column, and Rust's formatting machinery panics
/// on widths above `u16::MAX`: generated or minified files can have such lines.
#[test]
fn a_diagnostic_far_along_a_long_line_is_rendered() {
    let text = format!("platform p {{\n  a = {} b\n}}\n", "x".repeat(70_000));
    let found = codes(text.as_bytes());
    assert_eq!(found, ["hub::syntax::unexpected_token"]);
}

/// The parser is recursive, so it bounds nesting: past its limit it reports
/// `hub::syntax::nesting_too_deep` instead of overflowing the stack (the test thread's stack is
/// 2 MiB). Nesting well under the limit parses, formats and formats again unchanged.
#[test]
fn deep_nesting_is_reported_not_overflowed() {
    let depth = 10_000;
    let too_deep = [
        format!("platform p {{\n  a = {}\n}}\n", "[".repeat(depth)),
        format!(
            "platform p {{\n  a = {}{}\n}}\n",
            "[".repeat(depth),
            "]".repeat(depth)
        ),
        format!(
            "platform p {{\n  a = {}1{}\n}}\n",
            "{\n a = ".repeat(depth),
            " }".repeat(depth)
        ),
        format!(
            "platform p {{\n  a = {}1{}\n}}\n",
            "f(".repeat(depth),
            ")".repeat(depth)
        ),
        format!(
            "platform p {{\n{}{}}}\n",
            "a {\n".repeat(depth),
            "}\n".repeat(depth)
        ),
        format!("type T = {}int{}\n", "(".repeat(depth), ")".repeat(depth)),
        format!(
            "type T = {}int{}\n",
            "list<".repeat(depth),
            ">".repeat(depth)
        ),
        format!(
            "schema S {{\n{}int{}}}\n",
            "a: {\n".repeat(depth),
            "}\n".repeat(depth)
        ),
    ];
    for text in &too_deep {
        let found = codes(text.as_bytes());
        assert!(
            found
                .iter()
                .any(|code| code == "hub::syntax::nesting_too_deep"),
            "{}...: {found:?}",
            &text[..40]
        );
    }
    // At the top level, brackets are not values: each is one error, and there is no recursion.
    assert!(!codes("[".repeat(depth).as_bytes()).is_empty());

    let nested = 30;
    let fine = [
        format!(
            "platform p {{\n  a = {}{}\n}}\n",
            "[".repeat(nested),
            "]".repeat(nested)
        ),
        format!(
            "platform p {{\n{}{}}}\n",
            "a {\n".repeat(nested),
            "}\n".repeat(nested)
        ),
        format!(
            "type T = {}int{}\n",
            "list<".repeat(nested),
            ">".repeat(nested)
        ),
    ];
    for text in &fine {
        let session = check_bytes(text.as_bytes());
        assert!(session.diagnostics.is_empty(), "{:?}", session.diagnostics);
        let once = hubc::format::format(text, &session.files[0].parsed.file);
        let twice = hubc::format::format(&once, &hubc::syntax::parse(&once).file);
        assert_eq!(once, twice);
    }
}

/// Recovery reads each part of a broken file a bounded number of times: nested constructs that
/// never close, in every kind of body and with every kind of opening, give diagnostics (and
/// take time) that grow with the nesting, not exponentially with it. A struct member `m: ({`
/// nested sixteen deep once gave 131,071 diagnostics.
#[test]
fn recovery_work_grows_linearly_with_unclosed_nesting() {
    let bodies = [
        ("schema S {\n", "  m: "),
        ("type T = {\n", "  m: "),
        ("platform p {\n", "  a = "),
        ("platform p {\n", "  a "),
        ("cluster c {\n", "  node_pool \"x\" "),
    ];
    let openings = [
        "{",
        "(",
        "[",
        "({",
        "[{",
        "{(",
        "list<{",
        "map<string, {",
        "f({",
        "image(",
        "(\n",
        "{\n",
        "[\n",
        "({\n",
        "list<(",
        "{ b = {",
        "{ b: (",
    ];
    let mut failures = Vec::new();
    for (head, lead) in bodies {
        for opening in openings {
            let errors = |depth: usize| {
                let line = format!("{lead}{opening}\n");
                let text = format!("{head}{}", line.repeat(depth));
                hubc::syntax::parse(&text).errors.len()
            };
            let (at_8, at_16) = (errors(8), errors(16));
            if at_16 > 2 * at_8 + 4 {
                failures.push(format!(
                    "{head:?} + {lead}{opening:?}: {at_8} errors at depth 8, {at_16} at 16"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
