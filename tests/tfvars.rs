//! `.tfvars` files read by hubc mean what Terraform reads in them: generated files that use
//! every construct a variables file may hold (arithmetic, comparison and logic, conditionals,
//! `for` expressions, indexes and splats, templates with interpolations and directives,
//! heredocs, every comment style, objects and lists in every layout) are read by hubc, written
//! back by hubc's HCL encoder, and both files are planned by `terraform` itself, whose values
//! must agree.

#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;

use std::path::Path;
use std::process::Command;

use common::{Random, TempDir};

/// Writes expressions of one type from random choices; `depth` bounds their nesting.
struct Generator {
    random: Random,
    /// The number variables of the enclosing `for` expressions.
    numbers_in_scope: Vec<String>,
    /// How many templates the expression being written is inside: a heredoc there would
    /// break the lines of the template around it.
    templates: usize,
}

impl Generator {
    /// A number expression: Terraform evaluates none of them to a division by zero.
    fn number(&mut self, depth: usize) -> String {
        let leaf = depth == 0 || self.random.below(3) == 0;
        if leaf {
            if !self.numbers_in_scope.is_empty() && self.random.below(3) == 0 {
                let index = self.random.below(self.numbers_in_scope.len());
                return self.numbers_in_scope[index].clone();
            }
            let literals = [
                "0",
                "1",
                "7",
                "42",
                "1024",
                "43200",
                "2.5",
                "0.1",
                "0.2",
                "1.0",
                "3.75",
                "1e3",
                "2E-2",
                "1.5e2",
                "100000000000000000000",
                "9007199254740993",
                "0.000001",
            ];
            return self.random.pick(&literals).to_string();
        }
        let d = depth - 1;
        match self.random.below(11) {
            0 => format!("({} + {})", self.number(d), self.number(d)),
            1 => format!("({} - {})", self.number(d), self.number(d)),
            2 => format!("({} * {})", self.number(d), self.number(d)),
            3 => format!(
                "({} / {})",
                self.number(d),
                self.random.pick(&["3", "4", "7", "0.5", "10"])
            ),
            4 => format!(
                "({} % {})",
                self.number(d),
                self.random.pick(&["3", "-4", "2.5", "7"])
            ),
            5 => format!("-({})", self.number(d)),
            6 => format!(
                "({} ? {} : {})",
                self.boolean(d),
                self.number(d),
                self.number(d)
            ),
            7 => format!("[{}, {}][1]", self.number(d), self.number(d)),
            8 => format!("{{ n = {} }}.n", self.number(d)),
            9 => format!("\"${{{}}}\"", self.number(d)),
            _ => format!("(\"{}\" + 1)", self.random.pick(&["5", "2.5", "1e2", "-3"])),
        }
    }

    /// A bool expression.
    fn boolean(&mut self, depth: usize) -> String {
        if depth == 0 || self.random.below(3) == 0 {
            return self.random.pick(&["true", "false"]).to_string();
        }
        let d = depth - 1;
        match self.random.below(8) {
            0 => format!("({} < {})", self.number(d), self.number(d)),
            1 => format!("({} >= {})", self.number(d), self.number(d)),
            2 => format!("({} == {})", self.number(d), self.number(d)),
            3 => format!("({} != {})", self.string(d), self.string(d)),
            4 => format!("({} && {})", self.boolean(d), self.boolean(d)),
            5 => format!("({} || !{})", self.boolean(d), self.boolean(d)),
            6 => format!("!({})", self.boolean(d)),
            _ => format!("(\"{}\" == \"true\")", self.random.pick(&["true", "false"])),
        }
    }

    /// A quoted string literal, with escapes.
    fn quoted(&mut self) -> String {
        let pieces = [
            "a",
            "hub",
            " ",
            "é",
            "日本",
            "😀",
            "\\n",
            "\\t",
            "\\\"",
            "\\\\",
            "\\u00e9",
            "$${x}",
            "%%{y}",
            "$",
            "%",
            "us-central1",
            "-",
        ];
        let n = self.random.below(4);
        let text: String = (0..n).map(|_| self.random.pick(&pieces)).collect();
        format!("\"{text}\"")
    }

    /// A string expression.
    fn string(&mut self, depth: usize) -> String {
        if depth == 0 || self.random.below(3) == 0 {
            return self.quoted();
        }
        let d = depth - 1;
        match self.random.below(9) {
            0 => format!("\"a${{{}}}b\"", self.number(d)),
            1 => {
                self.templates += 1;
                let text = format!("\"${{{}}}-${{{}}}\"", self.string(d), self.boolean(d));
                self.templates -= 1;
                text
            }
            2 => format!(
                "\"%{{ if {} }}yes%{{ else }}no%{{ endif }}\"",
                self.boolean(d)
            ),
            3 => format!(
                "\"%{{ for i, x in [{}, {}] ~}}  ${{i}}:${{x}},  %{{~ endfor }}\"",
                self.number(d),
                self.quoted()
            ),
            4 => format!(
                "({} ? {} : {})",
                self.boolean(d),
                self.string(d),
                self.number(d)
            ),
            5 if self.templates == 0 => self.heredoc(d),
            6 => {
                self.templates += 1;
                let text = format!("\"a ${{~ {} ~}} b\"", self.string(d));
                self.templates -= 1;
                text
            }
            7 => format!(
                "\"%{{ for k, v in {{ b = 1, a = {} }} }}${{k}}=${{v}};%{{ endfor }}\"",
                self.number(d)
            ),
            _ => format!("[{}, {}][0]", self.string(d), self.string(d)),
        }
    }

    /// A heredoc, flush (`<<-`) or not, with indentation of spaces or tabs, blank lines and
    /// interpolations.
    fn heredoc(&mut self, depth: usize) -> String {
        let depth = depth.min(1);
        self.templates += 1;
        let flush = self.random.below(2) == 0;
        let indent = self.random.pick(&["", "  ", "    ", "\t"]);
        let mut text = format!("<<{}EOT\n", if flush { "-" } else { "" });
        for _ in 0..1 + self.random.below(4) {
            let extra = self.random.pick(&["", "", "  ", " "]);
            let line = match self.random.below(6) {
                0 => String::new(),
                1 => format!("value ${{{}}}", self.number(depth)),
                2 => "literal \\n $${not} %%{this}".to_string(),
                3 => format!(
                    "%{{ if {} }}on%{{ else }}off%{{ endif }}",
                    self.boolean(depth)
                ),
                4 => format!("${{~ {} }}", self.quoted()),
                _ => "text with \"quotes\" and é".to_string(),
            };
            if line.is_empty() {
                text.push_str(self.random.pick(&["", "  "]));
            } else {
                text.push_str(&format!("{indent}{extra}{line}"));
            }
            text.push('\n');
        }
        // The closing marker must end its line.
        text.push_str(&format!("{indent}EOT\n"));
        self.templates -= 1;
        text
    }

    /// Any expression: also lists, objects, `for` expressions, splats and null.
    fn any(&mut self, depth: usize) -> String {
        let d = depth.saturating_sub(1);
        match self.random.below(if depth == 0 { 4 } else { 12 }) {
            0 => self.number(depth),
            1 => self.string(depth),
            2 => self.boolean(depth),
            3 => "null".to_string(),
            4 | 5 => self.list(d),
            6 | 7 => self.object(d),
            8 => {
                let variable = format!("x{depth}");
                self.numbers_in_scope.push(variable.clone());
                let body = self.number(d);
                self.numbers_in_scope.pop();
                let condition = if self.random.below(2) == 0 {
                    format!(" if {variable} > 1")
                } else {
                    String::new()
                };
                format!(
                    "[for {variable} in [{}, 2, 3]: {body}{condition}]",
                    self.number(d)
                )
            }
            9 => format!("{{for k, v in {}: \"up-${{k}}\" => v}}", self.object(d)),
            10 => format!(
                "[{{ a = {} }}, {{ a = {} }}][*].a",
                self.any(d),
                self.any(d)
            ),
            _ => format!(
                "{{for x in [{}, 1, 2]: (x > 1 ? \"big\" : \"small\") => x...}}",
                self.number(d)
            ),
        }
    }

    /// A list, laid out with commas or newlines, a trailing comma and comments.
    fn list(&mut self, depth: usize) -> String {
        let n = self.random.below(4);
        let elements: Vec<String> = (0..n).map(|_| self.any(depth)).collect();
        if self.random.below(2) == 0 {
            return format!("[{}]", elements.join(", "));
        }
        let mut text = String::from("[\n");
        for element in elements {
            let comment = self
                .random
                .pick(&["", " # note", " // note", " /* note */"]);
            text.push_str(&format!("  {element},{comment}\n"));
        }
        text.push(']');
        text
    }

    /// An object with bare, quoted and computed keys, `=` or `:`, commas or newlines.
    fn object(&mut self, depth: usize) -> String {
        let n = self.random.below(4);
        let multi_line = self.random.below(2) == 0;
        let mut entries = Vec::new();
        for index in 0..n {
            let key = match self.random.below(4) {
                0 => format!("key{index}"),
                1 => format!("\"k/{index} é\""),
                2 => format!("(\"computed${{{index}}}\")"),
                _ => format!("dash-{index}"),
            };
            let assign = self.random.pick(&["=", ":", " ="]);
            entries.push(format!("{key} {assign} {}", self.any(depth)));
        }
        if multi_line || entries.iter().any(|entry| entry.contains('\n')) {
            let body: String = entries
                .iter()
                .map(|entry| format!("  {entry}\n  /* between */\n"))
                .collect();
            format!("{{\n{body}}}")
        } else {
            format!("{{ {} }}", entries.join(", "))
        }
    }
}

/// The text of `terraform show -json`, with every number rewritten as a string tagged with its
/// value as hubc holds it: an integer that fits in an `i64` exactly, any other number as the
/// nearest `f64` (the integer it equals, if it is whole). That is where both readings must
/// agree: Terraform prints `10/3` with 155 digits, and hubc's value of it with 17.
fn numbers_as_values(json: &str) -> String {
    let mut output = String::new();
    let mut in_string = false;
    let mut characters = json.char_indices().peekable();
    while let Some((at, character)) = characters.next() {
        if in_string {
            output.push(character);
            if character == '\\' {
                output.push(characters.next().map_or(' ', |(_, next)| next));
            } else if character == '"' {
                in_string = false;
            }
        } else if character == '"' {
            in_string = true;
            output.push(character);
        } else if character == '-' || character.is_ascii_digit() {
            let mut end = at + character.len_utf8();
            while let Some(&(next_at, next)) = characters.peek() {
                if !(next.is_ascii_digit() || "+-.eE".contains(next)) {
                    break;
                }
                end = next_at + next.len_utf8();
                characters.next();
            }
            let token = &json[at..end];
            let value = match token.parse::<i64>() {
                Ok(integer) => format!("int {integer}"),
                Err(_) => {
                    let float: f64 = token.parse().expect("a JSON number");
                    // A whole float is the integer it equals, as hubc holds it.
                    let limit = 9_223_372_036_854_775_808.0;
                    if float.fract() == 0.0 && (-limit..limit).contains(&float) {
                        format!("int {}", float as i64)
                    } else {
                        format!("float {float:?}")
                    }
                }
            };
            output.push_str(&format!("\"{value}\""));
        } else {
            output.push(character);
        }
    }
    output
}

/// The values Terraform reads from the variables files, by variable name.
fn terraform_values(work: &Path, files: &[std::path::PathBuf]) -> serde_json::Value {
    let plan = work.join("plan");
    let mut command = Command::new("terraform");
    command
        .current_dir(work)
        .args(["plan", "-input=false", "-no-color", "-lock=false"]);
    for file in files {
        command.arg(format!("-var-file={}", file.display()));
    }
    let output = command
        .arg(format!("-out={}", plan.display()))
        .output()
        .expect("terraform runs");
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let shown = Command::new("terraform")
        .current_dir(work)
        .args(["show", "-json", "-no-color"])
        .arg(&plan)
        .output()
        .expect("terraform show runs");
    let text = numbers_as_values(&String::from_utf8_lossy(&shown.stdout));
    let plan: serde_json::Value = serde_json::from_str(&text).expect("plan JSON");
    plan["variables"].clone()
}

#[cfg_attr(hubc_no_terraform, ignore = "terraform is not installed")]
#[test]
fn generated_tfvars_mean_to_hubc_what_they_mean_to_terraform() {
    if !common::terraform_installed() {
        return;
    }
    let n_files: usize = std::env::var("HUBC_TFVARS_CASES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(200);
    let n_variables = 10;
    let directory = TempDir::new("generated");
    let work = directory.join("module");
    let mut declarations = String::new();
    let mut generator = Generator {
        random: Random(0x7F4A_7C15),
        numbers_in_scope: Vec::new(),
        templates: 0,
    };
    let (mut originals, mut emitted) = (Vec::new(), Vec::new());
    let mut sources = std::collections::BTreeMap::new();
    for file in 0..n_files {
        let mut text = String::from("# A generated variables file.\n");
        for variable in 0..n_variables {
            let name = format!("v{file}_{variable}");
            declarations.push_str(&format!(
                "variable \"{name}\" {{\n  type    = any\n  default = null\n}}\n"
            ));
            let expression = generator.any(3);
            let comment = generator
                .random
                .pick(&["", "// line\n", "/* block */\n", "\n"]);
            text.push_str(&format!("{comment}{name} = {expression}\n"));
            sources.insert(name, expression);
        }
        let read = hubc::import::terraform::parse_tfvars(&text)
            .unwrap_or_else(|error| panic!("file {file}: {error:?}\n{text}"));
        originals.push(directory.write(&format!("original/{file}.tfvars"), &text));
        let written = hubc::emit::hcl::tfvars(&read);
        emitted.push(directory.write(&format!("emitted/{file}.tfvars"), written));
    }
    directory.write("module/variables.tf", &declarations);
    common::terraform_init(&work);
    let before = terraform_values(&work, &originals);
    let after = terraform_values(&work, &emitted);
    let mut differences = Vec::new();
    for (name, expression) in &sources {
        if before[name] != after[name] {
            differences.push(format!(
                "{name} = {expression}\n  terraform: {}\n  hubc:      {}",
                before[name], after[name]
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "{} of {} variables differ:\n{}",
        differences.len(),
        sources.len(),
        differences.join("\n")
    );
}
