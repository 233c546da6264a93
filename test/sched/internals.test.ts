/**
 * The scheduler's bookkeeping of owed CPU time (Task.debt, payingDebt, pendingNotify) is its
 * own: no file of src/ outside src/sched reads or writes it; other layers go through
 * Scheduler.stall/owes/owed/unstallTo/afterDebt and Lock.settled. (A lock that paid debt by
 * hand could forget; one that read it could break the scheduler's notify-while-paying rule.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT, tsFiles } from '../sources';

test('no layer above the scheduler touches a task\'s owed-time fields', () => {
  const files = tsFiles(join(ROOT, 'src')).filter((f) => !relative(ROOT, f).startsWith(join('src', 'sched')));
  assert.ok(files.length > 50, `found only ${files.length} source files under ${ROOT}/src`);
  const bad: string[] = [];
  for (const f of files) {
    readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
      if (/\.(debt|payingDebt|pendingNotify)\b/.test(line)) bad.push(`${relative(ROOT, f)}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(bad, []);
});
