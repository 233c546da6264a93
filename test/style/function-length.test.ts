/**
 * No function of src/ is longer than MAX_LINES lines unless the line(s) just above it say
 * why, in a comment `// long: <reason>` (e.g. it mirrors a kernel function line by line).
 * Functions, methods, constructors, accessors, function expressions and arrows all count;
 * a function's length runs from its first line (after its doc comment) to its last.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { ROOT, tsFiles } from '../sources';
import ts from 'typescript';

export const MAX_LINES = 80;


type FnNode = ts.FunctionLikeDeclaration;

function isFunction(n: ts.Node): n is FnNode {
  return ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) || ts.isConstructorDeclaration(n)
    || ts.isGetAccessorDeclaration(n) || ts.isSetAccessorDeclaration(n)
    || ts.isFunctionExpression(n) || ts.isArrowFunction(n);
}

/** A readable name: the declared name, or the variable, property or call an expression is given to. */
function nameOf(n: FnNode, sf: ts.SourceFile): string {
  if (ts.isConstructorDeclaration(n)) return `${className(n)}constructor`;
  if (n.name) return `${ts.isMethodDeclaration(n) || ts.isAccessor(n) ? className(n) : ''}${n.name.getText(sf)}`;
  const p = n.parent;
  if (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) return p.name.getText(sf);
  if (ts.isCallExpression(p)) return `<${n.kind === ts.SyntaxKind.ArrowFunction ? 'arrow' : 'function'} passed to ${p.expression.getText(sf)}>`;
  return `<anonymous at line ${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}>`;
}

function className(n: ts.Node): string {
  const c = n.parent;
  return (ts.isClassDeclaration(c) || ts.isClassExpression(c)) && c.name ? `${c.name.text}.` : '';
}

/** Whether the comment lines just above line `line` (0-based) hold `// long: <reason>`. */
function hasReason(lines: readonly string[], line: number): boolean {
  for (let i = line - 1; i >= 0; i--) {
    const l = lines[i]!.trim();
    if (/^\/\/\s*long:\s*\S/.test(l)) return true;
    if (!/^(\/\/|\/\*|\*)/.test(l)) return false;
  }
  return false;
}

export interface LongFunction { file: string; name: string; line: number; lines: number; reason: boolean }

/** Every function of the .ts files under `dir` longer than MAX_LINES lines. */
export function longFunctions(dir: string): LongFunction[] {
  const out: LongFunction[] = [];
  for (const f of tsFiles(dir)) {
    const text = readFileSync(f, 'utf8');
    const sf = ts.createSourceFile(f, text, ts.ScriptTarget.ES2022, true);
    const lines = text.split('\n');
    const file = relative(ROOT, f).split(sep).join('/');
    const visit = (n: ts.Node): void => {
      if (isFunction(n) && n.body) {
        const first = sf.getLineAndCharacterOfPosition(n.getStart(sf)).line;
        const last = sf.getLineAndCharacterOfPosition(n.getEnd()).line;
        const len = last - first + 1;
        if (len > MAX_LINES) out.push({ file, name: nameOf(n, sf), line: first + 1, lines: len, reason: hasReason(lines, first) });
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return out;
}

test(`every function of src/ over ${MAX_LINES} lines says why in a "// long: <reason>" comment just above it`, () => {
  const long = longFunctions(join(ROOT, 'src'));
  const key = (l: LongFunction) => `${l.file}: ${l.name}`;
  const unexplained = long.filter((l) => !l.reason);
  assert.deepEqual(unexplained.map((l) => `${key(l)} (line ${l.line}, ${l.lines} lines)`), []);
});
