/**
 * `memcached`: a memcached-like cache server (memcached 1.4, `memcached -t W -m M`), the
 * issue's example of a workload the i_mmap series should NOT change.
 *
 * One process: the main thread exec's `memcached` (mm/model/layouts.ts: its binary, libevent,
 * libpthread, libc — sizes [U]), allocates the hash table (calloc of 2^16 buckets: an
 * anonymous mmap) and starts W worker threads (pthread_create: an 8 MiB anonymous stack
 * mmap and a PROT_NONE guard page, mprotect) — all tasks on the same MmStruct, so they
 * share one mmap_sem. Clients send requests at `rateKops` thousand per second (Poisson,
 * spread evenly over the workers, as memcached's dispatcher hands connections round-robin).
 * A worker sleeps in epoll_wait until its next request, then: `kernelNs` of network
 * system calls (read, sendmsg), `serviceNs` of user time (hash lookup, LRU), and
 * - get (1 - `setRatio`): reads an item stored earlier (present pages: no fault);
 * - set: slabs_alloc under the slabs_lock pthread mutex (modelled as a non-spinning mutex
 *   [I]) takes a chunk of the item's slab class (chunk sizes 96 B × 1.25^k, 1 MiB pages,
 *   memcached's -n 48 -f 1.25 defaults [U]). A class with no free chunk gets a new 1 MiB
 *   slab page while under `memoryMb` (malloc → mmap of an anonymous MiB: mmap_sem W,
 *   merged with the previous anonymous VMA — vma_adjust without a file, no i_mmap);
 *   at the limit it evicts (reuses a chunk of its own class). Writing the item touches its
 *   pages; a page never touched faults (do_anonymous_page under mmap_sem R).
 * With `numa` on, NUMA balancing runs (tunables time-scaled as in numa-migration):
 * task_numa_work scans the mm under mmap_sem R, and the workers' user time fetches the
 * binary's text (ctx.numa.runUser; first touches are read faults). The scanner skips the
 * r-x text and r-- RELRO of every object (read-only file VMAs, "cache replicated"), the
 * rw- data segments hold private COW copies since relocation, and the arena is anonymous
 * (the model marks no anonymous ptes; in the kernel their migrations walk the anon_vma,
 * not i_mmap) — so no hinting fault walks an i_mmap tree.
 *
 * Which i_mmap paths it hits: only exec (vma_link, vma_adjust, unlink_file_vma while
 * ld.so maps the four objects) and exit (unlink_file_vma per file VMA, after the window).
 * Requests never take i_mmap: the measured window after a warm-up that covers start-up
 * has none, and mmap_sem (faults, slab growth, NUMA scans) carries the mm locking.
 *
 * Metrics over the measured window: `ops_per_s`, `latency_mean_ns` (arrival to reply),
 * `get_hit_ratio`, `mmap_sem_acq`, `immap_acq`, `immap_per_mmap_sem` (their ratio) and
 * `immap_<site>_acq` per i_mmap site seen in the window. Counters (whole run): requests,
 * sets, gets, slab pages, evictions, failed sets, arena faults, text faults, NUMA scans
 * and hinting faults, pages migrated.
 */
import type { Task } from '../sched';
import { Mutex } from '../locking';
import {
  MmContext, ElfFiles, VM_EXEC, VM_READ, VM_WRITE, exec, doExit, pageFault, vmMmap, mprotect, type MmStruct,
} from '../mm';
import { runToOutput, type ParamValues, type WorkloadContext, type WorkloadDef, type WorkloadOutput, type WorkloadRun } from './registry';
import { NUMA_SCENARIO_PARAMS } from './mm_paths/numa_migration';
import type { Proc, Rng } from '../engine';

const PAGE = 4096;
const SLAB_PAGE_PAGES = 256; // memcached's 1 MiB slab page (item_size_max)
const STACK_PAGES = 2048; // glibc's default 8 MiB thread stack
const HASH_PAGES = 128; // 2^16 buckets x 8 B (hashpower 16)
const ITEM_HEADER = 48; // sizeof(item) + cas, roughly [U]
const MAX_STORED = 1 << 16; // items remembered for gets
const RW = VM_READ | VM_WRITE;

/** memcached's slab classes (slabs_init): 96 B, then x1.25 rounded up to 8 B, up to half a slab page, then one 1 MiB class */
function slabClasses(): number[] {
  const out: number[] = [];
  for (let size = 96; size <= (SLAB_PAGE_PAGES * PAGE) / 2; size = Math.ceil((size * 1.25) / 8) * 8) out.push(size);
  out.push(SLAB_PAGE_PAGES * PAGE);
  return out;
}

interface SlabClass { size: number; perPage: number; pages: number[]; free: number; cursor: number }

export const memcached: WorkloadDef = {
  name: 'memcached',
  description: 'memcached-like: W worker threads of one process serving get/set at a rate from an anonymous slab arena; mmap_sem only (faults, slab growth, NUMA scans) — i_mmap at exec and exit only, a workload the series should not change',
  params: {
    workers: { type: 'int', default: 4, min: 1, max: 256, help: 'worker threads (memcached -t), tasks of one mm' },
    rateKops: { type: 'number', default: 400, min: 0.001, max: 100_000, unit: 'kops/s', help: 'offered load, thousand requests per simulated second (Poisson)' },
    setRatio: { type: 'number', default: 0.1, min: 0, max: 1, help: 'fraction of requests that are sets' },
    valueBytes: { type: 'int', default: 600, min: 1, max: 1_048_576, unit: 'B', help: 'mean value size (exponential, clipped to what fits a 1 MiB item) [U]; value + key + 48 B must fit a 1 MiB slab page (memcached -I)' },
    keyBytes: { type: 'int', default: 32, min: 1, max: 250, unit: 'B', help: 'key size' },
    memoryMb: { type: 'int', default: 64, min: 1, max: 65_536, unit: 'MiB', help: 'slab memory limit (memcached -m); sets evict beyond it' },
    serviceNs: { type: 'number', default: 1500, min: 0, max: 1e8, unit: 'ns', help: 'user time per request (parse, hash, LRU, reply) [U]' },
    kernelNs: { type: 'number', default: 4000, min: 0, max: 1e8, unit: 'ns', help: 'kernel time per request besides the mm: epoll_wait, read, sendmsg [U]' },
    numa: { type: 'boolean', default: true, help: 'NUMA balancing (time-scaled tunables as numa-migration); user time fetches the binary text' },
    textTouchNs: { type: 'number', default: 5000, min: 100, max: 1e8, unit: 'ns', help: 'mean user time between fetches of a text page of the binary (with numa)' },
  },
  checkParams: (p) => (Number(p.valueBytes) + Number(p.keyBytes) + ITEM_HEADER > SLAB_PAGE_PAGES * PAGE
    ? { field: 'valueBytes', problem: `item (value + key + ${ITEM_HEADER} B header) must fit a 1 MiB slab page, got ${p.valueBytes}`, allowed: `at most ${SLAB_PAGE_PAGES * PAGE - ITEM_HEADER - Number(p.keyBytes)}` }
    : undefined),
  cost: (p, durationNs) => (Number(p.rateKops) * durationNs) / 1e6,
  run: (w) => runToOutput(w, new MemcachedRun(w)),
};

/** One memcached run: the process, its slab arena, its workers and what they counted. */
class MemcachedRun implements WorkloadRun {
  private readonly p: ParamValues;
  private readonly numaOn: boolean;
  private readonly ctx: MmContext;
  private readonly W: number;
  /** per worker, ns */
  private readonly meanGap: number;
  private readonly setRatio: number;
  private readonly classes: SlabClass[];
  private readonly slabsLock: Mutex;
  private readonly stored: { page: number; pages: number }[] = [];
  private readonly c = { requests: 0, sets: 0, gets: 0, getHits: 0, slabPages: 0, evictions: 0, setFailed: 0, arenaFaults: 0 };
  private ops = 0;
  private latSum = 0;

  constructor(private readonly w: WorkloadContext) {
    const p = (this.p = w.params);
    this.numaOn = p.numa as boolean;
    this.ctx = new MmContext(w.sim, w.sched, w.env, w.kernel, { numa: { ...NUMA_SCENARIO_PARAMS, enabled: this.numaOn } });
    this.W = p.workers as number;
    this.meanGap = (this.W * 1e9) / ((p.rateKops as number) * 1000);
    this.setRatio = p.setRatio as number;
    this.classes = slabClasses().map((size) => ({ size, perPage: Math.floor((SLAB_PAGE_PAGES * PAGE) / size), pages: [], free: 0, cursor: 0 }));
    this.slabsLock = new Mutex(this.ctx.env, { name: 'memcached_slabs_lock' }, 'slabs_lock', { optimisticSpin: false });
  }

  /** do_slabs_alloc under slabs_lock: a chunk of the class (new slab page, or eviction at the limit); its first page and page count */
  private *slabsAlloc(t: Task, mm: MmStruct, itemBytes: number): Proc<{ page: number; pages: number } | null> {
    const { c, ctx } = this;
    const cls = this.classes.find((k) => k.size >= itemBytes)!;
    yield* this.slabsLock.lock(t, 'slabs_alloc');
    try {
      if (cls.free === 0) {
        if (c.slabPages < (this.p.memoryMb as number)) {
          // do_slabs_newslab → memory_allocate → malloc(1 MiB) → mmap (mmap_sem W, anonymous)
          const addr = mm.unmappedArea(SLAB_PAGE_PAGES); // get_unmapped_area
          yield* vmMmap(ctx, t, mm, { file: null, pgoff: 0, pages: SLAB_PAGE_PAGES, flags: RW, addr });
          cls.pages.push(addr);
          cls.free += cls.perPage;
          c.slabPages++;
        } else if (cls.pages.length > 0) {
          c.evictions++; // lru_pull_tail: reuse the oldest chunk of the class
          cls.free = 1;
        } else {
          c.setFailed++; // SERVER_ERROR out of memory storing object
          return null;
        }
      }
      const chunk = cls.cursor++ % (cls.pages.length * cls.perPage);
      cls.free--;
      const off = (chunk % cls.perPage) * cls.size;
      const page = cls.pages[Math.floor(chunk / cls.perPage)]! + Math.floor(off / PAGE);
      return { page, pages: Math.floor((off + itemBytes - 1) / PAGE) - Math.floor(off / PAGE) + 1 };
    } finally {
      yield* this.slabsLock.unlock(t);
    }
  }

  /** touch pages [first, first + n) for write: fault the ones never touched (do_anonymous_page) */
  private *writePages(t: Task, mm: MmStruct, first: number, n: number): Proc {
    for (let a = first; a < first + n; a++) {
      if (mm.pt.has(a)) continue;
      yield* pageFault(this.ctx, t, mm, a, true);
      this.c.arenaFaults++;
    }
  }

  private *userTime(t: Task, ns: number): Proc {
    if (this.numaOn) yield* this.ctx.numa.runUser(t, ns);
    else yield* this.ctx.sched.compute(t, ns, true);
  }

  /** one set: an item of the request's size from the slab arena, written */
  private *set(t: Task, mm: MmStruct, rng: Rng): Proc {
    const { p, stored } = this;
    this.c.sets++;
    const bytes = ITEM_HEADER + (p.keyBytes as number) + Math.min(Math.ceil(rng.exponential(p.valueBytes as number)), SLAB_PAGE_PAGES * PAGE - ITEM_HEADER - (p.keyBytes as number));
    const item = yield* this.slabsAlloc(t, mm, bytes);
    if (item) {
      yield* this.writePages(t, mm, item.page, item.pages);
      if (stored.length < MAX_STORED) stored.push(item);
      else stored[rng.int(MAX_STORED)] = item;
    }
  }

  private *worker(t: Task, i: number, mm: MmStruct): Proc {
    const { ctx, w, p, c } = this;
    const { sim, sched } = ctx;
    const rng = w.rng(`memcached.worker.${i}`);
    if (this.numaOn) ctx.numa.attach(t, mm);
    let next = sim.now + rng.exponential(this.meanGap);
    while (next < w.endNs) {
      // epoll_wait until the request arrives (the NIC interrupt wakes the worker); only
      // that timer ends the wait, not a stray wake-up left over from a lock
      if (sim.now < next) yield* sched.sleep(t, next - sim.now);
      const arrival = next;
      next += rng.exponential(this.meanGap);
      c.requests++;
      yield* ctx.compute(t, (p.kernelNs as number) / 2); // read
      if (rng.random() < this.setRatio) yield* this.set(t, mm, rng);
      else {
        c.gets++;
        if (this.stored.length > 0) c.getHits++; // the item's pages are present: no fault
      }
      yield* this.userTime(t, p.serviceNs as number);
      yield* ctx.compute(t, (p.kernelNs as number) / 2); // sendmsg
      if (w.measuring() && arrival >= w.startNs) { this.ops++; this.latSum += sim.now - arrival; }
    }
    if (this.numaOn) ctx.numa.detach(t);
  }

  /** the main thread: exec memcached, the hash table, the workers' stacks and threads; join them and exit */
  start(): void {
    const { ctx, p, numaOn, W } = this;
    const { sched } = ctx;
    const self = this;
    sched.spawn('memcached', function* (main) {
      const elf = new ElfFiles(ctx);
      const mm = yield* exec(ctx, main, null, elf.spec('memcached'), 'memcached');
      const textVma = mm.vmas.find((v) => v.file === elf.file('memcached') && v.has(VM_EXEC)) ?? null;
      if (numaOn && textVma) ctx.numa.setHotSet(mm, { vma: textVma, pages: Array.from({ length: textVma.pages }, (_, k) => textVma.pgoff + k), touchIntervalNs: p.textTouchNs as number });
      yield* vmMmap(ctx, main, mm, { file: null, pgoff: 0, pages: HASH_PAGES, flags: RW }); // assoc_init: calloc of the hash table
      let live = W;
      for (let i = 0; i < W; i++) {
        // pthread_create: mmap of the stack, mprotect of its guard page (a split: vma_adjust, anonymous)
        const stack = yield* vmMmap(ctx, main, mm, { file: null, pgoff: 0, pages: STACK_PAGES, flags: RW });
        yield* mprotect(ctx, main, mm, stack.start, 1, 0);
        sched.spawn(`memcached.worker${i}`, function* (t) {
          yield* self.worker(t, i, mm);
          yield* doExit(ctx, t, null); // a thread: the mm stays
          if (--live === 0) sched.wake(main);
        });
      }
      yield* sched.block(main); // pthread_join of every worker
      yield* doExit(ctx, main, mm); // exit_mmap: unlink_file_vma per file VMA
    });
  }

  output(): WorkloadOutput {
    const { w, c, ctx, ops } = this;
    const rows = w.lockstat();
    const acq = (cls: string) => rows.filter((r) => r.lockClass === cls).reduce((s, r) => s + r.acqRead + r.acqWrite, 0);
    const immap = acq('i_mmap'), mmapSem = acq('mmap_sem');
    const sites: Record<string, number> = {};
    for (const r of rows.filter((x) => x.lockClass === 'i_mmap').sort((a, b) => (a.site < b.site ? -1 : 1))) {
      sites[`immap_${r.site}_acq`] = (sites[`immap_${r.site}_acq`] ?? 0) + r.acqRead + r.acqWrite;
    }
    return {
      metrics: {
        ops_per_s: ops / (w.durationNs / 1e9),
        latency_mean_ns: ops ? this.latSum / ops : null,
        get_hit_ratio: c.gets ? c.getHits / c.gets : null,
        mmap_sem_acq: mmapSem,
        immap_acq: immap,
        immap_per_mmap_sem: mmapSem ? immap / mmapSem : null,
        ...sites,
      },
      counters: {
        requests: c.requests, sets: c.sets, gets: c.gets, slab_pages: c.slabPages, evictions: c.evictions, set_failed: c.setFailed,
        arena_faults: c.arenaFaults, numa_scan_passes: this.numaOn ? ctx.numa.stats.scanPasses : 0,
        numa_pte_updates: ctx.vmstat.numa_pte_updates, numa_hint_faults: ctx.vmstat.numa_hint_faults, numa_pages_migrated: ctx.vmstat.numa_pages_migrated,
        pgfault: ctx.vmstat.pgfault,
      },
    };
  }
}
