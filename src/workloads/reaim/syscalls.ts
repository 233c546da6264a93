/**
 * Process-creation pressure of each test (docs/reference/aim7.md §4–5): per invocation, how
 * many plain forks, exec_test iterations, shell_rtns calls and `system("sync")` calls it makes,
 * and what each of those costs in forks and execs.
 *
 * Costs per unit (§5):
 * - plain fork (fork_test): 1 fork, 0 execs (the child exits).
 * - exec_test iteration: fork; the child execs scripts/true (a #!/bin/sh script), which forks
 *   and execs `ls`: 2 forks, 2 execs.
 * - shell_rtns call: fork; the child calls system("aim_N.sh 9"): fork + exec of /bin/sh -c,
 *   the shell's exec of the script (plus a fork if it does not exec its last command), and the
 *   script's fork + exec of ls: 3–4 forks, 3 execs.
 * - system("sync"): fork + exec of /bin/sh -c sync, the shell's exec of sync (plus a fork if
 *   it does not exec its last command), then a global sync(2): 1–2 forks, 2 execs.
 * [U] whether /bin/sh forks before the last command of a -c string (bash execs it directly,
 * dash of that era forked first) and which shell the test system used: hence min/max forks.
 */
import { KNOWN_TESTS, type ReaimTest } from './tests';
import type { Quotas } from './quota';

export interface TestSpawns {
  /** Plain fork + child exit + wait (fork_test: 100). */
  forks: number;
  /** fork + exec of a script that runs `ls` (exec_test: 5). */
  execIterations: number;
  /** fork + system("aim_N.sh 9") (shell_rtns_*: 1). */
  shellCalls: number;
  /** system("sync") calls. */
  syncCalls: number;
  /** Seconds the test sleeps (shell_rtns_2's `sleep 5`). */
  sleepSec: number;
  /** What in this record is not verified. */
  unverified?: string;
}

export interface SpawnCost {
  forksMin: number;
  forksMax: number;
  execs: number;
}

export const SPAWN_COST = {
  fork: { forksMin: 1, forksMax: 1, execs: 0 },
  execIteration: { forksMin: 2, forksMax: 2, execs: 2 },
  shellCall: { forksMin: 3, forksMax: 4, execs: 3 },
  syncCall: { forksMin: 1, forksMax: 2, execs: 2 },
} as const satisfies Record<string, SpawnCost>;

const NONE: TestSpawns = { forks: 0, execIterations: 0, shellCalls: 0, syncCalls: 0, sleepSec: 0 };
const sync = (n: number, unverified?: string): TestSpawns => ({ ...NONE, syncCalls: n, ...(unverified ? { unverified } : {}) });

const SPECIAL: Partial<Record<ReaimTest, TestSpawns>> = {
  fork_test: { ...NONE, forks: 100 },
  exec_test: { ...NONE, execIterations: 5 },
  shell_rtns_1: { ...NONE, shellCalls: 1 },
  shell_rtns_2: {
    ...NONE,
    shellCalls: 1,
    sleepSec: 5,
    unverified: "aim_2.sh's `sleep 5` may add a fork + exec of sleep; §5 counts the call like the other shell_rtns",
  },
  shell_rtns_3: { ...NONE, shellCalls: 1 },
  disk_rr: sync(2),
  disk_rw: sync(2),
  disk_rd: sync(2),
  disk_wrt: sync(2),
  disk_cp: sync(3),
  disk_dio_rr: sync(2),
  disk_dio_rw: sync(2),
  disk_dio_rd: sync(1),
  disk_dio_wrt: sync(2),
  disk_dio_cp: sync(2),
  creat_clo: { ...NONE, unverified: 'no fork or exec known' },
  misc_rtns_1: { ...NONE, unverified: 'getpwnam etc. may map an NSS library (no fork or exec)' },
};

/** Per test, per invocation. Tests not listed in §4–5 as spawning anything have all zeros. */
export const TEST_SPAWNS: Readonly<Record<ReaimTest, TestSpawns>> = Object.fromEntries(
  KNOWN_TESTS.map((t) => [t, SPECIAL[t] ?? NONE]),
) as Record<ReaimTest, TestSpawns>;

export interface ChildSpawnTotals {
  /** Per child: system("sync") calls. */
  syncCalls: number;
  /** Per child: fork_test forks, exec_test iterations, shell_rtns calls. */
  forkTestForks: number;
  execIterations: number;
  shellCalls: number;
  /** Per child, every fork and exec, with the [U] shell behaviour as a range. */
  forksMin: number;
  forksMax: number;
  execs: number;
  /** Seconds asleep per child (shell_rtns_2). */
  sleepSec: number;
}

/** Totals per child for a workfile's quotas (docs/reference/aim7.md §5's table). */
export function childSpawnTotals(quotas: Pick<Quotas, 'perTest'>): ChildSpawnTotals {
  const r: ChildSpawnTotals = {
    syncCalls: 0, forkTestForks: 0, execIterations: 0, shellCalls: 0, forksMin: 0, forksMax: 0, execs: 0, sleepSec: 0,
  };
  for (const { test, quota } of quotas.perTest) {
    const s = TEST_SPAWNS[test];
    r.syncCalls += quota * s.syncCalls;
    r.forkTestForks += quota * s.forks;
    r.execIterations += quota * s.execIterations;
    r.shellCalls += quota * s.shellCalls;
    r.sleepSec += quota * s.sleepSec;
  }
  const parts: [number, SpawnCost][] = [
    [r.forkTestForks, SPAWN_COST.fork],
    [r.execIterations, SPAWN_COST.execIteration],
    [r.shellCalls, SPAWN_COST.shellCall],
    [r.syncCalls, SPAWN_COST.syncCall],
  ];
  for (const [n, c] of parts) {
    r.forksMin += n * c.forksMin;
    r.forksMax += n * c.forksMax;
    r.execs += n * c.execs;
  }
  return r;
}
