import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { tempDir } from '../tmp';
import { join } from 'node:path';
import { mergeSweeps } from '../../src/experiment/merge';
import { runSweep, type SweepResult } from '../../src/experiment/sweep';

/** A fresh temporary folder, removed when the test ends (test/tmp.ts). */
export function tmp(prefix = 'mmlock-exp-'): string {
  return tempDir(prefix);
}

/** A small, fast sweep spec (each run a few ms of wall time). */
export function smallSpec(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'small',
    base: { workload: 'lock-hammer', machine: 'ivybridge-ex-2s', params: { holdNs: 100, thinkNs: 400 }, duration: { ms: 0.2 } },
    axes: { kernel: ['3.18-rc1', '3.18-rc1-i_mmap_rwsem'], threads: [2, 8], readers: [0, 0.9] },
    replications: 2,
    seed: 11,
    ...over,
  };
}

export const RESULT_FILES = ['runs.csv', 'runs.json', 'runs.arrow', 'lockstat.csv', 'lockstat.json', 'lockstat.arrow'];

/** The result files of a folder, name → bytes. */
export function resultFiles(dir: string): Map<string, Buffer> {
  const m = new Map<string, Buffer>();
  for (const f of RESULT_FILES) if (existsSync(join(dir, f))) m.set(f, readFileSync(join(dir, f)));
  return m;
}

/** Assert that two sweep folders hold every result file, byte for byte the same. */
export function sameResultFiles(a: string, b: string): void {
  const fa = resultFiles(a), fb = resultFiles(b);
  assert.deepEqual([...fa.keys()], RESULT_FILES);
  for (const f of RESULT_FILES) assert.ok(fa.get(f)!.equals(fb.get(f)!), `${f} differs between ${a} and ${b}`);
}

/**
 * Run `spec` with 1 worker (returned), 2 workers, in the main thread and as `shards` shards
 * merged, into folders w1, w2, w0, s<i> and merged under `dir`; assert that every way gives
 * the same result files.
 */
export async function sweepEveryWay(spec: unknown, dir: string, shards: number): Promise<SweepResult> {
  const one = await runSweep(spec, { workers: 1, out: join(dir, 'w1') });
  await runSweep(spec, { workers: 2, out: join(dir, 'w2') });
  await runSweep(spec, { workers: 0, out: join(dir, 'w0') });
  for (let i = 0; i < shards; i++) await runSweep(spec, { workers: 1 + (i % 2), out: join(dir, `s${i}`), shard: { index: i, count: shards } });
  const m = mergeSweeps(Array.from({ length: shards }, (_, i) => join(dir, `s${i}`)), join(dir, 'merged'));
  assert.deepEqual(m.missing, []);
  for (const other of ['w2', 'w0', 'merged']) sameResultFiles(join(dir, 'w1'), join(dir, other));
  return one;
}

export function journalIds(dir: string): string[] {
  const text = readFileSync(join(dir, 'journal.jsonl'), 'utf8');
  return text.split('\n').filter((l) => l).map((l) => (JSON.parse(l) as { runId: string }).runId);
}

export function files(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}
