import { Uprobe, mmapRegion, registerForEachVma, VM_EXEC, VM_READ } from '../../mm';
import { runScenario, type OwnOptions, type ScenarioDef, type ScenarioOptions, type ScenarioReport } from './common';
import { churn } from './memory_failure';

export interface UprobeOptions extends ScenarioOptions {
  /** processes running the binary (default 128) */
  processes?: number;
  /** probes registered at the same time by separate tracer tasks (default 4) */
  probes?: number;
  /** tasks mapping and unmapping the binary meanwhile (default 4) */
  churners?: number;
  /** rounds per churner (default 20) */
  rounds?: number;
  /** text size in pages (default 512) */
  textPages?: number;
}

/**
 * Uprobes on a binary run by many processes (e.g. `perf probe -x` on a server binary):
 * `probes` tracer tasks register one probe each at the same time, then unregister, while
 * `churners` keep mapping and unmapping the binary. Each (un)registration: dup_mmap_sem
 * for write, build_map_info (i_mmap, site build_map_info), then every mm's mmap_sem for
 * write to patch the text page.
 */
export const uprobeScenario: ScenarioDef<OwnOptions<UprobeOptions>> = {
  name: 'uprobe',
  setup(ctx, o) {
    const { sched } = ctx;
    const nProc = o.processes ?? 128, nProbe = o.probes ?? 4, nChurn = o.churners ?? 4;
    const rounds = o.rounds ?? 20, pages = o.textPages ?? 512;
    const bin = ctx.newFile('server.bin', { nrPages: pages });
    const probes = Array.from({ length: nProbe }, (_, i) => new Uprobe(bin, Math.floor(((i + 1) * pages) / (nProbe + 1))));
    let installed = 0, removed = 0;
    sched.spawn('setup', function* (t) {
      for (let i = 0; i < nProc; i++) {
        const mm = ctx.newMm(`p${i}`);
        yield* mm.mmapSem.acquire(t, 'write', 'mmap');
        yield* mmapRegion(ctx, t, mm, { file: bin, pgoff: 0, pages, flags: VM_READ | VM_EXEC });
        yield* mm.mmapSem.release(t, 'write');
      }
      probes.forEach((p, i) => sched.spawn(`tracer${i}`, function* (u) {
        const n = yield* registerForEachVma(ctx, u, p, true);
        installed += n;
        yield* sched.compute(u, 1e6, true); // trace for a while
        const m = yield* registerForEachVma(ctx, u, p, false);
        removed += m;
      }));
      for (let c = 0; c < nChurn; c++) sched.spawn(`churn${c}`, (u) => churn(ctx, u, bin, rounds, `up.churn.${c}`));
    });
    return () => ({
      processes: nProc,
      probes: nProbe,
      installed,
      removed,
      dupMmapSemContentions: ctx.env.stat.classTotal('dup_mmap_sem').contentions.write,
      mmapSemWriteContentions: ctx.env.stat.classTotal('mmap_sem').contentions.write,
    });
  },
};

export function runUprobe(o: UprobeOptions): ScenarioReport {
  return runScenario(uprobeScenario, o);
}
