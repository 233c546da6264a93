/**
 * The microbench format: a will-it-scale style loop as data (YAML or JSON). `parseBench`
 * checks every field and names the first bad one by its path, e.g.
 * `loop[1].touch.pages: must be an integer >= 1 or "all", got 0`.
 *
 *   description: Anonymous memory mmap/munmap of 128MB       free text
 *   source: will-it-scale tests/mmap1.c                       where the loop comes from
 *   mode: processes          threads (one mm shared by every task) | processes (a mm each)
 *   placement: packed        packed (task i on CPU i: cores of socket 0 first, as
 *                            will-it-scale's main.c binds task i to hwloc core i) | spread
 *                            (round-robin over the sockets)
 *   image: /bin/sleep        the program the tasks' process was exec'd from (a binary of
 *                            src/mm/model/layouts.ts: libc and ld.so are mapped), or none
 *   file: {pages: 32768, per: task}   the file of `backing: file` mappings: one per task
 *                            (will-it-scale's mkstemp in each task) or one for all
 *   iterationsPerLoop: 1     iterations one pass of the loop counts (brk1: 2); 0 when
 *                            touches count (`count: true`, page_fault*: one per page)
 *   iterations: 0            stop each task after this many loops (0: run for the duration)
 *   setup: [ops]             once per task before the loop (optional)
 *   loop: [ops]              one iteration
 *
 * Operations (one key each):
 *   {mmap: {pages, backing: anon|file, shared: false, prot: rw|r|none}}
 *                            mmap of a new range (vm_mmap); it becomes the current mapping
 *   {touch: {pages: N|all, write: true, count: false}}
 *                            touch the first N pages of the current mapping (a fault where
 *                            no pte is present); count: each page is one iteration
 *   {munmap: {}}             unmap the current mapping (the previous one becomes current)
 *   {mprotect: {prot: r|rw|none, pages: N|all}}   mprotect the current mapping's first N pages
 *   {brk: pages}             brk(2) to the task's own break + pages (+/-): the break starts at
 *                            the process's (brk1.c's sbrk(0)); threads share one break
 *   {fork: [ops]}            fork; the child runs ops (e.g. exec) and exits; the parent waits
 *   {exec: binary}           execve of a binary of src/mm/model/layouts.ts (in a forked child)
 *   {lock: {class: i_mmap|anon_vma|mmap_sem, name: x, mode: read|write, holdNs: n}}
 *                            a critical section on a named lock shared by every task, built
 *                            as the kernel configures that class
 *   {cpu: ns}                user-mode time
 *   {sys: ns}                kernel time without modelled locks
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { DSO_LAYOUTS } from '../../mm';

export type Prot = 'rw' | 'r' | 'none';
export const PROTS: readonly Prot[] = ['rw', 'r', 'none'];
export const LOCK_CLASS_NAMES = ['i_mmap', 'anon_vma', 'mmap_sem'] as const;

export type BenchOp =
  | { k: 'mmap'; pages: number; backing: 'anon' | 'file'; shared: boolean; prot: Prot }
  | { k: 'touch'; pages: number | 'all'; write: boolean; count: boolean }
  | { k: 'munmap' }
  | { k: 'mprotect'; prot: Prot; pages: number | 'all' }
  | { k: 'brk'; pages: number }
  | { k: 'fork'; ops: BenchOp[] }
  | { k: 'exec'; binary: string }
  | { k: 'lock'; cls: (typeof LOCK_CLASS_NAMES)[number]; name: string; mode: 'read' | 'write'; holdNs: number }
  | { k: 'cpu'; ns: number }
  | { k: 'sys'; ns: number };

export interface Bench {
  description: string;
  source: string;
  mode: 'threads' | 'processes';
  placement: 'packed' | 'spread';
  image: string | null;
  file: { pages: number; per: 'task' | 'all' } | null;
  iterationsPerLoop: number;
  iterations: number;
  setup: BenchOp[];
  loop: BenchOp[];
}

export const OP_NAMES = ['mmap', 'touch', 'munmap', 'mprotect', 'brk', 'fork', 'exec', 'lock', 'cpu', 'sys'] as const;
const TOP_FIELDS = ['description', 'source', 'mode', 'placement', 'image', 'file', 'iterationsPerLoop', 'iterations', 'setup', 'loop'] as const;
/** largest mapping or file, pages (every touched page is a simulated struct page) */
export const MAX_PAGES = 1 << 20;

export class BenchError extends Error {
  constructor(readonly field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.name = 'BenchError';
  }
}

const binaries = () => Object.values(DSO_LAYOUTS).filter((l) => l.needed).map((l) => l.name);
const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

function int(v: unknown, f: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new BenchError(f, `must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return v;
}
function nonNeg(v: unknown, f: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new BenchError(f, `must be a number >= 0, got ${JSON.stringify(v)}`);
  return v;
}
function oneOf<T extends string>(v: unknown, f: string, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw new BenchError(f, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
  return v as T;
}
function bool(v: unknown, f: string): boolean {
  if (typeof v !== 'boolean') throw new BenchError(f, `must be true or false, got ${JSON.stringify(v)}`);
  return v;
}
function pagesOrAll(v: unknown, f: string): number | 'all' {
  if (v === 'all') return v;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_PAGES) throw new BenchError(f, `must be an integer from 1 to ${MAX_PAGES} or "all", got ${JSON.stringify(v)}`);
  return v;
}
function fields(o: Record<string, unknown>, f: string, allowed: readonly string[]): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw new BenchError(`${f}.${k}`, `unknown field; allowed: ${allowed.join(', ')}`);
}
function binary(v: unknown, f: string): string {
  const ok = binaries();
  if (typeof v !== 'string' || !ok.includes(v)) throw new BenchError(f, `unknown binary ${JSON.stringify(v)}; allowed: ${ok.join(', ')}`);
  return v;
}

export function parseOps(v: unknown, f: string): BenchOp[] {
  if (!Array.isArray(v)) throw new BenchError(f, `must be a list of operations, got ${JSON.stringify(v)}`);
  return v.map((o, i) => parseOp(o, `${f}[${i}]`));
}

function parseOp(o: unknown, field: string): BenchOp {
  if (!isObj(o)) throw new BenchError(field, `must be an operation like {munmap: {}}; allowed operations: ${OP_NAMES.join(', ')}`);
  const keys = Object.keys(o);
  if (keys.length !== 1) throw new BenchError(field, `must have exactly one operation, got ${keys.join(', ') || 'none'}; allowed operations: ${OP_NAMES.join(', ')}`);
  const k = keys[0]!, v = o[k], f = `${field}.${k}`;
  const args = (allowed: readonly string[]): Record<string, unknown> => {
    const a = v ?? {};
    if (!isObj(a)) throw new BenchError(f, `must be an object with fields ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
    fields(a, f, allowed);
    return a;
  };
  switch (k) {
    case 'mmap': {
      const a = args(['pages', 'backing', 'shared', 'prot']);
      return {
        k, pages: int(a.pages, `${f}.pages`, 1, MAX_PAGES), backing: oneOf(a.backing ?? 'anon', `${f}.backing`, ['anon', 'file'] as const),
        shared: bool(a.shared ?? false, `${f}.shared`), prot: oneOf(a.prot ?? 'rw', `${f}.prot`, PROTS),
      };
    }
    case 'touch': {
      const a = args(['pages', 'write', 'count']);
      return { k, pages: pagesOrAll(a.pages ?? 'all', `${f}.pages`), write: bool(a.write ?? true, `${f}.write`), count: bool(a.count ?? false, `${f}.count`) };
    }
    case 'munmap': args([]); return { k };
    case 'mprotect': {
      const a = args(['prot', 'pages']);
      return { k, prot: oneOf(a.prot, `${f}.prot`, PROTS), pages: pagesOrAll(a.pages ?? 'all', `${f}.pages`) };
    }
    case 'brk': {
      if (typeof v !== 'number' || !Number.isInteger(v) || v === 0 || Math.abs(v) > MAX_PAGES) throw new BenchError(f, `must be a non-zero integer of pages from -${MAX_PAGES} to ${MAX_PAGES}, got ${JSON.stringify(v)}`);
      return { k, pages: v };
    }
    case 'fork': return { k, ops: parseOps(v, f) };
    case 'exec': return { k, binary: binary(v, f) };
    case 'lock': {
      const a = args(['class', 'name', 'mode', 'holdNs']);
      const name = a.name ?? 'lock';
      if (typeof name !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(name)) throw new BenchError(`${f}.name`, `must be letters, digits, _ . -, got ${JSON.stringify(a.name)}`);
      return { k, cls: oneOf(a.class, `${f}.class`, LOCK_CLASS_NAMES), name, mode: oneOf(a.mode ?? 'write', `${f}.mode`, ['read', 'write'] as const), holdNs: nonNeg(a.holdNs ?? 0, `${f}.holdNs`) };
    }
    case 'cpu': case 'sys': return { k, ns: nonNeg(v, f) };
    default: throw new BenchError(f, `unknown operation; allowed: ${OP_NAMES.join(', ')}`);
  }
}

/** The mapping stack of `ops` run in order: an op needing a mapping finds one; exec only in a forked child. */
function checkFlow(ops: readonly BenchOp[], f: string, depth0: number, child: boolean, hasFile: boolean): number {
  let depth = depth0;
  ops.forEach((op, i) => {
    const at = `${f}[${i}].${op.k}`;
    if (op.k === 'mmap') {
      if (op.backing === 'file' && !hasFile) throw new BenchError(at, 'a file mapping needs the top-level field file: {pages, per}');
      depth++;
    } else if (op.k === 'touch' || op.k === 'munmap' || op.k === 'mprotect') {
      if (depth === 0) throw new BenchError(at, 'needs a mapping: put an mmap before it');
      if (op.k === 'munmap') depth--;
    } else if (op.k === 'exec' && !child) throw new BenchError(at, 'exec is allowed only inside fork (the task would lose its loop)');
    else if (op.k === 'fork') checkFlow(op.ops, `${at}`, 0, true, hasFile);
  });
  return depth;
}

/** Parse a microbench document. */
export function parseBench(doc: unknown, where = ''): Bench {
  const p = (k: string) => (where ? `${where}.${k}` : k);
  if (!isObj(doc)) throw new BenchError(where || '(document)', 'must be a map with at least a loop: [operations]');
  fields(doc, where || '(document)', TOP_FIELDS);
  const str = (k: string) => {
    const v = doc[k] ?? '';
    if (typeof v !== 'string') throw new BenchError(p(k), `must be text, got ${JSON.stringify(v)}`);
    return v;
  };
  let file: Bench['file'] = null;
  if (doc.file !== undefined) {
    if (!isObj(doc.file)) throw new BenchError(p('file'), 'must be {pages, per: task|all}');
    fields(doc.file, p('file'), ['pages', 'per']);
    file = { pages: int(doc.file.pages, p('file.pages'), 1, MAX_PAGES), per: oneOf(doc.file.per ?? 'task', p('file.per'), ['task', 'all'] as const) };
  }
  const image = doc.image === undefined || doc.image === 'none' ? null : binary(doc.image, p('image'));
  if (doc.loop === undefined) throw new BenchError(p('loop'), 'missing; a microbench needs loop: [operations]');
  const setup = doc.setup === undefined ? [] : parseOps(doc.setup, p('setup'));
  const loop = parseOps(doc.loop, p('loop'));
  if (loop.length === 0) throw new BenchError(p('loop'), 'needs at least one operation');
  const depth = checkFlow(setup, p('setup'), 0, false, file !== null);
  if (checkFlow(loop, p('loop'), depth, false, file !== null) !== depth) {
    throw new BenchError(p('loop'), 'must unmap what it maps (every mmap of the loop needs a munmap in the loop), else the address space grows each iteration');
  }
  const counts = loop.some((o) => o.k === 'touch' && o.count);
  const iterationsPerLoop = doc.iterationsPerLoop === undefined ? (counts ? 0 : 1) : int(doc.iterationsPerLoop, p('iterationsPerLoop'), 0, 1e9);
  if (iterationsPerLoop === 0 && !counts) throw new BenchError(p('iterationsPerLoop'), 'is 0 and no touch counts (count: true): nothing would be counted');
  return {
    description: str('description'),
    source: str('source'),
    mode: oneOf(doc.mode ?? 'processes', p('mode'), ['threads', 'processes'] as const),
    placement: oneOf(doc.placement ?? 'packed', p('placement'), ['packed', 'spread'] as const),
    image,
    file,
    iterationsPerLoop,
    iterations: doc.iterations === undefined ? 0 : int(doc.iterations, p('iterations'), 0, 1e9),
    setup,
    loop,
  };
}

/** Read and parse a microbench file (.yaml, .yml or .json); errors name the file. */
export function loadBench(path: string): Bench {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new BenchError('file', `cannot read ${JSON.stringify(path)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new BenchError('file', `${path}: not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`);
  }
  try {
    return parseBench(doc);
  } catch (e) {
    if (e instanceof BenchError) throw new BenchError(`file`, `${path}: ${e.message}`);
    throw e;
  }
}
