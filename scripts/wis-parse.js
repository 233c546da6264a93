// Pure parsers for scripts/wis-measure.js (no I/O, no processes), unit-tested in
// test/scripts/wis-parse.test.ts on a committed will-it-scale output.
'use strict';

/** the will-it-scale mm tests this project models (data/workloads/microbench/) and the modes each is built in */
const WIS_TESTS = ['mmap1', 'mmap2', 'page_fault1', 'page_fault2', 'page_fault3', 'brk1'];
const WIS_MODES = ['processes', 'threads'];

/**
 * The standard output of a will-it-scale binary (main.c) run with `-s S`:
 *   testcase:Anonymous memory mmap/munmap of 128MB
 *   warmup
 *   min:2301 max:2410 total:4711          one line per second, summed over the tasks
 *   ...                                   (WARMUP_ITERATIONS = 5 lines, then:)
 *   measurement
 *   min:... max:... total:...             S more lines, averaged into:
 *   average:4702
 * Returns { description, warmup: [{min,max,total}], measured: [{min,max,total}], average }
 * where `average` is main.c's own (null when the run was cut off before it printed it).
 * Throws on text without a testcase line or with a malformed sample line.
 */
function parseWisOutput(text) {
  const lines = String(text).split('\n').map((l) => l.trim()).filter(Boolean);
  const d = lines.find((l) => l.startsWith('testcase:'));
  if (!d) throw new Error('will-it-scale output: no "testcase:" line');
  const warmup = [], measured = [];
  let phase = null, average = null;
  for (const l of lines) {
    if (l === 'warmup') phase = warmup;
    else if (l === 'measurement') phase = measured;
    else if (l.startsWith('min:')) {
      const m = /^min:(\d+) max:(\d+) total:(\d+)$/.exec(l);
      if (!m) throw new Error(`will-it-scale output: malformed sample line ${JSON.stringify(l)}`);
      if (!phase) throw new Error('will-it-scale output: a sample line before "warmup"');
      phase.push({ min: Number(m[1]), max: Number(m[2]), total: Number(m[3]) });
    } else if (l.startsWith('average:')) {
      const m = /^average:(\d+)$/.exec(l);
      if (!m) throw new Error(`will-it-scale output: malformed average line ${JSON.stringify(l)}`);
      average = Number(m[1]);
    }
  }
  return { description: d.slice('testcase:'.length), warmup, measured, average };
}

/**
 * Operations per second of a parsed run: main.c's average when present (the mean of the
 * measured samples' totals, integer division), else the mean of the measured samples.
 * Per task: the mean of the measured samples' min and max over tasks. Throws when nothing
 * was measured.
 */
function wisRate(p, tasks) {
  const s = p.measured;
  if (p.average === null && s.length === 0) throw new Error('will-it-scale output: no measured sample');
  const mean = (f) => (s.length ? s.reduce((a, x) => a + f(x), 0) / s.length : null);
  const total = p.average !== null ? p.average : mean((x) => x.total);
  return { opsPerS: total, perTask: total / tasks, perTaskMin: mean((x) => x.min), perTaskMax: mean((x) => x.max), samples: s.length };
}

/**
 * The children's CPU time from the `times` builtin of sh, printed after the test exits:
 *   0m0.001s 0m0.002s        the shell's own user and system time
 *   0m2.310s 0m6.120s        its children's (the test and its tasks)
 * Returns { userS, sysS } of the second line; throws when there is no such pair of lines.
 */
function parseTimes(text) {
  const t = /(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s\s*\n\s*(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s\s*$/.exec(String(text).trim());
  if (!t) throw new Error('times: expected two lines of "XmY.YYYs XmY.YYYs" (shell, then children)');
  return { userS: Number(t[5]) * 60 + Number(t[6]), sysS: Number(t[7]) * 60 + Number(t[8]) };
}

/**
 * Operations per CPU-second: every sample's total (warm-up and measured: the whole time the
 * tasks ran) over the CPU time the test's processes used. On a shared machine this is the rate
 * a task would have with a CPU of its own (time waiting for a CPU is not in it; time spinning is).
 */
function perCpuSecond(p, cpuS) {
  const all = [...p.warmup, ...p.measured].reduce((a, x) => a + x.total, 0);
  if (!(cpuS > 0)) throw new Error(`CPU time must be > 0 s, got ${cpuS}`);
  return all / cpuS;
}

/** the binary name of a test and mode, as will-it-scale's Makefile builds it */
function wisBinary(test, mode) {
  if (!WIS_MODES.includes(mode)) throw new Error(`mode ${JSON.stringify(mode)}: must be one of ${WIS_MODES.join(', ')}`);
  if (!/^[a-z0-9_]+$/.test(test)) throw new Error(`test ${JSON.stringify(test)}: must be a will-it-scale test name like mmap1`);
  return `${test}_${mode}`;
}

module.exports = { WIS_TESTS, WIS_MODES, parseWisOutput, wisRate, wisBinary, parseTimes, perCpuSecond };
