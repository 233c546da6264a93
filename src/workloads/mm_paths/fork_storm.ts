import type { Task } from '../../sched';
import { exec, fork, doExit, pageFault, dsoLayout, ElfFiles, INTERP, type MmContext, type MmStruct } from '../../mm';
import { finish, runScenario, scenarioSim, vmstatFigures, type OwnOptions, type ScenarioDef, type ScenarioOptions, type ScenarioReport } from './common';
import type { Proc } from '../../engine';

export interface ForkStormOptions extends ScenarioOptions {
  /** the program the parent exec's: an executable of src/mm/model/layouts.ts (default reaim: reaim, libaio, ld.so, libc) */
  program?: string;
  /** worker processes the parent forks (default 48) */
  workers?: number;
  /** children each worker forks, one after another; each exits at once while the worker waits (default 4) */
  rounds?: number;
  /** user time of a child before it exits, ns (default 20000) */
  childNs?: number;
  /** mean user time of a worker between a child's exit and its next fork, ns (default 10000) */
  thinkNs?: number;
}

/** What the fork storm leaves behind, for tests that inspect the mm state after the run. */
export interface ForkStormWorld {
  readonly ctx: MmContext;
  readonly elf: ElfFiles;
  /** the parent's mm (it never exits) */
  readonly parent: MmStruct;
  /** the files the parent maps: the program, ld.so, its libraries */
  readonly files: readonly string[];
}

/**
 * aim7's fork_test pressure on shared libraries (kernel/fork.c, kernel/exit.c): a parent
 * exec's `program` with its real layout (ld.so maps its libraries: vma_link, vma_adjust,
 * unlink_file_vma), then forks `workers` workers; each worker forks `rounds` children
 * one after another, each child running `childNs` and exiting while the worker waits in
 * wait4. Every fork takes i_mmap at dup_mmap once per file VMA of the parent (libc 4,
 * ld.so 3, ...) and every exit at unlink_file_vma once per file VMA: all of them the
 * same libc / ld.so / program trees, written from every CPU. The parent stays (its VMAs
 * remain in the trees).
 * `onWorld` receives the state (the parent's mm once the parent has run) for runForkStorm's `inspect`.
 */
export function forkStormSetup(ctx: MmContext, o: OwnOptions<ForkStormOptions>, onWorld?: (w: Omit<ForkStormWorld, 'parent'> & { parent: () => MmStruct }) => void): () => Record<string, number> {
  const { sched } = ctx;
  const program = o.program ?? 'reaim';
  const workers = o.workers ?? 48, rounds = o.rounds ?? 4;
  const childNs = o.childNs ?? 20_000, thinkNs = o.thinkNs ?? 10_000;
  if (!dsoLayout(program).needed) throw new Error(`fork-storm: ${JSON.stringify(program)} is a library, not an executable`);
  const elf = new ElfFiles(ctx);
  const libc = elf.file('libc.so.6');
  const files = [program, INTERP, ...(dsoLayout(program).needed ?? [])];
  let parent!: MmStruct;
  let libcPeak = 0, fileVmas = 0, execUnlinks = 0;
  const sample = () => { libcPeak = Math.max(libcPeak, libc.i_mmap.size); };

  sched.spawn('parent', function* (t) {
    parent = yield* exec(ctx, t, null, elf.spec(program), program);
    execUnlinks = ctx.env.stat.classes.get('i_mmap')?.get('unlink_file_vma')?.acquisitions.write ?? 0;
    // the parent dirties its bss before forking: an anon_vma for fork to copy (anon_vma_fork, copy_page_range)
    for (let p = parent.startBrk - 4; p < parent.startBrk; p++) yield* pageFault(ctx, t, parent, p, true);
    fileVmas = parent.vmas.filter((v) => v.file).length;
    for (let i = 0; i < workers; i++) {
      const mm = yield* fork(ctx, t, parent, `w${i}`);
      sample();
      sched.spawn(`w${i}`, (w) => worker(w, mm, i));
    }
  });

  function* worker(t: Task, mm: MmStruct, i: number): Proc {
    const rng = ctx.sim.rng(`forkstorm.worker.${i}`);
    for (let r = 0; r < rounds; r++) {
      yield* sched.compute(t, rng.exponential(thinkNs), true);
      const child = yield* fork(ctx, t, mm, `w${i}.c${r}`);
      sample();
      sched.spawn(`w${i}.c${r}`, function* (c) {
        yield* sched.compute(c, childNs, true);
        yield* doExit(ctx, c, child);
        sched.wake(t); // SIGCHLD / wait4 wake-up
        yield* sched.compute(c, sched.params.wakeupCost);
      });
      yield* sched.block(t); // wait4
    }
    yield* doExit(ctx, t, mm);
  }

  onWorld?.({ ctx, elf, parent: () => parent, files });
  return () => ({
    workers,
    children: workers * rounds,
    fileVmasPerProcess: fileVmas,
    execUnlinkFileVma: execUnlinks,
    libcTreePeak: libcPeak,
    libcTreeEnd: libc.i_mmap.size,
    anonVmaContentions: ctx.env.stat.classTotal('anon_vma').contentions.write,
    ptlContentions: ctx.env.stat.classTotal('ptl').contentions.write,
    ...vmstatFigures(ctx, ['forks', 'exits', 'execs', 'pgfault']),
  });
}

export const forkStormScenario: ScenarioDef<OwnOptions<ForkStormOptions>> = { name: 'fork-storm', setup: (ctx, o) => forkStormSetup(ctx, o) };

export function runForkStorm(o: ForkStormOptions, inspect?: (w: ForkStormWorld) => void): ScenarioReport {
  if (!inspect) return runScenario(forkStormScenario, o);
  const { sim, ctx } = scenarioSim(o);
  let world!: Omit<ForkStormWorld, 'parent'> & { parent: () => MmStruct };
  const report = finish('fork-storm', sim, ctx, forkStormSetup(ctx, o, (w) => { world = w; }));
  inspect({ ...world, parent: world.parent() });
  return report;
}
