//! What the parts of a fleet that did not parse (or could not be read) leave out, and which
//! diagnostics that absence could have caused. Analysis goes on over the recovered trees, so one
//! mistake never hides the next; a diagnostic is held back only when what was dropped could be
//! its cause, so the mistake is never reported twice, once as itself and once as its echo.
//!
//! The parser keeps what it can (`syntax::Parsed`): an item whose header was read is kept with
//! what parsed of it and listed as incomplete, an item lost whole leaves the name it would have
//! declared, and an annotation that does not parse is dropped alone. [`Gaps::hides`] holds the
//! whole rule.

use std::collections::HashSet;

use crate::diagnostics::Diagnostic;
use crate::resolve::Fleet;
use crate::resolve::value::DeclId;
use crate::source::{FileId, SourceMap, Span};

/// Codes of diagnostics about a name that is not declared.
const UNKNOWN_NAMES: &[&str] = &[
    "hub::resolve::unknown_name",
    "hub::resolve::wrong_kind",
    "hub::resolve::unknown_chart",
    "hub::check::unknown_type",
];

/// Codes of diagnostics that read what a declaration's layers hold: something missing, counted,
/// compared with an inherited value, or judged by a policy a layer declares.
const LAYERED: &[&str] = &[
    // What a key means depends on statements that may be lost: a cluster's `provider`, a
    // platform's `chart`.
    "hub::check::unknown_key",
    // A lost `tunable` under a `locked` path, a lost bound or base value, a lost statement of
    // the archetype that decided between two mixins.
    "hub::policy::locked",
    "hub::policy::out_of_bounds",
    "hub::policy::below_base",
    "hub::policy::bad_bound",
    "hub::policy::unknown_budget",
    "hub::resolve::mixin_conflict",
    "hub::policy::missing_identity",
    "hub::policy::over_budget",
    "hub::policy::redundant",
    "hub::resolve::missing_cluster",
    "hub::resolve::missing_chart",
    "hub::resolve::delete_missing",
    "hub::check::missing_field",
    "hub::check::constraint",
    "hub::emit::missing_property",
    "hub::emit::missing_provider",
    "hub::emit::unsupported_node_pool",
];

/// The gaps of one analysis.
#[derive(Debug, Default)]
pub struct Gaps {
    /// Names that items which failed to parse would have declared.
    lost_names: HashSet<String>,
    /// Files that lost an `import`.
    lost_imports: HashSet<FileId>,
    /// Any name may be missing: a file could not be read, or a lost item said nothing.
    anything_lost: bool,
    /// A `type` or `schema` lost a part.
    types_lost: bool,
    /// The declarations that are incomplete or have a layer that is (see [`Gaps::hides`]).
    touched: HashSet<DeclId>,
    /// For each declaration with a syntax error inside, where its first one is.
    first_errors: std::collections::HashMap<DeclId, u32>,
    /// Where each syntax error is, by file: a diagnostic on the same text is its echo (a
    /// quantity with an unknown unit is also a bad quantity).
    syntax_errors: std::collections::HashMap<FileId, Vec<Span>>,
    /// The declarations of each file.
    decls_of: std::collections::HashMap<FileId, Vec<DeclId>>,
    /// Imports refused while loading (they lead out of the fleet): already reported.
    refused_imports: HashSet<(FileId, u32, u32)>,
}

/// Where the syntax errors of one file are, and what they lost.
pub struct Broken {
    pub file: FileId,
    /// Every syntax error of the file.
    pub errors: Vec<Span>,
    /// The items kept with what parsed of them.
    pub incomplete: Vec<crate::syntax::Incomplete>,
    /// What the items lost entirely would have declared.
    pub lost: crate::syntax::Lost,
}

impl Gaps {
    /// The gaps left by `broken` files, by `unreadable` ones and by the imports `refused` while
    /// loading, in `fleet`.
    pub fn new(
        broken: &[Broken],
        unreadable: bool,
        refused: &[(FileId, Span)],
        fleet: &Fleet,
    ) -> Gaps {
        let mut gaps = Gaps {
            anything_lost: unreadable,
            refused_imports: refused
                .iter()
                .map(|(file, span)| (*file, span.start, span.end))
                .collect(),
            ..Gaps::default()
        };
        for file in broken {
            gaps.syntax_errors.insert(file.file, file.errors.clone());
            gaps.lost_names.extend(file.lost.names.iter().cloned());
            if file.lost.import {
                gaps.lost_imports.insert(file.file);
            }
            gaps.types_lost |= file.lost.types;
            gaps.anything_lost |= file.lost.unnamed;
        }
        if broken.is_empty() {
            return gaps;
        }
        for (index, decl) in fleet.decls.iter().enumerate() {
            gaps.decls_of
                .entry(decl.file)
                .or_default()
                .push(DeclId(index as u32));
        }
        let parsed_in_part: std::collections::HashMap<(FileId, u32), &crate::syntax::Incomplete> =
            broken
                .iter()
                .flat_map(|file| {
                    file.incomplete
                        .iter()
                        .map(move |item| ((file.file, item.item.start), item))
                })
                .collect();
        let mut incomplete = vec![false; fleet.decls.len()];
        for (index, decl) in fleet.decls.iter().enumerate() {
            if let Some(item) = parsed_in_part.get(&(decl.file, decl.span.start)) {
                incomplete[index] = true;
                if let Some(first) = item.misread_from {
                    gaps.first_errors.insert(DeclId(index as u32), first);
                }
            }
        }
        if !incomplete.contains(&true) {
            return gaps;
        }
        for (index, decl) in fleet.decls.iter().enumerate() {
            let id = DeclId(index as u32);
            let mut layers = fleet
                .chain(id)
                .into_iter()
                .chain(decl.mixins.iter().copied())
                .chain(decl.cluster);
            if layers.any(|layer| incomplete[layer.0 as usize]) {
                gaps.touched.insert(id);
            }
        }
        // A mixin's settings are judged against the archetype of each community that uses it,
        // and reported in the mixin: a touched user touches its mixins.
        let users: Vec<DeclId> = gaps.touched.iter().copied().collect();
        for user in users {
            gaps.touched.extend(fleet.decl(user).mixins.iter().copied());
        }
        gaps
    }

    /// Whether a declaration may be missing.
    fn names_lost(&self) -> bool {
        self.anything_lost || !self.lost_names.is_empty() || !self.lost_imports.is_empty()
    }

    /// Whether nothing is missing.
    pub fn is_empty(&self) -> bool {
        self.lost_names.is_empty()
            && self.lost_imports.is_empty()
            && !self.anything_lost
            && !self.types_lost
            && self.touched.is_empty()
            && self.refused_imports.is_empty()
            && self.first_errors.is_empty()
            && self.syntax_errors.is_empty()
    }

    /// The smallest declaration of `file` whose span holds `span`.
    fn innermost(&self, fleet: &Fleet, file: FileId, span: Span) -> Option<DeclId> {
        self.decls_of
            .get(&file)?
            .iter()
            .copied()
            .filter(|&id| {
                let decl = fleet.decl(id);
                decl.span.start <= span.start && span.start <= decl.span.end
            })
            .min_by_key(|&id| fleet.decl(id).span.len())
    }

    /// Whether `decl` is touched: incomplete, or one of its layers is (see [`Gaps::hides`]).
    pub fn touches(&self, decl: DeclId) -> bool {
        self.touched.contains(&decl)
    }

    /// Whether `diagnostic` may be an echo of what was dropped, and is held back. The rule, in
    /// full (`lang/reference.md`, "Errors and recovery", says the same for users):
    ///
    /// - A syntax error is always reported. A diagnostic on the very text of a syntax error is
    ///   its echo (`16GiBB` is an unknown unit, and so no quantity).
    /// - After a syntax error inside a declaration's body, the parser guesses where the broken
    ///   construct ends; what follows it in the same declaration may be read in the wrong place,
    ///   and its diagnostics wait until the syntax error is fixed. What comes before it, and
    ///   every other declaration, is reported.
    /// - A name reported unknown (`unknown_name`, `unknown_type`, `unknown_chart`, `wrong_kind`)
    ///   is held back when an item lost whole would have declared that name, when its file lost
    ///   an `import`, or when a file could not be read or a lost item's name cannot be read
    ///   (then any name may be missing).
    /// - An unknown key is held back anywhere when a `type` or `schema` is incomplete or lost.
    /// - A diagnostic that reads what a declaration's layers hold (`LAYERED`: something
    ///   missing or counted, such as a required identity or property, a cross-field constraint,
    ///   the bespoke budget; a comparison with an inherited value or a policy, such as locked,
    ///   out of bounds, below base; an unknown key; a mixin conflict) is held back when it lies in
    ///   a *touched* declaration: one that is incomplete, or one of whose layers (its parents,
    ///   its mixins, its cluster) is; a mixin is also touched by a touched declaration that uses
    ///   it, since its settings are judged against that declaration's archetype.
    /// - Two communities of one name are not reported as declared twice when their cluster is
    ///   unknown and something was lost: it may have been their cluster.
    /// - An import reported unknown is held back when loading refused it (it leads out of the
    ///   fleet), which was reported then.
    ///
    /// Every other diagnostic is reported as it is.
    pub fn hides(&self, diagnostic: &Diagnostic, fleet: &Fleet, sources: &SourceMap) -> bool {
        let code = diagnostic.code.as_str();
        if self.is_empty() || code.starts_with("hub::syntax::") {
            return false;
        }
        let overlaps = |error: &Span| {
            error.start < diagnostic.span.end.max(diagnostic.span.start + 1)
                && diagnostic.span.start < error.end.max(error.start + 1)
        };
        if self
            .syntax_errors
            .get(&diagnostic.file)
            .is_some_and(|errors| errors.iter().any(overlaps))
        {
            return true;
        }
        // After a syntax error, the parser guesses where the broken construct ends, and what
        // follows in the same declaration may be read in the wrong place.
        if let Some(decl) = self.innermost(fleet, diagnostic.file, diagnostic.span)
            && self
                .first_errors
                .get(&decl)
                .is_some_and(|&first| first <= diagnostic.span.start)
        {
            return true;
        }
        if code == "hub::resolve::unknown_import" {
            let at = (diagnostic.file, diagnostic.span.start, diagnostic.span.end);
            return self.refused_imports.contains(&at);
        }
        if UNKNOWN_NAMES.contains(&code) {
            if self.anything_lost || self.lost_imports.contains(&diagnostic.file) {
                return true;
            }
            let text = &sources.get(diagnostic.file).text;
            let written = text
                .get(diagnostic.span.range())
                .unwrap_or("")
                .trim_matches('"');
            return self.lost_names.contains(written);
        }
        // Communities whose cluster is lost share the unknown cluster `?`, and so their names.
        if code == "hub::resolve::duplicate_declaration"
            && (self.names_lost() || !self.touched.is_empty())
        {
            return self
                .innermost(fleet, diagnostic.file, diagnostic.span)
                .is_some_and(|decl| {
                    let decl = fleet.decl(decl);
                    decl.kind == crate::syntax::ast::DeclKind::Community && decl.cluster.is_none()
                });
        }
        if code == "hub::check::unknown_key" && self.types_lost {
            return true;
        }
        if LAYERED.contains(&code) {
            return self
                .innermost(fleet, diagnostic.file, diagnostic.span)
                .is_some_and(|decl| self.touched.contains(&decl));
        }
        false
    }
}
