//! The base protocol: messages framed by a `Content-Length` header, read on a thread of their
//! own. Unlike `lsp_server`'s own reader, a frame that is not a valid message does not end the
//! session: it becomes [`Incoming::Malformed`], answered with a JSON-RPC error, and reading goes on
//! with the next frame.

use std::io::{self, BufRead, Read, Write};
use std::sync::mpsc::Sender;

use lsp_server::{ErrorCode, Message};
use serde_json::{Value, json};

/// A frame larger than this is skipped unread: no editor sends a text that large.
const MAX_FRAME: usize = 256 * 1024 * 1024;

/// What the reader hands the server.
pub enum Incoming {
    Message(Message),
    /// A frame that is not a message; the id it carried, if any could be read.
    Malformed {
        id: Value,
        error: String,
    },
    /// The input ended or failed: the client is gone.
    Closed,
}

/// Reads frames from `input` until it ends, sending each to `to`.
pub fn read_all(mut input: impl BufRead, to: Sender<Incoming>) {
    loop {
        let incoming = match read_frame(&mut input) {
            Ok(Some(Ok(body))) => parse(&body),
            Ok(Some(Err(error))) => Incoming::Malformed {
                id: Value::Null,
                error,
            },
            Ok(None) | Err(_) => {
                let _ = to.send(Incoming::Closed);
                return;
            }
        };
        let is_exit =
            matches!(&incoming, Incoming::Message(Message::Notification(n)) if n.method == "exit");
        if to.send(incoming).is_err() || is_exit {
            return;
        }
    }
}

/// One frame's body; `Ok(None)` at the end of the input, an inner error for a frame whose header
/// was wrong (the frame is skipped).
fn read_frame<R: BufRead>(input: &mut R) -> io::Result<Option<Result<Vec<u8>, String>>> {
    let mut length: Option<Result<usize, String>> = None;
    let mut saw_header = false;
    loop {
        let mut line = Vec::new();
        // Header lines are short; a line without an end within the limit is not a header.
        let n = Read::take(&mut *input, 8 * 1024).read_until(b'\n', &mut line)?;
        if n == 0 {
            return Ok(None);
        }
        let line = String::from_utf8_lossy(&line);
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if saw_header {
                break;
            }
            // Blank lines between frames are tolerated.
            continue;
        }
        saw_header = true;
        if let Some((name, value)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = Some(
                value
                    .trim()
                    .parse::<usize>()
                    .map_err(|_| format!("`Content-Length: {}` is not a length", value.trim())),
            );
        }
    }
    let length = match length {
        None => return Ok(Some(Err("the frame has no Content-Length header".into()))),
        Some(Err(error)) => return Ok(Some(Err(error))),
        Some(Ok(length)) => length,
    };
    if length > MAX_FRAME {
        io::copy(&mut Read::take(&mut *input, length as u64), &mut io::sink())?;
        return Ok(Some(Err(format!(
            "a frame of {length} bytes is over the limit of {MAX_FRAME}"
        ))));
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body)?;
    Ok(Some(Ok(body)))
}

fn parse(body: &[u8]) -> Incoming {
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(error) => {
            return Incoming::Malformed {
                id: Value::Null,
                error: format!("not JSON: {error}"),
            };
        }
    };
    let id = value.get("id").cloned().unwrap_or(Value::Null);
    match serde_json::from_value::<Message>(value) {
        Ok(message) => Incoming::Message(message),
        Err(error) => Incoming::Malformed {
            id,
            error: format!("not a JSON-RPC message: {error}"),
        },
    }
}

/// Writes one message.
pub fn write(output: &mut impl Write, message: &Message) -> io::Result<()> {
    message.write(output)?;
    output.flush()
}

/// Answers a malformed frame: a parse error when it was not JSON, an invalid request otherwise.
pub fn write_malformed(output: &mut impl Write, id: Value, error: &str) -> io::Result<()> {
    let code = if error.starts_with("not JSON") {
        ErrorCode::ParseError
    } else {
        ErrorCode::InvalidRequest
    };
    let body = json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": { "code": code as i32, "message": error },
    })
    .to_string();
    write!(output, "Content-Length: {}\r\n\r\n{body}", body.len())?;
    output.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &str) -> Vec<String> {
        let (to, from) = std::sync::mpsc::channel();
        read_all(input.as_bytes(), to);
        from.into_iter()
            .map(|incoming| match incoming {
                Incoming::Message(message) => format!("message {}", method(&message)),
                Incoming::Malformed { id, error } => format!("malformed {id}: {error}"),
                Incoming::Closed => "closed".to_string(),
            })
            .collect()
    }

    fn method(message: &Message) -> &str {
        match message {
            Message::Request(request) => &request.method,
            Message::Notification(notification) => &notification.method,
            Message::Response(_) => "response",
        }
    }

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn a_bad_frame_is_reported_and_reading_goes_on() {
        let input = [
            frame("{not json"),
            frame(r#"{"jsonrpc":"2.0","id":7}"#),
            "X-Other: 1\r\n\r\n".to_string(),
            "Content-Length: many\r\n\r\n".to_string(),
            frame(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#),
        ]
        .concat();
        let found = frames(&input);
        assert_eq!(found.len(), 6, "{found:#?}");
        assert!(
            found[0].starts_with("malformed null: not JSON"),
            "{}",
            found[0]
        );
        assert!(found[1].starts_with("malformed 7: not a JSON-RPC message"));
        assert!(found[2].contains("no Content-Length"));
        assert!(found[3].contains("`Content-Length: many` is not a length"));
        assert_eq!(found[4], "message initialized");
        assert_eq!(found[5], "closed");
    }

    #[test]
    fn a_frame_cut_short_closes_the_session() {
        let found = frames("Content-Length: 100\r\n\r\n{\"jsonrpc\"");
        assert_eq!(found, ["closed"]);
    }
}
