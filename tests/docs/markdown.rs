//! Reading Markdown: its fenced blocks, with the heading each sits under, and the commands
//! and output of its ```` ```console ```` blocks.

/// A fenced block of a document, its lines without the fence's indentation.
pub struct Fenced {
    /// The document, relative to the repository root.
    pub document: String,
    /// The line of the opening fence, from 1.
    pub line: usize,
    /// The heading the block sits under.
    pub heading: String,
    /// The info string after the opening fence, such as `console,norun`.
    pub info: String,
    pub lines: Vec<String>,
}

impl Fenced {
    pub fn name(&self) -> String {
        format!("{}:{} ({})", self.document, self.line, self.heading)
    }
}

/// A ```` ```console ```` block: its commands, and the marks after `console` in its info
/// string, such as `norun`.
pub struct Block {
    pub fenced: Fenced,
    pub marks: Vec<String>,
    pub steps: Vec<Step>,
}

/// One command of a block and the lines it is shown to print.
pub struct Step {
    pub command: String,
    pub expected: Vec<String>,
}

impl Block {
    /// The block `fenced` is, if it is a console block.
    pub fn from_fenced(fenced: Fenced) -> Option<Block> {
        let mut words = fenced.info.split(',').map(str::trim);
        if words.next() != Some("console") {
            return None;
        }
        let marks = words.map(str::to_string).collect();
        let mut steps: Vec<Step> = Vec::new();
        for (offset, line) in fenced.lines.iter().enumerate() {
            if let Some(command) = line.strip_prefix("$ ") {
                steps.push(Step {
                    command: command.to_string(),
                    expected: Vec::new(),
                });
            } else {
                let step = steps.last_mut().unwrap_or_else(|| {
                    panic!(
                        "{}:{}: output before any `$ ` command",
                        fenced.document,
                        fenced.line + 1 + offset
                    )
                });
                step.expected.push(line.clone());
            }
        }
        Some(Block {
            fenced,
            marks,
            steps,
        })
    }

    /// Whether the info string marks the block with `mark`, as `console,norun` does.
    pub fn has_mark(&self, mark: &str) -> bool {
        self.marks.iter().any(|marked| marked == mark)
    }

    pub fn shows_output(&self) -> bool {
        self.steps.iter().any(|step| !step.expected.is_empty())
    }

    pub fn uses_corpus(&self) -> bool {
        self.steps
            .iter()
            .any(|step| step.command.contains("../shared/corpus"))
    }
}

/// Every fenced block of a document, `document` being its path for messages.
pub fn fenced_blocks(document: &str, text: &str) -> Vec<Fenced> {
    let mut blocks = Vec::new();
    let mut heading = String::new();
    // The block being read, and the indentation of its fence.
    let mut open: Option<(Fenced, usize)> = None;
    for (index, line) in text.lines().enumerate() {
        let fence = line.trim_start();
        match open.take() {
            Some((block, _)) if fence == "```" => blocks.push(block),
            Some((mut block, indent)) => {
                // A line indented less than its fence loses only the indentation it has.
                let cut = indent.min(line.len() - fence.len());
                block
                    .lines
                    .push(line.get(cut..).unwrap_or(fence).to_string());
                open = Some((block, indent));
            }
            None => {
                if let Some(info) = fence.strip_prefix("```") {
                    let block = Fenced {
                        document: document.to_string(),
                        line: index + 1,
                        heading: heading.clone(),
                        info: info.trim().to_string(),
                        lines: Vec::new(),
                    };
                    open = Some((block, line.len() - fence.len()));
                } else if line.starts_with('#') {
                    heading = line.trim_start_matches('#').trim().to_string();
                }
            }
        }
    }
    assert!(open.is_none(), "{document}: a fenced block is never closed");
    blocks
}

#[test]
fn console_blocks_are_read_with_their_marks_commands_and_output() {
    let text = "# Title\n\n```hub\n# not a heading\n```\n\n## Section\n\n  ```console,norun\n  $ hubc check a.hub   # a comment\n  checked\n\n  $ hubc fmt\n  ```\n";
    let blocks: Vec<Block> = fenced_blocks("doc.md", text)
        .into_iter()
        .filter_map(Block::from_fenced)
        .collect();
    let [block] = blocks.as_slice() else {
        panic!("one console block, not {}", blocks.len());
    };
    assert_eq!(block.fenced.name(), "doc.md:9 (Section)");
    assert_eq!(block.marks, ["norun"]);
    let steps: Vec<(&str, &[String])> = block
        .steps
        .iter()
        .map(|step| (step.command.as_str(), step.expected.as_slice()))
        .collect();
    assert_eq!(
        steps,
        [
            (
                "hubc check a.hub   # a comment",
                &["checked".to_string(), String::new()][..]
            ),
            ("hubc fmt", &[][..]),
        ]
    );
}
