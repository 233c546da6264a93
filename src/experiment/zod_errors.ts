/**
 * zod issues → ConfigError. Every schema leaf carries a `.describe()` text saying what is
 * allowed ("an integer from 1 to 4096"); an object schema's description names what its keys
 * are ("parameter of workload \"lock-hammer\""), used for unknown keys. The first issue
 * becomes the message: `<field>: must be <description>, got <value>` or
 * `<field>.<key>: unknown <what>, got <value>; allowed: <keys>`.
 */
import type { z } from 'zod';
import { ConfigError, fieldPath, show } from './errors';

type AnySchema = z.ZodType;

interface Def {
  type: string;
  shape?: Record<string, AnySchema>;
  innerType?: AnySchema;
  element?: AnySchema;
  valueType?: AnySchema;
  options?: AnySchema[];
}

function def(s: AnySchema): Def {
  return (s as unknown as { def: Def }).def;
}

/** The description of a schema or of the first wrapper-free type inside it. */
function describe(s: AnySchema | undefined): string | undefined {
  let cur = s;
  for (let i = 0; cur && i < 8; i++) {
    if (cur.description) return cur.description;
    const d = def(cur);
    if (d.innerType) cur = d.innerType;
    else break;
  }
  return undefined;
}

function unwrap(s: AnySchema): AnySchema {
  let cur = s;
  for (let i = 0; i < 8; i++) {
    const d = def(cur);
    if (d.innerType && d.type !== 'object') cur = d.innerType;
    else break;
  }
  return cur;
}

/** The object schema in `s` (through wrappers and unions), if any. */
function objectIn(s: AnySchema | undefined): AnySchema | undefined {
  if (!s) return undefined;
  const u = unwrap(s);
  const d = def(u);
  if (d.type === 'object') return u;
  if (d.type === 'union') for (const o of d.options ?? []) if (def(unwrap(o)).type === 'object') return unwrap(o);
  return undefined;
}

/** The sub-schema at `path`, through objects, arrays, records, unions and wrappers. */
function schemaAt(root: AnySchema, path: readonly PropertyKey[]): AnySchema | undefined {
  let cur: AnySchema | undefined = root;
  for (const k of path) {
    if (!cur) return undefined;
    const d = def(objectIn(cur) && typeof k === 'string' ? objectIn(cur)! : unwrap(cur));
    if (d.type === 'object' && d.shape) cur = d.shape[String(k)];
    else if (d.type === 'array') cur = d.element;
    else if (d.type === 'record') cur = d.valueType;
    else return undefined;
  }
  return cur;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur = input;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k as string];
  }
  return cur;
}

function pathString(prefix: string, path: readonly PropertyKey[]): string {
  let f = prefix;
  for (const k of path) f = fieldPath(f, typeof k === 'number' ? k : String(k));
  return f;
}

interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  input?: unknown;
  keys?: string[];
  errors?: Issue[][];
}

/** The ConfigError for a failed parse of `input` against `schema` (fields under `prefix`). */
export function zodError(schema: AnySchema, input: unknown, error: z.ZodError, prefix = ''): ConfigError {
  const issues = error.issues as unknown as Issue[];
  const first = issues[0];
  if (!first) return new ConfigError(prefix, 'invalid');
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  return issueError(schema, input, first, prefix, more);
}

function issueError(schema: AnySchema, input: unknown, issue: Issue, prefix: string, more: string): ConfigError {
  const path = issue.path;
  if (issue.code === 'unrecognized_keys' && issue.keys?.length) {
    const obj = objectIn(schemaAt(schema, path));
    const what = describe(obj) ?? 'key';
    const shape = obj ? def(obj).shape : undefined;
    const key = issue.keys[0]!;
    const allowed = shape ? Object.keys(shape).join(', ') : '';
    return new ConfigError(pathString(prefix, [...path, key]), `unknown ${what}, got ${show(valueAt(input, [...path, key]))}${more}`, allowed || '(none)');
  }
  if (issue.code === 'invalid_union' && issue.errors?.length) {
    // prefer the branch that got past the type check at this path
    const deeper = issue.errors.find((branch) => branch.length && !(branch[0]!.code === 'invalid_type' && branch[0]!.path.length === 0));
    if (deeper) {
      const sub = deeper[0]!;
      return issueError(schema, input, { ...sub, path: [...path, ...sub.path] }, prefix, more);
    }
  }
  const value = valueAt(input, path);
  const desc = describe(schemaAt(schema, path));
  const field = pathString(prefix, path);
  if (value === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_union')) {
    return new ConfigError(field, `is required${desc ? ` (${desc})` : ''}${more}`);
  }
  return new ConfigError(field, `must be ${desc ?? issue.message.replace(/^Invalid input: /, '')}, got ${show(value)}${more}`);
}
