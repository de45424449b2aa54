//! The server's stdio: one thread reads messages from standard input, one
//! writes to standard output, in the order they were sent.
//!
//! `lsp_server`'s own stdio connection only carries `Message`s, whose
//! parameters are `serde_json::Value` trees; a publish of 10,000 diagnostics
//! would be built as a tree of about half a million values and then written
//! out. Here a message may also be a JSON body serialized by the caller
//! straight into bytes ([`Out::Body`]), and both kinds share one queue, so an
//! answer never overtakes a publish sent before it.

use lsp_server::{ErrorCode, Message, Request, RequestId, Response};
use serde_json::Value;
use std::io::{BufReader, Write};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

/// Something to send to the client.
pub(super) enum Out {
    Message(Message),
    /// A complete JSON-RPC message, already serialized.
    Body(Vec<u8>),
}

impl From<Message> for Out {
    fn from(message: Message) -> Out {
        Out::Message(message)
    }
}

/// Both ends of the client's stdio.
pub(super) struct Transport {
    pub(super) receiver: Receiver<Message>,
    pub(super) sender: Sender<Out>,
    writer: JoinHandle<()>,
}

/// Why the conversation ended early.
pub(super) type Failure = String;

impl Transport {
    pub(super) fn stdio() -> std::io::Result<Transport> {
        let (incoming, receiver) = mpsc::channel::<Message>();
        // Reads until the client says `exit` or closes standard input; a
        // malformed message ends the conversation as a closed input would.
        std::thread::Builder::new()
            .name("haplint-lsp-reader".to_string())
            .spawn(move || {
                let mut input = BufReader::new(std::io::stdin().lock());
                while let Ok(Some(message)) = Message::read(&mut input) {
                    let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
                    if incoming.send(message).is_err() || exit {
                        break;
                    }
                }
            })?;
        let (sender, outgoing) = mpsc::channel::<Out>();
        let writer = std::thread::Builder::new()
            .name("haplint-lsp-writer".to_string())
            .spawn(move || write_all(&outgoing))?;
        Ok(Transport {
            receiver,
            sender,
            writer,
        })
    }

    pub(super) fn send(&self, out: impl Into<Out>) {
        // A closed queue means the writer is gone with the client's output.
        let _ = self.sender.send(out.into());
    }

    /// Wait for `initialize`: other requests are refused, notifications
    /// ignored, as the protocol asks.
    pub(super) fn initialize_start(&self) -> Result<(RequestId, Value), Failure> {
        loop {
            match self.receiver.recv() {
                Ok(Message::Request(request)) if request.method == "initialize" => {
                    return Ok((request.id, request.params));
                }
                Ok(Message::Request(request)) => self.send(Message::Response(Response::new_err(
                    request.id,
                    ErrorCode::ServerNotInitialized as i32,
                    format!("expected initialize request, got {}", request.method),
                ))),
                Ok(Message::Notification(n)) if n.method == "exit" => {
                    return Err("exit before initialize".to_string());
                }
                Ok(_) => {}
                Err(_) => return Err("the client closed the connection".to_string()),
            }
        }
    }

    /// Answer `initialize` and wait for the client's `initialized`.
    pub(super) fn initialize_finish(&self, id: RequestId, result: Value) -> Result<(), Failure> {
        self.send(Message::Response(Response::new_ok(id, result)));
        match self.receiver.recv() {
            Ok(Message::Notification(n)) if n.method == "initialized" => Ok(()),
            Ok(message) => Err(format!(
                "expected initialized notification, got {message:?}"
            )),
            Err(_) => Err("the client closed the connection".to_string()),
        }
    }

    /// On `shutdown`: answer it and wait for `exit` (true); other requests: false.
    pub(super) fn handle_shutdown(&self, request: &Request) -> Result<bool, Failure> {
        if request.method != "shutdown" {
            return Ok(false);
        }
        self.send(Message::Response(Response::new_ok(request.id.clone(), ())));
        match self.receiver.recv_timeout(Duration::from_secs(30)) {
            Ok(Message::Notification(n)) if n.method == "exit" => Ok(true),
            Ok(message) => Err(format!("unexpected message during shutdown: {message:?}")),
            Err(RecvTimeoutError::Timeout) => {
                Err("timed out waiting for exit notification".to_string())
            }
            Err(RecvTimeoutError::Disconnected) => {
                Err("the client closed the connection waiting for exit".to_string())
            }
        }
    }

    /// Close the queue and wait until everything in it was written.
    pub(super) fn finish(self) {
        drop(self.sender);
        let _ = self.writer.join();
    }
}

/// The writer thread: each message with its header; flushed once the queue
/// is empty for now.
fn write_all(outgoing: &Receiver<Out>) {
    let stdout = std::io::stdout();
    let mut output = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut next = outgoing.recv().ok();
    while let Some(out) = next {
        if write_one(&mut output, &out).is_err() {
            return;
        }
        // Freed here, after writing and off the threads that answer.
        drop(out);
        next = match outgoing.try_recv() {
            Ok(out) => Some(out),
            Err(_) => {
                if output.flush().is_err() {
                    return;
                }
                outgoing.recv().ok()
            }
        };
    }
    let _ = output.flush();
}

fn write_one(output: &mut impl Write, out: &Out) -> std::io::Result<()> {
    match out {
        Out::Message(message) => {
            // `Message::write` adds the header and flushes (into the buffer's writer).
            message.write(output)
        }
        Out::Body(body) => {
            write!(output, "Content-Length: {}\r\n\r\n", body.len())?;
            output.write_all(body)
        }
    }
}

/// Read one message body from a reader (for tests): the header, then the JSON.
#[cfg(test)]
pub(super) fn read_body(input: &mut impl std::io::BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if input.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length: ") {
            length = value.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    std::io::Read::read_exact(input, &mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_kinds_are_framed_alike() -> std::io::Result<()> {
        let mut buffer = Vec::new();
        let message = Message::Response(Response::new_ok(RequestId::from(7), "x"));
        write_one(&mut buffer, &Out::Message(message))?;
        write_one(
            &mut buffer,
            &Out::Body(br#"{"jsonrpc":"2.0","id":8}"#.to_vec()),
        )?;
        let mut input = &buffer[..];
        let first = read_body(&mut input);
        let second = read_body(&mut input);
        let expected = serde_json::json!({"jsonrpc": "2.0", "id": 7, "result": "x"});
        assert_eq!(first, Some(expected));
        assert_eq!(second, Some(serde_json::json!({"jsonrpc": "2.0", "id": 8})));
        assert_eq!(read_body(&mut input), None);
        Ok(())
    }
}
