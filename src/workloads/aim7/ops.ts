/**
 * The interpreter of aim7 test operations (spec.ts) on the mm model: each operation is the
 * kernel path it names — fork is dup_mmap, exit is exit_mmap, exec maps the binary, ld.so
 * and its libraries (src/mm/exec.ts), system() is a fork and an exec of /bin/sh — so the
 * i_mmap acquisitions of a test are those of the real paths on the shared trees of libc,
 * ld.so, /bin/sh, ls and the reaim binary.
 */
import type { Task } from '../../sched';
import {
  doExit, exec, fork, pageFault, sysBrk, vmMmap, vmMunmap, VM_READ, VM_SHARED, VM_WRITE,
  type ElfFiles, type MmContext, type MmStruct,
} from '../../mm';
import type { FileSystem } from '../../fs';
import type { Amount, Cmd, Dir, Op } from './spec';
import type { Proc } from '../../engine';

/** What the interpreter needs of the run. */
export interface OpWorld {
  readonly ctx: MmContext;
  readonly elf: ElfFiles;
  readonly fs: FileSystem<Dir>;
  /** shmget + IPC_RMID of a private segment, µs */
  readonly shmSetupUs: number;
  /** user time of one `cpu` unit, ns */
  readonly userUnitNs: number;
  /** disk_iteration_count of the load point, KiB */
  readonly diskKiB: number;
  /** whether /bin/sh forks before its last command (dash 0.5.7) or execs it (bash) */
  readonly shellForksLast: boolean;
  /** NUMA balancing on: user time touches the mm's clean libc data pages */
  readonly numa: boolean;
  /** mean user time between two touches of the hot set, ns */
  readonly touchIntervalNs: number;
  /** a new unique name (process, shm segment) */
  newName(prefix: string): string;
}

/** One process: its task, its current mm, its open temporary files. */
export interface UserProcess {
  readonly task: Task;
  mm: MmStruct;
  readonly files: Map<Dir, number>;
}

const HEAP_FAULTS_SIMULATED = 64;

export function amountOf(a: Amount, w: OpWorld): number {
  return a === '$disk' ? w.diskKiB : a === '$disk/2' ? Math.floor(w.diskKiB / 2) : a;
}

/**
 * Run `ops` in process `p`. One generator for the whole list (the switch is inline, not a
 * generator per operation): every event of a test resumes through this frame, so each
 * level less in the `yield*` chain is paid back on every event.
 */
export function* runOps(w: OpWorld, p: UserProcess, ops: readonly Op[]): Proc {
  const { ctx, fs } = w;
  const t = p.task;
  for (const op of ops) {
    switch (op.k) {
      case 'cpu': yield* userTime(w, p, op.units * w.userUnitNs); break;
      case 'sys': ctx.paths.enter(t, 'syscall'); yield* ctx.sched.compute(t, op.us * 1e3); ctx.paths.leave(t); break;
      case 'fork': yield* forkAndWait(w, p, op.ops); break;
      case 'exec': yield* doExec(w, p, op.binary); break;
      case 'system': yield* forkAndWait(w, p, [{ k: 'exec', binary: '/bin/sh' }, { k: 'sh', cmds: op.cmds, dashC: true }]); break;
      case 'sh': yield* shell(w, p, op.cmds, op.dashC === true); break;
      case 'brk': ctx.paths.enter(t, 'mmap'); yield* sysBrk(ctx, t, p.mm, p.mm.brk + op.pages); ctx.paths.leave(t); break;
      case 'anon_faults': yield* anonFaults(w, p, op.n); break;
      case 'shm': ctx.paths.enter(t, 'mmap'); yield* shm(w, p, op.pages); ctx.paths.leave(t); break;
      case 'creat': case 'unlink': case 'lookup': case 'readdir': case 'write': case 'read': case 'dio': case 'osync_write': case 'sync':
        ctx.paths.enter(t, 'fs'); // a file-system call (src/fs/)
        switch (op.k) {
          case 'creat': p.files.set(op.dir, yield* fs.creat(t, op.dir, p.files.get(op.dir) ?? null)); break;
          case 'unlink': yield* fs.unlink(t, op.dir, p.files.get(op.dir) ?? null); p.files.delete(op.dir); break;
          case 'lookup': yield* fs.lookup(t, op.n); break;
          case 'readdir': yield* fs.readdir(t, op.dir); break;
          case 'write': yield* fs.write(t, lastFile(p), amountOf(op.kib, w)); break;
          case 'read': yield* fs.read(t, amountOf(op.kib, w)); break;
          case 'dio': yield* fs.dio(t, amountOf(op.kib, w)); break;
          case 'osync_write': yield* fs.osyncWrite(t, amountOf(op.kib, w)); break;
          case 'sync': yield* fs.sync(t); break;
        }
        ctx.paths.leave(t);
        break;
      case 'sleep': ctx.paths.enter(t, 'sleep'); yield* ctx.sched.sleep(t, op.ms * 1e6); ctx.paths.leave(t); break;
      case 'repeat': for (let i = 0; i < op.n; i++) yield* runOps(w, p, op.ops); break;
    }
  }
}

function lastFile(p: UserProcess): number | null {
  let last: number | null = null;
  for (const v of p.files.values()) last = v;
  return last;
}

/** user-mode CPU time; with NUMA balancing, touching the mm's hot set (numa.ts runUser) */
function* userTime(w: OpWorld, p: UserProcess, ns: number): Proc {
  if (!w.numa) return yield* w.ctx.sched.compute(p.task, ns, true);
  ensureHotSet(w, p.mm);
  // the kernel time and sleep in it are NUMA balancing's (hinting faults, task_numa_work)
  w.ctx.paths.enter(p.task, 'numa');
  yield* w.ctx.numa.runUser(p.task, ns);
  w.ctx.paths.leave(p.task);
}

const hotSetDone = new WeakSet<MmStruct>();

/** the mm's hot set: libc's clean data pages (mm/model/layouts.ts cleanDataPages), mapped by every process */
export function ensureHotSet(w: OpWorld, mm: MmStruct): void {
  if (hotSetDone.has(mm)) return;
  hotSetDone.add(mm);
  const libc = w.elf.file('libc.so.6');
  const l = w.elf.layout('libc.so.6');
  if (l.cleanDataPages === 0) return;
  const first = l.dataPgoff + l.dataPages - l.cleanDataPages;
  const vma = mm.vmas.find((v) => v.file === libc && v.has(VM_WRITE) && v.covers(first));
  if (!vma) return;
  const pages: number[] = [];
  for (let i = first; i < l.dataPgoff + l.dataPages; i++) pages.push(i);
  w.ctx.numa.setHotSet(mm, { vma, pages, touchIntervalNs: w.touchIntervalNs });
}

/** fork(); the child runs `ops` then exits; the parent waits in wait4() */
function* forkAndWait(w: OpWorld, p: UserProcess, ops: readonly Op[]): Proc {
  const { ctx } = w;
  const { sched } = ctx;
  const name = w.newName(p.task.name);
  ctx.paths.enter(p.task, 'fork');
  const childMm = yield* fork(ctx, p.task, p.mm, name);
  ctx.paths.leave(p.task);
  let exited = false;
  const parent = p.task;
  sched.spawn(name, function* (c) {
    const child: UserProcess = { task: c, mm: childMm, files: new Map() };
    if (w.numa) ctx.numa.attach(c, childMm);
    yield* runOps(w, child, ops);
    yield* exitProc(w, child);
    exited = true;
    if (sched.wake(parent)) yield* sched.compute(c, sched.params.wakeupCost); // SIGCHLD, wait4
  }, { cpu: p.task.cpu.id });
  ctx.paths.enter(parent, 'wait');
  while (!exited) yield* sched.block(parent);
  ctx.paths.leave(parent);
}

/** do_exit(): leftover temporary files are closed (not unlinked); exit_mmap */
export function* exitProc(w: OpWorld, p: UserProcess): Proc {
  if (w.numa) w.ctx.numa.detach(p.task);
  w.ctx.paths.enter(p.task, 'exit');
  yield* doExit(w.ctx, p.task, p.mm);
  w.ctx.paths.leave(p.task);
}

function* doExec(w: OpWorld, p: UserProcess, binary: string): Proc {
  w.ctx.paths.enter(p.task, 'exec');
  p.mm = yield* exec(w.ctx, p.task, p.mm, w.elf.spec(binary), binary);
  w.ctx.paths.leave(p.task);
  if (w.numa) w.ctx.numa.attach(p.task, p.mm);
}

/**
 * A shell running `cmds`, each a fork + exec. For a `sh -c` string (system()) of one
 * command, a shell that execs its last command (bash) runs it in place without the fork;
 * dash 0.5.7 forks (param shellForksLast). A script file always forks its commands.
 */
function* shell(w: OpWorld, p: UserProcess, cmds: readonly Cmd[], dashC: boolean): Proc {
  for (let i = 0; i < cmds.length; i++) {
    const ops = cmdOps(cmds[i]!);
    if (dashC && cmds.length === 1 && !w.shellForksLast) yield* runOps(w, p, ops);
    else yield* forkAndWait(w, p, ops);
  }
}

function cmdOps(cmd: Cmd): Op[] {
  return cmd.k === 'run'
    ? [{ k: 'exec', binary: cmd.binary }, ...cmd.ops]
    : [{ k: 'exec', binary: '/bin/sh' }, { k: 'sh', cmds: cmd.cmds }];
}

/** anonymous faults on the heap: the first HEAP_FAULTS_SIMULATED through the fault path, the rest folded (own mm, uncontended) */
function* anonFaults(w: OpWorld, p: UserProcess, n: number): Proc {
  const { ctx } = w;
  const heap = p.mm.brk - p.mm.startBrk;
  const real = Math.min(n, heap, HEAP_FAULTS_SIMULATED);
  ctx.paths.enter(p.task, 'fault');
  for (let i = 0; i < real; i++) yield* pageFault(ctx, p.task, p.mm, p.mm.brk - 1 - i, true);
  if (n > real) yield* ctx.sched.compute(p.task, (n - real) * ctx.costs.anonFault);
  ctx.paths.leave(p.task);
}

/** a SysV segment of its own (key = pid): shmat maps its shm file (own i_mmap tree), touch, shmdt */
function* shm(w: OpWorld, p: UserProcess, pages: number): Proc {
  const { ctx } = w;
  yield* ctx.sched.compute(p.task, w.shmSetupUs * 1e3); // shmget + IPC_RMID
  const file = ctx.newFile(w.newName('shm'), { nrPages: pages });
  const vma = yield* vmMmap(ctx, p.task, p.mm, { file, pgoff: 0, pages, flags: VM_READ | VM_WRITE | VM_SHARED });
  for (let i = 0; i < pages; i++) yield* pageFault(ctx, p.task, p.mm, vma.start + i, true);
  yield* vmMunmap(ctx, p.task, p.mm, vma.start, pages);
  file.dispose(); // shmctl(IPC_RMID) after the detach: the segment is gone
}

