#!/usr/bin/env node
// tslab type-checks notebook cells with its own TypeScript 5.0.4 (CommonJS, node10
// resolution). Our .d.ts files are emitted by a newer 5.x, which can mention lib types
// 5.0.4 lacks (MapIterator, BuiltinIteratorReturn, ...). This compiles a file importing
// the whole public API with TypeScript 5.0.4, as tslab would, and fails on any error.
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const ts = require('typescript-tslab');
const root = path.join(__dirname, '..');
const dts = path.join(root, 'dist', 'src', 'index.d.ts');
if (!fs.existsSync(dts)) {
  console.error('check-tslab-types: dist/src/index.d.ts missing; run `npm run build` first');
  process.exit(1);
}
const dir = path.join(root, 'build', 'tslab-check');
fs.mkdirSync(dir, { recursive: true });
const probe = path.join(dir, 'probe.ts');
fs.writeFileSync(probe, "import * as mmlock from '../../dist/src/index';\nexport const api = mmlock;\n");
const program = ts.createProgram([probe], {
  target: ts.ScriptTarget.ES2017,
  module: ts.ModuleKind.CommonJS,
  moduleResolution: ts.ModuleResolutionKind.NodeJs,
  lib: ['lib.es2022.d.ts'],
  types: ['node'],
  typeRoots: [path.join(root, 'node_modules', '@types')],
  strict: true,
  noEmit: true,
  skipLibCheck: false,
  esModuleInterop: true,
});
const diags = ts.getPreEmitDiagnostics(program).filter((d) => !d.file || !d.file.fileName.includes('node_modules'));
if (diags.length) {
  console.error(ts.formatDiagnosticsWithColorAndContext(diags, {
    getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n',
  }));
  console.error(`check-tslab-types: ${diags.length} error(s) under TypeScript ${ts.version} (tslab's compiler)`);
  process.exit(1);
}
console.log(`check-tslab-types: dist/src/index.d.ts type-checks under TypeScript ${ts.version} (tslab's)`);
