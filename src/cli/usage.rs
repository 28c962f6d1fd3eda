//! A command line that does not parse: clap's error turned into a `hub::cli::usage` diagnostic
//! that points at the offending argument, printed in the format the arguments ask for when that
//! can be told, and a distinct exit code.

use std::ffi::OsString;
use std::process::ExitCode;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{CommandFactory, ValueEnum};
use hubc::analysis::Session;
use hubc::diagnostics::Format;

use super::{Cli, CliError, Color, OutputFormat, print_diagnostics_as, use_color};

/// The exit code of a command line that does not parse: `EX_USAGE` of BSD's `sysexits.h`,
/// distinct from 2, which means "differences found".
pub const EXIT_USAGE: u8 = 64;

/// Reports a command line clap could not parse and picks the exit code. Help and the version
/// are not errors: clap prints them on stdout and the program exits 0.
pub fn report(error: clap::Error, args: &[OsString]) -> ExitCode {
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    ) {
        error.exit();
    }
    let words = words(args);
    let line = CommandLine::new(&words);
    let diagnostic = diagnose(&error, &line);
    print(&diagnostic, &line, &words)
}

/// Reports a `--format` the command cannot print, as a command line that does not parse: the
/// same code, the same exit code, before any work is done. `accepted` are the formats the
/// command prints.
pub fn unsupported_format(
    args: &[OsString],
    command: &str,
    format: OutputFormat,
    accepted: &[OutputFormat],
) -> ExitCode {
    let words = words(args);
    let line = CommandLine::new(&words);
    let name = format_name(format);
    let accepted: Vec<String> = accepted
        .iter()
        .map(|&format| format!("`{}`", format_name(format)))
        .collect();
    let diagnostic = CliError::Usage {
        message: format!("`hubc {command}` does not print `{name}`"),
        label: format!("not a format of `hubc {command}`"),
        at: line
            .find(&name, Some("--format"))
            .unwrap_or_else(|| line.whole())
            .into(),
        help: match accepted.split_last() {
            Some((last, [])) => format!("`hubc {command}` prints only {last}; drop `--format`"),
            Some((last, rest)) => format!("`hubc {command}` prints {} or {last}", rest.join(", ")),
            None => format!("`hubc {command} --help` describes it"),
        },
    };
    print(&diagnostic, &line, &words)
}

/// The arguments after the program's name, as text.
fn words(args: &[OsString]) -> Vec<String> {
    args.iter()
        .skip(1)
        .map(|arg| arg.to_string_lossy().into_owned())
        .collect()
}

/// The name a format is given on the command line, such as `json`.
fn format_name(format: OutputFormat) -> String {
    format
        .to_possible_value()
        .map(|value| value.get_name().to_string())
        .unwrap_or_default()
}

/// Prints a `hub::cli::usage` diagnostic in the format the arguments ask for and picks the
/// exit code.
fn print(diagnostic: &CliError, line: &CommandLine, words: &[String]) -> ExitCode {
    let mut session = Session::default();
    let file = session.sources.add("<command line>", line.text.as_str());
    session
        .diagnostics
        .push(hubc::diagnostics::Diagnostic::from_miette(file, diagnostic));
    print_diagnostics_as(&session, requested_format(words), requested_color(words), 0);
    ExitCode::from(EXIT_USAGE)
}

/// The command line as one source line, `hubc` and the arguments separated by spaces (an
/// argument that holds a space or is empty quoted), with where each argument starts.
struct CommandLine {
    text: String,
    words: Vec<(usize, String)>,
}

impl CommandLine {
    fn new(arguments: &[String]) -> CommandLine {
        let mut text = "hubc".to_string();
        let mut words = Vec::new();
        for argument in arguments {
            text.push(' ');
            let shown = if argument.is_empty() || argument.contains(char::is_whitespace) {
                format!("'{argument}'")
            } else {
                argument.clone()
            };
            words.push((text.len(), shown.clone()));
            text.push_str(&shown);
        }
        CommandLine { text, words }
    }

    /// The span of the first argument that is `word`, or of the value in `--flag=word`.
    fn find(&self, word: &str, flag: Option<&str>) -> Option<(usize, usize)> {
        let joined = flag.map(|flag| format!("{flag}={word}"));
        for (index, (start, shown)) in self.words.iter().enumerate() {
            if let Some(joined) = &joined
                && shown == joined
            {
                let value_start = start + joined.len() - word.len();
                return Some((value_start, word.len()));
            }
            let after_flag = match (flag, index.checked_sub(1)) {
                (Some(flag), Some(previous)) => self.words[previous].1 == flag,
                (Some(_), None) => false,
                (None, _) => true,
            };
            if shown == word && after_flag {
                return Some((*start, shown.len()));
            }
        }
        None
    }

    /// The span of the first argument that is `word`, however it is placed.
    fn find_anywhere(&self, word: &str) -> Option<(usize, usize)> {
        self.find(word, None)
    }

    /// The span of the last argument that gives `flag`, as `--flag` or `--flag=value`: when an
    /// option is given twice, the second is at fault.
    fn find_last_option(&self, flag: &str) -> Option<(usize, usize)> {
        let joined = format!("{flag}=");
        self.words
            .iter()
            .rev()
            .find(|(_, shown)| shown == flag || shown.starts_with(&joined))
            .map(|(start, shown)| (*start, shown.len()))
    }

    /// The span of the command, `hubc` and the subcommand's name when one was given.
    fn command(&self, subcommand: &[String]) -> (usize, usize) {
        let end = subcommand
            .last()
            .and_then(|name| self.find_anywhere(name))
            .map_or("hubc".len(), |(start, length)| start + length);
        (0, end)
    }

    /// The first argument that names one of `hubc`'s commands.
    fn typed_subcommand(&self) -> Option<String> {
        let cli = Cli::command();
        self.words
            .iter()
            .map(|(_, word)| word)
            .take_while(|word| *word != "--")
            .find(|word| cli.find_subcommand(word.as_str()).is_some())
            .cloned()
    }

    fn whole(&self) -> (usize, usize) {
        (0, self.text.len())
    }
}

/// The diagnostic for one of clap's errors: a message in the house style where the kind is
/// known, clap's own message otherwise, with clap's suggestion as the help.
fn diagnose(error: &clap::Error, line: &CommandLine) -> CliError {
    let usage = context_text(error, ContextKind::Usage)
        .map(|usage| usage.trim().trim_start_matches("Usage:").trim().to_string());
    // The command as typed, such as `hubc explain`: from the usage line clap prints, or else
    // the first argument that names a command.
    let command: Vec<String> = match usage.as_deref() {
        Some(usage) => usage
            .split_whitespace()
            .take_while(|word| !word.starts_with(['[', '<', '-']))
            .map(str::to_string)
            .collect(),
        None => std::iter::once("hubc".to_string())
            .chain(line.typed_subcommand())
            .collect(),
    };
    let command_name = command.join(" ");
    let subcommand = &command[command.len().min(1)..];
    let invalid_arg = context_text(error, ContextKind::InvalidArg);
    let invalid_value = context_text(error, ContextKind::InvalidValue);
    // `--format <FORMAT>` names the flag `--format`.
    let flag = invalid_arg
        .as_deref()
        .map(|arg| arg.split_whitespace().next().unwrap_or(arg).to_string());
    let did_you_mean =
        |kind| context_text(error, kind).map(|suggestion| format!("did you mean `{suggestion}`?"));
    let (message, label, span, help) = match error.kind() {
        ErrorKind::UnknownArgument => {
            let argument = invalid_arg.clone().unwrap_or_default();
            (
                format!("unexpected argument `{argument}`"),
                format!("not an argument of `{command_name}`"),
                line.find_anywhere(&argument)
                    .unwrap_or_else(|| line.command(subcommand)),
                did_you_mean(ContextKind::SuggestedArg)
                    .or_else(|| clap_tip(error))
                    .unwrap_or_else(|| format!("`{command_name} --help` lists its arguments")),
            )
        }
        ErrorKind::InvalidSubcommand => {
            let name = context_text(error, ContextKind::InvalidSubcommand).unwrap_or_default();
            (
                format!("no command `{name}`"),
                "not a command of `hubc`".to_string(),
                line.find_anywhere(&name).unwrap_or_else(|| line.whole()),
                did_you_mean(ContextKind::SuggestedSubcommand)
                    .unwrap_or_else(|| format!("name one of {}", subcommands())),
            )
        }
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => (
            "no command given".to_string(),
            "a command goes after this".to_string(),
            line.command(subcommand),
            format!(
                "name one of {}; `hubc --help` describes each",
                subcommands()
            ),
        ),
        // Clap reports an option given no value as an empty value.
        ErrorKind::InvalidValue if invalid_value.as_deref().is_none_or(str::is_empty) => {
            let flag = flag.clone().unwrap_or_default();
            let valid = context_texts(error, ContextKind::ValidValue);
            (
                format!("`{flag}` needs a value"),
                "no value after this".to_string(),
                line.find_anywhere(&flag)
                    .unwrap_or_else(|| line.command(subcommand)),
                if valid.is_empty() {
                    format!("`{command_name} --help` describes `{flag}`")
                } else {
                    format!("pass one of `{}`", valid.join("`, `"))
                },
            )
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let value = invalid_value.clone().unwrap_or_default();
            let flag = flag.clone().unwrap_or_default();
            let reason = match error.kind() {
                ErrorKind::ValueValidation => std::error::Error::source(error)
                    .map(|source| format!(": {source}"))
                    .unwrap_or_default(),
                _ => String::new(),
            };
            let valid = context_texts(error, ContextKind::ValidValue);
            let help = did_you_mean(ContextKind::SuggestedValue).unwrap_or_else(|| {
                if valid.is_empty() {
                    format!("`{command_name} --help` describes `{flag}`")
                } else {
                    format!("pass one of `{}`", valid.join("`, `"))
                }
            });
            let typed = line
                .find(&value, Some(&flag))
                .or_else(|| line.find_anywhere(&value));
            // A value not on the command line came from the option's environment variable.
            let label = match (typed, environment_variable(&flag)) {
                (None, Some(variable)) => format!("`{flag}` is set by `{variable}`"),
                _ => format!("not a value of `{flag}`"),
            };
            (
                format!("invalid value `{value}` for `{flag}`{reason}"),
                label,
                typed.unwrap_or_else(|| line.whole()),
                help,
            )
        }
        ErrorKind::MissingRequiredArgument => {
            let missing = context_texts(error, ContextKind::InvalidArg);
            (
                format!("`{command_name}` needs `{}`", missing.join("` and `")),
                format!(
                    "{} missing",
                    if missing.len() == 1 {
                        "an argument is"
                    } else {
                        "arguments are"
                    }
                ),
                line.command(subcommand),
                match &usage {
                    Some(usage) => format!("write it as `{usage}`"),
                    None => format!("`{command_name} --help` describes its arguments"),
                },
            )
        }
        _ => {
            let (message, tip) = clap_message(error);
            (
                message,
                "not accepted here".to_string(),
                flag.as_deref()
                    .and_then(|flag| line.find_last_option(flag))
                    .unwrap_or_else(|| line.command(subcommand)),
                tip.unwrap_or_else(|| format!("`{command_name} --help` describes its arguments")),
            )
        }
    };
    CliError::Usage {
        message,
        label,
        at: span.into(),
        help,
    }
}

/// The environment variable an option of `hubc` is read from, such as `HUBC_TODAY`.
fn environment_variable(flag: &str) -> Option<String> {
    let name = flag.strip_prefix("--")?;
    Cli::command()
        .get_arguments()
        .find(|argument| argument.get_long() == Some(name))?
        .get_env()
        .map(|variable| variable.to_string_lossy().into_owned())
}

/// The commands of `hubc`, as a list for a help text.
fn subcommands() -> String {
    let names: Vec<String> = Cli::command()
        .get_subcommands()
        .map(|subcommand| format!("`{}`", subcommand.get_name()))
        .collect();
    names.join(", ")
}

fn context_text(error: &clap::Error, kind: ContextKind) -> Option<String> {
    context_texts(error, kind).into_iter().next()
}

fn context_texts(error: &clap::Error, kind: ContextKind) -> Vec<String> {
    match error.get(kind) {
        Some(ContextValue::String(text)) => vec![text.clone()],
        Some(ContextValue::Strings(texts)) => texts.clone(),
        Some(ContextValue::StyledStr(text)) => vec![text.to_string()],
        Some(ContextValue::StyledStrs(texts)) => texts.iter().map(ToString::to_string).collect(),
        Some(ContextValue::Number(number)) => vec![number.to_string()],
        _ => Vec::new(),
    }
}

/// Clap's own tip, such as "to pass `--x` as a value, use `-- --x`", with backticks for its
/// quotes.
fn clap_tip(error: &clap::Error) -> Option<String> {
    clap_message(error).1
}

/// Clap's message, one line, and its tip, with backticks for clap's quotes.
fn clap_message(error: &clap::Error) -> (String, Option<String>) {
    let rendered = error.render().to_string();
    let mut message = String::new();
    let mut tip = None;
    for paragraph in rendered.split("\n\n") {
        let paragraph = paragraph.trim();
        if let Some(first) = paragraph.strip_prefix("error:") {
            message = first.split_whitespace().collect::<Vec<_>>().join(" ");
        } else if let Some(text) = paragraph.strip_prefix("tip:") {
            tip = Some(text.split_whitespace().collect::<Vec<_>>().join(" "));
        }
    }
    (backticked(&message), tip.as_deref().map(backticked))
}

/// Clap quotes names as `'name'`; the house style is `` `name` ``.
fn backticked(text: &str) -> String {
    let mut result = String::new();
    let mut quoting = false;
    let characters: Vec<char> = text.chars().collect();
    for (index, &character) in characters.iter().enumerate() {
        let before = index.checked_sub(1).map(|i| characters[i]);
        let opens = character == '\'' && !quoting && before.is_none_or(|c| !c.is_alphanumeric());
        let closes = character == '\''
            && quoting
            && characters
                .get(index + 1)
                .is_none_or(|c| !c.is_alphanumeric());
        if opens || closes {
            quoting = opens;
            result.push('`');
        } else {
            result.push(character);
        }
    }
    result
}

/// The diagnostic format the arguments ask for, when they can be read without clap: `--format
/// json` or `--format github` (the last one given wins); people's format otherwise.
fn requested_format(words: &[String]) -> Format {
    option_value(words, "--format")
        .and_then(|value| OutputFormat::from_str(&value, false).ok())
        .map_or(Format::Human, OutputFormat::diagnostics)
}

/// Whether to use colour, as `--color` asks when it can be read without clap.
fn requested_color(words: &[String]) -> bool {
    let color = option_value(words, "--color")
        .and_then(|value| Color::from_str(&value, false).ok())
        .unwrap_or(Color::Auto);
    use_color(color)
}

/// The last value given to `option`, as `--option VALUE` or `--option=VALUE`, before any `--`.
fn option_value(words: &[String], option: &str) -> Option<String> {
    let mut value = None;
    let mut words = words.iter().take_while(|word| *word != "--");
    let joined = format!("{option}=");
    while let Some(word) = words.next() {
        if word == option {
            value = words.next().cloned();
        } else if let Some(given) = word.strip_prefix(&joined) {
            value = Some(given.to_string());
        }
    }
    value
}
