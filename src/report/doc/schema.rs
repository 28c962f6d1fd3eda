//! The schema reference: every field of every schema as a path (`jupyterhub.singleuser.memory`,
//! `profileList[].slug`, `extraEnv.*`), with its type, units, allowed values, bounds, checks and
//! doc; and the index that finds, for a path a layer sets, the field that documents it.

use std::collections::HashMap;

use super::model::{Place, SourceNames};
use crate::analysis::Analysis;
use crate::schema::{Schema, Type, TypeId, quantity};
use crate::source::SourceMap;

/// One schema, or the page of the named types (`is_schema` false, named `types`).
#[derive(Debug)]
pub struct SchemaDoc {
    pub name: String,
    /// The page's name without its extension: `schema-basehub`.
    pub page: String,
    pub doc: Option<String>,
    pub place: Option<Place>,
    pub fields: Vec<FieldDoc>,
}

#[derive(Debug)]
pub struct FieldDoc {
    /// `jupyterhub.singleuser.memory.limit`; `[]` for the elements of a list, `*` for the
    /// entries of a map.
    pub path: String,
    pub anchor: String,
    /// How many keys deep it is, from 0.
    pub depth: usize,
    /// `memory`, `list<string>`, `resources`, `"a" | "b"`.
    pub ty: String,
    /// The anchor of the named type it is, on the types page.
    pub named_type: Option<String>,
    /// How a quantity is written, for `memory`, `cpu` and `duration`.
    pub units: Option<&'static str>,
    /// The values it takes, when it takes a few literals.
    pub allowed: Vec<String>,
    /// `check guarantee <= limit` of the struct it is.
    pub checks: Vec<String>,
    pub required: bool,
    /// Whether keys it does not list are accepted below it (`...`, `any`, maps).
    pub open: bool,
    pub doc: Option<String>,
    pub place: Option<Place>,
}

/// The name of the page of named types.
pub const TYPES_PAGE: &str = "schema-types";

/// Documents every schema of the analysis, by name, then the named types.
pub fn document(
    analysis: &Analysis,
    sources: &SourceMap,
    source_name: &SourceNames<'_>,
) -> Vec<SchemaDoc> {
    let schema = &analysis.schema;
    let names = &analysis.names;
    let place = |file, span: crate::source::Span| Place {
        file: source_name(file),
        line: sources.get(file).line_col(span.start as usize).line,
    };
    let mut named: Vec<(&str, &crate::schema::NamedType)> = schema
        .named
        .iter()
        .map(|(symbol, named)| (names.resolve(*symbol), named))
        .collect();
    named.sort_by_key(|(name, _)| *name);
    let walker = Walker {
        analysis,
        place: &place,
    };
    let mut docs = Vec::new();
    for (name, found) in named.iter().filter(|(_, found)| found.is_schema) {
        let mut fields = Vec::new();
        walker.fields(found.id, "", 0, &mut Vec::new(), &mut fields);
        docs.push(SchemaDoc {
            name: name.to_string(),
            page: format!("schema-{}", super::file_safe(name)),
            doc: found.doc.clone(),
            place: Some(place(found.file, found.span)),
            fields,
        });
    }
    let types = named
        .iter()
        .filter(|(_, found)| !found.is_schema)
        .map(|(name, found)| {
            let resolved = schema.resolve_alias(found.id);
            let mut field = walker.field(name, found.id, 0, false, found.doc.clone(), None);
            field.anchor = type_anchor(name);
            field.ty = match schema.get(resolved) {
                Type::Struct(_) => "a struct".to_string(),
                _ => schema.describe(resolved, names),
            };
            field.named_type = None;
            field.place = Some(place(found.file, found.span));
            field
        })
        .collect();
    docs.push(SchemaDoc {
        name: "types".to_string(),
        page: TYPES_PAGE.to_string(),
        doc: Some("The named types the schemas use.".to_string()),
        place: None,
        fields: types,
    });
    docs
}

fn type_anchor(name: &str) -> String {
    format!("type-{}", super::file_safe(name))
}

/// How deep the reference follows nested types; the deepest parts of the Kubernetes types are
/// documented where they are declared, on the types page.
const MAX_DEPTH: usize = 12;

struct Walker<'a> {
    analysis: &'a Analysis,
    place: &'a dyn Fn(crate::source::FileId, crate::source::Span) -> Place,
}

impl Walker<'_> {
    /// The fields below a value of type `ty` at `prefix`, depth first.
    fn fields(
        &self,
        ty: TypeId,
        prefix: &str,
        depth: usize,
        stack: &mut Vec<TypeId>,
        out: &mut Vec<FieldDoc>,
    ) {
        let schema = &self.analysis.schema;
        let resolved = schema.resolve_alias(ty);
        if depth > MAX_DEPTH || stack.contains(&resolved) {
            return;
        }
        stack.push(resolved);
        match structured(schema, resolved) {
            Some(Type::Struct(body)) => {
                for field in &body.fields {
                    let key = self.analysis.names.resolve(field.key);
                    let path = join(prefix, key);
                    let place = Some((self.place)(field.file, field.span));
                    let found = self.field(
                        &path,
                        field.ty,
                        depth,
                        field.required,
                        field.doc.clone(),
                        place,
                    );
                    out.push(found);
                    self.fields(field.ty, &path, depth + 1, stack, out);
                }
            }
            Some(Type::List { element, .. }) => {
                self.fields(*element, &format!("{prefix}[]"), depth, stack, out);
            }
            Some(Type::Map(value)) => {
                self.fields(*value, &join(prefix, "*"), depth + 1, stack, out);
            }
            _ => {}
        }
        stack.pop();
    }

    fn field(
        &self,
        path: &str,
        ty: TypeId,
        depth: usize,
        required: bool,
        doc: Option<String>,
        place: Option<Place>,
    ) -> FieldDoc {
        let schema = &self.analysis.schema;
        let names = &self.analysis.names;
        let named_type = schema
            .named
            .iter()
            .find(|(_, named)| named.id == ty && !named.is_schema)
            .map(|(symbol, _)| type_anchor(names.resolve(*symbol)));
        let resolved = schema.resolve_alias(ty);
        let (ty_text, checks, open) = match structured(schema, resolved) {
            Some(Type::Struct(body)) => {
                let checks = body
                    .checks
                    .iter()
                    .map(|check| {
                        let side = |path: &[crate::intern::Symbol]| {
                            crate::resolve::value::path_text(path, names)
                        };
                        format!(
                            "{} {} {}",
                            side(&check.left),
                            check.op.as_str(),
                            side(&check.right)
                        )
                    })
                    .collect();
                let text = match named_type {
                    Some(_) => schema.describe(ty, names),
                    None if alternatives_have_null(schema, resolved) => "a struct | null".into(),
                    None => "a struct".into(),
                };
                (text, checks, body.open)
            }
            _ => (
                schema.describe(ty, names),
                Vec::new(),
                matches!(schema.get(resolved), Type::Any | Type::Map(_)),
            ),
        };
        FieldDoc {
            path: path.to_string(),
            anchor: format!("f-{}", anchor_text(path)),
            depth,
            ty: ty_text,
            named_type,
            units: units(schema, resolved),
            allowed: allowed(schema, resolved),
            checks,
            required,
            open,
            doc,
            place,
        }
    }
}

/// The struct, list or map a type is, looking through aliases, patterns and unions (the first
/// such alternative: `resources | null`).
fn structured(schema: &Schema, ty: TypeId) -> Option<&Type> {
    match schema.get(ty) {
        found @ (Type::Struct(_) | Type::List { .. } | Type::Map(_)) => Some(found),
        Type::Matching { base, .. } => structured(schema, *base),
        Type::Union(alternatives) => alternatives.iter().find_map(|&a| structured(schema, a)),
        _ => None,
    }
}

fn alternatives_have_null(schema: &Schema, ty: TypeId) -> bool {
    match schema.get(ty) {
        Type::Union(alternatives) => alternatives
            .iter()
            .any(|&a| matches!(schema.get(a), Type::Null)),
        _ => false,
    }
}

/// The literals a type allows, when it is a union of literals (with `null`, perhaps).
fn allowed(schema: &Schema, ty: TypeId) -> Vec<String> {
    let Type::Union(alternatives) = schema.get(ty) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for &alternative in alternatives {
        match schema.get(alternative) {
            Type::Literal(scalar) => found.push(crate::schema::scalar::scalar_text(scalar)),
            Type::Null => found.push("null".to_string()),
            _ => return Vec::new(),
        }
    }
    found
}

/// How a quantity of this type is written.
fn units(schema: &Schema, ty: TypeId) -> Option<&'static str> {
    if schema.is_binary_memory(ty) {
        return Some(
            "bytes: `4GiB`, `4Gi`, `4G`, `512MiB` or a number of bytes; written with KubeSpawner's `K`, `M`, `G` (powers of 1024)",
        );
    }
    if schema.is_cores(ty) {
        return Some("cores: `2`, `0.5` or `500m`; written as a number of cores");
    }
    match schema.measure(ty)? {
        quantity::Measure::Memory => Some(
            "bytes: `4GiB`, `4Gi`, `4G`, `512MiB` or a number of bytes; written in Kubernetes units (`4Gi`)",
        ),
        quantity::Measure::Cpu => Some("cores: `2`, `0.5` or `500m`"),
        quantity::Measure::Duration => {
            Some("`90s`, `10min`, `1h`, `2d` or a number of seconds; written in whole seconds")
        }
    }
}

fn join(prefix: &str, key: &str) -> String {
    let key = if crate::syntax::is_bare_key(key) || key == "*" {
        key.to_string()
    } else {
        crate::syntax::quote(key)
    };
    if prefix.is_empty() {
        key
    } else {
        format!("{prefix}.{key}")
    }
}

/// A path as an HTML id and URL fragment: letters, digits, `.`, `_` and `-` as they are, `[]`
/// as `-list`, `*` as `-any`, anything else as `_`.
fn anchor_text(path: &str) -> String {
    path.replace("[]", "-list")
        .replace('*', "-any")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Where each schema documents each path: what links a layer's paths to the reference.
pub struct SchemaIndex {
    /// (schema page, path) -> the field's anchor and doc.
    anchors: HashMap<(String, String), (String, Option<String>)>,
    /// The root of each schema, by the page that documents it.
    roots: Vec<(String, String)>,
}

impl SchemaIndex {
    pub fn new(schemas: &[SchemaDoc]) -> SchemaIndex {
        let mut anchors = HashMap::new();
        for schema in schemas {
            for field in &schema.fields {
                anchors.insert(
                    (schema.page.clone(), field.path.clone()),
                    (field.anchor.clone(), field.doc.clone()),
                );
            }
        }
        let roots = schemas
            .iter()
            .map(|schema| (schema.name.clone(), schema.page.clone()))
            .collect();
        SchemaIndex { anchors, roots }
    }

    /// The name of the schema whose root is `root`.
    pub fn schema_of(&self, analysis: &Analysis, root: TypeId) -> Option<String> {
        let schema = &analysis.schema;
        let root = schema.resolve_alias(root);
        self.roots
            .iter()
            .find(|(name, _)| {
                analysis
                    .names
                    .get(name)
                    .and_then(|symbol| schema.schema(symbol))
                    .is_some_and(|id| schema.resolve_alias(id) == root)
            })
            .map(|(name, _)| name.clone())
    }

    /// Where the schema rooted at `root` documents `path`: the page and anchor of the deepest
    /// field along it that the schema lists, and the type and doc of the path when the schema
    /// knows it whole.
    pub fn locate(
        &self,
        analysis: &Analysis,
        root: TypeId,
        path: &[crate::intern::Symbol],
    ) -> Located {
        let schema = &analysis.schema;
        let Some(name) = self.schema_of(analysis, root) else {
            return Located::default();
        };
        let page = format!("schema-{}", super::file_safe(&name));
        let mut text = String::new();
        let mut ty = root;
        let mut found = None;
        let mut doc = None;
        let mut whole = true;
        for &key in path {
            let is_map = matches!(structured(schema, ty), Some(Type::Map(_)));
            let key_text = analysis.names.resolve(key);
            match schema.step(ty, key) {
                crate::schema::Step::Found(next) => {
                    text = join(&text, if is_map { "*" } else { key_text });
                    doc = None;
                    if let Some((anchor, field_doc)) =
                        self.anchors.get(&(page.clone(), text.clone()))
                    {
                        found = Some((page.clone(), anchor.clone()));
                        doc = field_doc.clone();
                    }
                    ty = next;
                }
                _ => {
                    whole = false;
                    break;
                }
            }
        }
        Located {
            schema: found,
            ty: whole.then(|| schema.describe(ty, &analysis.names)),
            doc: doc.filter(|_| whole),
        }
    }
}

/// What [`SchemaIndex::locate`] finds of a path.
#[derive(Default)]
pub struct Located {
    pub schema: Option<(String, String)>,
    pub ty: Option<String>,
    pub doc: Option<String>,
}
