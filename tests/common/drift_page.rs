//! `hubc drift` as its tests run it, and the HTML report as a test reads it: its tags, its
//! scripts and the data of its communities, and the check that it loads nothing.

use std::process::Output;

use serde_json::Value;

/// Runs `hubc` from the project root, so that places read `examples/...` on every machine.
pub fn run(arguments: &[&str]) -> Output {
    super::hubc()
        .current_dir(super::root())
        .args(["--color", "never", "--today", "2026-11-26"])
        .args(arguments)
        .output()
        .expect("hubc runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The report of `fleet` in `format`, which must succeed.
pub fn report(fleet: &str, format: &str) -> String {
    let output = run(&["drift", fleet, "--format", format]);
    assert!(
        output.status.success(),
        "hubc drift {fleet} --format {format} failed:\n{}",
        stderr(&output)
    );
    stdout(&output)
}

/// The tags of `html`, without their `<` and `>`. Text is escaped, so every raw `<` opens a tag.
pub fn tags(html: &str) -> Vec<&str> {
    html.split('<')
        .skip(1)
        .map(|rest| rest.split('>').next().unwrap_or(rest))
        .collect()
}

/// The name of a tag and its attributes, `(name, value)`, values quoted or not.
pub fn parse_tag(tag: &str) -> (String, Vec<(String, String)>) {
    let tag = tag.trim_end_matches('/');
    let name_end = tag.find(char::is_whitespace).unwrap_or(tag.len());
    let name = tag[..name_end].to_ascii_lowercase();
    let mut attributes = Vec::new();
    let mut rest = &tag[name_end..];
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        let end = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(rest.len());
        let attribute = rest[..end].to_ascii_lowercase();
        rest = &rest[end..];
        let value = if let Some(after) = rest.strip_prefix('=') {
            match after.chars().next() {
                Some(quote @ ('"' | '\'')) => {
                    let inner = &after[1..];
                    let close = inner.find(quote).expect("a closed attribute value");
                    rest = &inner[close + 1..];
                    inner[..close].to_string()
                }
                _ => {
                    let end = after.find(char::is_whitespace).unwrap_or(after.len());
                    rest = &after[end..];
                    after[..end].to_string()
                }
            }
        } else {
            String::new()
        };
        attributes.push((attribute, value));
    }
    (name, attributes)
}

/// The page without the bodies of its `<script>` elements, and each element's opening tag and
/// body.
pub fn split_scripts(html: &str) -> (String, Vec<(String, String)>) {
    let mut page = String::new();
    let mut scripts = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let open_end = start + rest[start..].find('>').expect("a closed script tag") + 1;
        let close = open_end + rest[open_end..].find("</script>").expect("a closed script");
        page.push_str(&rest[..open_end]);
        scripts.push((
            rest[start..open_end].to_string(),
            rest[open_end..close].to_string(),
        ));
        rest = &rest[close..];
    }
    page.push_str(rest);
    (page, scripts)
}

/// The data of the communities in the page, as the page's script reads it.
pub fn page_data(html: &str) -> Value {
    let (_, scripts) = split_scripts(html);
    let (_, data) = scripts
        .iter()
        .find(|(tag, _)| tag.contains("id=\"drift-data\""))
        .expect("the page has its data");
    serde_json::from_str(data).expect("the data is JSON")
}

/// An HTML page that loads nothing: its one script inline, reaching for nothing; its data in a
/// script element no text can close; no element that fetches, no reference that leaves the
/// page, in its tags or in its CSS.
pub fn assert_self_contained(html: &str) {
    assert!(html.starts_with("<!DOCTYPE html>\n"));
    assert!(html.ends_with("</html>\n"));
    assert!(html.contains("<meta charset=\"utf-8\">"));
    assert!(html.contains("<svg"));
    let (page, scripts) = split_scripts(html);
    for (tag, body) in &scripts {
        let (_, attributes) = parse_tag(&tag[1..tag.len() - 1]);
        assert!(
            attributes.iter().all(|(name, _)| name != "src"),
            "a script is loaded: {tag}"
        );
        if tag.contains("application/json") {
            assert!(!body.contains('<'), "the data could close its element");
            continue;
        }
        for forbidden in [
            "fetch(",
            "XMLHttpRequest",
            "WebSocket",
            "EventSource",
            "sendBeacon",
            "import(",
            "importScripts",
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
            "Function(",
            "://",
        ] {
            assert!(!body.contains(forbidden), "the script has `{forbidden}`");
        }
    }
    let html = page.as_str();
    let mut css = String::new();
    for tag in tags(html) {
        // Not even a comment: nothing to hide a reference in.
        assert!(!tag.starts_with("!--"), "the page has a comment");
        if tag.starts_with('!') || tag.starts_with('/') {
            continue;
        }
        let (name, attributes) = parse_tag(tag);
        assert!(
            !matches!(
                name.as_str(),
                "link"
                    | "img"
                    | "iframe"
                    | "object"
                    | "embed"
                    | "base"
                    | "image"
                    | "use"
                    | "video"
                    | "audio"
                    | "source"
                    | "form"
            ),
            "the page has a `<{name}>`"
        );
        for (attribute, value) in attributes {
            match attribute.as_str() {
                "src" | "href" | "xlink:href" | "action" | "srcset" | "poster" | "data" => {
                    assert!(
                        value.starts_with('#'),
                        "`{attribute}={value}` leaves the page"
                    );
                }
                "style" => css.push_str(&value),
                _ => {}
            }
        }
    }
    let style = html
        .split("<style>")
        .nth(1)
        .and_then(|rest| rest.split("</style>").next())
        .expect("the page has its style inline");
    css.push_str(style);
    let css = css.to_ascii_lowercase();
    for forbidden in ["url(", "@import", "@font-face", "http:", "https:", "//"] {
        assert!(!css.contains(forbidden), "the CSS has `{forbidden}`");
    }
}

/// The names of the communities in the page's data, in its order.
pub fn page_names(html: &str) -> Vec<String> {
    let data = page_data(html);
    let strings = data["strings"].as_array().expect("strings");
    data["communities"]
        .as_array()
        .expect("communities")
        .iter()
        .map(|c| {
            strings[c[0].as_u64().unwrap() as usize]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}
