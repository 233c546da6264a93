import type { Task } from '../sched';
import { Mutex } from '../locking';
import type { MmContext } from './model/context';
import { LOCKDEP_CLASSES } from './model/context';
import type { AddressSpace } from './address_space';
import type { MmStruct } from './mm_struct';
import { VM_MAYSHARE, VM_SHARED, VM_WRITE, type Vma } from './vma';
import type { Proc } from '../engine';

/**
 * Execute-in-place files (mm/filemap_xip.c, 3.18): pages live on the device, there is no
 * page cache. A read fault on a hole (not shared-writable) maps the global zero-filled
 * `__xip_sparse_page` read-only; when the hole gets a block (a shared-writable fault or
 * write(2)), __xip_unmap removes the sparse page from every VMA at that offset under
 * i_mmap (site __xip_unmap, R since patch 06), each pte under its pte lock.
 *
 * The sparse mappings are serialized against __xip_unmap by `xip_sparse_mutex` and the
 * `xip_sparse_seq` seqcount: __xip_unmap walks without the mutex, and retries once with it
 * if a sparse mapping was made meanwhile.
 */
export class XipState {
  readonly sparseMutex: Mutex;
  /** xip_sparse_seq */
  seq = 0;
  /** per XIP file: blocks present on the device (pgoffs) and the VMAs mapping the sparse page per pgoff */
  private readonly files = new WeakMap<AddressSpace, { blocks: Set<number>; sparse: Map<number, Set<Vma>> }>();
  readonly stats = { sparseMaps: 0, blockAllocs: 0, unmaps: 0, ptesCleared: 0, retries: 0 };

  constructor(ctx: MmContext) {
    this.sparseMutex = new Mutex(ctx.env, LOCKDEP_CLASSES.xip_sparse_mutex, 'xip_sparse_mutex');
  }

  file(f: AddressSpace) {
    const s = this.files.get(f);
    if (!s) throw new Error(`${f.name} is not an XIP file (use newXipFile)`);
    return s;
  }

  register(f: AddressSpace, blocks: Set<number>): void {
    this.files.set(f, { blocks, sparse: new Map() });
  }

  /** VMAs whose pte at `pgoff` maps the sparse page */
  sparseAt(f: AddressSpace, pgoff: number): ReadonlySet<Vma> {
    return this.file(f).sparse.get(pgoff) ?? new Set();
  }
}

const states = new WeakMap<MmContext, XipState>();

export function xipState(ctx: MmContext): XipState {
  let s = states.get(ctx);
  if (!s) states.set(ctx, (s = new XipState(ctx)));
  return s;
}

/** an XIP file of `nrPages` pages whose `holes` have no block yet */
export function newXipFile(ctx: MmContext, name: string, nrPages: number, holes: Iterable<number>): AddressSpace {
  const f = ctx.newFile(name, { nrPages });
  const blocks = new Set<number>();
  for (let i = 0; i < nrPages; i++) blocks.add(i);
  for (const h of holes) blocks.delete(h);
  xipState(ctx).register(f, blocks);
  return f;
}

export type XipFaultResult = 'mapped' | 'sparse' | 'allocated' | 'sigbus';

/**
 * xip_file_fault() (mm/filemap_xip.c), caller holds mmap_sem for read. A present block is
 * mapped directly. A hole in a shared-writable VMA gets a block (get_xip_mem(create) under
 * xip_sparse_mutex), then __xip_unmap removes the sparse page from the other VMAs. Any
 * other hole maps the sparse page under xip_sparse_mutex with xip_sparse_seq bumped.
 * VM_MAYWRITE is approximated by VM_WRITE [I].
 */
export function* xipFileFault(ctx: MmContext, task: Task, vma: Vma, addr: number): Proc<XipFaultResult> {
  const file = vma.file!;
  const st = xipState(ctx);
  const fs = st.file(file);
  const pgoff = vma.pgoff + (addr - vma.start);
  ctx.vmstat.pgfault++;
  yield* ctx.compute(task, ctx.costs.fileFault);
  if (pgoff >= file.nrPages) return 'sigbus';
  for (;;) {
    if (fs.blocks.has(pgoff)) {
      yield* insertPte(ctx, task, vma.mm, addr); // vm_insert_mixed
      return 'mapped';
    }
    if (vma.has(VM_WRITE) && (vma.flags & (VM_SHARED | VM_MAYSHARE))) {
      yield* st.sparseMutex.lock(task, 'xip_file_fault');
      fs.blocks.add(pgoff); // get_xip_mem(..., create = 1)
      st.stats.blockAllocs++;
      yield* st.sparseMutex.unlock(task);
      yield* xipUnmap(ctx, task, file, pgoff);
      yield* insertPte(ctx, task, vma.mm, addr);
      return 'allocated';
    }
    yield* st.sparseMutex.lock(task, 'xip_file_fault');
    st.seq++; // write_seqcount_begin
    if (fs.blocks.has(pgoff)) { // a block appeared: map it instead
      st.seq++;
      yield* st.sparseMutex.unlock(task);
      continue;
    }
    yield* insertPte(ctx, task, vma.mm, addr); // vm_insert_page(xip_sparse_page)
    let set = fs.sparse.get(pgoff);
    if (!set) fs.sparse.set(pgoff, (set = new Set()));
    set.add(vma);
    st.stats.sparseMaps++;
    st.seq++; // write_seqcount_end
    yield* st.sparseMutex.unlock(task);
    return 'sparse';
  }
}

/** __xip_file_write() into a hole (caller holds i_mutex, not modelled): allocate the block, then __xip_unmap */
export function* xipFileWriteHole(ctx: MmContext, task: Task, file: AddressSpace, pgoff: number): Proc {
  const st = xipState(ctx);
  const fs = st.file(file);
  if (fs.blocks.has(pgoff)) return;
  yield* st.sparseMutex.lock(task, '__xip_file_write');
  fs.blocks.add(pgoff);
  st.stats.blockAllocs++;
  yield* st.sparseMutex.unlock(task);
  yield* xipUnmap(ctx, task, file, pgoff);
}

function* insertPte(ctx: MmContext, task: Task, mm: MmStruct, addr: number): Proc {
  const ptl = mm.ptl(addr);
  yield* ptl.lock(task, 'xip_insert_pte');
  yield* ctx.compute(task, ctx.costs.zapPte);
  yield* ptl.unlock(task);
}

/**
 * __xip_unmap() (mm/filemap_xip.c): read xip_sparse_seq; under i_mmap (site __xip_unmap)
 * for each VMA at `pgoff`, page_check_address(sparse page) and, where it is mapped, clear
 * and flush the pte under the pte lock. After the unlock, if the seqcount moved (a sparse
 * mapping raced with the walk), take xip_sparse_mutex and walk again.
 */
export function* xipUnmap(ctx: MmContext, task: Task, mapping: AddressSpace, pgoff: number): Proc<number> {
  const st = xipState(ctx);
  const fs = st.file(mapping);
  st.stats.unmaps++;
  // read_seqcount_begin spins while a writer is inside (odd count): one line miss per re-read,
  // as treeVisit; the model lets the tick preempt the spin (the kernel's cannot be, and would
  // livelock on one CPU with a writer queued behind it) [deviation]
  while (st.seq & 1) {
    yield* ctx.compute(task, ctx.costs.treeVisit);
    yield* ctx.sched.condResched(task);
  }
  const count = st.seq;
  let locked = false;
  let cleared = 0;
  for (;;) {
    const mode = yield* ctx.immapLock(task, mapping, '__xip_unmap');
    const vmas: Vma[] = [];
    const visits = mapping.i_mmap.forEachOverlap(pgoff, pgoff, (n) => {
      vmas.push(n.value);
    });
    yield* ctx.compute(task, visits * ctx.costs.treeVisit);
    for (const vma of vmas) {
      yield* ctx.compute(task, ctx.costs.rmapOne); // page_check_address
      const set = fs.sparse.get(pgoff);
      if (!set || !set.has(vma)) continue;
      const ptl = vma.mm.ptl(vma.addressOf(pgoff));
      yield* ptl.lock(task, '__xip_unmap');
      set.delete(vma); // ptep_clear_flush + page_remove_rmap
      yield* ctx.compute(task, ctx.costs.rmapOneMapped);
      yield* ptl.unlock(task);
      cleared++;
    }
    yield* ctx.immapUnlock(task, mapping, mode);
    if (locked) {
      yield* st.sparseMutex.unlock(task);
      break;
    }
    if (st.seq === count) break; // !read_seqcount_retry
    yield* st.sparseMutex.lock(task, '__xip_unmap');
    locked = true;
    st.stats.retries++;
  }
  st.stats.ptesCleared += cleared;
  return cleared;
}
