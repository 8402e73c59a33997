#!/usr/bin/env node
// A `solc` command backed by the npm build of the Solidity compiler.
//
// py-solc-x (and so ape-solidity) runs `solc --version` and
// `solc --standard-json [--base-path P] [--allow-paths A,B]` with the input
// on stdin. The native binary would have to be downloaded, which this
// project never does; the npm package ships the compiler as WebAssembly.
// Imports that the standard-JSON input does not carry inline are read from
// disk relative to the base path and the allowed paths, as native solc does.
"use strict";
const fs = require("fs");
const path = require("path");

function loadSolc() {
  try {
    return require(path.join(__dirname, "..", "node_modules", "solc"));
  } catch (err) {
    process.stderr.write(
      "trustspace: the npm solc package is missing; run `make setup` in the project\n"
    );
    process.exit(2);
  }
}

function parseArgs(argv) {
  const opts = { basePath: process.cwd(), allowPaths: [], includePaths: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes("=") ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case "--version": opts.version = true; break;
      case "--standard-json": opts.standardJson = true; break;
      case "--base-path": opts.basePath = value(); break;
      case "--allow-paths": opts.allowPaths.push(...value().split(",")); break;
      case "--include-path": opts.includePaths.push(value()); break;
      default:
        process.stderr.write(`trustspace solc: unsupported option ${arg}\n`);
        process.exit(2);
    }
  }
  return opts;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const solc = loadSolc();
  if (opts.version) {
    // Native solc prints this shape; py-solc-x parses the `Version:` line.
    const v = solc.version().replace(".Emscripten.clang", ".Linux.g++");
    process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${v}\n`);
    return;
  }
  if (!opts.standardJson) {
    process.stderr.write("trustspace solc: only --version and --standard-json are supported\n");
    process.exit(2);
  }
  const roots = [opts.basePath, ...opts.includePaths, ...opts.allowPaths].filter(Boolean);
  const findImports = (importPath) => {
    for (const root of roots) {
      const candidate = path.resolve(root, importPath);
      if (fs.existsSync(candidate)) {
        return { contents: fs.readFileSync(candidate, "utf8") };
      }
    }
    return { error: `File not found: ${importPath} (searched ${roots.join(", ")})` };
  };
  const input = fs.readFileSync(0, "utf8");
  process.stdout.write(solc.compile(input, { import: findImports }));
}

main();
