/**
 * A sweep worker thread (node:worker_threads). Loads the compiled package, requires the
 * extra modules it is given (e.g. ones that register workloads), then runs the jobs it is
 * sent, one at a time: { id, config } → { id, ok: true, result } or { id, ok: false, error }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { resolveRunConfig } from './config';
import { measure } from './run';

interface Job { id: number; config: unknown; configHash: string }

const port = parentPort;
if (!port) throw new Error('experiment/worker: must run in a worker thread');
for (const m of (workerData as { modules?: string[] } | undefined)?.modules ?? []) require(m);

port.on('message', (job: Job) => {
  try {
    const r = resolveRunConfig(job.config);
    if (r.configHash !== job.configHash) {
      throw new Error(`config hash ${r.configHash} in the worker differs from ${job.configHash} in the main thread (workload registered differently? pass its module in modules)`);
    }
    port.postMessage({ id: job.id, ok: true, result: measure(r) });
  } catch (e) {
    port.postMessage({ id: job.id, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
