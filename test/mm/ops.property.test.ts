import { test } from 'node:test';
import fc from 'fast-check';
import { kernelSim } from './harness';
import { checkMms } from './mm_check';
import {
  vmMmap, vmMunmap, mprotect, pageFault, fork, exitMmap, mremap, sysBrk, unmapMappingRange, protFlags,
  VM_SHARED, VM_MAYSHARE, type MmContext, type MmStruct, type AddressSpace,
} from '../../src/mm';
import type { Task } from '../../src/sched';
import type { Proc } from '../../src/engine';

const BASE = 0x1000, SPAN = 256;
const PROTS = ['r-x', 'rw-', 'r--', '---'];

type Sel = { vma: number; off: number };

/** an address in or just around a VMA of `mm` (BASE-relative when it has none) */
function addrOf(mm: MmStruct, s: Sel): number {
  const n = mm.vmas.length;
  if (n === 0) return BASE + s.off;
  const v = mm.vmas[s.vma % n];
  return Math.max(0, v.start - 4 + (s.off % (v.pages + 8)));
}

type Op =
  | { k: 'mmap'; mm: number; file: number; pgoff: number; pages: number; prot: number; shared: boolean; at: number; fixed: boolean }
  | { k: 'munmap'; mm: number; at: Sel; pages: number }
  | { k: 'mprotect'; mm: number; at: Sel; pages: number; prot: number }
  | { k: 'fault'; mm: number; at: Sel; write: boolean }
  | { k: 'fork'; mm: number }
  | { k: 'exit'; mm: number }
  | { k: 'mremap'; mm: number; at: Sel; pages: number; grow: number; move: boolean; to?: number }
  | { k: 'brk'; mm: number; delta: number }
  | { k: 'unmap_mapping_range'; file: number; first: number };

const idx = fc.nat(7);
const at = fc.nat(SPAN - 1);
/** target of munmap/mprotect/fault/mremap: a VMA (by index) and an offset around it */
const sel = fc.record({ vma: fc.nat(15), off: fc.nat(SPAN - 1) });
const pages = fc.integer({ min: 1, max: 48 });
const few = fc.integer({ min: 1, max: 12 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constant('mmap' as const), mm: idx, file: fc.integer({ min: -1, max: 2 }), pgoff: fc.nat(96), pages, prot: fc.nat(3), shared: fc.boolean(), at, fixed: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('munmap' as const), mm: idx, at: sel, pages }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('mprotect' as const), mm: idx, at: sel, pages: few, prot: fc.nat(3) }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('fault' as const), mm: idx, at: sel, write: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('fork' as const), mm: idx }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('exit' as const), mm: idx }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('mremap' as const), mm: idx, at: sel, pages: few, grow: fc.integer({ min: -8, max: 24 }), move: fc.boolean(), to: fc.option(at, { nil: undefined }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('brk' as const), mm: idx, delta: fc.integer({ min: -16, max: 32 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('unmap_mapping_range' as const), file: fc.nat(2), first: fc.nat(100) }) },
);

/** Errors the kernel would return to user space (EINVAL/ENOMEM/EFAULT, SIGSEGV/SIGBUS) are fine. */
function expected(e: unknown): boolean {
  return /ENOMEM|EFAULT|EINVAL|SIGSEGV|SIGBUS/.test(String(e));
}

function* apply(ctx: MmContext, t: Task, op: Op, mms: MmStruct[], files: AddressSpace[], names: { n: number }): Proc {
  const mm = 'mm' in op ? mms[op.mm % mms.length] : null;
  try {
    switch (op.k) {
      case 'mmap': {
        const file = op.file < 0 ? null : files[op.file];
        const flags = protFlags(PROTS[op.prot]) | (op.shared && file ? VM_SHARED | VM_MAYSHARE : 0);
        yield* vmMmap(ctx, t, mm!, { file, pgoff: op.pgoff, pages: op.pages, flags, addr: BASE + op.at, fixed: op.fixed });
        break;
      }
      case 'munmap': yield* vmMunmap(ctx, t, mm!, addrOf(mm!, op.at), op.pages); break;
      case 'mprotect': yield* mprotect(ctx, t, mm!, addrOf(mm!, op.at), op.pages, protFlags(PROTS[op.prot])); break;
      case 'fault': yield* pageFault(ctx, t, mm!, addrOf(mm!, op.at), op.write); break;
      case 'fork': if (mms.length < 6) mms.push(yield* fork(ctx, t, mm!, `c${names.n++}`)); break;
      case 'exit':
        if (mms.length > 1) {
          mms.splice(mms.indexOf(mm!), 1);
          yield* exitMmap(ctx, t, mm!);
        }
        break;
      case 'mremap': yield* mremap(ctx, t, mm!, addrOf(mm!, op.at), op.pages, Math.max(1, op.pages + op.grow), { mayMove: op.move, newAddr: op.to === undefined ? undefined : BASE + op.to }); break;
      case 'brk': yield* sysBrk(ctx, t, mm!, Math.max(mm!.startBrk, mm!.brk + op.delta)); break;
      case 'unmap_mapping_range': yield* unmapMappingRange(ctx, t, files[op.file], op.first, Number.MAX_SAFE_INTEGER, op.first % 2 === 0); break;
    }
  } catch (e) {
    if (!expected(e)) throw e;
  }
}

function setup(kernel: string) {
  const sim = kernelSim(kernel);
  const files = [0, 1, 2].map((i) => sim.ctx.newFile(`f${i}`, { nrPages: 128 }));
  const mm = sim.ctx.newMm('p0');
  mm.startBrk = mm.brk = BASE + SPAN + 64;
  return { ...sim, files, mms: [mm] };
}

test('property: random mmap/munmap/mprotect/fault/fork/exit/mremap/brk sequences keep VMA lists, i_mmap trees and ptes consistent', () => {
  fc.assert(fc.property(fc.constantFrom('3.18-rc1', '3.18-rc1-i_mmap_rwsem', '3.18-rc1-i_mmap_rwsem-merged'), fc.array(opArb, { minLength: 1, maxLength: 40 }), (kernel, ops) => {
    const { ctx, runTask, files, mms } = setup(kernel);
    const names = { n: 1 };
    runTask(function* (t) {
      for (const op of ops) {
        yield* apply(ctx, t, op, mms, files, names);
        checkMms(mms, files);
      }
      for (const m of mms.splice(0)) yield* exitMmap(ctx, t, m);
      checkMms([], files);
      for (const f of files) if (f.i_mmap.size || f.i_mmap_writable) throw new Error(`${f.name}: not empty after every exit`);
    });
  }), { numRuns: Number(process.env.RUNS ?? 150), seed: process.env.RUNS ? undefined : 1811 });
});

test('property: the same operations from 3 concurrent tasks (lock order and invariants checked throughout) end consistent', () => {
  fc.assert(fc.property(fc.array(fc.array(opArb, { minLength: 1, maxLength: 15 }), { minLength: 3, maxLength: 3 }), (perTask) => {
    const { ctx, sched, sim, env, files, mms } = setup('3.18-rc1-i_mmap_rwsem');
    const names = { n: 1 };
    // each task works on its own process family so mmap_sem order is per family
    const families = [mms, [ctx.newMm('q0')], [ctx.newMm('r0')]];
    for (const f of families.slice(1)) f[0].startBrk = f[0].brk = mms[0].brk;
    perTask.forEach((ops, i) => sched.spawn(`t${i}`, function* (t) {
      for (const op of ops) yield* apply(ctx, t, op, families[i], files, names);
    }));
    sim.run();
    env.finalCheck();
    checkMms(families.flat(), files);
  }), { numRuns: Number(process.env.RUNS ?? 60), seed: process.env.RUNS ? undefined : 2014 });
});
