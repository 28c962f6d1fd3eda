//! Proptest strategies for hostile values documents: keys that need quoting, strings that look
//! like other scalars, YAML 1.1 words, integers at the edges, block strings, anchors, aliases,
//! merge keys and comments, placed both where the chart's schema types values and where it does
//! not.

use proptest::prelude::*;

use super::model::{Entry, Map, Meaning, Node, Scalar};

/// What a plain scalar means to Helm's reader (go-yaml v2 through sigs.k8s.io/yaml).
#[derive(Clone, Copy, Debug)]
enum Read {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// The text itself, as a string.
    Text,
}

/// Plain scalars that a YAML 1.2 reader and Helm's reader may read differently, with what Helm
/// reads: YAML 1.1 booleans, octal and underscored integers, floats without a `.`, and strings
/// that only look like numbers or times.
const PLAIN: &[(&str, Read)] = &[
    ("yes", Read::Bool(true)),
    ("Yes", Read::Bool(true)),
    ("NO", Read::Bool(false)),
    ("no", Read::Bool(false)),
    ("on", Read::Bool(true)),
    ("On", Read::Bool(true)),
    ("off", Read::Bool(false)),
    ("OFF", Read::Bool(false)),
    ("y", Read::Bool(true)),
    ("Y", Read::Bool(true)),
    ("n", Read::Bool(false)),
    ("N", Read::Bool(false)),
    ("true", Read::Bool(true)),
    ("False", Read::Bool(false)),
    ("~", Read::Null),
    ("null", Read::Null),
    ("NULL", Read::Null),
    ("0644", Read::Int(420)),
    ("-0644", Read::Int(-420)),
    ("007", Read::Int(7)),
    ("0o17", Read::Int(15)),
    ("0x1F", Read::Int(31)),
    ("0X1f", Read::Int(31)),
    ("0b101", Read::Int(5)),
    ("1_000", Read::Int(1000)),
    ("+12", Read::Int(12)),
    ("9223372036854775807", Read::Int(i64::MAX)),
    ("-9223372036854775808", Read::Int(i64::MIN)),
    ("08", Read::Float(8.0)),
    ("1e3", Read::Float(1000.0)),
    ("1.", Read::Float(1.0)),
    (".5", Read::Float(0.5)),
    ("-1.5e-3", Read::Float(-0.0015)),
    ("1_0.5", Read::Float(10.5)),
    ("1e400", Read::Text),
    ("12:30", Read::Text),
    ("190:20:30", Read::Text),
    ("2024-01-01", Read::Text),
    ("2001-12-14t21:59:43.10-05:00", Read::Text),
    ("1.2.3", Read::Text),
    ("0b2", Read::Text),
    ("=", Read::Text),
    ("4G", Read::Text),
    ("1Gi", Read::Text),
    ("500m", Read::Text),
];

/// Strings worth writing quoted: words and numbers of YAML, `.hub` syntax, templates, quotes,
/// escapes, line breaks, spaces at the ends and text beyond ASCII.
const HOSTILE_TEXT: &[&str] = &[
    "yes",
    "no",
    "on",
    "off",
    "y",
    "~",
    "null",
    "0644",
    "1e3",
    "0x1F",
    ".inf",
    "12:30",
    "2024-01-01",
    "",
    " ",
    " leading",
    "trailing ",
    "a # not a comment",
    "a: b",
    "${var}",
    "$${x}",
    "%{ if x }",
    "{{ .Values.x }}",
    "it's",
    "say \"hi\"",
    "back\\slash",
    "tab\there",
    "cr\rhere",
    "one\ntwo",
    "multi\nline\n",
    "\"\"\"",
    "// not a comment",
    "/* no */",
    "é ü 日本 🚀",
    "#hash",
    "- dash",
    "[flow]",
    "{flow}",
    "*star",
    "&amp",
    "!bang",
    "%percent",
    "@at",
    "`tick`",
    "|pipe",
    ">gt",
    "line\u{2028}separator",
    "nul\u{0}byte",
    "bell\u{7}",
    "true",
    "4G",
    "1Gi",
    "image:tag",
    "<<",
    "\u{feff}bom",
];

/// Keys that need quoting somewhere: in `.hub` (dots, slashes, spaces, keywords, a leading
/// digit) or in YAML.
const HOSTILE_KEYS: &[&str] = &[
    "a.b",
    "hub.jupyter.org/node-purpose",
    "with space",
    "-dash",
    "1leading",
    "2i2c",
    "delete",
    "tunable",
    "with",
    "locked",
    "budget",
    "import",
    "community",
    "mixin",
    "archetype",
    "cluster",
    "schema",
    "type",
    "true",
    "null",
    "yes",
    "<<",
    "",
    "é",
    "日本",
    "x\"y",
    "a\\b",
    "#",
    "${x}",
    "chart_values",
    "manifest",
    "secrets",
    "chart",
    "limit",
    "k: v",
    "tab\tkey",
    "trailing ",
];

/// Keys most generated maps draw from, few enough that files set the same paths.
const COMMON_KEYS: &[&str] = &["enabled", "name", "value", "items", "config", "extra"];

/// A string as a double-quoted YAML scalar, escaping what YAML reads as a line break too.
pub fn double_quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn single_quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Whether this test is sure a string reads back as itself when written plain, as a key or a
/// block value: a letter that starts no YAML word, then letters, digits and `._/-` only.
fn plainly_text(text: &str) -> bool {
    let starts_well = text
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() && !"yntfo".contains(c));
    (starts_well || matches!(text, "1leading" | "2i2c"))
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._/- ".contains(c))
        && !text.ends_with(' ')
        && !text.contains(" #")
        && !text.contains("  ")
}

/// A string written in one of the styles that keeps it a string.
fn quoted(text: String) -> BoxedStrategy<Scalar> {
    let single_ok = !text
        .chars()
        .any(|c| c.is_control() || c == '\u{2028}' || c == '\u{feff}');
    let plain_ok = plainly_text(&text);
    let mut styles = vec![0u8];
    if single_ok {
        styles.push(1);
    }
    if plain_ok {
        styles.push(2);
    }
    prop::sample::select(styles)
        .prop_map(move |style| Scalar {
            text: match style {
                0 => double_quoted(&text),
                1 => single_quoted(&text),
                _ => text.clone(),
            },
            meaning: Meaning::Str(text.clone()),
        })
        .boxed()
}

fn plain(text: &str, read: Read) -> Scalar {
    Scalar {
        text: text.to_string(),
        meaning: match read {
            Read::Null => Meaning::Null,
            Read::Bool(boolean) => Meaning::Bool(boolean),
            Read::Int(int) => Meaning::Int(int),
            Read::Float(float) => Meaning::Float(float),
            Read::Text => Meaning::Str(text.to_string()),
        },
    }
}

/// A string of the hostile kind, or a random one.
pub fn text() -> BoxedStrategy<String> {
    prop_oneof![
        3 => prop::sample::select(HOSTILE_TEXT).prop_map(str::to_string),
        2 => "[a-z][a-z0-9./-]{0,8}",
        1 => "[ -~]{0,10}",
        1 => "[a-zé\"\\\\#:{}$ \t\n]{1,8}",
    ]
    .boxed()
}

/// A scalar value of any kind.
pub fn scalar() -> BoxedStrategy<Scalar> {
    let usual = prop_oneof![
        3 => prop::sample::select(PLAIN).prop_map(|(text, read)| plain(text, read)),
        2 => any::<i64>().prop_map(|int| plain(&int.to_string(), Read::Int(int))),
        1 => prop::sample::select(vec![0.5, -2.25, 1e-7, 1e20, 3.0, 0.1, 1.7976931348623157e308])
            .prop_map(|float: f64| plain(&format!("{float:?}"), Read::Float(float))),
        1 => prop::sample::select(vec!["", "null", "~"]).prop_map(|text| plain(text, Read::Null)),
        5 => text().prop_flat_map(quoted),
    ];
    // `.hub` has no infinities: these make the import refuse, so they are rare.
    let infinite =
        prop::sample::select(vec![(".inf", f64::INFINITY), ("-.Inf", f64::NEG_INFINITY)])
            .prop_map(|(text, float)| plain(text, Read::Float(float)));
    prop_oneof![300 => usual, 1 => infinite].boxed()
}

/// A string of several lines for a literal block: the first line starts with no space, and
/// no line holds a character a block cannot carry.
fn block_text() -> impl Strategy<Value = String> {
    (
        "[a-z#:\"'{}$\\\\-][a-z#:\"'{}$\\\\ -]{0,10}",
        prop::collection::vec("[a-z#:\"'{}$\\\\ -]{0,12}", 1..3),
        0..3usize,
    )
        .prop_map(|(first, rest, trailing)| {
            let mut text = first;
            for line in rest {
                text.push('\n');
                text.push_str(&line);
            }
            text.push_str(&"\n".repeat(trailing));
            text
        })
}

/// A key: a common one, an identifier, a hostile one, or a plain word Helm reads as a boolean
/// or a number (whose key is then that value's text).
pub fn key() -> BoxedStrategy<Scalar> {
    prop_oneof![
        4 => prop::sample::select(COMMON_KEYS).prop_map(|key| Scalar {
            text: key.to_string(),
            meaning: Meaning::Str(key.to_string()),
        }),
        2 => "[a-z][a-zA-Z0-9_]{0,6}".prop_filter_map("a word of YAML", |key| {
            PLAIN.iter().all(|(word, _)| *word != key).then(|| Scalar {
                text: key.clone(),
                meaning: Meaning::Str(key),
            })
        }),
        3 => prop::sample::select(HOSTILE_KEYS).prop_flat_map(|key| quoted(key.to_string())),
        1 => prop::sample::select(PLAIN).prop_filter_map("a key Helm can read", |(text, read)| {
            let key = match read {
                Read::Bool(boolean) => boolean.to_string(),
                Read::Int(int) => int.to_string(),
                Read::Text => text.to_string(),
                Read::Null | Read::Float(_) => return None,
            };
            Some(Scalar {
                text: text.to_string(),
                meaning: Meaning::Str(key),
            })
        }),
    ]
    .boxed()
}

/// A comment's text: printable, with `.hub` and YAML punctuation.
fn comment() -> impl Strategy<Value = Option<String>> {
    prop::option::weighted(
        0.15,
        prop_oneof![
            "[ -~]{0,16}",
            prop::sample::select(vec!["\"\"\"", "*/ /*", "// twice", "# double", "é}", "\\"])
                .prop_map(str::to_string),
        ]
        .prop_map(|text| text.trim_end().to_string()),
    )
}

fn anchor_name() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["a", "base", "b-2"]).prop_map(str::to_string)
}

/// An entry of a map, with its comments.
fn entry(key: BoxedStrategy<Scalar>, value: BoxedStrategy<Node>) -> BoxedStrategy<Entry> {
    (key, value, comment(), comment())
        .prop_map(|(key, value, comment, trailing)| Entry {
            key,
            comment,
            trailing,
            value,
        })
        .boxed()
}

/// A value of any shape: scalars, blocks, empty and nested collections, anchors and aliases.
pub fn value() -> BoxedStrategy<Node> {
    let leaf = prop_oneof![
        8 => scalar().prop_map(Node::Scalar),
        1 => block_text().prop_map(Node::Block),
        1 => Just(Node::Map(Map::default())),
        1 => Just(Node::List { items: Vec::new(), compact: false }),
        1 => prop::collection::vec(
            prop_oneof![
                prop::sample::select(PLAIN).prop_filter_map("fits in a flow list", |(text, read)| {
                    (!text.contains(':') && !text.is_empty()).then(|| plain(text, read))
                }),
                text().prop_map(|text| Scalar {
                    text: double_quoted(&text),
                    meaning: Meaning::Str(text),
                }),
            ],
            1..3,
        )
        .prop_map(Node::FlowList),
        1 => anchor_name().prop_map(Node::Alias),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            3 => map(inner.clone()).prop_map(Node::Map),
            2 => (prop::collection::vec(inner.clone(), 1..4), any::<bool>())
                .prop_map(|(items, compact)| Node::List { items, compact }),
            1 => (anchor_name(), inner).prop_map(|(name, node)| Node::Anchor(name, Box::new(node))),
        ]
    })
    .boxed()
}

/// A map of values under random keys, sometimes merging anchored maps in.
fn map(value: BoxedStrategy<Node>) -> impl Strategy<Value = Map> {
    (
        prop::collection::vec(anchor_name(), 0..2),
        prop::collection::vec(entry(key(), value), 1..4),
        0..6u8,
    )
        .prop_map(|(merges, entries, odds)| Map {
            merges: if odds == 0 { merges } else { Vec::new() },
            entries,
        })
}

/// A map with some of the given keys, each with its value strategy.
fn fields(fields: Vec<(&'static str, BoxedStrategy<Node>)>) -> BoxedStrategy<Node> {
    let entries: Vec<BoxedStrategy<Option<Entry>>> = fields
        .into_iter()
        .map(|(name, value)| {
            let key = quoted(name.to_string());
            prop::option::of(entry(key, value)).boxed()
        })
        .collect();
    (entries, prop::collection::vec(entry(key(), value()), 0..2))
        .prop_map(|(known, unknown)| {
            Node::Map(Map {
                merges: Vec::new(),
                entries: known.into_iter().flatten().chain(unknown).collect(),
            })
        })
        .boxed()
}

/// Values of the type the schema wants at a path, and now and then a value of any type (which
/// the chart rejects, and so the import must refuse).
fn mostly(typed: BoxedStrategy<Node>) -> BoxedStrategy<Node> {
    prop_oneof![60 => typed, 1 => value()].boxed()
}

/// A memory quantity as the chart takes it: `4G`, `512M`, or bytes.
fn memory() -> BoxedStrategy<Node> {
    mostly(
        prop_oneof![
            4 => prop::sample::select(vec!["4G", "512M", "1.5G", "2T", "100K", "1Gi"])
                .prop_map(|text| Node::Scalar(plain(text, Read::Text))),
            1 => (1i64..1 << 40).prop_map(|int| Node::Scalar(plain(&int.to_string(), Read::Int(int)))),
        ]
        .boxed(),
    )
}

fn string_value() -> BoxedStrategy<Node> {
    mostly(text().prop_flat_map(quoted).prop_map(Node::Scalar).boxed())
}

fn boolean() -> BoxedStrategy<Node> {
    let words = PLAIN
        .iter()
        .filter(|(_, read)| matches!(read, Read::Bool(_)))
        .copied()
        .collect::<Vec<_>>();
    mostly(
        prop::sample::select(words)
            .prop_map(|(text, read)| Node::Scalar(plain(text, read)))
            .boxed(),
    )
}

fn cores() -> BoxedStrategy<Node> {
    mostly(
        prop::sample::select(vec![
            ("0.5", Read::Float(0.5)),
            ("2", Read::Int(2)),
            ("3.6505", Read::Float(3.6505)),
        ])
        .prop_map(|(text, read)| Node::Scalar(plain(text, read)))
        .boxed(),
    )
}

/// A map of any values under random keys: what `map<any>` takes.
fn any_map() -> BoxedStrategy<Node> {
    mostly(map(value()).prop_map(Node::Map).boxed())
}

/// A profile of `singleuser.profileList`.
fn profile() -> BoxedStrategy<Node> {
    fields(vec![
        ("display_name", string_value()),
        (
            "slug",
            prop::sample::select(vec!["small", "large", "gpu"])
                .prop_map(|slug| Node::Scalar(plain(slug, Read::Text)))
                .boxed(),
        ),
        ("default", boolean()),
        (
            "kubespawner_override",
            fields(vec![
                ("mem_limit", memory()),
                ("cpu_limit", cores()),
                ("image", string_value()),
            ]),
        ),
    ])
    .prop_map(|node| match node {
        // KubeSpawner (and the schema) need a name for each profile.
        Node::Map(mut map)
            if !map
                .entries
                .iter()
                .any(|e| e.key.text.contains("display_name")) =>
        {
            let name = Scalar {
                text: "Profile".to_string(),
                meaning: Meaning::Str("Profile".to_string()),
            };
            map.entries.insert(
                0,
                Entry::new(
                    Scalar {
                        text: "display_name".to_string(),
                        meaning: Meaning::Str("display_name".to_string()),
                    },
                    Node::Scalar(name),
                ),
            );
            Node::Map(map)
        }
        other => other,
    })
    .boxed()
}

/// The hub values of a values file: typed parts of the chart and parts it does not know.
pub fn hub_values() -> BoxedStrategy<Node> {
    let singleuser = fields(vec![
        (
            "memory",
            fields(vec![("limit", memory()), ("guarantee", memory())]),
        ),
        (
            "profileList",
            mostly(
                (prop::collection::vec(profile(), 0..3), any::<bool>())
                    .prop_map(|(items, compact)| Node::List { items, compact })
                    .boxed(),
            ),
        ),
        (
            "extraEnv",
            prop::collection::vec(entry(key(), string_value()), 0..3)
                .prop_map(|entries| {
                    Node::Map(Map {
                        merges: Vec::new(),
                        entries,
                    })
                })
                .boxed(),
        ),
        ("defaultUrl", string_value()),
        (
            "image",
            fields(vec![("name", string_value()), ("tag", string_value())]),
        ),
    ]);
    let hub = fields(vec![
        (
            "config",
            fields(vec![
                ("JupyterHub", fields(vec![("admin_access", boolean())])),
                ("Authenticator", fields(vec![("admin_users", value())])),
            ]),
        ),
        (
            "extraConfig",
            prop::collection::vec(
                entry(key(), block_text().prop_map(Node::Block).boxed()),
                0..2,
            )
            .prop_map(|entries| {
                Node::Map(Map {
                    merges: Vec::new(),
                    entries,
                })
            })
            .boxed(),
        ),
    ]);
    let jupyterhub = fields(vec![
        ("singleuser", singleuser),
        ("hub", hub),
        ("custom", any_map()),
    ]);
    fields(vec![("jupyterhub", jupyterhub)])
}

/// A whole values file of a hub of the chart: for daskhub, the hub values under `basehub:` with
/// the chart's other keys beside it.
pub fn values_file(daskhub: bool) -> BoxedStrategy<Map> {
    let root = if daskhub {
        fields(vec![("basehub", hub_values()), ("dask-gateway", value())])
    } else {
        hub_values()
    };
    root.prop_map(|node| match node {
        Node::Map(mut map) => {
            super::model::repair(&mut map);
            map
        }
        _ => unreachable!("a values file is a map"),
    })
    .boxed()
}
