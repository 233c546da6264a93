/**
 * The i_mmap_rwsem patch series as data. Source: docs/reference/kernel-locking.md §1
 * and the v1 cover letter (docs/reference/the-series.md).
 *
 * ## Numbering
 * A patch is identified by a `PatchId`, a number 1..11:
 * - 1..10 are the v1 postings "[PATCH NN/10]" (24 Oct 2014), numbered by their subject line,
 *   i.e. the order of the cover letter's shortlog and of the reference table;
 * - 11 is the later "[PATCH 11/10] mm/memory.c: share the i_mmap_rwsem" (4 Nov 2014). It is a
 *   plain number so a site's "patch that set this mode" is always a JSON number; its `label`
 *   is "11/10". The parsers accept `11`, `"11"` and `"11/10"` for it, and `"01"`-style leading
 *   zeros for the others.
 *
 * The cover letter says "Patches 1-4 convert the i_mmap lock from mutex to rwsem" and
 * "Patches 5-10 share the lock in specific paths", which disagrees with its own shortlog:
 * patch 4 is "mm/rmap: share the i_mmap_rwsem" (it shares the lock in `rmap_walk_file`), and
 * the conversion is complete after 3. We follow the shortlog (and the reference): 1–2 add and
 * use helpers (no behaviour change), 3 converts the primitive with every site taking it for
 * write, 4–10 and 11 switch individual sites to read.
 */
import type { SiteId } from './callsites';
import { KernelConfigError, show } from './errors';

export type PatchId = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11;

/** All patch ids in series order (11 = "11/10"). */
export const PATCH_IDS: readonly PatchId[] = Object.freeze([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] as PatchId[]);

/**
 * What a patch does to the model.
 * - `helpers`: adds or uses wrapper functions; no behaviour change (1, 2).
 * - `convert`: the lock primitive changes `from` → `to`, and every site takes it in `mode` (3).
 * - `share`: the listed sites take the (rwsem) lock for read (4..11). Needs `convert` first.
 */
export type PatchChange =
  | { readonly kind: 'helpers'; readonly helpers: readonly string[] }
  | { readonly kind: 'convert'; readonly from: 'mutex'; readonly to: 'rwsem'; readonly mode: 'write' }
  | { readonly kind: 'share'; readonly sites: readonly SiteId[] };

/**
 * merged: in 3.19 final. nacked: rejected in review (08). dropped: not merged, no NACK but no
 * ack either and argued against (10). reverted: queued, then reverted before 3.19 final (11/10).
 */
export type PatchFate = 'merged' | 'nacked' | 'dropped' | 'reverted';

export interface Patch {
  readonly id: PatchId;
  /** As posted: "01".."10", "11/10". */
  readonly label: string;
  /** Subject line without the "[PATCH NN/10]" prefix. */
  readonly title: string;
  /** Posting: "v1" (24 Oct 2014) or "11/10" (4 Nov 2014, after Hugh asked about unmap_mapping_range). */
  readonly posting: 'v1' | '11/10';
  /** One-line summary of the code change. */
  readonly summary: string;
  readonly change: PatchChange;
  readonly fate: PatchFate;
  /** Upstream commits, where the reference checked them. */
  readonly commits: Readonly<Record<string, string>>;
  /** Review notes (acks, NACKs, objections), with dates where known. */
  readonly review: readonly string[];
  readonly ref: string;
}

const share = (...sites: SiteId[]): PatchChange => ({ kind: 'share', sites: Object.freeze(sites) });
const ACKED = 'acked by Hugh Dickins and Mel Gorman (Hugh acked 1–7 and 9; Mel acked 1–7, 9 and 11)';
const KIRILL = 'Kirill Shutemov acked v1 (28 Oct 2014); Peter Zijlstra acked v2 (3 Nov 2014)';

function patch(p: Patch): Patch {
  return Object.freeze({ ...p, commits: Object.freeze({ ...p.commits }), review: Object.freeze([...p.review]) });
}

/** The series, in PATCH_IDS order. */
export const PATCHES: readonly Patch[] = Object.freeze([
  patch({
    id: 1, label: '01', posting: 'v1',
    title: 'mm,fs: introduce helpers around the i_mmap_mutex',
    summary: 'adds i_mmap_lock_write/i_mmap_unlock_write (include/linux/fs.h); still a mutex',
    change: { kind: 'helpers', helpers: ['i_mmap_lock_write', 'i_mmap_unlock_write'] },
    fate: 'merged', commits: {}, review: [ACKED, KIRILL], ref: 'docs/reference/kernel-locking.md §1 row 01',
  }),
  patch({
    id: 2, label: '02', posting: 'v1',
    title: 'mm: use new helper functions around the i_mmap_mutex',
    summary: 'open-coded mutex_lock(&mapping->i_mmap_mutex) sites use the helpers',
    change: { kind: 'helpers', helpers: ['i_mmap_lock_write', 'i_mmap_unlock_write'] },
    fate: 'merged', commits: {}, review: [ACKED, KIRILL], ref: 'docs/reference/kernel-locking.md §1 row 02',
  }),
  patch({
    id: 3, label: '03', posting: 'v1',
    title: 'mm: convert i_mmap_mutex to rwsem',
    summary: 'the field becomes struct rw_semaphore i_mmap_rwsem (init in address_space_init_once, fs/inode.c); every user takes it for write; vm_lock_mapping uses down_write_nest_lock',
    change: { kind: 'convert', from: 'mutex', to: 'rwsem', mode: 'write' },
    fate: 'merged', commits: { merged: 'c8c06efa8b55' }, review: [ACKED, KIRILL], ref: 'docs/reference/kernel-locking.md §1 row 03',
  }),
  patch({
    id: 4, label: '04', posting: 'v1',
    title: 'mm/rmap: share the i_mmap_rwsem',
    summary: 'adds i_mmap_lock_read/i_mmap_unlock_read; rmap_walk_file takes the lock for read',
    change: share('rmap_walk_file'),
    fate: 'merged', commits: { merged: '3dec0ba0be6a' }, review: [ACKED, KIRILL], ref: 'docs/reference/kernel-locking.md §1 row 04',
  }),
  patch({
    id: 5, label: '05', posting: 'v1',
    title: 'uprobes: share the i_mmap_rwsem',
    summary: 'build_map_info takes the lock for read',
    change: share('build_map_info'),
    fate: 'merged', commits: {}, review: [ACKED, KIRILL], ref: 'docs/reference/kernel-locking.md §1 row 05',
  }),
  patch({
    id: 6, label: '06', posting: 'v1',
    title: 'mm/xip: share the i_mmap_rwsem',
    summary: '__xip_unmap takes the lock for read',
    change: share('__xip_unmap'),
    fate: 'merged', commits: {}, review: [ACKED, KIRILL], ref: 'docs/reference/kernel-locking.md §1 row 06',
  }),
  patch({
    id: 7, label: '07', posting: 'v1',
    title: 'mm/memory-failure: share the i_mmap_rwsem',
    summary: 'collect_procs_file takes the lock for read',
    change: share('collect_procs_file'),
    fate: 'merged', commits: {}, review: [ACKED, KIRILL], ref: 'docs/reference/kernel-locking.md §1 row 07',
  }),
  patch({
    id: 8, label: '08', posting: 'v1',
    title: 'mm/mremap: share the i_mmap_rwsem',
    summary: 'move_ptes takes the lock for read',
    change: share('move_ptes'),
    fate: 'nacked', commits: {},
    review: [
      'NACKed by Hugh Dickins: move_ptes moves a pte from one position in the tree to another, and a walker holding only a shared lock could miss it at both places — fatal for migration, which must find every pte',
      KIRILL,
    ],
    ref: 'docs/reference/kernel-locking.md §1 row 08 and review outcome',
  }),
  patch({
    id: 9, label: '09', posting: 'v1',
    title: 'mm/nommu: share the i_mmap_rwsem',
    summary: 'nommu_shrink_inode_mappings takes the lock for read',
    change: share('nommu_shrink_inode_mappings'),
    fate: 'merged', commits: {}, review: [ACKED, KIRILL], ref: 'docs/reference/kernel-locking.md §1 row 09',
  }),
  patch({
    id: 10, label: '10', posting: 'v1',
    title: 'mm/hugetlb: share the i_mmap_rwsem',
    summary: 'hugetlb_vmtruncate(_list), unmap_ref_private, hugetlb_change_protection, huge_pmd_share and the hugetlb branch of unmap_single_vma take the lock for read',
    change: share('hugetlb_vmtruncate_list', 'unmap_ref_private', 'hugetlb_change_protection', 'huge_pmd_share', 'unmap_single_vma'),
    fate: 'dropped', commits: {},
    review: [
      'Hugh Dickins would not ack (3 Nov 2014): the hugetlbfs truncate part looked fine; the rest touches shared page tables, where the lock excludes more than tree changes',
      'Mel Gorman argued against (10 Nov 2014): read mode would reopen the teardown race fixed by d833352a4338; huge_pmd_unshare\'s page-count test would race huge_pmd_share; the gain would be marginal',
      KIRILL,
    ],
    ref: 'docs/reference/kernel-locking.md §1 row 10 and review outcome',
  }),
  patch({
    id: 11, label: '11/10', posting: '11/10',
    title: 'mm/memory.c: share the i_mmap_rwsem',
    summary: 'unmap_mapping_range takes the lock for read',
    change: share('unmap_mapping_range'),
    fate: 'reverted', commits: { queued: 'c8475d144abb', revert: '48ec833b7851', reinstatedLater: '2c8659951654' },
    review: [
      'posted after Hugh Dickins asked why unmap_mapping_range() was still exclusive; acked by Mel Gorman',
      'revert proposed by Kirill Shutemov (22 Dec 2014), acked by Davidlohr: a short-term measure while trinity crashes (one bisected to c8475d144abb) were investigated; 3.19 final takes W in unmap_mapping_range',
      '2c8659951654 ("mm: unmap_mapping_range_tree() with i_mmap_rwsem shared"), much later, reinstates R',
    ],
    ref: 'docs/reference/kernel-locking.md §1 row 11/10 and review outcome',
  }),
]);

/** The ten v1 patches, as benchmarked in the cover letter (08 and 10 included, 11/10 absent). */
export const V1_PATCHES: readonly PatchId[] = Object.freeze([1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as PatchId[]);

/** What 3.19 final has: the patches whose fate is `merged` (1–7 and 9). */
export const MERGED_PATCHES: readonly PatchId[] = Object.freeze(PATCHES.filter((p) => p.fate === 'merged').map((p) => p.id));

/** The cover letter's layout sentence, which disagrees with its shortlog (see the module comment). */
export const COVER_LETTER_LAYOUT_NOTE =
  'The cover letter says "Patches 1-4 convert the i_mmap lock from mutex to rwsem" and "Patches 5-10 share the lock", ' +
  'but its shortlog has 4 = "mm/rmap: share the i_mmap_rwsem": the conversion is 1-3 (helpers 1-2, primitive 3) and sharing is 4-10 (+ 11/10). ' +
  'mmlock numbers patches by the shortlog.';

/** The patch with this id. */
export function getPatch(id: PatchId): Patch {
  return PATCHES[id - 1]!;
}

/** True if `x` is a PatchId (an integer 1..11). */
export function isPatchId(x: unknown): x is PatchId {
  return typeof x === 'number' && Number.isInteger(x) && x >= 1 && x <= 11;
}

/** The allowed spellings, for error messages. */
export const PATCH_ALLOWED: readonly string[] = Object.freeze([...PATCH_IDS.slice(0, 10).map(String), '11 (= "11/10")']);

/**
 * Parse one patch token: a number 1..11, or a string "1".."11" (leading zeros allowed) or
 * "11/10". Throws KernelConfigError naming `field` and listing the allowed values.
 */
export function parsePatchId(token: unknown, field = 'patch'): PatchId {
  if (typeof token === 'number') {
    if (isPatchId(token)) return token;
  } else if (typeof token === 'string') {
    const t = token.trim();
    if (t === '11/10') return 11;
    if (/^\d{1,3}$/.test(t) && isPatchId(Number(t))) return Number(t) as PatchId;
  }
  throw new KernelConfigError(field, `unknown patch ${show(token)}`, PATCH_ALLOWED);
}

/**
 * Parse a patch list, without checking order or duplicates (kernelFromPatches does):
 * - an array of tokens (numbers or strings); a string element may be a range "a-b" or a
 *   comma-separated list;
 * - a string "1-4,9,11" (comma-separated tokens and inclusive ranges "a-b"; spaces ignored;
 *   the empty string is the empty list).
 * Ranges must ascend ("4-1" is an error).
 */
export function parsePatchList(input: unknown, field = 'patches'): PatchId[] {
  const out: PatchId[] = [];
  const parseString = (s: string, f: string) => {
    if (s.trim() === '') return;
    for (const part of s.split(',')) {
      const p = part.trim();
      const range = /^(\d+)\s*-\s*(\d+)$/.exec(p);
      if (range) {
        const lo = parsePatchId(range[1], f);
        const hi = parsePatchId(range[2], f);
        if (lo > hi) throw new KernelConfigError(f, `range "${p}" runs backwards; write "${hi}-${lo}"`, PATCH_ALLOWED);
        for (let i = lo; i <= hi; i++) out.push(i as PatchId);
      } else {
        out.push(parsePatchId(p, f));
      }
    }
  };
  if (typeof input === 'string') {
    parseString(input, field);
  } else if (Array.isArray(input)) {
    input.forEach((t, i) => {
      const f = `${field}[${i}]`;
      if (typeof t === 'string' && /[,-]/.test(t)) parseString(t, f);
      else out.push(parsePatchId(t, f));
    });
  } else {
    throw new KernelConfigError(field, `expected an array of patch numbers or a string like "1-4,9", got ${show(input)}`);
  }
  return out;
}

/** "1-7,9,11" for [1,..,7,9,11]; runs of three or more ascending ids become ranges. */
export function formatPatchList(ids: readonly PatchId[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < ids.length) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === ids[j]! + 1) j++;
    if (j - i >= 2) parts.push(`${ids[i]}-${ids[j]}`);
    else for (let k = i; k <= j; k++) parts.push(String(ids[k]));
    i = j + 1;
  }
  return parts.join(',');
}
