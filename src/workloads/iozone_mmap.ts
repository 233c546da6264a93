/**
 * `iozone-mmap`: iozone's throughput mode with mmap file I/O (`iozone -B -t T -i 0 -i 1`).
 *
 * iozone's documentation (iozone.org, "IOzone Filesystem Benchmark" and iozone(1)):
 * -B "use mmap() files": the files under test are created and accessed through mmap(),
 * "as some applications treat files as arrays of memory"; -G adds msync(MS_SYNC) and -D
 * msync(MS_ASYNC) on the mapped files; -t T runs T children (processes; -T threads), each
 * on a file of its own; -w keeps the files instead of unlinking them at the end. The exact
 * call sequence below (mmap of the whole file per test, MAP_SHARED, msync then munmap at
 * the end of a test) is read from that description, not from iozone's source [U].
 *
 * Per test (initial write, rewrite, read, re-read; `tests`) the parent starts T children
 * together and waits for all of them (a barrier, as throughput mode's "Children see"
 * figures assume). A child: mmap the file MAP_SHARED (mmap_sem W; **vma_link**: i_mmap W),
 * copy records of `recordKb` through the mapping — every page touched for the first time
 * faults (mmap_sem R: do_shared_fault on a write, which dirties the page; do_read_fault
 * with fault-around on a read), user time `copyNsPerKb` per KiB — then, after a write test,
 * msync (`msync`): MS_SYNC is vfs_fsync_range → write_cache_pages: per dirty page
 * lock_page, clear_page_dirty_for_io → **page_mkclean → rmap_walk_file** (i_mmap R from
 * patch 04), ->writepage, unlock; then wait for the device; munmap (mmap_sem W;
 * **unlink_file_vma**: i_mmap W). At the end (`atEnd`): 'unlink' drops the page cache
 * when the last reference goes (truncate_inode_pages on unmapped pages: no i_mmap);
 * 'truncate' first calls ftruncate(fd, 0) under i_mutex — truncate_setsize →
 * **unmap_mapping_range** twice (i_mmap W, taken even though nothing maps the file any
 * more); 'keep' (-w) leaves the files.
 *
 * With `sharedFile` every child maps one file of T × `fileMb` whole and copies its own
 * slice [U: iozone has no such mode except by naming one file for every child]: then the
 * i_mmap tree holds T VMAs, every page_mkclean walks all of them, and the children's
 * msyncs meet on one i_mmap lock — the variant where read sharing (patch 04) can matter.
 *
 * Modelling choices [I]: the children are new address spaces, not forked from the parent
 * (fork/exit's dup_mmap and unlink_file_vma on libc are left out); the file is in the
 * page cache or allocated at the first fault (the model's filemap_fault); the device is a
 * single FIFO of `deviceMbPerS` (0: no device time, a ramdisk); msync(MS_ASYNC) does no
 * writeback (3.18: it only walks the VMAs under mmap_sem R), so its dirty pages stay dirty.
 *
 * Metrics: `mb_per_s` (all bytes copied / elapsed simulated time, "parent sees"),
 * `<test>_mb_per_s` per test (its bytes / time from its start to its last child's end;
 * null when the test is not run), `elapsed_ns`, `faults`, `pages_cleaned` (ptes
 * write-protected by page_mkclean), `pages_written_back`, and per i_mmap site
 * (mm_paths/workloads.ts' `siteMetrics`).
 */
import type { Task } from '../sched';
import type { Proc } from '../engine';
import { Mutex } from '../locking';
import {
  MmContext, LOCKDEP_CLASSES, VM_READ, VM_SHARED, VM_WRITE, pageFault, pageMkclean, truncateInodePages, truncateSetsize, vmMmap, vmMunmap,
  type AddressSpace, type MmStruct, type Vma,
} from '../mm';
import { runToOutput, type WorkloadContext, type WorkloadDef, type WorkloadOutput, type WorkloadRun } from './registry';
import { immapSites } from './mm_paths/common';
import { siteMetrics } from './mm_paths/workloads';

const PAGE_KB = 4;
/** largest total file size of a run, MiB (1 Mi simulated pages) */
const MAX_TOTAL_MB = 4096;
const TESTS = { 'write-read': ['write', 'rewrite', 'read', 'reread'], write: ['write', 'rewrite'] } as const;
type TestName = 'write' | 'rewrite' | 'read' | 'reread';

export const iozoneMmap: WorkloadDef = {
  name: 'iozone-mmap',
  description: 'iozone -B throughput mode: T children mmap a file MAP_SHARED, copy records through it, msync and munmap, per test: vma_link, unlink_file_vma, rmap_walk_file (page_mkclean at msync MS_SYNC), unmap_mapping_range (ftruncate at the end) (runs to completion)',
  timing: 'completion',
  params: {
    processes: { type: 'int', default: 8, min: 1, max: 1024, help: 'children (iozone -t)' },
    fileMb: { type: 'number', default: 4, min: 0.0625, max: 1024, unit: 'MiB', help: 'file size per child (iozone -s), rounded to whole 4 KiB pages' },
    recordKb: { type: 'int', default: 64, min: 4, max: 16384, unit: 'KiB', help: 'record size (iozone -r), a multiple of 4' },
    tests: { type: 'enum', default: 'write-read', values: Object.keys(TESTS), help: 'write-read: write, rewrite, read, re-read (-i 0 -i 1); write: write and rewrite (-i 0)' },
    msync: { type: 'enum', default: 'sync', values: ['sync', 'async', 'none'], help: 'after a write test: msync(MS_SYNC) (-G), msync(MS_ASYNC) (-D, no writeback in 3.18), or none' },
    atEnd: { type: 'enum', default: 'unlink', values: ['unlink', 'truncate', 'keep'], help: 'after the last test: unlink (drop the page cache), ftruncate to 0 then unlink (unmap_mapping_range), keep (-w)' },
    sharedFile: { type: 'boolean', default: false, help: 'one file of processes x fileMb that every child maps whole, each copying its own slice (default: a file per child)' },
    copyNsPerKb: { type: 'number', default: 200, min: 0, max: 1e6, unit: 'ns', help: 'user time to copy 1 KiB through the mapping (memcpy, ~5 GB/s) [U]' },
    writepageNs: { type: 'number', default: 1000, min: 0, max: 1e7, unit: 'ns', help: 'kernel time of ->writepage per page (block mapping, bio submission) [U]' },
    deviceMbPerS: { type: 'number', default: 500, min: 0, max: 1e6, unit: 'MiB/s', help: 'device write bandwidth, one FIFO for all children (0: no device time) [U: a 2014 SATA SSD]' },
  },
  checkParams(p) {
    if (Number(p.recordKb) % PAGE_KB !== 0) return { field: 'recordKb', problem: `must be a multiple of 4, got ${p.recordKb}`, allowed: 'a multiple of 4 from 4 to 16384' };
    // every page is a simulated struct page: keep the run's memory bounded
    if (Number(p.processes) * Number(p.fileMb) > MAX_TOTAL_MB) {
      return { field: 'fileMb', problem: `processes x fileMb must be at most ${MAX_TOTAL_MB} MiB, got ${p.processes} x ${p.fileMb}`, allowed: `at most ${MAX_TOTAL_MB / Number(p.processes)}` };
    }
    return undefined;
  },
  cost: (p) => Number(p.processes) * Number(p.fileMb) * (Number(p.tests === 'write' ? 2 : 4)),
  run: (w) => runToOutput(w, new IozoneRun(w)),
};

/** One iozone run: its files, the children of each test, the counters and per-test spans. */
class IozoneRun implements WorkloadRun {
  private readonly ctx: MmContext;
  private readonly T: number;
  private readonly pages: number;
  private readonly recPages: number;
  private readonly shared: boolean;
  private readonly msync: 'sync' | 'async' | 'none';
  private readonly atEnd: 'unlink' | 'truncate' | 'keep';
  private readonly copyNsPerPage: number;
  private readonly writepageNs: number;
  private readonly devNsPerPage: number;
  private readonly files: AddressSpace[];
  /** the page cache's dirty tag (PAGECACHE_TAG_DIRTY), per file */
  private readonly dirty: Map<AddressSpace, Set<number>>;
  private readonly iMutex: Map<AddressSpace, Mutex>;
  private deviceFreeAt = 0;
  private faults = 0;
  private cleaned = 0;
  private writtenBack = 0;
  private bytes = 0;
  private readonly spans: Partial<Record<TestName, { start: number; end: number; bytes: number }>> = {};

  constructor(private readonly w: WorkloadContext) {
    const ctx = (this.ctx = new MmContext(w.sim, w.sched, w.env, w.kernel));
    const p = w.params;
    const T = (this.T = p.processes as number);
    const pages = (this.pages = Math.max(1, Math.round(((p.fileMb as number) * 1024) / PAGE_KB)));
    this.recPages = (p.recordKb as number) / PAGE_KB;
    this.shared = p.sharedFile as boolean;
    this.msync = p.msync as 'sync' | 'async' | 'none';
    this.atEnd = p.atEnd as 'unlink' | 'truncate' | 'keep';
    this.copyNsPerPage = (p.copyNsPerKb as number) * PAGE_KB;
    this.writepageNs = p.writepageNs as number;
    this.devNsPerPage = (p.deviceMbPerS as number) > 0 ? (PAGE_KB * 1024 * 1e9) / ((p.deviceMbPerS as number) * 1024 * 1024) : 0;
    this.files = this.shared
      ? [ctx.newFile('iozone.tmp', { nrPages: T * pages })]
      : Array.from({ length: T }, (_, i) => ctx.newFile(`iozone.DUMMY.${i}`, { nrPages: pages }));
    this.dirty = new Map<AddressSpace, Set<number>>(this.files.map((f) => [f, new Set<number>()]));
    this.iMutex = new Map(this.files.map((f) => [f, new Mutex(ctx.env, LOCKDEP_CLASSES.i_mutex, `${f.name}.i_mutex`)]));
  }

  private fileOf(i: number): AddressSpace {
    return this.shared ? this.files[0]! : this.files[i]!;
  }

  /** the child's file pages: [first, first + pages) */
  private sliceOf(i: number): number {
    return this.shared ? i * this.pages : 0;
  }

  /** sleep until simulated time `t` (an I/O completion interrupt wakes the task) */
  private *sleepUntil(t: Task, at: number): Proc {
    const { sim, sched } = this.ctx;
    if (at > sim.now) yield* sched.sleep(t, at - sim.now); // only the completion ends it
  }

  /**
   * msync(MS_SYNC) of the whole mapping (mm/msync.c, 3.18): under mmap_sem R find the
   * VM_SHARED file VMA, get_file, up_read, vfs_fsync_range → filemap_write_and_wait_range:
   * write_cache_pages over the dirty pages of the range, then wait for their writeback.
   */
  private *msyncSync(t: Task, mm: MmStruct, vma: Vma): Proc {
    const { ctx } = this;
    yield* mm.mmapSem.acquire(t, 'read', 'msync');
    yield* mm.mmapSem.release(t, 'read');
    const file = vma.file!, tag = this.dirty.get(file)!;
    const idx = [...tag].filter((i) => vma.covers(i)).sort((a, b) => a - b);
    let n = 0;
    for (const i of idx) {
      const page = file.page(i);
      yield* page.lockPage(t);
      if (tag.delete(i)) { // clear_page_dirty_for_io: another msync may have cleaned it meanwhile
        const ptes = yield* pageMkclean(ctx, t, page); // page_mkclean → rmap_walk_file
        this.cleaned += ptes; // (not `this.cleaned += yield*`: other children add meanwhile)
        yield* ctx.compute(t, this.writepageNs); // ->writepage: set_page_writeback, submit
        n++;
      }
      yield* page.unlockPage(t);
    }
    this.writtenBack += n;
    // filemap_fdatawait_range: the device completes the batch in FIFO order
    this.deviceFreeAt = Math.max(this.deviceFreeAt, ctx.sim.now) + n * this.devNsPerPage;
    yield* this.sleepUntil(t, this.deviceFreeAt);
    yield* mm.mmapSem.acquire(t, 'read', 'msync'); // down_read again to walk on
    yield* mm.mmapSem.release(t, 'read');
  }

  /** one child of one test: mmap, copy every record through the mapping, msync, munmap */
  private *child(t: Task, i: number, test: TestName): Proc {
    const { ctx, pages, recPages } = this;
    const write = test === 'write' || test === 'rewrite';
    const file = this.fileOf(i), first = this.sliceOf(i);
    const mm = ctx.newMm(`iozone.${test}.${i}`);
    const whole = this.shared ? file.nrPages : pages;
    const vma = yield* vmMmap(ctx, t, mm, { file, pgoff: 0, pages: whole, flags: VM_READ | VM_SHARED | (write ? VM_WRITE : 0) });
    const tag = this.dirty.get(file)!;
    for (let r = 0; r < pages; r += recPages) {
      for (let k = r; k < Math.min(r + recPages, pages); k++) {
        const idx = first + k, addr = vma.addressOf(idx);
        if (!mm.pt.has(addr)) {
          yield* pageFault(ctx, t, mm, addr, write); // do_shared_fault / do_read_fault
          this.faults++;
          if (write) tag.add(idx); // the shared write fault dirties the page (set_page_dirty)
        }
        yield* ctx.sched.compute(t, this.copyNsPerPage, true);
      }
    }
    this.bytes += pages * PAGE_KB * 1024;
    if (write && this.msync === 'sync') yield* this.msyncSync(t, mm, vma);
    else if (write && this.msync === 'async') {
      yield* mm.mmapSem.acquire(t, 'read', 'msync'); // MS_ASYNC: nothing to start in 3.18
      yield* mm.mmapSem.release(t, 'read');
    }
    yield* vmMunmap(ctx, t, mm, vma.start, vma.pages);
  }

  /** the end of the run for one file: ftruncate(fd, 0) and/or the page cache dropped at unlink */
  private *cleanup(t: Task, file: AddressSpace): Proc {
    const { ctx } = this;
    if (this.atEnd === 'keep') return;
    if (this.atEnd === 'truncate') {
      yield* this.iMutex.get(file)!.lock(t, 'do_truncate');
      yield* truncateSetsize(ctx, t, file, 0); // unmap_mapping_range x2, truncate_inode_pages
      yield* this.iMutex.get(file)!.unlock(t);
    }
    // iput → evict → truncate_inode_pages_final: the pages are no longer mapped (no i_mmap)
    yield* truncateInodePages(ctx, t, file, 0);
    this.dirty.get(file)!.clear();
  }

  /** the parent: per test, T children together, then wait for all of them; the files' end */
  start(): void {
    const { ctx, T } = this;
    const { sim, sched } = ctx;
    const self = this;
    sched.spawn('iozone', function* (parent) {
      for (const test of TESTS[self.w.params.tests as keyof typeof TESTS]) {
        const span = { start: sim.now, end: sim.now, bytes: 0 };
        const before = self.bytes;
        let live = T;
        for (let i = 0; i < T; i++) {
          sched.spawn(`iozone.${test}.${i}`, function* (c) {
            yield* self.child(c, i, test);
            if (--live === 0) sched.wake(parent);
            yield* ctx.compute(c, ctx.costs.exitFixed);
          });
        }
        yield* sched.block(parent); // waits for every child of the test
        span.end = sim.now;
        span.bytes = self.bytes - before;
        self.spans[test] = span;
      }
      for (const f of self.files) yield* self.cleanup(parent, f);
    });
  }

  output(): WorkloadOutput {
    const { ctx } = this;
    const { sim } = ctx;
    const mbps = (b: number, ns: number) => (ns > 0 ? b / (1024 * 1024) / (ns / 1e9) : null);
    const perTest: Record<string, number | null> = {};
    for (const test of ['write', 'rewrite', 'read', 'reread'] as const) {
      const s = this.spans[test];
      perTest[`${test}_mb_per_s`] = s ? mbps(s.bytes, s.end - s.start) : null;
    }
    return {
      metrics: {
        mb_per_s: mbps(this.bytes, sim.now),
        ...perTest,
        elapsed_ns: sim.now,
        ...siteMetrics(immapSites(ctx)),
      },
      counters: { faults: this.faults, pages_cleaned: this.cleaned, pages_written_back: this.writtenBack, pgfault: ctx.vmstat.pgfault, rmap_walks: ctx.vmstat.rmap_walks },
    };
  }
}
