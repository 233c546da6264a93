/**
 * Tunables of automatic NUMA balancing and NUMA-misplaced page migration, with the
 * defaults of Linux 3.18. Times in ms like the sysctls (the model converts to ns).
 */
import { withOverrides } from '../../engine/params';
export interface NumaParams {
  /** NUMA balancing on (kernel.numa_balancing); off = no scan ticks, no hinting faults */
  enabled: boolean;
  /** sysctl_numa_balancing_scan_delay (ms): runtime before a new task's first scan, and delay of a new mm's first pass */
  scanDelayMs: number;
  /** sysctl_numa_balancing_scan_period_min (ms) */
  scanPeriodMinMs: number;
  /** sysctl_numa_balancing_scan_period_max (ms) */
  scanPeriodMaxMs: number;
  /** sysctl_numa_balancing_scan_size (MB of address space per pass) */
  scanSizeMb: number;
  /** MAX_SCAN_WINDOW (MB/s): floor of the scan period = 1000 ms / (maxScanWindowMb / scanSizeMb) */
  maxScanWindowMb: number;
  /** ratelimit_pages: pages a node may receive per migrate window */
  ratelimitPages: number;
  /** migrate_interval_millisecs: length of the per-node rate-limit window (ms) */
  migrateIntervalMs: number;
  /**
   * Probability that isolate_lru_page() fails for a page not already isolated (the page is
   * off the LRU for another reason: in a pagevec, being reclaimed). Model parameter,
   * drawn from rng `migrate.isolate`; 0 = only `page.isolated` makes isolation fail.
   */
  isolateFailProbability: number;
  /** adapt p->numa_scan_period to the fault locality (update_task_scan_period); false = fixed at task_scan_min */
  adaptScanPeriod: boolean;
}

export const defaultNumaParams: Readonly<NumaParams> = Object.freeze({
  enabled: true,
  scanDelayMs: 1000,
  scanPeriodMinMs: 1000,
  scanPeriodMaxMs: 60000,
  scanSizeMb: 256,
  maxScanWindowMb: 2560,
  ratelimitPages: 128 << (20 - 12),
  migrateIntervalMs: 100,
  isolateFailProbability: 0,
  adaptScanPeriod: true,
});

export const numaParamSources: Record<keyof NumaParams, string> = {
  enabled: 'kernel.numa_balancing sysctl; on by default with CONFIG_NUMA_BALANCING_DEFAULT_ENABLED=y on a NUMA machine [U: the test kernel config is not published]',
  scanDelayMs: 'kernel/sched/fair.c (3.18): unsigned int sysctl_numa_balancing_scan_delay = 1000 [U: 3.18 text not compared; same value in 3.13 and later]',
  scanPeriodMinMs: 'kernel/sched/fair.c: sysctl_numa_balancing_scan_period_min = 1000 [U: as above]',
  scanPeriodMaxMs: 'kernel/sched/fair.c: sysctl_numa_balancing_scan_period_max = 60000 [U: as above]',
  scanSizeMb: 'kernel/sched/fair.c: sysctl_numa_balancing_scan_size = 256 [U: as above]',
  maxScanWindowMb: 'kernel/sched/fair.c: #define MAX_SCAN_WINDOW 2560 ("never scan more PTEs than MAX_SCAN_WINDOW MB/sec", task_scan_min) [U]',
  ratelimitPages: 'mm/migrate.c: ratelimit_pages = 128 << (20 - PAGE_SHIFT) (128 MB of 4 KiB pages per window); reference docs/reference/kernel-locking.md §7.4',
  migrateIntervalMs: 'mm/migrate.c: migrate_interval_millisecs = 100; reference docs/reference/kernel-locking.md §7.4',
  isolateFailProbability: 'model parameter (not a kernel tunable): isolate_lru_page fails when the page is not on the LRU; default 0',
  adaptScanPeriod: 'kernel/sched/fair.c update_task_scan_period (NUMA_PERIOD_SLOTS 10, NUMA_PERIOD_THRESHOLD 7 since a22b4b01, 3.16) [U: 3.18 text not compared]',
};

export function resolveNumaParams(p: Partial<NumaParams> | undefined): NumaParams {
  const out = withOverrides(defaultNumaParams, p, 'mm.numa', 'parameter', (k, v) => {
    const want = typeof defaultNumaParams[k];
    if (typeof v !== want) return `must be a ${want}`;
    return want === 'number' && !(Number.isFinite(v) && (v as number) >= 0) ? 'must be a finite number >= 0' : undefined;
  });
  if (out.isolateFailProbability > 1) throw new Error(`mm.numa.isolateFailProbability: must be in [0, 1], got ${out.isolateFailProbability}`);
  if (out.scanSizeMb === 0 || out.scanPeriodMinMs === 0) throw new Error('mm.numa.scanSizeMb and scanPeriodMinMs must be > 0');
  if (out.scanPeriodMaxMs < out.scanPeriodMinMs) throw new Error(`mm.numa.scanPeriodMaxMs (${out.scanPeriodMaxMs}) must be >= scanPeriodMinMs (${out.scanPeriodMinMs})`);
  return out;
}
