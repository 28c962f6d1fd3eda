//! The schema: `type` and `schema` declarations compiled into a table of types, and lookups of
//! the type at a path.

pub mod error;
pub mod quantity;
pub mod scalar;

use std::collections::HashMap;
use std::sync::Arc;

use crate::intern::{Interner, Symbol};
use crate::source::{FileId, Span};
use crate::syntax::ast::{self, CompareOp, MemberKind, TypeKind, ValueKind};
use scalar::Scalar;

use error::CheckError;

/// Index of a type in a [`Schema`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TypeId(u32);

/// Names of the built-in types, for suggestions.
pub const BUILTIN_TYPES: &[&str] = &[
    "string",
    "int",
    "float",
    "bool",
    "any",
    "null",
    "memory",
    "binary_memory",
    "cpu",
    "cores",
    "duration",
    "image",
    "url",
    "date",
    "secret",
    "list",
    "map",
];

#[derive(Debug)]
pub enum Type {
    Any,
    String,
    /// Integers, within the bounds (`int >= 0`).
    Int(Vec<NumberBound>),
    /// Floats and integers, within the bounds (`float >= 0`).
    Float(Vec<NumberBound>),
    Bool,
    Null,
    Memory,
    /// Memory as KubeSpawner and Dask Gateway read it: their `K`, `M`, `G` and `T` are powers of
    /// 1024 and they know no other suffix, so binary units are written with those.
    BinaryMemory,
    Cpu,
    /// A number of cores, as KubeSpawner takes `cpu_limit`: `500m` is written `0.5`.
    Cores,
    Duration,
    /// What `image("repo:tag")` builds: `{ name, tag }`.
    Image,
    Url,
    Date,
    Secret,
    Literal(Scalar),
    Union(Vec<TypeId>),
    List {
        element: TypeId,
        keyed_by: Option<Symbol>,
    },
    Map(TypeId),
    Struct(StructType),
    Matching {
        base: TypeId,
        pattern: regex_lite::Regex,
        source: Arc<str>,
    },
    /// A name used before its declaration was compiled; replaced during compilation.
    Alias(TypeId),
}

#[derive(Debug)]
pub struct StructType {
    pub fields: Vec<FieldType>,
    pub open: bool,
    pub checks: Vec<Constraint>,
}

#[derive(Debug)]
pub struct FieldType {
    pub key: Symbol,
    pub ty: TypeId,
    pub required: bool,
    pub doc: Option<String>,
    pub file: FileId,
    pub span: Span,
}

/// A bound of a number type: `>= 0` in `float >= 0`.
#[derive(Debug, Clone)]
pub struct NumberBound {
    pub op: CompareOp,
    pub limit: f64,
    /// The limit as written.
    pub text: Arc<str>,
}

impl NumberBound {
    /// Whether `number` is within the bound.
    pub fn holds(&self, number: f64) -> bool {
        number
            .partial_cmp(&self.limit)
            .is_some_and(|ordering| self.op.holds(ordering))
    }

    /// `>= 0`
    pub fn text(&self) -> String {
        format!("{} {}", self.op.as_str(), self.text)
    }
}

/// `check left <= right` inside a struct.
#[derive(Debug)]
pub struct Constraint {
    pub left: Vec<Symbol>,
    pub op: CompareOp,
    pub right: Vec<Symbol>,
    pub file: FileId,
    pub span: Span,
}

/// A named type or schema, with where it was declared.
#[derive(Debug, Clone)]
pub struct NamedType {
    pub id: TypeId,
    pub file: FileId,
    pub span: Span,
    pub doc: Option<String>,
    pub is_schema: bool,
}

/// Every type of a compilation.
#[derive(Debug, Default)]
pub struct Schema {
    types: Vec<Type>,
    pub named: HashMap<Symbol, NamedType>,
    /// The type of a cluster's body: a schema of cluster settings (`cluster_<provider>`) with one
    /// of Terraform variables (`terraform_<module>`), or with anything when the module has no
    /// schema.
    clusters: HashMap<(TypeId, Option<TypeId>), TypeId>,
}

/// What a path step finds.
pub enum Step {
    /// The key is a field (or a map entry) of this type.
    Found(TypeId),
    /// Anything goes below here.
    Open,
    /// The type is closed and has no such key; the known keys are given for suggestions.
    Unknown(Vec<Symbol>),
    /// The value here is not a map at all (a string, a list, ...).
    NotAMap,
}

impl Schema {
    pub fn get(&self, id: TypeId) -> &Type {
        match &self.types[id.0 as usize] {
            Type::Alias(target) => self.get(*target),
            other => other,
        }
    }

    /// Follows aliases to the type a name stands for.
    pub fn resolve_alias(&self, mut id: TypeId) -> TypeId {
        while let Type::Alias(target) = &self.types[id.0 as usize] {
            id = *target;
        }
        id
    }

    fn add(&mut self, ty: Type) -> TypeId {
        self.types.push(ty);
        TypeId(self.types.len() as u32 - 1)
    }

    /// The root type of a schema by name.
    pub fn schema(&self, name: Symbol) -> Option<TypeId> {
        self.named
            .get(&name)
            .filter(|named| named.is_schema)
            .map(|named| named.id)
    }

    /// The type of a cluster's body: the keys of `manifest` (a `cluster_<provider>` schema), and
    /// the variables of `module` (a `terraform_<module>` schema), or any variable without one.
    pub fn cluster_type(&self, manifest: TypeId, module: Option<TypeId>) -> Option<TypeId> {
        self.clusters.get(&(manifest, module)).copied()
    }

    /// Prepares [`Schema::cluster_type`] for every pair of a cluster schema and a module schema:
    /// the union of the two structs, whose keys are those of either.
    fn compose_clusters(&mut self, names: &Interner) {
        let mut manifests = Vec::new();
        let mut modules = vec![None];
        for (symbol, named) in &self.named {
            let name = names.resolve(*symbol);
            if !named.is_schema {
                continue;
            }
            if name.starts_with("cluster_") {
                manifests.push(named.id);
            } else if name.starts_with("terraform_") {
                modules.push(Some(named.id));
            }
        }
        if manifests.is_empty() {
            return;
        }
        let any = self.add(Type::Any);
        for &manifest in &manifests {
            for &module in &modules {
                let union = self.add(Type::Union(vec![manifest, module.unwrap_or(any)]));
                self.clusters.insert((manifest, module), union);
            }
        }
    }

    /// The type of `key` below a value of type `ty`.
    pub fn step(&self, ty: TypeId, key: Symbol) -> Step {
        match self.get(ty) {
            Type::Any => Step::Open,
            Type::Map(value) => Step::Found(*value),
            Type::Struct(body) => match body.fields.iter().find(|field| field.key == key) {
                Some(field) => Step::Found(field.ty),
                None if body.open => Step::Open,
                None => Step::Unknown(body.fields.iter().map(|field| field.key).collect()),
            },
            Type::Image => Step::Open,
            Type::Union(alternatives) => {
                // The first alternative that is a map and knows the key decides; unknown only
                // if every map alternative rejects it.
                let mut known = Vec::new();
                let mut saw_map = false;
                for &alternative in alternatives {
                    match self.step(alternative, key) {
                        Step::Found(found) => return Step::Found(found),
                        Step::Open => return Step::Open,
                        Step::Unknown(keys) => {
                            saw_map = true;
                            known.extend(keys);
                        }
                        Step::NotAMap => {}
                    }
                }
                if saw_map {
                    Step::Unknown(known)
                } else {
                    Step::NotAMap
                }
            }
            Type::Matching { base, .. } => self.step(*base, key),
            _ => Step::NotAMap,
        }
    }

    /// The type at `path` below `root`, or `None` when some step is open or unknown.
    pub fn type_at(&self, root: TypeId, path: &[Symbol]) -> Option<TypeId> {
        let mut ty = root;
        for &key in path {
            match self.step(ty, key) {
                Step::Found(next) => ty = next,
                _ => return None,
            }
        }
        Some(ty)
    }

    /// The key a list at this type merges by, if it is a keyed list.
    pub fn keyed_by(&self, ty: TypeId) -> Option<Symbol> {
        match self.get(ty) {
            Type::List { keyed_by, .. } => *keyed_by,
            Type::Union(alternatives) => alternatives.iter().find_map(|&a| self.keyed_by(a)),
            _ => None,
        }
    }

    /// What a quantity at this type measures, looking through unions (`memory | null`).
    pub fn measure(&self, ty: TypeId) -> Option<quantity::Measure> {
        use quantity::Measure;
        match self.get(ty) {
            Type::Memory | Type::BinaryMemory => Some(Measure::Memory),
            Type::Cpu | Type::Cores => Some(Measure::Cpu),
            Type::Duration => Some(Measure::Duration),
            Type::Union(alternatives) => alternatives.iter().find_map(|&a| self.measure(a)),
            _ => None,
        }
    }

    /// Whether values of this type are numbers (`int`, `float`, or a union with one).
    pub fn is_number(&self, ty: TypeId) -> bool {
        match self.get(ty) {
            Type::Int(_) | Type::Float(_) => true,
            Type::Union(alternatives) => alternatives.iter().any(|&a| self.is_number(a)),
            _ => false,
        }
    }

    /// Whether a quantity at this type is written as a number of cores.
    pub fn is_cores(&self, ty: TypeId) -> bool {
        match self.get(ty) {
            Type::Cores => true,
            Type::Union(alternatives) => alternatives.iter().any(|&a| self.is_cores(a)),
            _ => false,
        }
    }

    /// Whether a quantity at this type is written as KubeSpawner reads memory.
    pub fn is_binary_memory(&self, ty: TypeId) -> bool {
        match self.get(ty) {
            Type::BinaryMemory => true,
            Type::Union(alternatives) => alternatives.iter().any(|&a| self.is_binary_memory(a)),
            _ => false,
        }
    }

    /// The struct a type is, looking through unions with `null`.
    pub fn as_struct(&self, ty: TypeId) -> Option<&StructType> {
        match self.get(ty) {
            Type::Struct(body) => Some(body),
            Type::Union(alternatives) => alternatives.iter().find_map(|&a| self.as_struct(a)),
            _ => None,
        }
    }

    /// A short description of a type for messages: `memory`, `list<string>`, `"a" | "b"`.
    pub fn describe(&self, id: TypeId, names: &Interner) -> String {
        if let Some((name, _)) = self
            .named
            .iter()
            .filter(|(_, named)| named.id == id)
            .min_by_key(|(name, _)| names.resolve(**name))
        {
            return names.resolve(*name).to_string();
        }
        match self.get(id) {
            Type::Any => "any".into(),
            Type::String => "string".into(),
            Type::Int(bounds) => bounded("int", bounds),
            Type::Float(bounds) => bounded("float", bounds),
            Type::Bool => "bool".into(),
            Type::Null => "null".into(),
            Type::Memory => "memory".into(),
            Type::BinaryMemory => "binary_memory".into(),
            Type::Cpu => "cpu".into(),
            Type::Cores => "cores".into(),
            Type::Duration => "duration".into(),
            Type::Image => "image".into(),
            Type::Url => "url".into(),
            Type::Date => "date".into(),
            Type::Secret => "secret".into(),
            Type::Literal(scalar) => scalar::scalar_text(scalar),
            Type::Union(alternatives) => alternatives
                .iter()
                .map(|&a| self.describe(a, names))
                .collect::<Vec<_>>()
                .join(" | "),
            Type::List { element, keyed_by } => {
                let mut text = format!("list<{}>", self.describe(*element, names));
                if let Some(key) = keyed_by {
                    text.push_str(&format!(" keyed by {}", names.resolve(*key)));
                }
                text
            }
            Type::Map(value) => format!("map<{}>", self.describe(*value, names)),
            Type::Struct(_) => "a struct".into(),
            Type::Matching { base, source, .. } => {
                format!(
                    "{} matching {}",
                    self.describe(*base, names),
                    crate::syntax::quote(source)
                )
            }
            Type::Alias(target) => self.describe(*target, names),
        }
    }
}

/// `float >= 0`: a number type with its bounds.
fn bounded(name: &str, bounds: &[NumberBound]) -> String {
    let mut text = name.to_string();
    for bound in bounds {
        text.push(' ');
        text.push_str(&bound.text());
    }
    text
}

/// A `type` or `schema` declaration to compile, with the file it is in.
pub struct TypeSource<'a> {
    pub file: FileId,
    pub item: &'a ast::Item,
}

/// Compiles every type and schema declaration. Unknown type names and bad patterns are reported;
/// the types they appear in become `any`, so checking goes on.
pub fn compile(
    sources: &[TypeSource<'_>],
    names: &mut Interner,
    errors: &mut Vec<CheckError>,
) -> Schema {
    let mut schema = Schema::default();
    // First pass: a placeholder id for every name, so types may refer to each other in any order.
    let mut bodies = Vec::new();
    for source in sources {
        let (name, is_schema) = match &source.item.kind {
            ast::ItemKind::Type(decl) => (&decl.name, false),
            ast::ItemKind::Schema(decl) => (&decl.name, true),
            _ => continue,
        };
        let symbol = names.intern(&name.name);
        if let Some(existing) = schema.named.get(&symbol) {
            errors.push(CheckError::DuplicateType {
                name: name.name.clone(),
                file: source.file,
                span: name.span,
                first_file: existing.file,
                first_span: existing.span,
            });
            continue;
        }
        if BUILTIN_TYPES.contains(&name.name.as_str()) {
            errors.push(CheckError::ShadowsBuiltin {
                name: name.name.clone(),
                file: source.file,
                span: name.span,
            });
            continue;
        }
        let id = schema.add(Type::Any);
        schema.named.insert(
            symbol,
            NamedType {
                id,
                file: source.file,
                span: name.span,
                doc: source.item.doc.as_ref().map(|doc| doc.text.clone()),
                is_schema,
            },
        );
        bodies.push((id, source));
    }
    let mut compiler = Compiler {
        schema: &mut schema,
        names,
        errors,
        file: FileId(0),
    };
    for (id, source) in bodies {
        compiler.file = source.file;
        let compiled = match &source.item.kind {
            ast::ItemKind::Type(decl) => compiler.ty(&decl.ty),
            ast::ItemKind::Schema(decl) => {
                let body = compiler.structure(&decl.body);
                compiler.schema.add(Type::Struct(body))
            }
            _ => continue,
        };
        compiler.schema.types[id.0 as usize] = Type::Alias(compiled);
    }
    schema.compose_clusters(names);
    schema
}

struct Compiler<'a> {
    schema: &'a mut Schema,
    names: &'a mut Interner,
    errors: &'a mut Vec<CheckError>,
    file: FileId,
}

impl Compiler<'_> {
    fn ty(&mut self, ty: &ast::Type) -> TypeId {
        match &ty.kind {
            TypeKind::Named { name, args } => self.named(name, args, ty.span),
            TypeKind::Literal(value) => {
                let scalar = match &value.kind {
                    ValueKind::Str { value, .. } => Scalar::Str(value.as_str().into()),
                    ValueKind::Int(int) => Scalar::Int(*int),
                    ValueKind::Float(float) => Scalar::Float(*float),
                    _ => Scalar::Null,
                };
                self.schema.add(Type::Literal(scalar))
            }
            TypeKind::Struct(body) => {
                let compiled = self.structure(body);
                self.schema.add(Type::Struct(compiled))
            }
            TypeKind::Union(alternatives) => {
                let compiled = alternatives.iter().map(|a| self.ty(a)).collect();
                self.schema.add(Type::Union(compiled))
            }
            TypeKind::Matching { ty: base, pattern } => {
                let base = self.ty(base);
                let ValueKind::Str { value: source, .. } = &pattern.kind else {
                    return base;
                };
                // Anchored: a pattern describes the whole string.
                match regex_lite::Regex::new(&format!("^(?:{source})$")) {
                    Ok(regex) => self.schema.add(Type::Matching {
                        base,
                        pattern: regex,
                        source: source.as_str().into(),
                    }),
                    Err(error) => {
                        self.errors.push(CheckError::BadPattern {
                            reason: error.to_string(),
                            file: self.file,
                            span: pattern.span,
                        });
                        base
                    }
                }
            }
            TypeKind::Bounded {
                ty: base,
                op,
                limit,
            } => {
                let base = self.ty(base);
                let number = match &limit.kind {
                    ValueKind::Int(int) => Some((*int as f64, int.to_string())),
                    ValueKind::Float(float) => Some((*float, float.to_string())),
                    _ => None,
                };
                let bound = number.map(|(number, text)| NumberBound {
                    op: *op,
                    limit: number,
                    text: text.into(),
                });
                match bound.and_then(|bound| self.bound(base, &bound)) {
                    Some(bounded) => bounded,
                    None => {
                        self.errors.push(CheckError::BadTypeBound {
                            ty: self.schema.describe(base, self.names),
                            file: self.file,
                            span: ty.span,
                        });
                        base
                    }
                }
            }
            TypeKind::KeyedBy { ty: base, key } => {
                let base = self.ty(base);
                let key_symbol = self.names.intern(&key.name);
                match self.schema.get(base) {
                    Type::List { element, .. } => {
                        let element = *element;
                        self.schema.add(Type::List {
                            element,
                            keyed_by: Some(key_symbol),
                        })
                    }
                    _ => {
                        self.errors.push(CheckError::KeyedNotList {
                            file: self.file,
                            span: ty.span,
                        });
                        base
                    }
                }
            }
        }
    }

    /// `base` with `bound` added to its numbers: an `int`, a `float`, or a union of them. `None`
    /// when the base has values that are not numbers.
    fn bound(&mut self, base: TypeId, bound: &NumberBound) -> Option<TypeId> {
        let with = |bounds: &[NumberBound]| {
            let mut bounds = bounds.to_vec();
            bounds.push(bound.clone());
            bounds
        };
        let bounded = match self.schema.get(base) {
            Type::Int(bounds) => Type::Int(with(bounds)),
            Type::Float(bounds) => Type::Float(with(bounds)),
            Type::Alias(target) => return self.bound(*target, bound),
            // `(int | null) >= 0`: null is not a number, and stays allowed.
            Type::Null => return Some(base),
            Type::Union(alternatives) => {
                let alternatives = alternatives.clone();
                let bounded = alternatives
                    .into_iter()
                    .map(|alternative| self.bound(alternative, bound))
                    .collect::<Option<Vec<_>>>()?;
                Type::Union(bounded)
            }
            _ => return None,
        };
        Some(self.schema.add(bounded))
    }

    fn named(&mut self, name: &ast::Ident, args: &[ast::Type], span: Span) -> TypeId {
        let generic_arity = match name.name.as_str() {
            "list" | "map" => 1,
            _ => 0,
        };
        let is_known = BUILTIN_TYPES.contains(&name.name.as_str())
            || self
                .names
                .get(&name.name)
                .is_some_and(|symbol| self.schema.named.contains_key(&symbol));
        if is_known && args.len() != generic_arity {
            self.errors.push(CheckError::TypeArguments {
                name: name.name.clone(),
                expected: generic_arity,
                found: args.len(),
                file: self.file,
                span,
            });
            return self.schema.add(Type::Any);
        }
        let builtin = match name.name.as_str() {
            "any" => Type::Any,
            "string" => Type::String,
            "int" => Type::Int(Vec::new()),
            "float" => Type::Float(Vec::new()),
            "bool" => Type::Bool,
            "null" => Type::Null,
            "memory" => Type::Memory,
            "binary_memory" => Type::BinaryMemory,
            "cpu" => Type::Cpu,
            "cores" => Type::Cores,
            "duration" => Type::Duration,
            "image" => Type::Image,
            "url" => Type::Url,
            "date" => Type::Date,
            "secret" => Type::Secret,
            "list" => {
                let element = self.ty(&args[0]);
                Type::List {
                    element,
                    keyed_by: None,
                }
            }
            "map" => Type::Map(self.ty(&args[0])),
            _ => {
                let symbol = self.names.intern(&name.name);
                if let Some(named) = self.schema.named.get(&symbol) {
                    return named.id;
                }
                let mut candidates: Vec<&str> = BUILTIN_TYPES.to_vec();
                candidates.extend(self.schema.named.keys().map(|k| self.names.resolve(*k)));
                let suggestion = crate::diagnostics::suggest::did_you_mean(&name.name, candidates)
                    .map(str::to_string);
                self.errors.push(CheckError::UnknownType {
                    name: name.name.clone(),
                    suggestion,
                    file: self.file,
                    span: name.span,
                });
                Type::Any
            }
        };
        self.schema.add(builtin)
    }

    fn structure(&mut self, body: &ast::Struct) -> StructType {
        let mut fields: Vec<FieldType> = Vec::new();
        let mut checks = Vec::new();
        for member in &body.members {
            match &member.kind {
                MemberKind::Open => {}
                MemberKind::Field(field) => {
                    let key = self.names.intern(&field.key.name);
                    if let Some(first) = fields.iter().find(|existing| existing.key == key) {
                        self.errors.push(CheckError::DuplicateField {
                            name: field.key.name.clone(),
                            file: self.file,
                            span: field.key.span,
                            first_span: first.span,
                        });
                        continue;
                    }
                    let ty = self.ty(&field.ty);
                    fields.push(FieldType {
                        key,
                        ty,
                        required: field.required,
                        doc: member.doc.as_ref().map(|doc| doc.text.clone()),
                        file: self.file,
                        span: field.key.span,
                    });
                }
                MemberKind::Check { left, op, right } => {
                    let left = left
                        .keys
                        .iter()
                        .map(|k| self.names.intern(&k.name))
                        .collect();
                    let right = right
                        .keys
                        .iter()
                        .map(|k| self.names.intern(&k.name))
                        .collect();
                    checks.push(Constraint {
                        left,
                        op: *op,
                        right,
                        file: self.file,
                        span: member.span,
                    });
                }
            }
        }
        StructType {
            fields,
            open: body.open.is_some(),
            checks,
        }
    }
}
