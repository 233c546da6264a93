// Pure parsers and arithmetic for scripts/reaim-measure.js (no I/O, no processes), so that
// they can be unit-tested on committed sample outputs (test/scripts/reaim-parse.test.ts).
'use strict';

/**
 * The summary table of `strace -c` (or `strace -f -c`), as written by strace 5–6:
 *   % time     seconds  usecs/call     calls    errors syscall
 *   ------ ----------- ----------- --------- --------- ----------------
 *    74.12    0.166781         734       227       109 wait4
 *     0.03    0.000070           8         8           lseek
 *   ------ ----------- ----------- --------- --------- ----------------
 *   100.00    0.225029          37      6001       429 total
 * The errors column is blank when a call never failed. Returns { syscalls: {name: {calls,
 * errors, seconds}}, total: {calls, errors, seconds} }; throws on text that has no such table.
 */
function parseStraceSummary(text) {
  const lines = String(text).split('\n');
  const head = lines.findIndex((l) => /^\s*% time\s+seconds\s+usecs\/call\s+calls\s+errors\s+syscall\s*$/.test(l));
  if (head < 0) throw new Error('strace -c: no summary header ("% time seconds usecs/call calls errors syscall") found');
  const syscalls = {};
  let total = null;
  for (let i = head + 1; i < lines.length; i++) {
    const l = lines[i];
    if (/^\s*$/.test(l) || /^[-\s]+$/.test(l)) continue;
    const f = l.trim().split(/\s+/);
    let row;
    if (f.length === 6) row = { pct: f[0], seconds: f[1], calls: f[3], errors: f[4], name: f[5] };
    else if (f.length === 5) row = { pct: f[0], seconds: f[1], calls: f[3], errors: '0', name: f[4] };
    else throw new Error(`strace -c: line ${i + 1} has ${f.length} fields, expected 5 or 6: ${JSON.stringify(l)}`);
    const calls = Number(row.calls), errors = Number(row.errors), seconds = Number(row.seconds);
    if (![calls, errors, seconds].every(Number.isFinite) || !/^[a-z_0-9]+$/.test(row.name)) {
      throw new Error(`strace -c: line ${i + 1} is not "<% time> <seconds> <usecs/call> <calls> [errors] <syscall>": ${JSON.stringify(l)}`);
    }
    if (row.name === 'total') { total = { calls, errors, seconds }; break; }
    syscalls[row.name] = { calls, errors, seconds };
  }
  if (!total) throw new Error('strace -c: no "total" line after the header');
  const sum = Object.values(syscalls).reduce((a, s) => a + s.calls, 0);
  if (sum !== total.calls) throw new Error(`strace -c: the rows add up to ${sum} calls but the total line says ${total.calls}`);
  return { syscalls, total };
}

/** calls of `name` in a parsed strace summary (0 when absent) */
const calls = (s, name) => (s.syscalls[name] ? s.syscalls[name].calls : 0);

/**
 * The counts the model's tests are compared on, from a parsed strace summary. A process is
 * created by clone (fork() in glibc is clone), clone3 (glibc's posix_spawn for system()),
 * fork or vfork; execs count successful execve only (a failed execve maps nothing).
 */
function straceCounts(s) {
  const ex = s.syscalls.execve || { calls: 0, errors: 0 };
  return {
    processes: calls(s, 'clone') + calls(s, 'clone3') + calls(s, 'fork') + calls(s, 'vfork'),
    vfork: calls(s, 'vfork') + calls(s, 'clone3'),
    execve: ex.calls - ex.errors,
    execve_failed: ex.errors,
    mmap: calls(s, 'mmap'),
    munmap: calls(s, 'munmap'),
    mprotect: calls(s, 'mprotect'),
    brk: calls(s, 'brk'),
    sync: calls(s, 'sync'),
    fsync: calls(s, 'fsync') + calls(s, 'fdatasync'),
    creat: calls(s, 'creat'),
    openat: calls(s, 'openat') + calls(s, 'open'),
    unlink: calls(s, 'unlink') + calls(s, 'unlinkat'),
    getdents: calls(s, 'getdents64') + calls(s, 'getdents'),
    shmget: calls(s, 'shmget'),
    syscalls: s.total.calls,
  };
}

/**
 * The output of `perf stat -o FILE -e page-faults,minor-faults,major-faults,task-clock,...`
 * (human format, perf 5–6): event counts (thousands separators allowed; "<not counted>" and
 * "<not supported>" become null), "N seconds time elapsed", "N seconds user", "N seconds sys".
 * task-clock is returned in ms.
 */
function parsePerfStat(text) {
  const events = {};
  let elapsed = null, user = null, sys = null;
  for (const l of String(text).split('\n')) {
    let m;
    if ((m = /^\s*([\d.,]+)\s+seconds time elapsed/.exec(l))) elapsed = num(m[1]);
    else if ((m = /^\s*([\d.,]+)\s+seconds user/.exec(l))) user = num(m[1]);
    else if ((m = /^\s*([\d.,]+)\s+seconds sys/.exec(l))) sys = num(m[1]);
    else if ((m = /^\s*([\d.,]+)\s+(?:msec\s+)?([a-zA-Z][\w:/=.-]*)(?:\s|$)/.exec(l))) events[m[2]] = num(m[1]);
    else if ((m = /^\s*<not (?:counted|supported)>\s+(?:msec\s+)?([a-zA-Z][\w:/=.-]*)/.exec(l))) events[m[1]] = null;
  }
  if (elapsed === null) throw new Error('perf stat: no "seconds time elapsed" line (was the output written with -o, in the human format, not -x?)');
  if (user === null || sys === null) throw new Error('perf stat: no "seconds user" / "seconds sys" lines (perf older than 5.2 does not print them)');
  return { events, elapsedS: elapsed, userS: user, sysS: sys };
}

/** "1,234.5" → 1234.5 */
function num(s) {
  const v = Number(String(s).replace(/,/g, ''));
  if (!Number.isFinite(v)) throw new Error(`not a number: ${JSON.stringify(s)}`);
  return v;
}

/**
 * reaim's result lines on its standard output, one per load point, after the header
 *   Num     Parent   Child   Child  Jobs per   Jobs/min/  Std_dev  Std_dev  JTI
 *   Forked  Time     SysTime UTime   Minute     Child      Time     Percent
 *   1       0.12     0.02    0.03    500.00     500.00     0.00     0.00     100
 * ("Start Children" goes to standard error, between the header and the lines).
 * Parent Time is the round's real time (start signal to the last child's exit), the child
 * times are tms_cstime/tms_cutime of the children. Returns one entry per load point.
 */
function parseReaimResults(text) {
  const out = [];
  const lines = String(text).split('\n');
  const start = lines.findIndex((l) => /^Forked\s+Time\s+SysTime\s+UTime/.test(l));
  if (start < 0) throw new Error('reaim: no result header ("Forked  Time  SysTime UTime ...") in its output (did it fail to start?)');
  for (const l of lines.slice(start + 1)) {
    const f = l.trim().split(/\s+/);
    // Jobs per Minute is "inf" when the round took under 5 ms (Parent Time prints as 0.00)
    if (f.length >= 6 && /^\d+$/.test(f[0]) && f.slice(1, 4).every((x) => /^[\d.]+$/.test(x))) {
      const jpm = /^[\d.]+$/.test(f[4]) ? Number(f[4]) : /^inf$/i.test(f[4]) ? Infinity : NaN;
      out.push({ users: Number(f[0]), parentS: Number(f[1]), childSysS: Number(f[2]), childUserS: Number(f[3]), jpm });
    }
  }
  if (out.length === 0) throw new Error('reaim: no result line after the header');
  return out;
}

/** `Key:   123 kB` lines of /proc/PID/smaps_rollup or /proc/PID/status → {Key: kB} */
function parseKbFields(text) {
  const out = {};
  for (const l of String(text).split('\n')) {
    const m = /^(\w+):\s+(\d+) kB$/.exec(l.trim());
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

/**
 * Per invocation of a test: (counts at N jobs − counts at 1 job) / (N − 1), for every numeric
 * field present in both. The driver's own work (set-up, its syncs, forking the child) is the
 * same in both runs and cancels.
 */
function perInvocation(one, many, n) {
  if (!(Number.isInteger(n) && n >= 2)) throw new Error(`perInvocation: n must be an integer >= 2, got ${n}`);
  const out = {};
  for (const k of Object.keys(many)) {
    if (typeof many[k] === 'number' && typeof one[k] === 'number') out[k] = (many[k] - one[k]) / (n - 1);
  }
  return out;
}

/** the number of jobs for the timed run: enough for about `targetS` seconds, within [min, max] */
function jobsFor(oneJobS, { targetS = 2, min = 3, max = 200 } = {}) {
  const t = Math.max(oneJobS, 0.005);
  return Math.max(min, Math.min(max, Math.ceil(targetS / t)));
}

module.exports = { parseStraceSummary, straceCounts, parsePerfStat, parseReaimResults, parseKbFields, perInvocation, jobsFor };
