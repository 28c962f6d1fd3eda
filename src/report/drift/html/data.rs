//! The communities of the HTML drift report as one compact JSON document, which the page's
//! script draws a page at a time: a thousand communities with their overrides as HTML tables
//! would weigh megabytes and take seconds to lay out.
//!
//! Every piece of text is written once, in `strings`, and referred to by its index; index 0 is
//! the empty string, which stands for "none". A community is an array:
//!
//! `[name, archetype, [mixins], tuned, bespoke_of_budget, redundant, expired, violations,
//!   verdict, inherited, flags, [drifting overrides], [other overrides]]`
//!
//! where `flags` is 1 when it fails `hubc drift --check`, plus 2 when it is over budget. An
//! override is an array:
//!
//! `[class, path, value, file, line, column, inherited, appends, reason, ticket, expires, mixin]`
//!
//! with values cut as in the rest of the page, and trailing zeros (none, false) left out.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::report::drift::render::{bespoke_of_budget, clip, community_fails, drifting, verdict};
use crate::report::drift::{CommunityReport, DriftReport, OverrideReport};

/// The data of the communities, as JSON that can stand inside a `<script>` element: no `<`, `>`
/// or `&` in it, so no text can close the element.
pub(super) fn communities_json(report: &DriftReport, value_width: usize) -> String {
    let mut strings = Strings::default();
    let communities: Vec<Value> = report
        .communities
        .iter()
        .map(|c| community(&mut strings, c, value_width))
        .collect();
    let data = json!({ "strings": strings.list, "communities": communities });
    serde_json::to_string(&data)
        .expect("the data serializes")
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// Each piece of text once, in the order first met.
#[derive(Default)]
struct Strings {
    list: Vec<String>,
    index: HashMap<String, usize>,
}

impl Strings {
    fn of(&mut self, text: &str) -> usize {
        if self.list.is_empty() {
            self.list.push(String::new());
            self.index.insert(String::new(), 0);
        }
        if let Some(&found) = self.index.get(text) {
            return found;
        }
        self.list.push(text.to_string());
        self.index.insert(text.to_string(), self.list.len() - 1);
        self.list.len() - 1
    }

    fn of_option(&mut self, text: Option<&str>) -> usize {
        text.map_or(0, |text| self.of(text))
    }
}

fn community(strings: &mut Strings, c: &CommunityReport, value_width: usize) -> Value {
    let flags = u8::from(community_fails(c)) + 2 * u8::from(c.over_budget);
    let drifting = drifting(c);
    let others: Vec<&OverrideReport> = c
        .overrides
        .iter()
        .filter(|o| matches!(o.class.as_str(), "tuned" | "redundant"))
        .collect();
    json!([
        strings.of(&c.name),
        strings.of_option(c.archetype.as_deref()),
        c.mixins.iter().map(|m| strings.of(m)).collect::<Vec<_>>(),
        c.tuned,
        strings.of(&bespoke_of_budget(c).replace('/', " / ")),
        c.redundant,
        c.expired,
        c.violations,
        strings.of(&verdict(c)),
        c.inherited,
        flags,
        overrides(strings, &drifting, value_width),
        overrides(strings, &others, value_width),
    ])
}

fn overrides(strings: &mut Strings, found: &[&OverrideReport], value_width: usize) -> Vec<Value> {
    found
        .iter()
        .map(|o| override_entry(strings, o, value_width))
        .collect()
}

fn override_entry(strings: &mut Strings, o: &OverrideReport, value_width: usize) -> Value {
    let (file, line, column) = split_place(&o.place);
    let mut fields: Vec<Value> = vec![
        strings.of(&o.class).into(),
        strings.of(&o.path).into(),
        strings
            .of_option(o.value.as_deref().map(|v| clip(v, value_width)).as_deref())
            .into(),
        strings.of(file).into(),
        line.into(),
        column.into(),
        strings
            .of_option(
                o.inherited
                    .as_deref()
                    .map(|v| clip(v, value_width))
                    .as_deref(),
            )
            .into(),
        u8::from(o.appends).into(),
        strings.of_option(o.reason.as_deref()).into(),
        strings.of_option(o.ticket.as_deref()).into(),
        strings.of_option(o.expires.as_deref()).into(),
        strings.of_option(o.mixin.as_deref()).into(),
    ];
    while fields.last().is_some_and(|last| last == 0) {
        fields.pop();
    }
    Value::Array(fields)
}

/// `file:line:column` as its three parts; a place of another shape is all file.
fn split_place(place: &str) -> (&str, u64, u64) {
    let mut parts = place.rsplitn(3, ':');
    let column = parts.next().and_then(|c| c.parse().ok());
    let line = parts.next().and_then(|l| l.parse().ok());
    match (parts.next(), line, column) {
        (Some(file), Some(line), Some(column)) => (file, line, column),
        _ => (place, 0, 0),
    }
}
