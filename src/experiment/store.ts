/**
 * A sweep's output directory:
 *
 *   spec.json         the sweep spec, defaults filled in (written first; a rerun must match)
 *   journal.jsonl     one line per finished run, appended as each run finishes
 *   runs.{csv,json,arrow}       the tidy tables, written when the sweep (or shard) is done
 *   lockstat.{csv,json,arrow}
 *   trace.{csv,json,arrow}      only when runs have options.trace
 *   provenance.json   package version, git commit, Node.js, host CPUs, spec, shard, timing
 *   .lock             while a sweep writes here (holds pid@host)
 *
 * Crash safety: a journal line is one write(2) to a file opened O_APPEND, so a killed sweep
 * leaves whole lines; a torn last line (power loss, full disk) is cut off when the journal
 * is next opened. Every other file is written to a temporary name and renamed into place,
 * so it is either the old version or the new, never partial. Rerunning skips the runs in
 * the journal.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, ftruncateSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ConfigError, show } from './errors';
import { journalLine, type JournalEntry, type SweepTables } from './results';
import { specKey, type ExpandedSweep } from './spec';
import { toArrow, toCsv, toJson, type Table } from './tables';

export const JOURNAL = 'journal.jsonl';
export const SPEC_FILE = 'spec.json';
export const PROVENANCE_FILE = 'provenance.json';
const LOCK_FILE = '.lock';

/** Write `data` to `file` atomically (temporary file in the same folder, fsync, rename). */
export function writeAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/** The spec file's text: the normalized spec, pretty-printed, keys in spec order (axes order matters). */
export function specText(x: ExpandedSweep): string {
  return `${JSON.stringify(x.spec, null, 2)}\n`;
}

export interface JournalRead {
  entries: Map<string, JournalEntry>;
  /** bytes of a torn last line that were (or would be) cut off */
  tornBytes: number;
  /** byte length of the whole lines */
  goodLength: number;
}

/**
 * Read a journal; a last line without its newline, or one that does not parse, is torn and
 * ignored. Throws for a bad line that is not the last (a corrupt file, not a crash).
 */
export function readJournal(file: string): JournalRead {
  const entries = new Map<string, JournalEntry>();
  if (!existsSync(file)) return { entries, tornBytes: 0, goodLength: 0 };
  const buf = readFileSync(file);
  let pos = 0;
  let goodLength = 0;
  let lineNo = 0;
  while (pos < buf.length) {
    const nl = buf.indexOf(0x0a, pos);
    lineNo++;
    if (nl < 0) break; // torn tail
    const text = buf.subarray(pos, nl).toString('utf8');
    let e: JournalEntry;
    try {
      e = JSON.parse(text) as JournalEntry;
      if (typeof e.runId !== 'string' || typeof e.configHash !== 'string' || typeof e.seed !== 'string') throw new Error('missing runId/configHash/seed');
    } catch (err) {
      if (nl === buf.length - 1) break; // a garbled last line: torn
      throw new Error(`${file}:${lineNo}: not a journal entry (${(err as Error).message}); the file is corrupt`);
    }
    const prev = entries.get(e.runId);
    if (prev && journalLine(prev) !== journalLine(e)) {
      throw new Error(`${file}:${lineNo}: run ${e.runId} appears twice with different results`);
    }
    entries.set(e.runId, e);
    pos = nl + 1;
    goodLength = pos;
  }
  return { entries, tornBytes: buf.length - goodLength, goodLength };
}

/** Check journal entries against the sweep: every run known, with its config hash and seed. */
export function checkEntries(x: ExpandedSweep, entries: Map<string, JournalEntry>, where: string): void {
  const runs = new Map(x.runs.map((r) => [r.runId, r]));
  for (const e of entries.values()) {
    const r = runs.get(e.runId);
    if (!r) throw new ConfigError(where, `holds run ${show(e.runId)}, which is not in this sweep`, 'a folder written for the same spec');
    if (r.configHash !== e.configHash || r.seed !== e.seed) {
      throw new ConfigError(where, `run ${e.runId} was computed for config ${e.configHash} seed ${e.seed}, but the spec now gives config ${r.configHash} seed ${r.seed} (the code, a preset or a kernel definition changed)`, 'a fresh --out folder');
    }
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** An output folder opened for writing by this process. */
export class SweepStore {
  private journalFd: number | null = null;
  private locked = false;
  /** removes the lock if the process exits while the folder is open (e.g. process.exit on SIGTERM) */
  private readonly onExit = () => {
    if (this.locked) rmSync(join(this.dir, LOCK_FILE), { force: true });
  };

  constructor(readonly dir: string) {}

  /**
   * Check that `dir` can hold `x` (a different spec there is a ConfigError naming --out) —
   * without writing anything.
   */
  static check(dir: string, x: ExpandedSweep, field = '--out'): void {
    if (existsSync(dir) && !statSync(dir).isDirectory()) throw new ConfigError(field, `${show(dir)} exists and is not a folder`);
    const specFile = join(dir, SPEC_FILE);
    if (existsSync(specFile)) {
      let old: unknown;
      try {
        old = JSON.parse(readFileSync(specFile, 'utf8'));
      } catch {
        throw new ConfigError(field, `${show(specFile)} is not valid JSON`, 'a folder written by mmlock sweep, or a new one');
      }
      if (specKey(old) !== specKey(x.spec)) {
        throw new ConfigError(field, `${show(dir)} holds results of a different sweep spec`, 'the same spec to resume, or a new folder');
      }
    } else if (existsSync(dir) && readdirSync(dir).some((f) => f === JOURNAL)) {
      throw new ConfigError(field, `${show(dir)} has a journal but no ${SPEC_FILE}`, 'a folder written by mmlock sweep, or a new one');
    }
  }

  /** Create the folder, take the lock, write spec.json, repair and read the journal. */
  open(x: ExpandedSweep): Map<string, JournalEntry> {
    SweepStore.check(this.dir, x);
    mkdirSync(this.dir, { recursive: true });
    this.lock();
    try {
      const specFile = join(this.dir, SPEC_FILE);
      if (!existsSync(specFile)) writeAtomic(specFile, specText(x));
      const file = join(this.dir, JOURNAL);
      const j = readJournal(file);
      checkEntries(x, j.entries, '--out');
      this.journalFd = openSync(file, 'a');
      if (j.tornBytes) ftruncateSync(this.journalFd, j.goodLength);
      return j.entries;
    } catch (e) {
      this.close();
      throw e;
    }
  }

  private lock(): void {
    const file = join(this.dir, LOCK_FILE);
    const me = `${process.pid}@${hostname()}`;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(file, 'wx');
        writeSync(fd, `${me}\n`);
        closeSync(fd);
        this.locked = true;
        process.on('exit', this.onExit);
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const holder = readFileSync(file, 'utf8').trim();
      const [pid, host] = holder.split('@');
      if (host === hostname() && !pidAlive(Number(pid))) {
        rmSync(file, { force: true }); // stale: its process is gone
        continue;
      }
      throw new ConfigError('--out', `${show(this.dir)} is in use by another sweep (${holder}${host === hostname() ? '' : ', another host'})`, `wait for it, or delete ${join(this.dir, LOCK_FILE)} if it is gone`);
    }
    throw new ConfigError('--out', `cannot lock ${show(this.dir)}`);
  }

  /** Append one finished run (one write of one whole line). */
  append(e: JournalEntry): void {
    if (this.journalFd === null) throw new Error('SweepStore.append: not open');
    writeSync(this.journalFd, Buffer.from(`${journalLine(e)}\n`, 'utf8'));
  }

  /** Write the tables and the provenance file (each atomically). */
  writeResults(tables: SweepTables, provenance: unknown): void {
    writeTables(this.dir, tables);
    writeAtomic(join(this.dir, PROVENANCE_FILE), `${JSON.stringify(provenance, null, 2)}\n`);
  }

  close(): void {
    if (this.journalFd !== null) {
      fsyncSync(this.journalFd);
      closeSync(this.journalFd);
      this.journalFd = null;
    }
    if (this.locked) {
      rmSync(join(this.dir, LOCK_FILE), { force: true });
      this.locked = false;
      process.off('exit', this.onExit);
    }
  }
}

/** Write runs/lockstat/trace as CSV, JSON and Arrow (trace files removed if there is none). */
export function writeTables(dir: string, t: SweepTables): void {
  const write = (name: string, table: Table | null) => {
    for (const ext of ['csv', 'json', 'arrow']) {
      const file = join(dir, `${name}.${ext}`);
      if (!table) {
        rmSync(file, { force: true });
        continue;
      }
      writeAtomic(file, ext === 'csv' ? toCsv(table) : ext === 'json' ? toJson(table) : toArrow(table));
    }
  };
  write('runs', t.runs);
  write('lockstat', t.lockstat);
  write('trace', t.trace);
}
