/**
 * `microbench`: a will-it-scale style loop described as data (spec.ts; the will-it-scale mm
 * tests ship in data/workloads/microbench/). T tasks — threads of one process or separate
 * processes — each run the file's loop over and over; the run reports iterations per
 * second per task and in total, and (from the experiment layer) lockstat per call site.
 *
 * As will-it-scale's main.c (github.com/antonblanchard/will-it-scale): a main process
 * starts the tasks — fork() for processes (so each has the main program's mappings, libc
 * among them), pthread_create for threads (one mm) — binds task i to core i (`packed`;
 * `spread` deals the tasks round-robin over the sockets instead), and counts each task's
 * iterations. The main process is the file's `image` exec'd (src/mm/exec.ts), or an empty
 * mm with a heap when `image` is none. Every operation is the mm model's own path:
 * vm_mmap/vm_munmap (vma_link, unlink_file_vma), the fault handler (do_anonymous_page,
 * do_read_fault, do_cow_fault, do_shared_fault), mprotect, sys_brk, fork (dup_mmap),
 * exec and exit (exit_mmap).
 *
 * Timing: a fixed window (warm-up, then `duration.ms`; iterations counted in the window);
 * give a warm-up (`--warmup-ms`) so that the start (exec, the forks of the tasks) is outside
 * it. With `iterations` > 0 each task instead starts its loops when the warm-up ends and runs
 * that many whatever the window; its rate is its iterations over the time its loops took
 * (give a window longer than that, so that lockstat covers all of it).
 */
import type { Task } from '../../sched';
import {
  MmContext, ElfFiles, ELF_BASE, VM_READ, VM_SHARED, VM_WRITE, doExit, exec, fork, mprotect, pageFault, sysBrk, vmMmapAddr, vmMunmap,
  type AddressSpace, type MmStruct,
} from '../../mm';
import type { Machine } from '../../hw';
import { dataPath } from '../../data';
import { runToOutput, type KernelLock, type ParamValues, type WorkloadContext, type WorkloadDef, type WorkloadOutput, type WorkloadRun } from '../registry';
import { immapSites } from '../mm_paths/common';
import { siteMetrics } from '../mm_paths/workloads';
import { BenchError, loadBench, MAX_PAGES, type Bench, type BenchOp, type Prot } from './spec';
import type { Proc } from '../../engine';

export { parseBench, loadBench, BenchError, OP_NAMES, MAX_PAGES, type Bench, type BenchOp } from './spec';

/** the shipped microbenchmarks (data/workloads/microbench/<name>.yaml) */
export const BENCH_NAMES = ['brk1', 'fork1', 'mmap1', 'mmap2', 'mmap_shared_file', 'page_fault1', 'page_fault2', 'page_fault3'] as const;
const ALLOWED = `one of ${BENCH_NAMES.join(', ')} (data/workloads/microbench/), or the path of a .yaml/.json microbench file`;
/** per-task metrics are reported for the first this many tasks (the rest are in min/mean/max) */
const PER_TASK_METRICS = 64;

/** the file a `file` parameter names */
export function benchPath(ref: string): string {
  if ((BENCH_NAMES as readonly string[]).includes(ref)) return dataPath('workloads', 'microbench', `${ref}.yaml`);
  if (!ref.includes('/') && !/\.(ya?ml|json)$/.test(ref)) throw new BenchError('file', `unknown microbench ${JSON.stringify(ref)}`);
  return ref;
}

/** the bench of the params, with the parameter overrides applied */
export function resolveBench(p: Readonly<ParamValues>): Bench {
  const b = loadBench(benchPath(p.file as string));
  const scale = p.pagesScale as number;
  const sc = (n: number) => Math.max(1, Math.round(n * scale));
  const scaleOps = (ops: BenchOp[]): BenchOp[] => ops.map((o) => o.k === 'mmap' ? { ...o, pages: sc(o.pages) }
    : (o.k === 'touch' || o.k === 'mprotect') && o.pages !== 'all' ? { ...o, pages: sc(o.pages) }
      : o.k === 'fork' ? { ...o, ops: scaleOps(o.ops) } : o);
  return {
    ...b,
    mode: p.mode === 'file' ? b.mode : (p.mode as Bench['mode']),
    placement: p.placement === 'file' ? b.placement : (p.placement as Bench['placement']),
    iterations: (p.iterations as number) >= 0 ? (p.iterations as number) : b.iterations,
    file: b.file && { ...b.file, pages: sc(b.file.pages) },
    setup: scale === 1 ? b.setup : scaleOps(b.setup),
    loop: scale === 1 ? b.loop : scaleOps(b.loop),
  };
}

/** CPU of task i: packed = i (the machine numbers cores socket by socket, then SMT siblings); spread = round-robin over sockets */
export function placeTask(m: Machine, placement: 'packed' | 'spread', i: number): number {
  if (placement === 'packed') return i % m.ncpus;
  const perSocket = m.ncpus / m.nsockets;
  const s = i % m.nsockets, k = Math.floor(i / m.nsockets) % perSocket;
  return m.cpusOfSocket(s)[k]!;
}

/** a mapping made by an mmap op: [start, start + pages) (mprotect may split it into several VMAs) */
interface Mapping { start: number; pages: number; shared: boolean }

/** operations that are one system call each (exec's are inside exec.ts' costs) */
const SYSCALLS = new Set<BenchOp['k']>(['mmap', 'munmap', 'mprotect', 'brk', 'fork']);

const PROT_BITS: Record<Prot, number> = { rw: VM_READ | VM_WRITE, r: VM_READ, none: 0 };

export const microbench: WorkloadDef = {
  name: 'microbench',
  description: 'a will-it-scale style loop as data (data/workloads/microbench/: mmap1, mmap2, page_fault1-3, brk1, ...): T threads or processes each repeat mmap/touch/munmap/mprotect/brk/fork/exec/lock operations; metric iterations_per_s, per task and total',
  params: {
    file: { type: 'string', default: 'mmap1', allowed: ALLOWED, help: 'the microbench: a name of data/workloads/microbench/ or a file path' },
    tasks: { type: 'int', default: 8, min: 1, max: 1024, help: 'threads or processes (will-it-scale -t)' },
    mode: { type: 'enum', default: 'file', values: ['file', 'threads', 'processes'], help: 'threads of one process or separate processes; file: as the microbench file says' },
    placement: { type: 'enum', default: 'file', values: ['file', 'packed', 'spread'], help: 'packed: task i on CPU i (socket 0 first, as will-it-scale binds); spread: round-robin over sockets; file: as the file says' },
    iterations: { type: 'int', default: -1, min: -1, max: 1e9, help: 'loops per task, then stop (0: run for the window; -1: as the file says)' },
    syscallNs: { type: 'number', default: 100, min: 0, max: 1e5, unit: 'ns', help: '[U: 50-300] kernel time of a syscall\'s entry and exit (SYSCALL/SYSRET, register save) outside its locks, charged before each mmap, munmap, mprotect, brk and fork' },
    pagesScale: { type: 'number', default: 1, min: 1 / 4096, max: 1, help: 'multiply every page count of the file (mappings, touches, the file) by this, for short runs; 1: as written' },
  },
  checkParams(p) {
    try {
      const b = resolveBench(p);
      if (b.file && b.file.per === 'task' && b.file.pages * (p.tasks as number) > 4 * MAX_PAGES) {
        return { field: 'tasks', problem: `tasks x file.pages is over ${4 * MAX_PAGES} simulated pages`, allowed: 'fewer tasks or a smaller pagesScale' };
      }
    } catch (e) {
      if (e instanceof BenchError) return { field: 'file', problem: e.message.replace(/^file: /, ''), allowed: ALLOWED };
      throw e;
    }
    return undefined;
  },
  cost: (p) => Number(p.tasks) * Number(p.pagesScale),
  run: (w) => runToOutput(w, new MicrobenchRun(w)),
};

/** one task's state: its task, mm, mapping stack, file */
interface P { t: Task; mm: MmStruct; maps: Mapping[]; file: AddressSpace | null; i: number; brk?: number }

/** One microbench run: the tasks running the file's setup and loop, and what they counted. */
class MicrobenchRun implements WorkloadRun {
  private readonly bench: ReturnType<typeof resolveBench>;
  private readonly T: number;
  private readonly ctx: MmContext;
  private readonly elf: ElfFiles;
  private readonly byIterations: boolean;
  private readonly files: AddressSpace[];
  private readonly locks = new Map<string, KernelLock>();
  private readonly counts: Float64Array;
  private readonly loopStart: Float64Array;
  private readonly loopEnd: Float64Array;
  private readonly syscallNs: number;
  private faults = 0;
  private forks = 0;
  private names = 0;

  constructor(private readonly w: WorkloadContext) {
    const bench = (this.bench = resolveBench(w.params));
    const T = (this.T = w.params.tasks as number);
    const ctx = (this.ctx = new MmContext(w.sim, w.sched, w.env, w.kernel));
    this.elf = new ElfFiles(ctx);
    this.byIterations = bench.iterations > 0;
    this.files = !bench.file ? []
      : bench.file.per === 'all' ? [ctx.newFile('microbench.shared', { nrPages: bench.file.pages })]
        : Array.from({ length: T }, (_, i) => ctx.newFile(`willitscale.${i}`, { nrPages: bench.file!.pages }));
    this.counts = new Float64Array(T);
    this.loopStart = new Float64Array(T);
    this.loopEnd = new Float64Array(T);
    this.syscallNs = w.params.syscallNs as number;
  }

  private lockOf(cls: 'i_mmap' | 'anon_vma' | 'mmap_sem', name: string): KernelLock {
    const key = `${cls}:${name}`;
    let l = this.locks.get(key);
    if (!l) this.locks.set(key, (l = this.w.lock(cls, name)));
    return l;
  }

  private count(p: P, n: number): void {
    if (this.byIterations || this.w.measuring()) this.counts[p.i] += n;
  }

  private *touch(p: P, m: Mapping, pages: number, write: boolean, counted: boolean): Proc {
    const shared = m.shared;
    for (let k = 0; k < pages; k++) {
      const addr = m.start + k;
      const cur = p.mm.pt.get(addr);
      // a fault where no pte is present, or a write to a page-cache page of a private mapping (COW)
      if (cur === undefined || (write && cur !== null && !shared)) {
        yield* pageFault(this.ctx, p.t, p.mm, addr, write);
        this.faults++;
      }
      if (counted) this.count(p, 1);
    }
  }

  private *runOps(p: P, ops: readonly BenchOp[]): Proc {
    const { ctx } = this;
    const { sched } = ctx;
    for (const op of ops) {
      if (this.syscallNs > 0 && SYSCALLS.has(op.k)) yield* ctx.compute(p.t, this.syscallNs);
      switch (op.k) {
        case 'mmap': {
          const file = op.backing === 'file' ? p.file : null;
          // the range's start, not the VMA's: an anonymous range may merge into the VMA below it
          const start = yield* vmMmapAddr(ctx, p.t, p.mm, { file, pgoff: 0, pages: op.pages, flags: PROT_BITS[op.prot] | (op.shared ? VM_SHARED : 0) });
          p.maps.push({ start, pages: op.pages, shared: op.shared });
          break;
        }
        case 'touch': {
          const m = p.maps[p.maps.length - 1]!;
          yield* this.touch(p, m, op.pages === 'all' ? m.pages : Math.min(op.pages, m.pages), op.write, op.count);
          break;
        }
        case 'munmap': {
          const m = p.maps.pop()!;
          yield* vmMunmap(ctx, p.t, p.mm, m.start, m.pages);
          break;
        }
        case 'mprotect': {
          const m = p.maps[p.maps.length - 1]!;
          yield* mprotect(ctx, p.t, p.mm, m.start, op.pages === 'all' ? m.pages : Math.min(op.pages, m.pages), PROT_BITS[op.prot]);
          break;
        }
        case 'brk': {
          // relative to this task's own break, as brk1.c's `addr = sbrk(0)` then brk(addr ± page):
          // in threads mode the others move the shared break too
          const want = (p.brk ?? p.mm.brk) + op.pages;
          // sys_brk fails (returns the old brk) when a mapping lies in the way or below start_brk: say so, not count it
          if ((yield* sysBrk(ctx, p.t, p.mm, want)) !== want) {
            throw new Error(`microbench: brk to page ${want} failed in ${p.mm.name} (start_brk ${p.mm.startBrk}): a mapping lies in the way; the model maps libraries bottom-up right after the executable, so use image: none for brk loops`);
          }
          p.brk = want;
          break;
        }
        case 'fork': yield* this.forkAndWait(p, op.ops); break;
        case 'exec': p.mm = yield* exec(ctx, p.t, p.mm, this.elf.spec(op.binary), op.binary); p.maps = []; p.brk = undefined; break;
        case 'lock': {
          const l = this.lockOf(op.cls, op.name);
          yield* l.acquire(p.t, op.mode, `microbench:${op.name}`);
          if (op.holdNs > 0) yield* ctx.compute(p.t, op.holdNs);
          yield* l.release(p.t, op.mode);
          break;
        }
        case 'cpu': yield* sched.compute(p.t, op.ns, true); break;
        case 'sys': yield* ctx.compute(p.t, op.ns); break;
      }
    }
  }

  /** fork(); the child runs `ops` then exits (exit_mmap); the parent waits in wait4() */
  private *forkAndWait(p: P, ops: readonly BenchOp[]): Proc {
    const { ctx } = this;
    const { sched } = ctx;
    const name = `${p.t.name}.c${++this.names}`;
    const childMm = yield* fork(ctx, p.t, p.mm, name);
    this.forks++;
    let exited = false;
    const parent = p.t;
    const self = this;
    sched.spawn(name, function* (c) {
      const child: P = { t: c, mm: childMm, maps: [], file: p.file, i: p.i };
      yield* self.runOps(child, ops);
      yield* doExit(ctx, c, child.mm);
      exited = true;
      if (sched.wake(parent)) yield* sched.compute(c, sched.params.wakeupCost);
    }, { cpu: p.t.cpu.id });
    while (!exited) yield* sched.block(parent);
  }

  private *taskBody(p: P): Proc {
    const { bench, w } = this;
    const { sim, sched } = this.ctx;
    yield* this.runOps(p, bench.setup);
    // a fixed number of loops starts when the warm-up ends, so that lockstat's window sees them
    if (this.byIterations && sim.now < w.startNs) yield* sched.sleep(p.t, w.startNs - sim.now);
    this.loopStart[p.i] = sim.now;
    for (let n = 0; this.byIterations ? n < bench.iterations : sim.now < w.endNs; n++) {
      yield* this.runOps(p, bench.loop);
      if (bench.iterationsPerLoop) this.count(p, bench.iterationsPerLoop);
    }
    this.loopEnd[p.i] = sim.now;
  }

  /** the main task: the image (or a bare mm), then the T threads or forked processes, placed */
  start(): void {
    const { ctx, bench, T, files, elf } = this;
    const { sched } = ctx;
    const self = this;
    sched.spawn('microbench', function* (main) {
      let mm: MmStruct;
      if (bench.image) mm = yield* exec(ctx, main, null, elf.spec(bench.image), 'microbench');
      else {
        mm = ctx.newMm('microbench');
        mm.startBrk = mm.brk = ELF_BASE + 1024;
      }
      for (let i = 0; i < T; i++) {
        const cpu = placeTask(ctx.sched.machine, bench.placement, i);
        const file = files.length === 0 ? null : files[bench.file!.per === 'all' ? 0 : i]!;
        if (bench.mode === 'threads') {
          sched.spawn(`thread${i}`, (t) => self.taskBody({ t, mm, maps: [], file, i }), { cpu });
        } else {
          const child = yield* fork(ctx, main, mm, `process${i}`);
          sched.spawn(`process${i}`, (t) => self.taskBody({ t, mm: child, maps: [], file, i }), { cpu });
        }
      }
    }, { cpu: placeTask(ctx.sched.machine, bench.placement, 0) });
  }

  output(): WorkloadOutput {
    const { w, counts, ctx } = this;
    const rates = Array.from(counts, (c, i) => {
      const ns = this.byIterations ? this.loopEnd[i]! - this.loopStart[i]! : w.durationNs;
      return ns > 0 ? (c / ns) * 1e9 : null;
    });
    const ok = rates.filter((r): r is number => r !== null);
    const perTask: Record<string, number | null> = {};
    rates.slice(0, PER_TASK_METRICS).forEach((r, i) => { perTask[`task${i}_per_s`] = r; });
    return {
      metrics: {
        iterations_per_s: ok.length ? ok.reduce((a, b) => a + b, 0) : null,
        per_task_min: ok.length ? Math.min(...ok) : null,
        per_task_mean: ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : null,
        per_task_max: ok.length ? Math.max(...ok) : null,
        iterations: counts.reduce((a, b) => a + b, 0),
        ...perTask,
        ...siteMetrics(immapSites(ctx)),
      },
      counters: { faults: this.faults, forks: this.forks, pgfault: ctx.vmstat.pgfault },
    };
  }
}
