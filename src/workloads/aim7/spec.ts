/**
 * The aim7 workload format: each reaim test as a sequence of kernel operations, read from
 * data/workloads/aim7/tests.yaml (or a user's file of the same shape). `parseTestDefs`
 * checks every field and names the first bad one by its path, e.g.
 * `tests.disk_rr[2].system[0].run: unknown binary "/bin/foo"; allowed: ...`.
 * The grammar is documented at the top of the YAML file; here it is typed.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { DSO_LAYOUTS } from '../../mm';
import { FS_COST_NAMES } from '../../fs';
import { dataPath } from '../../data';

/** A count that may depend on the load point: a number, `$disk` or `$disk/2` (disk_iteration_count KiB). */
export type Amount = number | '$disk' | '$disk/2';

/** Shared directories the tests create files in or read. */
export const DIRS = ['diskdir', 'fakeh', '/bin'] as const;
export type Dir = (typeof DIRS)[number];

export type Op =
  | { k: 'cpu'; units: number }
  | { k: 'sys'; us: number }
  | { k: 'fork'; ops: Op[] }
  | { k: 'exec'; binary: string }
  | { k: 'system'; cmds: Cmd[] }
  /** a shell running commands; dashC: they came as a `sh -c` string (system()), not a script file */
  | { k: 'sh'; cmds: Cmd[]; dashC?: boolean }
  | { k: 'brk'; pages: number }
  | { k: 'anon_faults'; n: number }
  | { k: 'shm'; pages: number }
  | { k: 'creat'; dir: Dir }
  | { k: 'unlink'; dir: Dir }
  | { k: 'lookup'; n: number }
  | { k: 'readdir'; dir: Dir }
  | { k: 'write' | 'read' | 'dio' | 'osync_write'; kib: Amount }
  | { k: 'sync' }
  | { k: 'sleep'; ms: number }
  | { k: 'repeat'; n: number; ops: Op[] };

/** A shell command: run a binary (then its ops) or a #!/bin/sh script of commands. */
export type Cmd = { k: 'run'; binary: string; ops: Op[] } | { k: 'script'; cmds: Cmd[] };

export type TestDefs = Readonly<Record<string, readonly Op[]>>;

export class TestDefError extends Error {
  constructor(readonly field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.name = 'TestDefError';
  }
}

const EXECUTABLES = () => Object.values(DSO_LAYOUTS).filter((l) => l.needed).map((l) => l.name);
const OP_NAMES = ['cpu', 'sys', 'fork', 'exec', 'system', 'sh', 'brk', 'anon_faults', 'shm', 'creat', 'unlink', 'lookup',
  'readdir', 'write', 'read', 'dio', 'osync_write', 'sync', 'sleep', 'repeat'] as const;

function num(v: unknown, field: string, opts: { min?: number; int?: boolean; allowNegative?: boolean } = {}): number {
  const min = opts.min ?? 0;
  if (typeof v !== 'number' || !Number.isFinite(v) || (opts.int && !Number.isInteger(v)) || (!opts.allowNegative && v < min)) {
    throw new TestDefError(field, `must be ${opts.int ? 'an integer' : 'a number'}${opts.allowNegative ? '' : ` >= ${min}`}, got ${JSON.stringify(v)}`);
  }
  return v;
}

function amount(v: unknown, field: string): Amount {
  if (v === '$disk' || v === '$disk/2') return v;
  if (typeof v === 'string') throw new TestDefError(field, `unknown amount ${JSON.stringify(v)}; allowed: a number, $disk, $disk/2`);
  return num(v, field);
}

function dir(v: unknown, field: string): Dir {
  if (typeof v !== 'string' || !(DIRS as readonly string[]).includes(v)) {
    throw new TestDefError(field, `unknown directory ${JSON.stringify(v)}; allowed: ${DIRS.join(', ')}`);
  }
  return v as Dir;
}

function binary(v: unknown, field: string): string {
  const ok = EXECUTABLES();
  if (typeof v !== 'string' || !ok.includes(v)) throw new TestDefError(field, `unknown binary ${JSON.stringify(v)}; allowed: ${ok.join(', ')}`);
  return v;
}

function list(v: unknown, field: string): unknown[] {
  if (!Array.isArray(v)) throw new TestDefError(field, `must be a list, got ${JSON.stringify(v)}`);
  return v;
}

export function parseOps(v: unknown, field: string): Op[] {
  return list(v, field).map((o, i) => parseOp(o, `${field}[${i}]`));
}

function parseCmds(v: unknown, field: string): Cmd[] {
  const cmds = list(v, field).map((c, i) => parseCmd(c, `${field}[${i}]`));
  if (cmds.length === 0) throw new TestDefError(field, 'needs at least one command');
  return cmds;
}

function parseCmd(c: unknown, field: string): Cmd {
  if (c && typeof c === 'object' && !Array.isArray(c)) {
    const o = c as Record<string, unknown>;
    if ('run' in o) {
      for (const k of Object.keys(o)) if (k !== 'run' && k !== 'ops') throw new TestDefError(`${field}.${k}`, 'unknown field; allowed: run, ops');
      return { k: 'run', binary: binary(o.run, `${field}.run`), ops: o.ops === undefined ? [] : parseOps(o.ops, `${field}.ops`) };
    }
    if ('script' in o) {
      if (Object.keys(o).length !== 1) throw new TestDefError(field, 'a script entry has only the field script');
      return { k: 'script', cmds: parseCmds(o.script, `${field}.script`) };
    }
  }
  throw new TestDefError(field, `must be {run: binary, ops?: [...]} or {script: [commands]}, got ${JSON.stringify(c)}`);
}

function parseOp(o: unknown, field: string): Op {
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw new TestDefError(field, `must be an operation like {cpu: 1}; allowed operations: ${OP_NAMES.join(', ')}`);
  const r = o as Record<string, unknown>;
  const keys = Object.keys(r);
  if ('repeat' in r) {
    for (const k of keys) if (k !== 'repeat' && k !== 'ops') throw new TestDefError(`${field}.${k}`, 'unknown field; allowed: repeat, ops');
    return { k: 'repeat', n: num(r.repeat, `${field}.repeat`, { int: true, min: 1 }), ops: parseOps(r.ops, `${field}.ops`) };
  }
  if (keys.length !== 1) throw new TestDefError(field, `must have exactly one operation, got ${keys.join(', ') || 'none'}; allowed operations: ${OP_NAMES.join(', ')}`);
  const k = keys[0]!, v = r[k], f = `${field}.${k}`;
  switch (k) {
    case 'cpu': return { k, units: num(v, f) };
    case 'sys': return { k, us: num(v, f) };
    case 'fork': return { k, ops: parseOps(v, f) };
    case 'exec': return { k, binary: binary(v, f) };
    case 'system': case 'sh': return { k, cmds: parseCmds(v, f) };
    case 'brk': return { k, pages: num(v, f, { int: true, allowNegative: true }) };
    case 'anon_faults': return { k, n: num(v, f, { int: true }) };
    case 'shm': return { k, pages: num(v, f, { int: true, min: 1 }) };
    case 'creat': case 'unlink': case 'readdir': return { k, dir: dir(v, f) };
    case 'lookup': return { k, n: num(v, f, { int: true }) };
    case 'write': case 'read': case 'dio': case 'osync_write': return { k, kib: amount(v, f) };
    case 'sync': return { k };
    case 'sleep': return { k, ms: num(v, f) };
    default: throw new TestDefError(f, `unknown operation; allowed: ${OP_NAMES.join(', ')}`);
  }
}

/** Parse a tests document (`{tests: {name: [ops]}}`). */
export function parseTestDefs(doc: unknown, where = 'tests'): TestDefs {
  if (!doc || typeof doc !== 'object' || !('tests' in doc)) throw new TestDefError(where, 'the document needs a `tests:` map of test name to operations');
  const tests = (doc as { tests: unknown }).tests;
  if (!tests || typeof tests !== 'object' || Array.isArray(tests)) throw new TestDefError(where, 'must map test names to lists of operations');
  const out: Record<string, Op[]> = {};
  for (const [name, ops] of Object.entries(tests as Record<string, unknown>)) {
    if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new TestDefError(`${where}.${name}`, 'a test name is lower-case letters, digits and _');
    out[name] = parseOps(ops, `${where}.${name}`);
  }
  return Object.freeze(out);
}

/** Read and parse a tests YAML file (default: data/workloads/aim7/tests.yaml). */
export function loadTestDefs(file = dataPath('workloads', 'aim7', 'tests.yaml')): TestDefs {
  return parseTestDefs(parseYaml(readFileSync(file, 'utf8')));
}

/** One cost of costs.yaml. */
export interface CostEntry { value: number; io?: boolean; source: string }

/** the file system's costs (src/fs/costs.ts), then aim7's own */
export const COST_NAMES = [...FS_COST_NAMES, 'shmSetupUs'] as const;
export type CostName = (typeof COST_NAMES)[number];
export type Aim7Costs = Readonly<Record<CostName, CostEntry>>;

export function parseCosts(doc: unknown, where = 'costs'): Aim7Costs {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new TestDefError(where, 'must map cost names to {value, source}');
  const d = doc as Record<string, unknown>;
  for (const k of Object.keys(d)) if (!(COST_NAMES as readonly string[]).includes(k)) throw new TestDefError(`${where}.${k}`, `unknown cost; allowed: ${COST_NAMES.join(', ')}`);
  const out = {} as Record<CostName, CostEntry>;
  for (const k of COST_NAMES) {
    const e = d[k] as Record<string, unknown> | undefined;
    if (!e || typeof e !== 'object') throw new TestDefError(`${where}.${k}`, 'missing; every cost needs {value, source}');
    if (typeof e.source !== 'string' || !e.source) throw new TestDefError(`${where}.${k}.source`, 'every cost needs a source');
    out[k] = { value: num(e.value, `${where}.${k}.value`), source: e.source, ...(e.io === true ? { io: true } : {}) };
  }
  return Object.freeze(out);
}

export function loadCosts(file = dataPath('workloads', 'aim7', 'costs.yaml')): Aim7Costs {
  return parseCosts(parseYaml(readFileSync(file, 'utf8')));
}
