/**
 * Parsing a reaim workfile with re-aim-7's own rules (docs/reference/aim7.md §1–2).
 *
 * Format: one `<hits> <test>` per line; blank lines and lines starting with `#` are ignored.
 * Optional header lines `FILESIZE: <size>` / `POOLSIZE: <size>` (the colon is optional, sizes
 * take a k/m/g suffix; a bare number is read as KiB [U: reaim's unit for a bare number]) are
 * accepted anywhere; mmtests passes them in reaim.config instead (FILESIZE 10k, POOLSIZE 1m).
 *
 * Quirks reproduced:
 * - `check_name()` overwrites a test's hit count when its name appears again (the last count
 *   wins; the test keeps the list position of its first line [I]), while `total_hits` adds
 *   every line — alltests lists string_rtns with 20 and then 30 hits: it runs with 30, both
 *   lines count in the total.
 * - mmtests' `REAIM_EXCLUDE` deletes the lines naming an excluded test before reaim reads the
 *   file, so those lines count neither as tests nor in `total_hits`. Here a line is deleted
 *   when its test name equals an excluded name [U: mmtests may delete by pattern match on the
 *   whole line, which would also delete e.g. sync_disk_rw when excluding disk_rw; irrelevant
 *   for signal_test].
 */
import { readFileSync } from 'node:fs';
import { dataPath } from '../../data';
import { KNOWN_TESTS, isKnownTest, type ReaimTest } from './tests';

/** One `<hits> <test>` line of the file (line numbers count from 1, comments included). */
export interface WorkfileLine {
  line: number;
  hits: number;
  test: ReaimTest;
}

/** A test as the driver holds it after `check_name()`. */
export interface WorkfileTest {
  test: ReaimTest;
  /** The hit count of the test's last line. */
  hits: number;
  /** Line numbers of every line naming the test (more than one when it repeats). */
  lines: number[];
}

export interface Workfile {
  /** The lines reaim reads, after exclusion, in file order. */
  lines: WorkfileLine[];
  /** The lines deleted by the exclusion list. */
  excluded: { line: number; test: string; text: string }[];
  /** Distinct tests in order of first appearance, with the last hit count. */
  tests: WorkfileTest[];
  /** Sum of the hits of every line read (duplicates included). */
  totalHits: number;
  /** From a FILESIZE header line, in KiB. */
  fileSizeKiB?: number;
  /** From a POOLSIZE header line, in KiB. */
  poolSizeKiB?: number;
}

export interface ParseOptions {
  /** Test names whose lines are deleted before parsing (mmtests REAIM_EXCLUDE). */
  exclude?: readonly string[];
  /** Used in error messages. */
  source?: string;
}

/** mmtests' configuration for the 2014 runs: `REAIM_EXCLUDE=signal_test`. */
export const MMTESTS_EXCLUDE: readonly string[] = ['signal_test'];

export class WorkfileError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'WorkfileError';
  }
}

/** A reaim size (`10k`, `1m`, `2g`, bare number = KiB [U]) in KiB. */
export function parseSizeKiB(text: string): number {
  const m = /^(\d+)([kKmMgG]?)$/.exec(text.trim());
  if (!m) throw new WorkfileError(`size '${text}' is not <integer>[k|m|g]`);
  const n = Number(m[1]);
  const unit = (m[2] ?? '').toLowerCase();
  return unit === 'm' ? n * 1024 : unit === 'g' ? n * 1024 * 1024 : n;
}

export function parseWorkfile(text: string, opts: ParseOptions = {}): Workfile {
  const where = opts.source ? `${opts.source}: ` : '';
  const exclude = new Set(opts.exclude ?? []);
  const wf: Workfile = { lines: [], excluded: [], tests: [], totalHits: 0 };
  const byName = new Map<string, WorkfileTest>();
  const rows = text.split(/\r?\n/);
  for (let i = 0; i < rows.length; i++) {
    const lineNo = i + 1;
    const raw = rows[i]!.trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const fail = (msg: string): never => {
      throw new WorkfileError(`${where}line ${lineNo}: ${msg} (line: '${raw}')`, lineNo);
    };
    const header = /^(FILESIZE|POOLSIZE)\s*:?\s*(\S+)$/i.exec(raw);
    if (header) {
      let kib: number;
      try {
        kib = parseSizeKiB(header[2]!);
      } catch (e) {
        return fail(`${header[1]!.toUpperCase()}: ${(e as Error).message}`);
      }
      if (header[1]!.toUpperCase() === 'FILESIZE') wf.fileSizeKiB = kib;
      else wf.poolSizeKiB = kib;
      continue;
    }
    const fields = raw.split(/\s+/);
    if (fields.length !== 2) fail(`expected '<hits> <test>', found ${fields.length} field(s)`);
    const [hitsText, name] = fields as [string, string];
    if (exclude.has(name)) {
      wf.excluded.push({ line: lineNo, test: name, text: raw });
      continue;
    }
    if (!/^\d+$/.test(hitsText)) fail(`hits '${hitsText}' is not a non-negative integer`);
    const hits = Number(hitsText);
    if (!Number.isSafeInteger(hits)) fail(`hits '${hitsText}' is too large`);
    if (!isKnownTest(name)) fail(`unknown test '${name}'; allowed tests: ${KNOWN_TESTS.join(', ')}`);
    const test = name as ReaimTest;
    wf.lines.push({ line: lineNo, hits, test });
    wf.totalHits += hits;
    const prev = byName.get(test);
    if (prev) {
      prev.hits = hits; // check_name(): the last count wins
      prev.lines.push(lineNo);
    } else {
      const t: WorkfileTest = { test, hits, lines: [lineNo] };
      byName.set(test, t);
      wf.tests.push(t);
    }
  }
  if (wf.lines.length === 0) throw new WorkfileError(`${where}no '<hits> <test>' lines (after exclusion)`);
  if (wf.totalHits === 0) throw new WorkfileError(`${where}total hits is 0; at least one test needs hits > 0`);
  return wf;
}

/**
 * The bundled workfiles (data/workloads/reaim/workfile.<name>): alltests and disk as the 2014
 * runs used them (reconstructed, see that directory's README), the others as reaim ships them
 * (osdl-aim-7/data/, davidlohr/areaim at 584705b). Calibration uses alltests and disk only.
 */
export const WORKFILE_NAMES = [
  'alltests', 'disk', 'compute', 'custom', 'dbase', 'five_sec', 'fserver', 'high_systime', 'long', 'new_dbase', 'new_fserver', 'shared', 'short',
] as const;
export type WorkfileName = (typeof WORKFILE_NAMES)[number];

/** What a workfile parameter accepts, in words. */
export const WORKFILE_ALLOWED = `one of ${WORKFILE_NAMES.join(', ')}, or the path of a workfile (a name containing / or starting with workfile.)`;

/** whether `ref` names a bundled workfile (else it is read as a path) */
export function isWorkfileName(ref: string): ref is WorkfileName {
  return (WORKFILE_NAMES as readonly string[]).includes(ref);
}

/** Text of data/workloads/reaim/workfile.<name>, or of the file at path `ref`. */
export function workfileText(ref: WorkfileName | string): string {
  if (isWorkfileName(ref)) return readFileSync(dataPath('workloads', 'reaim', `workfile.${ref}`), 'utf8');
  if (!ref.includes('/') && !ref.startsWith('workfile.')) {
    throw new WorkfileError(`unknown workfile '${ref}'; allowed: ${WORKFILE_ALLOWED}`);
  }
  try {
    return readFileSync(ref, 'utf8');
  } catch (e) {
    throw new WorkfileError(`cannot read workfile '${ref}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; allowed: ${WORKFILE_ALLOWED}`);
  }
}

/**
 * A bundled workfile (by name) or a workfile file (by path) as the 2014 runs read it: by
 * default with mmtests' exclusion list.
 */
export function loadWorkfile(ref: WorkfileName | string, exclude: readonly string[] = MMTESTS_EXCLUDE): Workfile {
  return parseWorkfile(workfileText(ref), { exclude, source: isWorkfileName(ref) ? `workfile.${ref}` : ref });
}
