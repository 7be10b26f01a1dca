#!/usr/bin/env node
// A `solc` executable for forge, built on solcjs from node_modules, so forge compiles offline (it would
// otherwise download a native solc). It implements the two calls forge makes: `--version` and
// `--standard-json` (input on stdin, output on stdout). Other flags forge passes (--allow-paths,
// --base-path, --include-path) only steer the import callback.
//
// Never process.exit here: stdout is a pipe and exiting would cut output past the first 64-128 KiB.
// Write with a callback and let node exit when the event loop is empty.
'use strict';
const fs = require('fs');
const path = require('path');
const solc = require(path.join(__dirname, '..', '..', 'node_modules', 'solc'));

const args = process.argv.slice(2);

function option(name) {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : undefined;
}

if (args.includes('--version')) {
  // forge parses the last line, "Version: 0.8.x+commit...".
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
} else if (args.includes('--standard-json')) {
  const roots = [option('--base-path'), ...args.flatMap((a, i) => a === '--include-path' ? [args[i + 1]] : []), process.cwd()]
    .filter(Boolean);
  const findImports = (p) => {
    for (const root of roots) {
      const full = path.resolve(root, p);
      if (fs.existsSync(full)) return { contents: fs.readFileSync(full, 'utf8') };
    }
    return { error: `file not found: ${p}` };
  };
  const chunks = [];
  process.stdin.on('data', (c) => chunks.push(c));
  process.stdin.on('end', () => {
    const out = solc.compile(Buffer.concat(chunks).toString('utf8'), { import: findImports });
    process.stdout.write(out, () => { process.exitCode = 0; });
  });
} else {
  process.stderr.write(`solc-shim: unsupported arguments: ${args.join(' ')}\n`);
  process.exitCode = 2;
}
