//! Building again only what an edit changed. Communities do not depend on each other: each
//! resolves from its own statements and the layers above it (platform, archetypes, mixins,
//! cluster), and each cluster's files depend on that cluster and its communities. So when the
//! files that changed since the recorded build declare nothing but communities, and still do,
//! the build loads the layers and the files of the communities on the clusters those files
//! touch, and builds those clusters; every other cluster's files, and the diagnostics of every
//! other file, are the recorded ones.
//!
//! The record says which clusters each file's communities were on. A diagnostic belongs to the
//! file it is in: a community file's to that file, a layer file's to the cluster whose
//! declaration holds it, or else to the layers themselves ("shared"), which the partial build
//! loads whole. Where the partial build might differ from a whole one, it is not used: when a
//! file that changed is not only communities, when a community moved to a cluster it was not
//! on, when a file imports one left out, when anything does not parse, when a shared
//! diagnostic recorded in a layer a rebuilt community uses is not found again (a community may
//! cause one in a mixin it uses, and so may one kept as it is), when a
//! kept diagnostic points into a rebuilt file, or when a rebuilt cluster would write a file
//! another cluster keeps.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::{Inputs, Recorded, file_facts, read_records, records_with_text, session_of};
use crate::analysis::Session;
use crate::check::policy::Day;
use crate::driver::{PreviousBuild, Record, SourceRecord};
use crate::emit::Output;
use crate::resolve::value::DeclId;
use crate::source::FileId;
use crate::syntax::ast::DeclKind;

/// What a partial build made.
pub struct Rebuilt {
    /// Every fleet file and every diagnostic, rebuilt or recorded, in the reported order.
    pub session: Session,
    /// The files built again, those of the rebuilt clusters (with their owners); `None` when
    /// there are errors.
    pub output: Option<Output>,
    /// The files of the earlier output kept as they are: those of the other clusters.
    pub kept: Vec<String>,
    /// What to record for the next build.
    pub record: Record,
    /// How many clusters were built again.
    pub n_rebuilt: usize,
}

/// Builds again the clusters that the changed files of `inputs` touch, keeping the rest of
/// `previous`; `None` when the build must be whole (see the module's documentation).
/// `source` names a file in the headers of emitted files.
pub fn rebuild(
    inputs: &Inputs,
    previous: &PreviousBuild<'_>,
    today: Day,
    source: &(dyn Fn(&str) -> String + Sync),
) -> Option<Rebuilt> {
    let record = previous.record;
    let recorded = &record.sources;
    if record.context != inputs.context
        || recorded.len() != inputs.files.len()
        || recorded
            .iter()
            .zip(&inputs.files)
            .any(|(before, now)| before.path != now.name)
    {
        return None;
    }
    let changed: Vec<usize> = (0..recorded.len())
        .filter(|&index| recorded[index].digest != inputs.files[index].digest)
        .collect();
    if changed.is_empty() || changed.iter().any(|&i| recorded[i].communities.is_none()) {
        return None;
    }
    let (affected, loaded) = closure(recorded, &changed);

    let phase = crate::timings::phase("parse");
    let mut session = super::load_some(inputs, |index| loaded[index]);
    drop(phase);
    if session
        .diagnostics
        .iter()
        .any(|d| d.is_error() || d.code.starts_with("hub::syntax::"))
    {
        return None;
    }
    let changed_names: HashSet<&str> = changed
        .iter()
        .map(|&index| inputs.files[index].name.as_str())
        .collect();
    let modules: HashSet<&str> = session.files.iter().map(|f| f.module.as_str()).collect();
    for file in &session.files {
        let name = session.sources.get(file.id).name.as_str();
        if file
            .imports
            .iter()
            .any(|import| !modules.contains(import.module.as_str()))
            || (!file.shape.only_communities && changed_names.contains(name))
        {
            return None;
        }
    }

    let analysis = crate::driver::analyze(&mut session, today)?;
    let fleet = &analysis.fleet;
    let names = &analysis.names;
    let on_affected = fleet.communities.iter().all(|&community| {
        fleet
            .decl(community)
            .cluster
            .is_some_and(|cluster| affected.contains(names.resolve(fleet.decl(cluster).name)))
    });
    if !on_affected {
        return None;
    }

    // The files: those of the rebuilt clusters, and the earlier ones of all others.
    let phase = crate::timings::phase("emit");
    let output = if session.diagnostics.iter().any(|d| d.is_error()) {
        None
    } else {
        let source_of = |file: FileId| source(&session.sources.get(file).name);
        let (mut output, _) = crate::emit::build(&analysis, &source_of);
        let others: Vec<String> = output
            .owners
            .iter()
            .filter(|(_, owner)| !affected.contains(owner.as_str()))
            .map(|(path, _)| path.clone())
            .collect();
        for path in others {
            output.files.remove(&path);
            output.owners.remove(&path);
        }
        Some(output)
    };
    let kept: Vec<String> = previous
        .files()
        .filter(|(_, owner)| !affected.contains(*owner))
        .map(|(path, _)| path.to_string())
        .collect();
    if let Some(output) = &output
        && kept.iter().any(|path| output.files.contains_key(path))
    {
        return None;
    }

    drop(phase);
    let _phase = crate::timings::phase("merge diagnostics");
    // The diagnostics.
    let index_of: HashMap<&str, usize> = inputs
        .files
        .iter()
        .enumerate()
        .map(|(index, file)| (file.name.as_str(), index))
        .collect();
    let mut clusters: HashMap<&str, Vec<(crate::source::Span, &str)>> = HashMap::new();
    for decl in fleet.decls.iter().filter(|d| d.kind == DeclKind::Cluster) {
        let file = session.sources.get(decl.file).name.as_str();
        clusters
            .entry(file)
            .or_default()
            .push((decl.span, names.resolve(decl.name)));
    }
    let place = |file: &str, at: (u32, u32)| -> Place {
        let Some(&index) = index_of.get(file) else {
            return Place::Shared;
        };
        if recorded[index].communities.is_some() {
            return Place::Communities(loaded[index]);
        }
        let cluster = clusters.get(file).and_then(|declared| {
            declared
                .iter()
                .find(|(span, _)| span.start <= at.0 && at.1 <= span.end)
        });
        match cluster {
            Some((_, name)) => Place::Cluster(affected.contains(*name)),
            None => Place::Shared,
        }
    };
    // Each diagnostic with the text of its record: a kept one's is copied through, not made
    // again. The merged ones are named by where they are (`Kept`: the record's, `Found`: this
    // build's) and moved out at the end.
    let fleet_names = super::fleet_names(inputs, &session);
    let (mut found, found_texts): (Vec<Recorded>, Vec<String>) =
        records_with_text(&session.diagnostics, |id| fleet_names.get(&id).copied())?
            .into_iter()
            .unzip();
    let mut before = read_records(&record.diagnostics)?;
    let mut merged: Vec<Merged> = Vec::with_capacity(before.len() + found.len());
    let mut shared_before: Vec<usize> = Vec::new();
    let mut shared_now: Vec<usize> = Vec::new();
    for (index, diagnostic) in before.iter().enumerate() {
        match place(&diagnostic.file, diagnostic.span) {
            Place::Communities(false) | Place::Cluster(false) => {
                let into_rebuilt = diagnostic.related.iter().any(|(file, _, _)| {
                    index_of.get(file.as_str()).is_some_and(|&index| {
                        loaded[index] && recorded[index].communities.is_some()
                    })
                });
                if into_rebuilt {
                    return None;
                }
                merged.push(Merged::Kept(index));
            }
            Place::Shared => shared_before.push(index),
            _ => {}
        }
    }
    for (index, diagnostic) in found.iter().enumerate() {
        match place(&diagnostic.file, diagnostic.span) {
            Place::Communities(true) | Place::Cluster(true) => merged.push(Merged::Found(index)),
            Place::Shared => shared_now.push(index),
            _ => {}
        }
    }
    // A shared diagnostic is in a layer. One in a layer no rebuilt community uses cannot have
    // changed, and is kept; one in a layer they use may come from one of them or from a
    // community kept as it is, so it must be found again (else the build is whole). What is
    // found anew is added: the rebuilt communities cause it.
    let mut used: HashSet<DeclId> = HashSet::new();
    for &community in &fleet.communities {
        used.extend(fleet.chain(community));
        used.extend(fleet.decl(community).mixins.iter().copied());
    }
    let could_change = |diagnostic: &Recorded| {
        let (start, end) = diagnostic.span;
        let layer = fleet.decls.iter().position(|decl| {
            decl.kind != DeclKind::Community
                && session.sources.get(decl.file).name == diagnostic.file
                && decl.span.start <= start
                && end <= decl.span.end
        });
        layer.is_none_or(|index| used.contains(&DeclId(index as u32)))
    };
    // Two records are of the same diagnostic when their texts are the same.
    let found_again: HashSet<&str> = shared_now
        .iter()
        .map(|&index| found_texts[index].as_str())
        .collect();
    for index in shared_before {
        if found_again.contains(record.diagnostics[index].as_str()) {
            continue;
        }
        if could_change(&before[index]) {
            return None;
        }
        merged.push(Merged::Kept(index));
    }
    merged.extend(shared_now.into_iter().map(Merged::Found));
    let text_of = |merged: &Merged| match *merged {
        Merged::Kept(index) => record.diagnostics[index].as_str(),
        Merged::Found(index) => found_texts[index].as_str(),
    };
    let texts: Vec<&str> = merged.iter().map(text_of).collect();
    let diagnostics = merged
        .iter()
        .map(|merged| match *merged {
            Merged::Kept(index) => std::mem::take(&mut before[index]),
            Merged::Found(index) => std::mem::take(&mut found[index]),
        })
        .collect();
    let mut merged_session = session_of(inputs, diagnostics)?;
    // Put in the reported order with the texts of their records beside them.
    let mut paired: Vec<(crate::diagnostics::Diagnostic, &str)> =
        std::mem::take(&mut merged_session.diagnostics)
            .into_iter()
            .zip(texts)
            .collect();
    crate::diagnostics::sort_canonically_with(&mut paired, |(diagnostic, _)| diagnostic);
    let (diagnostics, texts): (Vec<_>, Vec<_>) = paired.into_iter().unzip();
    merged_session.diagnostics = diagnostics;
    let diagnostics: Vec<String> = texts.into_iter().map(str::to_string).collect();

    // What to record: the loaded files as now, the others as recorded.
    let facts = file_facts(&session, &analysis);
    let sources: Vec<SourceRecord> = inputs
        .files
        .iter()
        .zip(recorded)
        .map(|(file, before)| match facts.get(file.name.as_str()) {
            Some((count, communities)) => SourceRecord {
                path: file.name.clone(),
                digest: file.digest.clone(),
                count: *count,
                communities: communities.clone(),
            },
            None => before.clone(),
        })
        .collect();
    let n_communities: usize = sources.iter().map(|source| source.count).sum();
    let output = output.map(|mut output| {
        output.n_communities = n_communities;
        output
    });
    Some(Rebuilt {
        n_rebuilt: affected.len(),
        session: merged_session,
        output,
        kept,
        record: Record {
            inputs: inputs.digest.clone(),
            context: inputs.context.clone(),
            sources,
            diagnostics,
        },
    })
}

/// A diagnostic a partial build reports: the record's `n`th, or the `n`th it found.
enum Merged {
    Kept(usize),
    Found(usize),
}

/// Where a diagnostic is, for merging: in a file of communities (loaded or not), in a cluster's
/// declaration (rebuilt or not), or elsewhere in the layers.
enum Place {
    Communities(bool),
    Cluster(bool),
    Shared,
}

/// The clusters to rebuild and the files to load (by index): those of the clusters the changed
/// files' communities were on, and, again, of the clusters of every file so taken; every file
/// that declares more than communities.
fn closure(recorded: &[SourceRecord], changed: &[usize]) -> (BTreeSet<String>, Vec<bool>) {
    let mut affected: BTreeSet<String> = BTreeSet::new();
    let mut loaded: Vec<bool> = recorded.iter().map(|s| s.communities.is_none()).collect();
    for &index in changed {
        loaded[index] = true;
        affected.extend(recorded[index].communities.iter().flatten().cloned());
    }
    loop {
        let mut grew = false;
        for (index, source) in recorded.iter().enumerate() {
            let Some(on) = &source.communities else {
                continue;
            };
            if !loaded[index] && on.iter().any(|cluster| affected.contains(cluster)) {
                loaded[index] = true;
                grew = true;
                affected.extend(on.iter().cloned());
            }
        }
        if !grew {
            return (affected, loaded);
        }
    }
}
