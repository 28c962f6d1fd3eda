//! The budget of the Markdown diff. GitHub refuses a comment over 65,536 characters, so the
//! comment is written in sections that share a budget of bytes: each section always shows its
//! heading and its counts (its floor), the rest of the budget is shared by weight, what a section
//! does not use flows to the next, and what is left at the end flows back to the first sections
//! that had to leave something out. Everything left out is counted, and the comment ends by
//! saying what it left out.

/// What the comment may take, in bytes, of the 65,536 characters GitHub allows. A character is
/// at least one byte, and at least one UTF-16 unit, so this holds however GitHub counts; the rest
/// is room for a line CI adds (a link to the whole report).
pub(super) const BUDGET: usize = 60_000;
/// Room kept for the closing note that says what was left out.
const FOOTER: usize = 2_000;
/// Room kept after a table or list that may be cut, for the line saying how many more there are.
const MORE: usize = 120;

/// A part of the comment and its share of the budget.
pub(super) struct Section<'r> {
    pub weight: usize,
    /// Writes the section: its floor with [`Writer::always`] first, then the rest while it fits.
    pub write: Box<dyn Fn(&mut Writer) + 'r>,
}

/// What one kind of item lost to the budget: how many were shown, of how many.
#[derive(Clone, Copy, Default)]
pub(super) struct Shown {
    pub shown: usize,
    pub total: usize,
}

/// Markdown written within a budget of bytes.
#[derive(Clone)]
pub(super) struct Writer {
    out: String,
    budget: usize,
    /// Bytes promised to text still to come: a closing tag, a note.
    reserved: usize,
    /// Items that might not fit, by kind, in the order they first came.
    counts: Vec<(&'static str, Shown)>,
}

impl Writer {
    pub fn new(budget: usize) -> Writer {
        Writer {
            out: String::new(),
            budget,
            reserved: 0,
            counts: Vec::new(),
        }
    }

    /// Writes what a section always shows, whatever its budget: its heading and counts. It comes
    /// before anything else the section writes, and depends on nothing but the report.
    pub fn always(&mut self, text: &str) {
        // Anything written that might not fit is counted: nothing has been, or the floor of the
        // section would depend on its budget.
        debug_assert!(self.counts.is_empty(), "`always` after what might not fit");
        self.out.push_str(text);
    }

    /// Whether `bytes` more fit, with what is promised to text still to come.
    pub fn fits(&self, bytes: usize) -> bool {
        self.out.len() + bytes + self.reserved <= self.budget
    }

    /// How many items were left out, of every kind.
    pub fn left_out(&self) -> usize {
        self.counts.iter().map(|(_, c)| c.total - c.shown).sum()
    }

    /// Counts `total` items of a kind, `shown` of which are in the comment.
    fn count(&mut self, what: &'static str, shown: usize, total: usize) {
        add(&mut self.counts, what, Shown { shown, total });
    }

    /// Writes a block (ending with a blank line) when it fits; counts it as one `what`.
    pub fn block(&mut self, text: &str, what: &'static str) -> bool {
        let fits = self.fits(text.len());
        if fits {
            self.out.push_str(text);
        }
        self.count(what, usize::from(fits), 1);
        fits
    }

    /// A table: the header and as many of the first `limit` rows as fit, then a line saying how
    /// many more `what` there are.
    pub fn table(&mut self, header: &[&str], rows: &[String], limit: usize, what: &'static str) {
        let mut head = format!("| {} |\n|", header.join(" | "));
        head.push_str(&" --- |".repeat(header.len()));
        head.push('\n');
        let lines: Vec<String> = rows.iter().map(|row| format!("{row}\n")).collect();
        self.lines(&head, &lines, limit, what);
    }

    /// A list after a paragraph `label` (none when empty): as many of the first `limit` items as
    /// fit, then a line saying how many more `what` there are. The label is shown only with
    /// items.
    pub fn list(&mut self, label: &str, items: &[String], limit: usize, what: &'static str) {
        let head = if label.is_empty() {
            String::new()
        } else {
            format!("{label}\n\n")
        };
        let lines: Vec<String> = items.iter().map(|item| format!("- {item}\n")).collect();
        self.lines(&head, &lines, limit, what);
    }

    /// Lines of one block after `head`, as many as fit, and a blank line; nothing, not even
    /// `head`, when the first line does not fit.
    fn lines(&mut self, head: &str, lines: &[String], limit: usize, what: &'static str) {
        if lines.is_empty() {
            return;
        }
        self.reserved += MORE;
        let mut shown = 0;
        if self.fits(head.len() + lines[0].len() + 1) {
            self.out.push_str(head);
            for line in lines.iter().take(limit) {
                if !self.fits(line.len() + 1) {
                    break;
                }
                self.out.push_str(line);
                shown += 1;
            }
            self.out.push('\n');
        }
        self.reserved -= MORE;
        let more = lines.len() - shown;
        if more > 0 {
            let note = if shown == 0 {
                format!("{more} {what} not shown.\n\n")
            } else {
                format!("\u{2026} and {more} more {what}.\n\n")
            };
            if self.fits(note.len()) {
                self.out.push_str(&note);
            }
        }
        self.count(what, shown, lines.len());
    }

    /// Runs `write` on a copy of the writer, and keeps what it wrote only when it left nothing
    /// out: a section shows everything in its natural order when it can.
    pub fn whole(&mut self, write: impl FnOnce(&mut Writer)) -> bool {
        let mut trial = self.clone();
        write(&mut trial);
        let whole = trial.left_out() == self.left_out();
        if whole {
            *self = trial;
        }
        whole
    }

    /// A `<details>` block titled `summary` (HTML text on one line), whose body `write` fills
    /// with what fits besides the closing tag. When `write` says it showed nothing worth
    /// showing, the block is taken back and counted as a `what` left out.
    pub fn details(
        &mut self,
        summary: &str,
        what: &'static str,
        write: impl FnOnce(&mut Writer) -> bool,
    ) {
        const CLOSE: &str = "</details>\n\n";
        let open = format!("<details><summary>{summary}</summary>\n\n");
        let before = self.clone();
        let mut shown = false;
        if self.fits(open.len() + CLOSE.len()) {
            self.out.push_str(&open);
            self.reserved += CLOSE.len();
            shown = write(self);
            self.reserved -= CLOSE.len();
        }
        if shown {
            self.out.push_str(CLOSE);
        } else {
            *self = before;
        }
        self.count(what, usize::from(shown), 1);
    }
}

/// Writes `head`, then each section within its share of the budget, then the note saying what
/// was left out and `see_all`, the sentence that says how to see everything.
pub(super) fn compose(head: &str, sections: &[Section<'_>], see_all: &str) -> String {
    let floors: Vec<usize> = sections
        .iter()
        .map(|section| {
            let mut floor = Writer::new(0);
            (section.write)(&mut floor);
            floor.out.len()
        })
        .collect();
    let spare = BUDGET.saturating_sub(head.len() + FOOTER + floors.iter().sum::<usize>());
    let weights = sections.iter().map(|s| s.weight).sum::<usize>().max(1);
    let mut carry = 0;
    let mut written: Vec<Writer> = Vec::new();
    for (section, floor) in sections.iter().zip(&floors) {
        let mut writer = Writer::new(floor + spare * section.weight / weights + carry);
        (section.write)(&mut writer);
        carry = writer.budget.saturating_sub(writer.out.len());
        written.push(writer);
    }
    // What no section used goes back to the first that left something out.
    for (section, writer) in sections.iter().zip(written.iter_mut()) {
        let budget = writer.out.len() + carry;
        if writer.left_out() == 0 || budget <= writer.budget {
            continue;
        }
        let mut again = Writer::new(budget);
        (section.write)(&mut again);
        carry = budget.saturating_sub(again.out.len());
        *writer = again;
    }
    let mut out = head.to_string();
    let mut counts = Vec::new();
    for writer in &written {
        out.push_str(&writer.out);
        for &(what, count) in &writer.counts {
            add(&mut counts, what, count);
        }
    }
    out.push_str(&footer(&counts, see_all));
    out
}

/// Adds `count` to the count of its kind.
fn add(counts: &mut Vec<(&'static str, Shown)>, what: &'static str, count: Shown) {
    match counts.iter_mut().find(|(kind, _)| *kind == what) {
        Some((_, entry)) => {
            entry.shown += count.shown;
            entry.total += count.total;
        }
        None => counts.push((what, count)),
    }
}

/// The note that ends a comment that left something out, within [`FOOTER`] bytes.
fn footer(counts: &[(&'static str, Shown)], see_all: &str) -> String {
    let cut: Vec<String> = counts
        .iter()
        .filter(|(_, c)| c.shown < c.total)
        .map(|(what, c)| format!("{} of {} {what}", c.total - c.shown, c.total))
        .collect();
    if cut.is_empty() {
        return String::new();
    }
    let mut note =
        "**Left out** to keep this comment under GitHub's limit of 65,536 characters: ".to_string();
    let room = FOOTER.saturating_sub(see_all.len() + 40);
    let mut listed = 0;
    for item in &cut {
        if note.len() + 2 + item.len() > room {
            break;
        }
        if listed > 0 {
            note.push_str(", ");
        }
        note.push_str(item);
        listed += 1;
    }
    if listed < cut.len() {
        note.push_str(&format!(" and {} more kinds", cut.len() - listed));
    }
    format!("{note}. {see_all}\n")
}
