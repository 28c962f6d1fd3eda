#!/usr/bin/env node
// The TextMate grammar test, run by `npm test`:
//
// 1. Snapshots. Every `examples/**/*.hub` file of the repository is tokenized with the grammar
//    and compared with its committed snapshot `test/snapshots/<path under examples>.snap`, by
//    `vscode-tmgrammar-snap`. The examples are copied, with their snapshots, into a temporary
//    directory first, so that the tool never writes `.snap` files into `examples/`. An example
//    without a snapshot, or a snapshot without an example, fails the test, as does any change of
//    scope or of the example's text.
// 2. Assertions. `vscode-tmgrammar-test` checks the scopes written in `test/*.test.hub`, one
//    file that covers every construct of the language.
//
// `node test/grammar.js --update` (or `npm run test:update`) rewrites the snapshots from the
// current grammar and examples, and deletes those of examples that are gone. Review the diff of
// `test/snapshots/` before committing it.

"use strict";

const fs = require("fs");
const os = require("os");
const path = require("path");
const { spawnSync } = require("child_process");

const extension = path.resolve(__dirname, "..");
const examples = path.resolve(extension, "..", "..", "examples");
const snapshots = path.join(__dirname, "snapshots");
const packageJson = path.join(extension, "package.json");
const update = process.argv.includes("--update");

/** The files under `dir` whose names end with `suffix`, as sorted paths relative to `dir`. */
function files(dir, suffix) {
  if (!fs.existsSync(dir)) {
    return [];
  }
  const found = [];
  const walk = (relative) => {
    for (const entry of fs.readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const child = path.join(relative, entry.name);
      if (entry.isDirectory()) {
        walk(child);
      } else if (entry.name.endsWith(suffix)) {
        found.push(child.split(path.sep).join("/"));
      }
    }
  };
  walk("");
  return found.sort();
}

/** Runs one of the tools of vscode-tmgrammar-test and says whether it passed. */
function tool(script, args, cwd) {
  const bin = require.resolve(`vscode-tmgrammar-test/dist/${script}`);
  const result = spawnSync(process.execPath, [bin, "--config", packageJson, ...args], {
    cwd,
    stdio: "inherit",
  });
  if (result.error) {
    throw result.error;
  }
  return result.status === 0;
}

const hubFiles = files(examples, ".hub");
if (hubFiles.length === 0) {
  console.error(`error: no .hub files under ${examples}`);
  process.exit(1);
}
const snapFiles = new Set(files(snapshots, ".hub.snap"));
const missing = hubFiles.filter((file) => !snapFiles.has(`${file}.snap`));
const stale = [...snapFiles].filter((snap) => !hubFiles.includes(snap.replace(/\.snap$/, "")));

const work = fs.mkdtempSync(path.join(os.tmpdir(), "hub-grammar-"));
let failures = [];
try {
  for (const file of hubFiles) {
    const target = path.join(work, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(path.join(examples, file), target);
    // Without its snapshot the tool writes a new one: in --update mode that is the point.
    if (!update && snapFiles.has(`${file}.snap`)) {
      fs.copyFileSync(path.join(snapshots, `${file}.snap`), `${target}.snap`);
    }
  }

  console.log(`Snapshots of ${hubFiles.length} example files`);
  if (!tool("snapshot.js", ["**/*.hub"], work)) {
    failures.push("a snapshot differs from the tokens of its example (see above)");
  }

  if (update) {
    fs.rmSync(snapshots, { recursive: true, force: true });
    for (const file of hubFiles) {
      const target = path.join(snapshots, `${file}.snap`);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(path.join(work, `${file}.snap`), target);
    }
    console.log(`Wrote ${hubFiles.length} snapshots under ${path.relative(extension, snapshots)}/`);
  } else {
    for (const file of missing) {
      failures.push(`examples/${file} has no snapshot test/snapshots/${file}.snap`);
    }
    for (const snap of stale) {
      failures.push(`test/snapshots/${snap} is the snapshot of a file that is not in examples/`);
    }
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}

console.log("Scope assertions of test/*.test.hub");
if (!tool("unit.js", ["test/*.test.hub"], extension)) {
  failures.push("a scope assertion of test/*.test.hub failed (see above)");
}

if (failures.length > 0) {
  console.error("\nThe grammar test failed:");
  for (const failure of failures) {
    console.error(`  - ${failure}`);
  }
  console.error(
    "\nIf the grammar or the examples changed on purpose, run `npm run test:update` in " +
      "editors/vscode and review the diff of test/snapshots/.",
  );
  process.exit(1);
}
console.log("The grammar test passed.");
