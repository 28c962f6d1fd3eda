// The client of `hubc lsp`: starts the language server for .hub files over stdio and restarts
// it when `hubc.path` changes. Everything the editor shows beyond highlighting (diagnostics,
// hover, definitions, references, symbols, completion, formatting, code actions) comes from
// the server; this file only starts it.

import * as os from "os";
import * as path from "path";
import * as vscode from "vscode";
import {
  Executable,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
} from "vscode-languageclient/node";

// The client id is also the prefix of the trace setting: the library reads `hubc.trace.server`.
const CLIENT_ID = "hubc";
const CLIENT_NAME = "Hub Language Server";

let client: LanguageClient | undefined;
let outputChannel: vscode.OutputChannel | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  // One channel for the whole session, so restarts append to it instead of opening new ones.
  outputChannel = vscode.window.createOutputChannel(CLIENT_NAME);
  context.subscriptions.push(outputChannel);

  context.subscriptions.push(
    vscode.commands.registerCommand("hubc.restartServer", () => restart()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("hubc.path")) {
        void restart();
      }
    }),
  );

  await start();
}

export async function deactivate(): Promise<void> {
  await stop();
}

async function start(): Promise<void> {
  const command = hubcPath();
  const executable: Executable = { command, args: ["lsp"] };
  const serverOptions: ServerOptions = { run: executable, debug: executable };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "hub" },
      { scheme: "untitled", language: "hub" },
    ],
    synchronize: {
      // The server resolves a whole fleet: tell it when any .hub file changes on disk, also
      // those that are not open.
      fileEvents: vscode.workspace.createFileSystemWatcher("**/*.hub"),
    },
    outputChannel,
    traceOutputChannel: outputChannel,
  };

  client = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
  try {
    await client.start();
  } catch (error) {
    client = undefined;
    const message = error instanceof Error ? error.message : String(error);
    const choice = await vscode.window.showErrorMessage(
      `Could not start the Hub language server with \`${command} lsp\`: ${message}. ` +
        "Set `hubc.path` to the hubc binary.",
      "Open Settings",
    );
    if (choice === "Open Settings") {
      await vscode.commands.executeCommand("workbench.action.openSettings", "hubc.path");
    }
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    await running.stop();
  }
}

async function restart(): Promise<void> {
  await stop();
  await start();
}

/** The configured binary: a command looked up on PATH, or a path (`~` and relative paths are
 *  taken from the home directory and the first workspace folder). */
function hubcPath(): string {
  const configured = vscode.workspace.getConfiguration("hubc").get<string>("path", "hubc").trim();
  if (configured === "") {
    return "hubc";
  }
  if (configured === "~" || configured.startsWith("~/")) {
    return path.join(os.homedir(), configured.slice(1));
  }
  // A bare name such as `hubc` is a command for PATH, not a file next to the workspace.
  if (!configured.includes("/") && !configured.includes("\\")) {
    return configured;
  }
  if (path.isAbsolute(configured)) {
    return configured;
  }
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder ? path.join(folder.uri.fsPath, configured) : configured;
}
