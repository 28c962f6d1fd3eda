//! What `hubc new` writes: the file of a new community or cluster. What it must set is written
//! as `todo("...")` placeholders, which `hubc check` reports until each is replaced by a value
//! (`hub::resolve::placeholder`); what it may set is written as commented-out lines, with the
//! doc, the bounds and the value it gets without them. The text is in `hubc fmt`'s layout.

use crate::analysis::Analysis;
use crate::report::doc::{LayerDoc, RuleDoc};
use crate::schema::{StructType, Type, TypeId};
use crate::syntax::quote;

/// How many leaves of a tunable map are shown as commented-out lines before a count.
const SHOWN_LEAVES: usize = 6;

/// The file of a new community `name` of `archetype` on `cluster`.
pub fn community(name: &str, cluster: &str, archetype: &LayerDoc) -> String {
    let mut file = Text::default();
    let kind = &archetype.name;
    file.line(
        0,
        &format!("/// {name}: who this hub serves, and what for."),
    );
    file.line(0, &format!("community {} : {kind} {{", quote(name)));
    file.line(1, &format!("cluster = {cluster}"));
    file.line(
        1,
        &format!(
            "domain = {}",
            todo(&format!("the hub's address, such as {name}.example.org"))
        ),
    );
    file.line(
        1,
        &format!(
            "display_name = {}",
            todo("the hub's name, as its users see it")
        ),
    );

    let (required, optional): (Vec<&RuleDoc>, Vec<&RuleDoc>) =
        archetype.identities.iter().partition(|rule| rule.required);
    let mut offered: std::collections::HashSet<String> =
        required.iter().map(|rule| rule.path.text.clone()).collect();
    if !required.is_empty() {
        file.blank();
        file.comment(
            1,
            &format!("What names this hub or belongs to it alone, which every `{kind}` sets."),
        );
        for rule in required {
            file.doc(1, rule_doc(rule).as_deref());
            let what = match (&rule.path.ty, rule_doc(rule)) {
                (Some(ty), _) => ty.clone(),
                (None, Some(doc)) => first_sentence(Some(&doc)),
                (None, None) => "a value".to_string(),
            };
            file.line(1, &format!("{} = {}", rule.path.text, todo(&what)));
        }
    }
    if !optional.is_empty() {
        file.blank();
        file.comment(
            1,
            "What names this hub or belongs to it alone: set what applies, it is not drift.",
        );
        for rule in optional {
            settable(&mut file, archetype, rule, &mut offered);
        }
    }
    if !archetype.tunables.is_empty() {
        file.blank();
        file.comment(
            1,
            &format!(
                "What `{kind}` lets a community change, within its bounds. Each line is the value \
                 this hub gets without it: uncomment it to change it."
            ),
        );
        for rule in &archetype.tunables {
            settable(&mut file, archetype, rule, &mut offered);
        }
    }
    file.blank();
    let budget = match &archetype.budget {
        Some(budget) => format!(
            "`{kind}` allows {} such settings",
            budget.bounds.join(" ").trim_start_matches("<= ")
        ),
        None => format!("`{kind}` sets no budget for them"),
    };
    file.comment(
        1,
        &format!("Anything else is bespoke, and says why with a `@reason`: {budget}."),
    );
    if !archetype.locked.is_empty() {
        let locked: Vec<String> = archetype
            .locked
            .iter()
            .map(|rule| format!("`{}`", rule.path.text))
            .collect();
        file.comment(1, &format!("Locked, not to be set: {}.", locked.join(", ")));
    }
    file.commented_out(1, "@reason(\"why this hub needs it\")");
    file.commented_out(1, "jupyterhub.some.setting = \"its value\"");
    file.line(0, "}");
    file.finish()
}

/// A setting a community may set, as commented-out lines: its doc and bounds, then the value it
/// inherits (each leaf of a map), or a placeholder when it inherits none.
fn settable(
    file: &mut Text,
    archetype: &LayerDoc,
    rule: &RuleDoc,
    offered: &mut std::collections::HashSet<String>,
) {
    let doc = rule_doc(rule);
    let mut about = first_sentence(doc.as_deref());
    if !rule.bounds.is_empty() {
        let bounds = format!("Bounds: {}.", rule.bounds.join(", "));
        about = if about.is_empty() {
            bounds
        } else {
            format!("{about} {bounds}")
        };
    }
    if !about.is_empty() {
        file.comment(1, &about);
    }
    let path = &rule.path.text;
    let below = format!("{path}.");
    // A leaf another rule offered already (an identity setting under a tunable map) is not
    // offered again: uncommenting both would set it twice.
    let leaves: Vec<_> = archetype
        .values
        .iter()
        .filter(|value| value.path.text == *path || value.path.text.starts_with(&below))
        .filter(|value| !offered.contains(&value.path.text))
        .collect();
    if leaves.is_empty() && offered.contains(path) {
        return;
    }
    offered.insert(path.clone());
    offered.extend(leaves.iter().map(|value| value.path.text.clone()));
    let image = rule.path.ty.as_deref() == Some("image");
    if image && let Some(reference) = image_reference(&leaves) {
        file.commented_out(1, &format!("{path} = image({})", quote(&reference)));
        return;
    }
    if leaves.is_empty() {
        let what = rule.path.ty.as_deref().unwrap_or("a value");
        file.commented_out(1, &format!("{path} = {}", todo(what)));
    }
    for value in leaves.iter().take(SHOWN_LEAVES) {
        file.commented_out(1, &format!("{} = {}", value.path.text, value.value));
    }
    if leaves.len() > SHOWN_LEAVES {
        file.comment(
            1,
            &format!(
                "... and {} more under `{path}` (`hubc doc` lists them)",
                leaves.len() - SHOWN_LEAVES
            ),
        );
    }
}

/// `repo:tag` of an image's `name` and `tag` leaves, as `image("repo:tag")` takes it.
fn image_reference(leaves: &[&crate::report::doc::ValueDoc]) -> Option<String> {
    let leaf = |key: &str| {
        leaves
            .iter()
            .find(|value| value.path.text.ends_with(&format!(".{key}")))
            .map(|value| value.value.trim_matches('"').to_string())
    };
    let name = leaf("name")?;
    Some(match leaf("tag") {
        Some(tag) if tag.starts_with("sha256:") => format!("{name}@{tag}"),
        Some(tag) => format!("{name}:{tag}"),
        None => name,
    })
}

/// The doc of a rule's statement, else of its path's schema field.
fn rule_doc(rule: &RuleDoc) -> Option<String> {
    rule.doc.clone().or_else(|| rule.path.doc.clone())
}

/// The file of a new cluster `name` whose provider is `provider`: the deployer's settings of
/// `schema cluster_<provider>` and the variables of `schema terraform_<provider>`. `None` when
/// the fleet has no `cluster_<provider>` schema.
pub fn cluster(name: &str, provider: &str, analysis: &Analysis) -> Option<String> {
    let schema = &analysis.schema;
    let names = &analysis.names;
    let named = |schema_name: &str| {
        let found = schema.named.get(&names.get(schema_name)?)?;
        Some((found.id, found.doc.clone()))
    };
    let (settings, _) = named(&format!("cluster_{provider}"))?;
    let settings = schema.as_struct(settings)?;
    let mut file = Text::default();
    file.line(
        0,
        &format!("/// {name}: whose cluster it is, and where it runs."),
    );
    file.line(0, &format!("cluster {} {{", quote(name)));
    // The deployer's settings, under the provider's tag.
    let deployer = settings
        .fields
        .iter()
        .find(|field| names.resolve(field.key) == "provider")
        .and_then(|field| schema.as_struct(field.ty))
        .and_then(|tags| {
            tags.fields
                .iter()
                .find(|field| names.resolve(field.key) == provider)
        })
        .and_then(|field| schema.as_struct(field.ty));
    match deployer {
        Some(deployer) => {
            file.doc(1, Some("How the deployer reaches the cluster."));
            file.line(1, &format!("provider = {provider} {{"));
            fields(&mut file, 2, deployer, analysis, &[], true);
            file.line(1, "}");
        }
        None => file.line(1, &format!("provider = {}", todo(provider))),
    }
    const LABELLED: &[&str] = &["node_pool", "dask_node_pool"];
    let mut skipped = vec!["provider"];
    skipped.extend(LABELLED);
    fields(&mut file, 1, settings, analysis, &skipped, false);
    samples(&mut file, settings, analysis, LABELLED);
    if let Some((variables, _)) = named(&format!("terraform_{provider}"))
        && let Some(variables) = schema.as_struct(variables)
    {
        file.blank();
        file.comment(
            1,
            &format!("The variables of the Terraform module `terraform/{provider}`."),
        );
        fields(&mut file, 1, variables, analysis, &[], false);
    }
    file.line(0, "}");
    Some(file.finish())
}

/// The fields of a struct, but `skipped`: a required one as a placeholder under its doc (a
/// block of its own fields for a struct), any other as a commented-out placeholder under the
/// first sentence of its doc; a map of structs named in `samples` as a commented-out labelled
/// block, `node_pool "NAME" { ... }`, of the struct's required fields.
fn fields(
    file: &mut Text,
    depth: usize,
    body: &StructType,
    analysis: &Analysis,
    skipped: &[&str],
    in_value: bool,
) {
    let schema = &analysis.schema;
    let names = &analysis.names;
    let listed = body
        .fields
        .iter()
        .filter(|field| !skipped.contains(&names.resolve(field.key)));
    let (required, optional): (Vec<_>, Vec<_>) = listed.partition(|field| field.required);
    for field in required {
        let key = crate::resolve::value::path_text(&[field.key], names);
        // A map value holds entries and comments, not doc comments nor blocks.
        if in_value {
            file.comment(
                depth,
                &field.doc.as_deref().unwrap_or("").replace('\n', " "),
            );
        } else {
            file.doc(depth, field.doc.as_deref());
        }
        match schema.as_struct(schema.resolve_alias(field.ty)) {
            Some(inner) if depth < MAX_DEPTH => {
                let opening = if in_value { " = {" } else { " {" };
                file.line(depth, &format!("{key}{opening}"));
                fields(file, depth + 1, inner, analysis, &[], in_value);
                file.line(depth, "}");
            }
            // The one value it takes.
            _ if matches!(schema.get(schema.resolve_alias(field.ty)), Type::Literal(_)) => {
                let Type::Literal(literal) = schema.get(schema.resolve_alias(field.ty)) else {
                    continue;
                };
                let text = crate::schema::scalar::scalar_text(literal);
                file.line(depth, &format!("{key} = {text}"));
            }
            _ => {
                let what = match field.doc {
                    Some(_) => schema.describe(field.ty, names),
                    None => describe(schema, field.ty, names, None),
                };
                file.line(depth, &format!("{key} = {}", todo(&what)));
            }
        }
    }
    for field in optional {
        let key = crate::resolve::value::path_text(&[field.key], names);
        let about = first_sentence(field.doc.as_deref());
        if !about.is_empty() {
            file.comment(depth, &about);
        }
        let what = schema.describe(field.ty, names);
        file.commented_out(depth, &format!("{key} = {}", todo(&what)));
    }
}

/// A commented-out labelled block of each map of structs that a cluster writes as blocks
/// (`node_pool "NAME" { ... }`), with the struct's required fields.
fn samples(file: &mut Text, body: &StructType, analysis: &Analysis, labelled: &[&str]) {
    let schema = &analysis.schema;
    let names = &analysis.names;
    for field in &body.fields {
        let key = names.resolve(field.key);
        if !labelled.contains(&key) {
            continue;
        }
        let Type::Map(element) = schema.get(schema.resolve_alias(field.ty)) else {
            continue;
        };
        let Some(inner) = schema.as_struct(*element) else {
            continue;
        };
        file.blank();
        let about = first_sentence(field.doc.as_deref());
        if !about.is_empty() {
            file.comment(1, &about);
        }
        file.commented_out(1, &format!("{key} \"NAME\" {{"));
        for required in inner.fields.iter().filter(|field| field.required) {
            let what = describe(schema, required.ty, names, required.doc.as_deref());
            let name = crate::resolve::value::path_text(&[required.key], names);
            file.commented_out(1, &format!("  {name} = {}", todo(&what)));
        }
        file.commented_out(1, "}");
    }
}

/// How deep `hubc new cluster` writes the blocks of required structs.
const MAX_DEPTH: usize = 4;

/// What a placeholder asks for: the type, and the first sentence of the doc.
fn describe(
    schema: &crate::schema::Schema,
    ty: TypeId,
    names: &crate::intern::Interner,
    doc: Option<&str>,
) -> String {
    let ty = match schema.get(schema.resolve_alias(ty)) {
        Type::Struct(_) => "a map".to_string(),
        _ => schema.describe(ty, names),
    };
    match first_sentence(doc) {
        about if about.is_empty() => ty,
        about => format!("{ty}: {about}"),
    }
}

/// `todo("what")`
fn todo(what: &str) -> String {
    format!("todo({})", quote(what))
}

/// The first sentence of a doc comment, on one line.
fn first_sentence(doc: Option<&str>) -> String {
    let text = doc
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    // The end of a sentence, not of `e.g.` or `i.e.`.
    let end = text.match_indices(". ").map(|(at, _)| at).find(|&at| {
        !text[..at].ends_with("e.g") && !text[..at].ends_with("i.e") && !text[..at].ends_with("etc")
    });
    match end {
        Some(end) => text[..=end].to_string(),
        None => text,
    }
}

/// A file being written, line by line, two spaces an indent.
#[derive(Default)]
struct Text {
    text: String,
}

impl Text {
    fn line(&mut self, depth: usize, line: &str) {
        self.text.push_str(&"  ".repeat(depth));
        self.text.push_str(line);
        self.text.push('\n');
    }

    fn blank(&mut self) {
        self.text.push('\n');
    }

    /// `// text`, wrapped at 100 columns; nothing for no text.
    fn comment(&mut self, depth: usize, text: &str) {
        if text.trim().is_empty() {
            return;
        }
        self.wrapped(depth, "// ", text);
    }

    /// A line of code, commented out, whatever its length.
    fn commented_out(&mut self, depth: usize, code: &str) {
        self.line(depth, &format!("// {code}"));
    }

    /// `/// doc`, each of its lines; nothing for no doc.
    fn doc(&mut self, depth: usize, doc: Option<&str>) {
        for line in doc.unwrap_or("").lines() {
            self.line(depth, format!("/// {line}").trim_end());
        }
    }

    fn wrapped(&mut self, depth: usize, prefix: &str, text: &str) {
        const WIDTH: usize = 100;
        let room = WIDTH.saturating_sub(2 * depth + prefix.len()).max(40);
        let mut line = String::new();
        for word in text.split(' ') {
            if !line.is_empty() && line.len() + 1 + word.len() > room {
                self.line(depth, &format!("{prefix}{line}"));
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        self.line(depth, format!("{prefix}{line}").trim_end());
    }

    fn finish(self) -> String {
        self.text
    }
}
