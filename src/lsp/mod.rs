//! `hubc lsp`: the language server. It speaks the Language Server Protocol over stdin and stdout
//! and answers from the same analysis as `hubc check`: diagnostics for every file of the fleet an
//! edit affects, hover with a value's type, policy and provenance, definitions and references,
//! symbols, completion, formatting and code actions.
//!
//! One thread reads frames ([`transport`]); the server handles one message at a time. Changes
//! are applied as they come and analysed when no message is waiting, so a burst of keystrokes is
//! analysed once, at its latest version. A request that needs an analysis makes it first. A
//! handler that panics is answered with an error and the fleets are analysed afresh.

mod actions;
mod complete;
mod diagnostics;
mod hover;
mod navigate;
mod text;
mod transport;
mod workspace;

use std::io::{BufRead, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use lsp_server::{ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use lsp_types::{
    InitializeParams, InitializeResult, PositionEncodingKind, ServerCapabilities, ServerInfo,
    TextDocumentSyncCapability, TextDocumentSyncKind, Uri, notification as notify, request,
};
use serde_json::Value;

use crate::analysis::store::{self, Store as _};
use crate::analysis::{Analysis, LoadedFile};
use crate::check::policy::Day;
use text::{Encoding, LineIndex, path_of};
use transport::Incoming;
use workspace::{Fleet, Workspace};

/// How the server runs.
pub struct Options {
    /// The day `@expires` dates are checked against.
    pub today: Day,
    /// Answer the request `hubc/panic` by panicking, to test that the server survives it.
    pub test_hooks: bool,
}

/// Serves one client until it exits or its input ends. Returns whether it shut down in order
/// (`shutdown` before `exit`).
pub fn serve(input: impl BufRead + Send + 'static, output: impl Write, options: Options) -> bool {
    let (to, from) = mpsc::channel();
    std::thread::Builder::new()
        .name("lsp-reader".into())
        .spawn(move || transport::read_all(input, to))
        .expect("a thread can be started");
    let mut server = Server::new(output, options);
    loop {
        // Changes waiting to be analysed are analysed once nothing else is waiting.
        let incoming = match from.try_recv() {
            Ok(incoming) => incoming,
            Err(mpsc::TryRecvError::Empty) => {
                server.publish_stale();
                match from.recv() {
                    Ok(incoming) => incoming,
                    Err(_) => return false,
                }
            }
            Err(mpsc::TryRecvError::Disconnected) => return false,
        };
        match incoming {
            Incoming::Closed => return false,
            Incoming::Malformed { id, error } => {
                eprintln!("hubc lsp: {error}");
                server.send_raw_error(id, &error);
            }
            Incoming::Message(Message::Notification(notification))
                if notification.method == notify::Exit::METHOD =>
            {
                return server.shutting_down;
            }
            Incoming::Message(message) => server.handle(message),
        }
    }
}

struct Server<W: Write> {
    output: W,
    workspace: Workspace,
    encoding: Encoding,
    catalogue: String,
    initialized: bool,
    shutting_down: bool,
    test_hooks: bool,
}

impl<W: Write> Server<W> {
    fn new(output: W, options: Options) -> Server<W> {
        Server {
            output,
            workspace: Workspace::new(options.today),
            encoding: Encoding::Utf16,
            catalogue: diagnostics::catalogue(),
            initialized: false,
            shutting_down: false,
            test_hooks: options.test_hooks,
        }
    }

    fn send(&mut self, message: Message) {
        if let Err(error) = transport::write(&mut self.output, &message) {
            eprintln!("hubc lsp: cannot write to the client: {error}");
        }
    }

    fn send_raw_error(&mut self, id: Value, error: &str) {
        if let Err(error) = transport::write_malformed(&mut self.output, id, error) {
            eprintln!("hubc lsp: cannot write to the client: {error}");
        }
    }

    fn handle(&mut self, message: Message) {
        match message {
            Message::Request(request) => {
                let id = request.id.clone();
                let method = request.method.clone();
                let answer = catch_unwind(AssertUnwindSafe(|| self.request(request)));
                let response = match answer {
                    Ok(Ok(value)) => Response::new_ok(id, value),
                    Ok(Err((code, message))) => Response::new_err(id, code as i32, message),
                    Err(panic) => {
                        self.recover(&method, panic);
                        Response::new_err(
                            id,
                            ErrorCode::InternalError as i32,
                            format!("hubc failed on `{method}`; the server goes on"),
                        )
                    }
                };
                self.send(Message::Response(response));
            }
            Message::Notification(notification) => {
                let method = notification.method.clone();
                if let Err(panic) =
                    catch_unwind(AssertUnwindSafe(|| self.notification(notification)))
                {
                    self.recover(&method, panic);
                }
            }
            // The server sends no requests, so there is nothing to answer.
            Message::Response(_) => {}
        }
    }

    /// After a panic: says so on stderr, and drops every analysis, which may be half made.
    fn recover(&mut self, method: &str, panic: Box<dyn std::any::Any + Send>) {
        let what = panic
            .downcast_ref::<&str>()
            .map(|text| text.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        eprintln!("hubc lsp: `{method}` panicked: {what}");
        for fleet in self.workspace.fleets.values_mut() {
            fleet.session = Default::default();
            fleet.analysis = None;
            fleet.stale = true;
        }
    }

    fn request(&mut self, request: Request) -> Result<Value, (ErrorCode, String)> {
        let method = request.method.as_str();
        if method == request::Initialize::METHOD {
            let params: InitializeParams = parse(request.params)?;
            return Ok(serde_json::to_value(self.initialize(params)).expect("serializable"));
        }
        if !self.initialized {
            return Err((
                ErrorCode::ServerNotInitialized,
                "the server is not initialized yet".into(),
            ));
        }
        let params = request.params;
        let value = match method {
            request::Shutdown::METHOD => {
                self.shutting_down = true;
                Value::Null
            }
            request::HoverRequest::METHOD => {
                let params: lsp_types::HoverParams = parse(params)?;
                let at = params.text_document_position_params;
                to_json(self.at(&at.text_document.uri, |doc| hover::hover(doc, at.position)))
            }
            request::GotoDefinition::METHOD => {
                let params: lsp_types::GotoDefinitionParams = parse(params)?;
                let at = params.text_document_position_params;
                to_json(self.at(&at.text_document.uri, |doc| {
                    navigate::definition(doc, at.position)
                }))
            }
            request::References::METHOD => {
                let params: lsp_types::ReferenceParams = parse(params)?;
                let at = params.text_document_position;
                let declaration = params.context.include_declaration;
                to_json(self.at(&at.text_document.uri, |doc| {
                    navigate::references(doc, at.position, declaration)
                }))
            }
            request::DocumentSymbolRequest::METHOD => {
                let params: lsp_types::DocumentSymbolParams = parse(params)?;
                to_json(self.at(&params.text_document.uri, navigate::document_symbols))
            }
            request::WorkspaceSymbolRequest::METHOD => {
                let params: lsp_types::WorkspaceSymbolParams = parse(params)?;
                self.refresh_all();
                to_json(navigate::workspace_symbols(
                    &self.workspace,
                    self.encoding,
                    &params.query,
                ))
            }
            request::Completion::METHOD => {
                let params: lsp_types::CompletionParams = parse(params)?;
                let at = params.text_document_position;
                to_json(self.at(&at.text_document.uri, |doc| {
                    complete::complete(doc, at.position)
                }))
            }
            request::Formatting::METHOD => {
                let params: lsp_types::DocumentFormattingParams = parse(params)?;
                to_json(self.at(&params.text_document.uri, actions::format))
            }
            request::CodeActionRequest::METHOD => {
                let params: lsp_types::CodeActionParams = parse(params)?;
                let today = self.workspace.today;
                to_json(self.at(&params.text_document.uri, |doc| {
                    actions::code_actions(doc, &params, today)
                }))
            }
            "hubc/panic" if self.test_hooks => panic!("a panic asked for by the test hook"),
            _ => {
                return Err((
                    ErrorCode::MethodNotFound,
                    format!("hubc does not answer `{method}`"),
                ));
            }
        };
        Ok(value)
    }

    fn initialize(&mut self, params: InitializeParams) -> InitializeResult {
        self.initialized = true;
        let offered = params
            .capabilities
            .general
            .and_then(|general| general.position_encodings)
            .unwrap_or_default();
        if offered.contains(&PositionEncodingKind::UTF8) {
            self.encoding = Encoding::Utf8;
        }
        let mut folders: Vec<PathBuf> = params
            .workspace_folders
            .unwrap_or_default()
            .iter()
            .filter_map(|folder| path_of(&folder.uri))
            .collect();
        #[allow(deprecated)] // older clients send only the root
        if let Some(root) = params.root_uri.as_ref().and_then(path_of) {
            folders.push(root);
        }
        if let Some(url) = params
            .initialization_options
            .as_ref()
            .and_then(|options| options.get("diagnosticsUrl"))
            .and_then(Value::as_str)
        {
            self.catalogue = url.to_string();
        }
        self.workspace.folders = folders;
        let encoding = match self.encoding {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        };
        InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(encoding),
                text_document_sync: Some(TextDocumentSyncCapability::Kind(
                    TextDocumentSyncKind::FULL,
                )),
                hover_provider: Some(lsp_types::HoverProviderCapability::Simple(true)),
                definition_provider: Some(lsp_types::OneOf::Left(true)),
                references_provider: Some(lsp_types::OneOf::Left(true)),
                document_symbol_provider: Some(lsp_types::OneOf::Left(true)),
                workspace_symbol_provider: Some(lsp_types::OneOf::Left(true)),
                completion_provider: Some(lsp_types::CompletionOptions {
                    trigger_characters: Some([".", ":", "@", " ", "\""].map(String::from).to_vec()),
                    ..Default::default()
                }),
                document_formatting_provider: Some(lsp_types::OneOf::Left(true)),
                code_action_provider: Some(lsp_types::CodeActionProviderCapability::Simple(true)),
                ..Default::default()
            },
            server_info: Some(ServerInfo {
                name: "hubc".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        }
    }

    fn notification(&mut self, notification: Notification) {
        let params = notification.params;
        match notification.method.as_str() {
            notify::DidOpenTextDocument::METHOD => {
                let Ok(params) = parse::<lsp_types::DidOpenTextDocumentParams>(params) else {
                    return;
                };
                let document = params.text_document;
                if let Some(path) = path_of(&document.uri) {
                    self.workspace.buffers.open(
                        path.clone(),
                        &document.text,
                        document.version.into(),
                    );
                    // Opening a file of a fleet not yet loaded loads it.
                    if is_hub(&path) {
                        self.workspace.ensure_fleet(&path);
                    }
                    self.workspace.touch(&path);
                }
            }
            notify::DidChangeTextDocument::METHOD => {
                let Ok(params) = parse::<lsp_types::DidChangeTextDocumentParams>(params) else {
                    return;
                };
                let Some(path) = path_of(&params.text_document.uri) else {
                    return;
                };
                // The sync is whole documents: the last change holds the whole text.
                if let Some(change) = params.content_changes.into_iter().last() {
                    let version = params.text_document.version.into();
                    let older = self
                        .workspace
                        .buffers
                        .version(&path)
                        .is_some_and(|current| current > version);
                    if !older {
                        self.workspace
                            .buffers
                            .open(path.clone(), &change.text, version);
                        self.workspace.touch(&path);
                    }
                }
            }
            notify::DidCloseTextDocument::METHOD => {
                let Ok(params) = parse::<lsp_types::DidCloseTextDocumentParams>(params) else {
                    return;
                };
                if let Some(path) = path_of(&params.text_document.uri) {
                    self.workspace.buffers.close(&path);
                    self.workspace.touch(&path);
                    // A fleet none of whose files is open any more is let go, and so are the
                    // diagnostics published for it.
                    for (path, _) in self.workspace.release_unused() {
                        self.publish(path, Vec::new());
                    }
                }
            }
            notify::DidSaveTextDocument::METHOD => {
                if let Ok(params) = parse::<lsp_types::DidSaveTextDocumentParams>(params)
                    && let Some(path) = path_of(&params.text_document.uri)
                {
                    self.workspace.touch(&path);
                }
            }
            notify::DidChangeWatchedFiles::METHOD => {
                if let Ok(params) = parse::<lsp_types::DidChangeWatchedFilesParams>(params) {
                    for change in params.changes {
                        if let Some(path) = path_of(&change.uri) {
                            self.workspace.touch(&path);
                        }
                    }
                }
            }
            // `initialized`, `$/cancelRequest`, `$/setTrace` and the like need nothing.
            _ => {}
        }
    }

    /// Analyses the fleets that changed and publishes their diagnostics.
    fn publish_stale(&mut self) {
        for root in self.workspace.stale_roots() {
            let found = catch_unwind(AssertUnwindSafe(|| {
                self.workspace.refresh(&root);
                let fleet = self.workspace.fleets.get_mut(&root)?;
                let open = self.workspace.buffers.open_paths();
                Some(diagnostics::of_fleet(
                    fleet,
                    open,
                    self.encoding,
                    &self.catalogue,
                ))
            }));
            match found {
                Ok(found) => {
                    for (path, diagnostics) in found.unwrap_or_default() {
                        self.publish(path, diagnostics);
                    }
                }
                Err(panic) => self.recover("analysis", panic),
            }
        }
    }

    fn publish(&mut self, path: PathBuf, diagnostics: Vec<lsp_types::Diagnostic>) {
        let Some(uri) = text::uri_of(&path) else {
            return;
        };
        let version = self
            .workspace
            .buffers
            .version(&path)
            .and_then(|version| i32::try_from(version).ok());
        let params = lsp_types::PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.send(Message::Notification(Notification::new(
            notify::PublishDiagnostics::METHOD.into(),
            params,
        )));
    }

    fn refresh_all(&mut self) {
        let roots: Vec<PathBuf> = self.workspace.fleets.keys().cloned().collect();
        for root in roots {
            self.workspace.refresh(&root);
        }
    }

    /// Runs `answer` on the document at `uri`, analysed up to date; `None` for a document that
    /// is no `.hub` file of a fleet.
    fn at<T>(&mut self, uri: &Uri, answer: impl FnOnce(&Document<'_>) -> Option<T>) -> Option<T> {
        let path = path_of(uri).filter(|path| is_hub(path))?;
        // A file neither open nor on disk belongs to no fleet: no fleet is loaded for it.
        if self.workspace.buffers.kind(&path) != store::Kind::File {
            return None;
        }
        let encoding = self.encoding;
        let fleet = self.workspace.fleet_of(&path);
        let fleet: &Fleet = fleet;
        let file = fleet.file(&path)?;
        let text = &fleet.session.sources.get(file.id).text;
        let document = Document {
            uri: uri.clone(),
            fleet,
            analysis: fleet.analysis.as_ref(),
            file,
            text,
            lines: LineIndex::new(text, encoding),
            encoding,
        };
        answer(&document)
    }
}

/// A document of a fleet, and what the analysis of its fleet knows.
pub struct Document<'a> {
    pub uri: Uri,
    pub fleet: &'a Fleet,
    pub analysis: Option<&'a Analysis>,
    pub file: &'a LoadedFile,
    pub text: &'a str,
    pub lines: LineIndex<'a>,
    pub encoding: Encoding,
}

impl<'a> Document<'a> {
    pub fn offset(&self, position: lsp_types::Position) -> u32 {
        self.lines.offset(position)
    }

    /// The declaration of this file whose item holds `offset` (or whose body does, for an item
    /// still being typed past its end), as written and as resolved.
    pub fn decl_at(
        &self,
        analysis: &Analysis,
        offset: u32,
    ) -> Option<(crate::resolve::value::DeclId, &'a crate::syntax::ast::Decl)> {
        let written = self
            .file
            .parsed
            .file
            .items
            .iter()
            .find_map(|item| match &item.kind {
                crate::syntax::ast::ItemKind::Decl(decl)
                    if item.span.start <= offset
                        && offset <= item.span.end.max(decl.body.span.end) =>
                {
                    Some(decl)
                }
                _ => None,
            })?;
        let id =
            analysis.fleet.decls.iter().position(|decl| {
                decl.file == self.file.id && decl.name_span == written.name.span
            })?;
        Some((crate::resolve::value::DeclId(id as u32), written))
    }
}

fn is_hub(path: &Path) -> bool {
    path.extension().is_some_and(|extension| extension == "hub")
}

fn parse<T: serde::de::DeserializeOwned>(params: Value) -> Result<T, (ErrorCode, String)> {
    serde_json::from_value(params).map_err(|error| {
        (
            ErrorCode::InvalidParams,
            format!("invalid parameters: {error}"),
        )
    })
}

fn to_json<T: serde::Serialize>(answer: Option<T>) -> Value {
    answer.map_or(Value::Null, |answer| {
        serde_json::to_value(answer).expect("protocol types serialize")
    })
}
