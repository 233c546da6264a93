/**
 * Runs jobs on worker threads (or in this thread with workers = 0). Jobs go out in the
 * order given, each to the next free worker; results come back in completion order. Which
 * worker runs a job never changes its result: a run depends only on its config and seed.
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resolveRunConfig } from './config';
import { measure, type RunMeasurement } from './run';

export interface PoolJob {
  /** the run config, seed included, as the sweep built it */
  config: unknown;
  configHash: string;
}

/** A run failed: the sweep stops (finished runs stay in the journal). */
export class RunError extends Error {
  constructor(readonly jobIndex: number, message: string) {
    super(message);
    this.name = 'RunError';
  }
}

/**
 * Run `jobs`; `onResult(i, result)` is called in this thread as each finishes. Resolves
 * when all are done; rejects with a RunError on the first failure (pending jobs are dropped).
 */
export async function runPool(
  jobs: readonly PoolJob[],
  opts: { workers: number; modules?: string[]; onResult: (index: number, result: RunMeasurement) => void },
): Promise<void> {
  if (jobs.length === 0) return;
  if (opts.workers <= 0) {
    for (const m of opts.modules ?? []) require(m);
    for (let i = 0; i < jobs.length; i++) {
      let result: RunMeasurement;
      try {
        result = measure(resolveRunConfig(jobs[i]!.config));
      } catch (e) {
        throw new RunError(i, e instanceof Error ? (e.stack ?? e.message) : String(e));
      }
      opts.onResult(i, result);
      await new Promise((r) => setImmediate(r)); // let progress output through
    }
    return;
  }
  const script = join(__dirname, 'worker.js');
  if (!existsSync(script)) {
    throw new Error(`experiment: worker script ${script} not found; sweeps with workers need the compiled package (npm run build), or use workers: 0`);
  }
  const n = Math.min(opts.workers, jobs.length);
  const workers: Worker[] = [];
  await new Promise<void>((resolve, reject) => {
    let next = 0;
    let done = 0;
    let failed = false;
    const fail = (e: Error) => {
      if (failed) return;
      failed = true;
      reject(e);
    };
    const feed = (w: Worker) => {
      if (failed) return;
      if (next < jobs.length) {
        const id = next++;
        w.postMessage({ id, config: jobs[id]!.config, configHash: jobs[id]!.configHash });
      }
    };
    for (let k = 0; k < n; k++) {
      const w = new Worker(script, { workerData: { modules: opts.modules ?? [] } });
      workers.push(w);
      w.on('message', (m: { id: number; ok: boolean; result?: RunMeasurement; error?: string }) => {
        if (failed) return;
        if (!m.ok) return fail(new RunError(m.id, m.error ?? 'unknown error'));
        try {
          opts.onResult(m.id, m.result!);
        } catch (e) {
          return fail(e as Error);
        }
        if (++done === jobs.length) resolve();
        else feed(w);
      });
      w.on('error', (e) => fail(e));
      w.on('exit', (code) => {
        if (done < jobs.length && !failed) fail(new Error(`experiment: a worker exited with code ${code} before the sweep finished`));
      });
      feed(w);
    }
  }).finally(async () => {
    await Promise.all(workers.map((w) => w.terminate()));
  });
}
