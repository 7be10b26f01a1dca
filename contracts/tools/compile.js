#!/usr/bin/env node
// Build step of FairDelegation.Chain (an MSBuild target): compiles FairDelegationEscrow.sol with solcjs
// from node_modules and writes its ABI and creation bytecode into the given folder (under obj/), from
// where the C# project embeds them. Settings match foundry.toml, so forge tests the same bytecode.
// Usage: node compile.js <contract.sol> <output dir> [contract name]
// The name defaults to the file's; imports resolve next to the file, then in node_modules (the test tokens import
// OpenZeppelin's ERC20; FairDelegation.Chain's build compiles TestToken with this script too, for the demo and the tests).
'use strict';
const fs = require('fs');
const path = require('path');
const solc = require(path.join(__dirname, '..', '..', 'node_modules', 'solc'));
const settings = require('./solc-settings.json');

const [source, outDir, contractName] = process.argv.slice(2);
if (!source || !outDir) {
  process.stderr.write('usage: node compile.js <contract.sol> <output dir>\n');
  process.exitCode = 2;
  return;
}
const name = contractName || path.basename(source, '.sol');
const findImports = (p) => {
  for (const root of [path.dirname(path.resolve(source)), path.join(__dirname, '..', '..', 'node_modules')]) {
    const full = path.resolve(root, p);
    if (fs.existsSync(full)) return { contents: fs.readFileSync(full, 'utf8') };
  }
  return { error: `file not found: ${p}` };
};
const input = {
  language: 'Solidity',
  sources: { [path.basename(source)]: { content: fs.readFileSync(source, 'utf8') } },
  settings: { ...settings, outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } } },
};
const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
const errors = (output.errors || []).filter((e) => e.severity === 'error');
for (const e of output.errors || []) process.stderr.write(`${e.formattedMessage || e.message}\n`);
// Warnings fail the build too: the repository builds with warnings as errors.
if (errors.length > 0 || (output.errors || []).length > 0) {
  process.stderr.write(`error: solc reported ${(output.errors || []).length} problem(s) in ${source}\n`);
  process.exitCode = 1;
  return;
}
const contract = output.contracts[path.basename(source)][name];
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, `${name}.abi.json`), JSON.stringify(contract.abi, null, 2));
fs.writeFileSync(path.join(outDir, `${name}.bin`), contract.evm.bytecode.object);
fs.writeFileSync(path.join(outDir, `${name}.runtime.bin`), contract.evm.deployedBytecode.object);
process.stdout.write(`compiled ${name} with solc ${solc.version()} -> ${outDir}\n`);
