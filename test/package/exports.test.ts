/**
 * The package imports itself by name: in a clone, after `npm run build`, a script under the
 * checkout can `require('mmlock')` or `import … from 'mmlock'`, as the README shows. Node resolves
 * a package's own name only through the `exports` field of its package.json, so this checks that
 * field against the compiled package (dist/), and that TypeScript finds the types through it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** build/test-js/test/package → the checkout */
const ROOT = join(__dirname, '..', '..', '..', '..');
const DIST = join(ROOT, 'dist', 'src', 'index.js');
/** inside the checkout, so that its package.json (name "mmlock") is the nearest one */
const DIR = join(ROOT, 'build', 'exports-probe');

function probe(name: string, text: string): { status: number | null; stdout: string; stderr: string } {
  mkdirSync(DIR, { recursive: true });
  const file = join(DIR, name);
  writeFileSync(file, text);
  const r = spawnSync(process.execPath, [file], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('package.json exports the API and itself', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; exports: Record<string, unknown> };
  assert.equal(pkg.name, 'mmlock');
  assert.deepEqual(pkg.exports['.'], { types: './dist/src/index.d.ts', default: './dist/src/index.js' });
  assert.equal(pkg.exports['./package.json'], './package.json');
});

test("require('mmlock') from a script in the checkout", { skip: !existsSync(DIST) && 'dist/ missing: run `npm run build` first' }, () => {
  const r = probe('probe.cjs', [
    "const { resolveKernel, Simulation } = require('mmlock');",
    "const site = resolveKernel('3.18-rc1-i_mmap_rwsem').sites.rmap_walk_file;",
    "console.log(JSON.stringify({ site, sim: typeof Simulation, name: require('mmlock/package.json').name }));",
  ].join('\n'));
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { site: { mode: 'read', patch: 4 }, sim: 'function', name: 'mmlock' });
});

test("import { resolveKernel } from 'mmlock' (ES module) in the checkout", { skip: !existsSync(DIST) && 'dist/ missing: run `npm run build` first' }, () => {
  const r = probe('probe.mjs', [
    "import { resolveKernel } from 'mmlock';",
    "console.log(JSON.stringify(resolveKernel('3.18-rc1').sites.rmap_walk_file));",
  ].join('\n'));
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { mode: 'write', patch: null });
});

test("the mm model and reaim's workfile parser from 'mmlock': MmContext, mmap/munmap, a fault", { skip: !existsSync(DIST) && 'dist/ missing: run `npm run build` first' }, () => {
  const r = probe('probe-mm.cjs', [
    "const m = require('mmlock');",
    "const { Simulation, Scheduler, LockEnv, loadMachine, resolveKernel, MmContext, vmMmap, vmMunmap, doMmap, doMunmap, pageFault, filemapFault, anonFault, handlePteFault, hugetlbFault, parseWorkfile } = m;",
    "const sim = new Simulation(1);",
    "const sched = new Scheduler(sim, loadMachine('ivybridge-ex-4s'));",
    "const env = new LockEnv(sim, sched, { checks: true });",
    "const ctx = new MmContext(sim, sched, env, resolveKernel('3.18-rc1-i_mmap_rwsem'));",
    "const f = ctx.newFile('lib', { nrPages: 16 });",
    "const mm = ctx.newMm('p');",
    "let mapped = 0, after = -1;",
    "sched.spawn('t', function* (t) {",
    "  const vma = yield* vmMmap(ctx, t, mm, { file: f, pgoff: 0, pages: 16, flags: 1, addr: 0x1000 });",
    "  mapped = vma.end - vma.start;",
    "  yield* pageFault(ctx, t, mm, 0x1004);",
    "  yield* vmMunmap(ctx, t, mm, 0x1000, 16);",
    "  after = f.i_mmap.size;",
    "});",
    "sim.run(); env.finalCheck();",
    "const wf = parseWorkfile('FILESIZE: 10k\\n5 sieve\\n7 fork_test\\n');",
    "const fns = [doMmap, doMunmap, filemapFault, anonFault, handlePteFault, hugetlbFault].map((x) => typeof x);",
    "console.log(JSON.stringify({ mapped, after, mm: typeof m.mm.MmContext, fns, hits: wf.totalHits, size: wf.fileSizeKiB }));",
  ].join('\n'));
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { mapped: 16, after: 0, mm: 'function', fns: Array(6).fill('function'), hits: 12, size: 10 });
});

test("TypeScript (node16 resolution) finds the types of 'mmlock' through exports", { skip: !existsSync(DIST) && 'dist/ missing: run `npm run build` first' }, () => {
  const ts = require('typescript') as typeof import('typescript');
  mkdirSync(DIR, { recursive: true });
  const file = join(DIR, 'probe.ts');
  writeFileSync(file, [
    "import { resolveKernel } from 'mmlock';",
    "const mode: 'read' | 'write' = resolveKernel('3.18-rc1-i_mmap_rwsem').sites.rmap_walk_file.mode;",
    'export { mode };',
  ].join('\n'));
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    target: ts.ScriptTarget.ES2022,
    types: ['node'],
    typeRoots: [join(ROOT, 'node_modules', '@types')],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
  });
  const errors = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  assert.deepEqual(errors, []);
});

test.after(() => rmSync(DIR, { recursive: true, force: true }));
