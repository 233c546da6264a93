import type { ScenarioReport } from '../workloads/mm_paths';

/** ns → µs with two decimals */
const us = (ns: number) => (ns / 1000).toFixed(2);

function table(head: string[], rows: string[][], right: (c: number) => boolean): string[] {
  const w = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((x, c) => (right(c) ? x.padStart(w[c]!) : x.padEnd(w[c]!))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)];
}

/**
 * Text form of `mmlock scenario`: per scenario, the i_mmap lockstat per call site (one row
 * per kernel under each site) and the figures with one column per kernel.
 */
export function formatReports(reports: readonly (ScenarioReport & { seed: string | number; machine: string })[], describe: (name: string) => string): string {
  const out: string[] = [];
  const names = [...new Set(reports.map((r) => r.scenario))];
  for (const nm of names) {
    const rs = reports.filter((r) => r.scenario === nm);
    if (out.length) out.push('');
    out.push(`scenario ${nm}: ${describe(nm)}`);
    out.push(`machine ${rs[0]!.machine}, seed ${rs[0]!.seed}`);
    out.push('');
    out.push('i_mmap lockstat per call site (times in µs; holders = most holders at once, shared = µs with 2+ holders at this site)');
    const sites = [...new Set(rs.flatMap((r) => Object.keys(r.sites)))].sort();
    const rows: string[][] = [];
    for (const site of sites) {
      rs.forEach((r, i) => {
        const s = r.sites[site];
        const first = i === 0 ? site : '';
        if (!s) { rows.push([first, r.kernel, '-', '0', '0', '-', '-', '-', '-', '-', '-']); return; }
        rows.push([first, r.kernel, s.mode, String(s.acquisitions), String(s.contentions), us(s.waitMeanNs), us(s.waitMaxNs),
          us(s.holdMeanNs), us(s.holdMaxNs), String(s.overlap.maxHolders), us(s.overlap.sameSiteNs)]);
      });
    }
    const head = ['site', 'kernel', 'mode', 'acq', 'contended', 'wait mean', 'wait max', 'hold mean', 'hold max', 'holders', 'shared'];
    out.push(...table(head, rows, (c) => c >= 3));
    out.push('');
    const figs = [...new Set(rs.flatMap((r) => Object.keys(r.figures)))];
    const frows = [['elapsed (ms)', ...rs.map((r) => (r.elapsedNs / 1e6).toFixed(3))]];
    for (const f of figs) frows.push([f, ...rs.map((r) => (f in r.figures ? String(r.figures[f]) : '-'))]);
    out.push(...table(['figure', ...rs.map((r) => r.kernel)], frows, (c) => c >= 1));
  }
  return out.join('\n');
}
