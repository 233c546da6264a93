import type { MachineSpec } from '../../src/hw';

/**
 * A small machine with round latencies for hand-worked examples:
 * hit 1, sameCore 5, sameSocket 20, crossSocket 100, memoryLocal 80, memoryRemote 150 (ns).
 */
export function toySpec(sockets = 2, coresPerSocket = 2, threadsPerCore = 2, nodeDistance?: number[][]): MachineSpec {
  return {
    name: `toy-${sockets}x${coresPerSocket}x${threadsPerCore}`,
    description: 'test machine',
    sockets,
    coresPerSocket,
    threadsPerCore,
    clockGHz: 2,
    ...(nodeDistance ? { nodeDistance } : {}),
    latency: { hit: 1, sameCore: 5, sameSocket: 20, crossSocket: 100, memoryLocal: 80, memoryRemote: 150 },
    smt: { busy: 0.6, spinning: 0.9 },
    sources: { everything: 'made up for tests' },
  };
}

/** A deep copy of a JSON-shaped value. */
export function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}
