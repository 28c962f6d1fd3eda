//! The abstract syntax tree of a `.hub` file: every node carries the byte span it came from.
//!
//! The tree is faithful to the source (literals keep their raw text) so that the formatter can
//! print it back and later phases can point diagnostics at exact places. It knows nothing of Helm,
//! Terraform or the schema: meaning is given by `resolve/` and `check/`.

use crate::source::Span;

/// A parsed file. Parsing always yields one, however broken the input; the parts that could not
/// be parsed are absent and reported as diagnostics instead.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct File {
    /// The `//!` lines at the top of the file, without the marker.
    pub inner_docs: Vec<String>,
    pub items: Vec<Item>,
    /// Every comment of the file in source order, including doc comments, for the formatter.
    pub comments: Vec<Comment>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    pub kind: CommentKind,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentKind {
    /// `// ...`
    Line,
    /// `/// ...`
    Doc,
    /// `//! ...`
    InnerDoc,
    /// `/* ... */`
    Block,
}

/// A top-level item with its doc comment and annotations.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub doc: Option<Doc>,
    pub annotations: Vec<Annotation>,
    pub kind: ItemKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ItemKind {
    Import(Import),
    Decl(Decl),
    Type(TypeDecl),
    Schema(SchemaDecl),
}

/// Collected `///` lines, joined with newlines, without the marker and one leading space.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    pub text: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    pub path: Vec<Ident>,
    pub alias: Option<Ident>,
}

/// A name as written: an identifier or a quoted string.
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
    /// True when written as a quoted string (`"leap-prod"`).
    pub quoted: bool,
}

/// `platform`, `archetype`, `mixin`, `community` or `cluster`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DeclKind {
    /// The defaults a Helm chart supplies: the root layer of the platforms on that chart.
    Chart,
    Platform,
    Archetype,
    Mixin,
    Community,
    Cluster,
    /// A kind of node, by the name of its `node.kubernetes.io/instance-type` label: its
    /// capacity, and what of it pods may request.
    InstanceType,
}

impl DeclKind {
    pub const ALL: [DeclKind; 7] = [
        DeclKind::Chart,
        DeclKind::Platform,
        DeclKind::Archetype,
        DeclKind::Mixin,
        DeclKind::Community,
        DeclKind::Cluster,
        DeclKind::InstanceType,
    ];

    pub fn keyword(self) -> &'static str {
        match self {
            DeclKind::Chart => "chart",
            DeclKind::Platform => "platform",
            DeclKind::Archetype => "archetype",
            DeclKind::Mixin => "mixin",
            DeclKind::Community => "community",
            DeclKind::Cluster => "cluster",
            DeclKind::InstanceType => "instance_type",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Decl {
    pub kind: DeclKind,
    pub keyword_span: Span,
    pub name: Ident,
    /// `extends PARENT` for platforms and archetypes, `: ARCHETYPE` for communities.
    pub parent: Option<Ident>,
    /// `with MIXIN, ...` for communities.
    pub mixins: Vec<Ident>,
    pub body: Block,
}

/// `{ statement ... }`
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub statements: Vec<Statement>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub doc: Option<Doc>,
    pub annotations: Vec<Annotation>,
    pub kind: StatementKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StatementKind {
    /// `path = value`
    Assign { path: Path, value: Value },
    /// `path += value`
    Append { path: Path, value: Value },
    /// `delete path`
    Delete { path: Path },
    /// `path { statements }`
    Nested { path: Path, block: Block },
    /// `kind "label" { statements }`, such as `node_pool "n2-highmem-16" { ... }`.
    Labelled {
        kind: Ident,
        label: Ident,
        block: Block,
    },
    /// `tunable path <= 16GiB, >= base`
    Tunable { path: Path, bounds: Vec<Bound> },
    /// `locked path`
    Locked { path: Path },
    /// `identity path` or `identity required path`: a setting each community sets for itself.
    Identity { path: Path, required: bool },
    /// `budget bespoke <= 5`
    Budget { kind: Ident, limit: Value },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Bound {
    pub op: CompareOp,
    pub op_span: Span,
    pub target: BoundTarget,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum BoundTarget {
    /// `>= base`: the value inherited from the parent layer.
    Base(Span),
    Value(Value),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Le,
    Lt,
    Ge,
    Gt,
    Eq,
    Ne,
    /// `in [a, b]`, only in bounds.
    In,
}

impl CompareOp {
    /// Whether `left op right` holds, given how `left` compares with `right`. `in` is decided by
    /// membership, not order, and holds here.
    pub fn holds(self, ordering: std::cmp::Ordering) -> bool {
        match self {
            CompareOp::Le => ordering.is_le(),
            CompareOp::Lt => ordering.is_lt(),
            CompareOp::Ge => ordering.is_ge(),
            CompareOp::Gt => ordering.is_gt(),
            CompareOp::Eq => ordering.is_eq(),
            CompareOp::Ne => ordering.is_ne(),
            CompareOp::In => true,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Le => "<=",
            CompareOp::Lt => "<",
            CompareOp::Ge => ">=",
            CompareOp::Gt => ">",
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::In => "in",
        }
    }
}

/// `@name(args)`
#[derive(Debug, Clone, PartialEq)]
pub struct Annotation {
    pub name: Ident,
    pub args: Vec<Value>,
    pub span: Span,
}

/// A dotted path of keys: `jupyterhub.hub.config."GitHubOAuthenticator"`.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    pub keys: Vec<Ident>,
    pub span: Span,
}

impl Path {
    /// The path as written with dots, quoting keys that need it.
    pub fn dotted(&self) -> String {
        let mut out = String::new();
        for (index, key) in self.keys.iter().enumerate() {
            if index > 0 {
                out.push('.');
            }
            if crate::syntax::is_bare_key(&key.name) {
                out.push_str(&key.name);
            } else {
                out.push_str(&crate::syntax::quote(&key.name));
            }
        }
        out
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    pub kind: ValueKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ValueKind {
    /// A string, decoded. `block` is true for a `"""` text block.
    Str {
        value: String,
        block: bool,
    },
    /// An integer. Like every literal, its exact text is the source under the value's span.
    Int(i64),
    Float(f64),
    Bool(bool),
    Null,
    /// A number with a unit: `4GiB`, `500m`, `1h`. `number` is the text before the unit.
    Quantity {
        number: String,
        unit: String,
    },
    /// `2026-12-31`
    Date {
        year: u16,
        month: u8,
        day: u8,
    },
    List(Vec<Value>),
    Map(Vec<Entry>),
    /// `image("...")`
    Call {
        name: Ident,
        args: Vec<Value>,
    },
    /// `gcp { project = "..." }`
    Tagged {
        tag: Ident,
        entries: Vec<Entry>,
    },
    /// A name: `leap`, `std.x`.
    Reference(Vec<Ident>),
}

/// `path = value` inside a map literal.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub path: Path,
    pub value: Value,
    pub span: Span,
}

/// `type NAME = TYPE`
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDecl {
    pub name: Ident,
    pub ty: Type,
}

/// `schema NAME { members }`
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaDecl {
    pub name: Ident,
    pub body: Struct,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Type {
    pub kind: TypeKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    /// `string`, `memory`, `list<T>`, `Profile`.
    Named {
        name: Ident,
        args: Vec<Type>,
    },
    /// A literal type such as `"dynamic"` or `3`.
    Literal(Value),
    Struct(Struct),
    /// `A | B | C`
    Union(Vec<Type>),
    /// `T matching "regex"`
    Matching {
        ty: Box<Type>,
        pattern: Value,
    },
    /// `float >= 0`: a bound on the numbers of an `int` or `float` type.
    Bounded {
        ty: Box<Type>,
        op: CompareOp,
        limit: Value,
    },
    /// `list<T> keyed by slug`
    KeyedBy {
        ty: Box<Type>,
        key: Ident,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Struct {
    pub members: Vec<Member>,
    /// Where `...` was written: extra keys are then allowed.
    pub open: Option<Span>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub doc: Option<Doc>,
    pub annotations: Vec<Annotation>,
    pub kind: MemberKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum MemberKind {
    Field(Field),
    /// `check guarantee <= limit`
    Check {
        left: Path,
        op: CompareOp,
        right: Path,
    },
    /// `...`
    Open,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub required: bool,
    pub key: Ident,
    pub ty: Type,
    pub default: Option<Value>,
}
