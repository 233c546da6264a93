/**
 * A kernel, as data: which primitive i_mmap is, which mode every call site takes it in (and
 * which patch set that mode), and the lock-class configurations. Kernels are built by
 * applying patches (patches.ts) to 3.18-rc1, in the order given.
 *
 * ## Rules for applying patches
 * - 3.18-rc1 (no patches): i_mmap is a mutex, every site `write`, `patch: null`.
 * - Patches 1–2 (helpers) change nothing in the model, and are not required before 3.
 * - Patch 3 makes i_mmap an rwsem (3.18 rwsem defaults) and sets every site to `write`,
 *   `patch: 3`.
 * - Patches 4–10 and 11 (= "11/10") set their sites to `read`. Read mode needs an rwsem, so
 *   applying one of them before 3 is an ERROR (KernelConfigError naming `patches`), not a
 *   silent no-op or an implicit 3. (Textually 5–11 also use patch 4's read helpers; like 1–2
 *   before 3, helpers carry no behaviour and are not required.)
 * - A patch may appear once; listing it twice is an error.
 *
 * ## Kernel specs (resolveKernel)
 * - a name: `3.18-rc1`, `3.18-rc1-i_mmap_rwsem`, `3.18-rc1-i_mmap_rwsem-merged`, or a
 *   historical lock design `3.18-rc1-locks-{2.6.39,3.0,3.8,3.10}` (3.18-rc1 with an older
 *   kernel's lock primitives; as a base it takes lock overrides, not patches);
 * - `<name>+<list>`: a named kernel plus more patches, e.g. `3.18-rc1-i_mmap_rwsem-merged+11`;
 * - `patches:<list>`: 3.18-rc1 plus patches, e.g. `patches:1-4`, `patches:1-7,9,11`,
 *   `patches:` (none); `<list>` is comma-separated numbers and inclusive ranges, `11/10` = 11;
 * - a JSON object string `{"base": ..., "patches": ..., "locks": ...}` (as below);
 * - an object `{ base?: name, patches?: list, locks?: LockOverrides }`: `base` (default
 *   3.18-rc1) plus `patches`, then lock-class overrides (lockclasses.ts). A mutex or
 *   spinlock i_mmap is allowed with read-mode sites: they take it exclusively.
 * A spec whose patch list equals a named kernel's gets that name (`patches:1-10` is
 * `3.18-rc1-i_mmap_rwsem`) unless locks are overridden.
 */
import { CALLSITES, SITE_IDS, type SiteId } from './callsites';
import { KernelConfigError, show } from './errors';
import { applyLockOverrides, defaultLockConfig, DEFAULT_PRIMITIVE, defaultLocks, describeLock, LOCK_CLASSES, type KernelLocks, type LockOverrides, type LockPrimitive } from './lockclasses';
import { formatPatchList, getPatch, MERGED_PATCHES, parsePatchList, V1_PATCHES, type PatchId } from './patches';

export type SiteMode = 'read' | 'write';

export interface SiteSetting {
  readonly mode: SiteMode;
  /** The patch that set this mode; null if unchanged since 3.18-rc1. */
  readonly patch: PatchId | null;
}

export interface KernelConfig {
  /** A kernel name, or a canonical spec such as `3.18-rc1+1-4`. */
  readonly name: string;
  readonly description: string;
  /** Patches applied, in order (11 = "11/10"). */
  readonly patches: readonly PatchId[];
  /** The i_mmap primitive; always equal to `locks.i_mmap.primitive`. */
  readonly primitive: LockPrimitive;
  readonly sites: { readonly [S in SiteId]: SiteSetting };
  readonly locks: KernelLocks;
}

/** The series' kernels (the cover letter's labels). */
export const KERNEL_NAMES = ['3.18-rc1', '3.18-rc1-i_mmap_rwsem', '3.18-rc1-i_mmap_rwsem-merged'] as const;
/** Historical lock designs on the 3.18 mm model (KERNELS[name].locks, .sources). */
export const HISTORICAL_KERNEL_NAMES = ['3.18-rc1-locks-2.6.39', '3.18-rc1-locks-3.0', '3.18-rc1-locks-3.8', '3.18-rc1-locks-3.10'] as const;
/** Every name `--kernel` accepts. */
export const NAMED_KERNELS = [...KERNEL_NAMES, ...HISTORICAL_KERNEL_NAMES] as const;
export type KernelName = (typeof NAMED_KERNELS)[number];

export interface NamedKernel {
  readonly description: string;
  readonly patches: readonly PatchId[];
  /**
   * Historical kernels: the lock design of an older kernel on the 3.18 mm model (its call
   * sites, costs and paths stay 3.18's): lock-class overrides applied to 3.18-rc1.
   */
  readonly locks?: LockOverrides;
  /** where each lock fact comes from; "[U]" marks what was not verified */
  readonly sources?: readonly string[];
}

/** rwsem of 3.0–3.9: no writer lock stealing (3.10), no optimistic spinning (3.16) */
const RWSEM_PRE_3_10 = Object.freeze({ primitive: 'rwsem' as const, options: Object.freeze({ writerSteal: false, optimisticSpin: false }) });
/** rwsem of 3.10–3.15: writers steal, no optimistic spinning (3.16) */
const RWSEM_3_10 = Object.freeze({ primitive: 'rwsem' as const, options: Object.freeze({ writerSteal: true, optimisticSpin: false }) });
/** mutex with spin-on-owner (2.6.30, 0d66bf6d3514 "mutex: implement adaptive spinning" [U: commit id recalled]) */
const MUTEX_SPIN = Object.freeze({ primitive: 'mutex' as const, options: Object.freeze({ optimisticSpin: true }) });

const SRC_IMMAP_MUTEX = '3d48ae45e72390ddf8cc5256ac32ed6f7a19cbea "mm: Convert i_mmap_lock to a mutex" (Peter Zijlstra), merged for 3.0: i_mmap_lock, a spinlock, before it (commit id verified: android-kvm.googlesource.com shows its parent "mm: Remove i_mmap_lock lockbreak"; the 3.0 release from the brief [U])';
const SRC_ANON_MUTEX = '2b575eb64f7a "mm: Convert anon_vma->lock to a mutex" (Peter Zijlstra), 3.0: anon_vma->lock, a spinlock, before it [U: commit id and release from the brief, not verified]';
const SRC_ANON_RWSEM = '5a505085f043 "mm/rmap: Convert the struct anon_vma::mutex to an rwsem" (Ingo Molnar), 3.8 (verified as cited by ce6711f3d196\'s changelog; the release from the brief [U]); the rmap walks take it for read from 4fc3f1d66b1e "mm/rmap, migration: Make rmap_walk_anon() and try_to_unmap_anon() more scalable" (same series)';
const SRC_STEAL = 'ce6711f3d196 "rwsem: Implement writer lock-stealing for better scalability" (Alex Shi; fixes the 50% aim7 fork_test drop of 5a505085f043) and fe6e674c6187 "rwsem: implement support for write lock stealing on the fastpath" (Michel Lespinasse), merged for 3.10 (changelogs verified; "ready for v3.10" in the merge message)';
const SRC_RWSEM_SPIN = '4fc828e24cd9 "locking/rwsem: Support optimistic spinning" (Davidlohr Bueso), 3.16 (docs/reference/kernel-locking.md §6) [U: commit id recalled]';
const SRC_MMAP_SEM = 'mm->mmap_sem has been an rw_semaphore since 2.4; ptl spinlocks (split pte locks since 2.6.15) throughout';

/** The named kernels (the cover letter's labels, and historical lock designs). */
export const KERNELS: { readonly [N in KernelName]: NamedKernel } = Object.freeze({
  '3.18-rc1': {
    description: 'Linux 3.18-rc1: i_mmap_mutex, every site exclusive (the baseline of the v1 aim7 numbers)',
    patches: Object.freeze([] as PatchId[]),
  },
  '3.18-rc1-i_mmap_rwsem': {
    description: '3.18-rc1 + all ten v1 patches, as benchmarked: i_mmap_rwsem, read in rmap_walk_file, uprobes, xip, memory-failure, move_ptes (08), nommu and the hugetlb sites (10)',
    patches: V1_PATCHES,
  },
  '3.18-rc1-i_mmap_rwsem-merged': {
    description: '3.18-rc1 + what 3.19 merged (1-7, 9; no 08, 10 or 11/10): i_mmap_rwsem, read in rmap_walk_file, build_map_info, __xip_unmap, collect_procs_file, nommu_shrink_inode_mappings',
    patches: MERGED_PATCHES,
  },
  '3.18-rc1-locks-2.6.39': {
    description: 'the 3.18 mm model with the locks of 2.6.39 (before 3.0): i_mmap and anon_vma ticket spinlocks (i_mmap_lock, anon_vma->lock; rmap walks exclusive), mmap_sem an rwsem without writer stealing or optimistic spinning',
    patches: Object.freeze([] as PatchId[]),
    locks: { i_mmap: { primitive: 'spinlock' }, anon_vma: { primitive: 'spinlock' }, mmap_sem: RWSEM_PRE_3_10 },
    sources: [SRC_IMMAP_MUTEX, SRC_ANON_MUTEX, SRC_STEAL, SRC_RWSEM_SPIN, SRC_MMAP_SEM],
  },
  '3.18-rc1-locks-3.0': {
    description: 'the 3.18 mm model with the locks of 3.0–3.7: i_mmap_mutex and anon_vma mutex (spin on owner; rmap walks exclusive), mmap_sem an rwsem without writer stealing or optimistic spinning',
    patches: Object.freeze([] as PatchId[]),
    locks: { i_mmap: MUTEX_SPIN, anon_vma: MUTEX_SPIN, mmap_sem: RWSEM_PRE_3_10 },
    sources: [SRC_IMMAP_MUTEX, SRC_ANON_MUTEX, SRC_STEAL, SRC_RWSEM_SPIN, SRC_MMAP_SEM],
  },
  '3.18-rc1-locks-3.8': {
    description: 'the 3.18 mm model with the locks of 3.8–3.9: i_mmap_mutex, anon_vma an rwsem (rmap walks read) and mmap_sem an rwsem, both without writer stealing or optimistic spinning',
    patches: Object.freeze([] as PatchId[]),
    locks: { i_mmap: MUTEX_SPIN, anon_vma: RWSEM_PRE_3_10, mmap_sem: RWSEM_PRE_3_10 },
    sources: [SRC_ANON_RWSEM, SRC_STEAL, SRC_RWSEM_SPIN, SRC_MMAP_SEM],
  },
  '3.18-rc1-locks-3.10': {
    description: 'the 3.18 mm model with the locks of 3.10–3.15: i_mmap_mutex, anon_vma and mmap_sem rwsems with writer stealing, without optimistic spinning',
    patches: Object.freeze([] as PatchId[]),
    locks: { i_mmap: MUTEX_SPIN, anon_vma: RWSEM_3_10, mmap_sem: RWSEM_3_10 },
    sources: [SRC_STEAL, SRC_RWSEM_SPIN, SRC_MMAP_SEM],
  },
});

/** Is this a historical kernel (a named kernel with lock overrides)? */
export function isHistoricalKernel(name: string): boolean {
  return isKernelName(name) && KERNELS[name].locks !== undefined;
}

/** Spec syntax help, for error messages. */
const SPEC_FORMS = ['<name>+<patches>', 'patches:<patches> (e.g. patches:1-4)'];

export function isKernelName(x: unknown): x is KernelName {
  return typeof x === 'string' && (NAMED_KERNELS as readonly string[]).includes(x);
}

function deepFreezeConfig(k: KernelConfig): KernelConfig {
  Object.freeze(k.patches);
  Object.freeze(k.sites);
  for (const s of Object.values(k.sites)) Object.freeze(s);
  return Object.freeze(k);
}

/** The sites in read mode, in table order. */
export function readSites(k: Pick<KernelConfig, 'sites'>): SiteId[] {
  return SITE_IDS.filter((s) => k.sites[s].mode === 'read');
}

function nameFor(patches: readonly PatchId[]): string {
  for (const n of KERNEL_NAMES) {
    const p = KERNELS[n].patches;
    if (p.length === patches.length && p.every((x, i) => x === patches[i])) return n;
  }
  return `3.18-rc1+${formatPatchList(patches)}`;
}

function derivedDescription(k: Pick<KernelConfig, 'patches' | 'primitive' | 'sites'>): string {
  const read = readSites(k);
  const patches = k.patches.length ? `patches ${formatPatchList(k.patches)}` : 'no patches';
  return `3.18-rc1 + ${patches}: i_mmap ${k.primitive}; read in ${read.length ? read.join(', ') : 'no site'}`;
}

/**
 * 3.18-rc1 with `patches` applied in order (see the module comment for the rules). `patches`
 * is an array of numbers/strings (string elements may be ranges "1-4") or a string "1-4,9".
 * Throws KernelConfigError (field `patches` or `patches[i]`) for an unknown patch, a
 * duplicate, or a read-sharing patch before 3.
 */
export function kernelFromPatches(patches: readonly (number | string)[] | string, field = 'patches'): KernelConfig {
  const ids = parsePatchList(patches, field);
  const seen = new Set<PatchId>();
  let primitive: LockPrimitive = 'mutex';
  const sites = {} as Record<SiteId, SiteSetting>;
  for (const s of SITE_IDS) sites[s] = { mode: 'write', patch: null };
  for (const id of ids) {
    const p = getPatch(id);
    if (seen.has(id)) throw new KernelConfigError(field, `patch ${id} ("${p.title}") is listed twice in ${formatPatchList(ids)}`);
    seen.add(id);
    const c = p.change;
    if (c.kind === 'convert') {
      primitive = c.to;
      for (const s of SITE_IDS) sites[s] = { mode: c.mode, patch: id };
    } else if (c.kind === 'share') {
      if (primitive !== 'rwsem') {
        throw new KernelConfigError(
          field,
          `patch ${id} ("${p.title}") sets ${c.sites.join(', ')} to read, which needs the rwsem of patch 3 ("${getPatch(3).title}"); ` +
            `apply 3 before it, e.g. "${formatPatchList(sortedUnique([1, 2, 3, ...ids]))}"`,
        );
      }
      for (const s of c.sites) sites[s] = { mode: 'read', patch: id };
    }
  }
  const base = { patches: ids, primitive, sites };
  const name = nameFor(ids);
  return deepFreezeConfig({
    name,
    description: isKernelName(name) ? KERNELS[name].description : derivedDescription(base),
    patches: ids,
    primitive,
    sites,
    locks: defaultLocks(primitive),
  });
}

function sortedUnique(ids: PatchId[]): PatchId[] {
  return [...new Set(ids)].sort((a, b) => a - b);
}

/** The named kernel; throws KernelConfigError (field `field`) listing the names otherwise. */
export function namedKernel(name: string, field = 'kernel'): KernelConfig {
  if (!isKernelName(name)) throw new KernelConfigError(field, `unknown kernel ${show(name)}`, NAMED_KERNELS);
  const def = KERNELS[name];
  const k = kernelFromPatches(def.patches);
  if (!def.locks) return k;
  const locks = applyLockOverrides(k.locks, def.locks, `KERNELS["${name}"].locks`);
  return deepFreezeConfig({ ...k, name, description: def.description, primitive: locks.i_mmap.primitive, sites: { ...k.sites }, patches: [...k.patches], locks });
}

/** The object form of a kernel spec. */
export interface KernelSpec {
  /** A kernel name (not a spec string); default `3.18-rc1`. */
  base?: string;
  /** Patches applied on top of base's, in order: array or string "1-4,9". */
  patches?: readonly (number | string)[] | string;
  /** Lock-class overrides, applied last. */
  locks?: LockOverrides;
}

const SPEC_KEYS = ['base', 'patches', 'locks'];

/**
 * Resolve a kernel name, spec string or KernelSpec (see the module comment). Every error is a
 * KernelConfigError whose message names the field (`kernel`, `base`, `patches[i]`,
 * `locks.i_mmap.options.x`, ...) and lists the allowed values.
 */
export function resolveKernel(nameOrSpec: string | KernelSpec, field = 'kernel'): KernelConfig {
  if (typeof nameOrSpec === 'string') {
    const s = nameOrSpec.trim();
    if (s.startsWith('{')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(s);
      } catch (e) {
        throw new KernelConfigError(field, `invalid JSON spec: ${(e as Error).message}`, SPEC_KEYS);
      }
      return resolveKernel(parsed as KernelSpec, field);
    }
    const asString = { base: field, patches: field, locks: 'locks' };
    if (s.startsWith('patches:')) return resolveSpec({ patches: s.slice('patches:'.length) }, asString);
    const plus = s.indexOf('+');
    if (plus >= 0) return resolveSpec({ base: s.slice(0, plus), patches: s.slice(plus + 1) }, asString);
    if (!isKernelName(s)) throw new KernelConfigError(field, `unknown kernel ${show(nameOrSpec)}`, [...NAMED_KERNELS, ...SPEC_FORMS]);
    return namedKernel(s, field);
  }
  if (typeof nameOrSpec !== 'object' || nameOrSpec === null || Array.isArray(nameOrSpec)) {
    throw new KernelConfigError(field, `expected a kernel name or a spec object, got ${show(nameOrSpec)}`, [...NAMED_KERNELS, ...SPEC_FORMS]);
  }
  return resolveSpec(nameOrSpec, { base: 'base', patches: 'patches', locks: 'locks' });
}

/** Field names used in errors: the spec's own keys for an object, the flag for a string. */
interface SpecFields { base: string; patches: string; locks: string }

function resolveSpec(spec: KernelSpec, fields: SpecFields): KernelConfig {
  for (const k of Object.keys(spec)) {
    if (!SPEC_KEYS.includes(k)) throw new KernelConfigError(k, 'unknown key in kernel spec', SPEC_KEYS);
  }
  const baseName = spec.base ?? '3.18-rc1';
  if (!isKernelName(baseName)) throw new KernelConfigError(fields.base, `unknown base kernel ${show(baseName)}`, NAMED_KERNELS);
  const patchesField = fields.patches;
  const basePatches = KERNELS[baseName].patches;
  const extra = spec.patches === undefined ? [] : parsePatchList(spec.patches, patchesField);
  if (KERNELS[baseName].locks) {
    // a historical kernel: its locks, then the spec's; patches of the series are 3.18's
    if (extra.length) {
      throw new KernelConfigError(patchesField, `${baseName} is a historical lock design: it takes lock overrides, not patches (the bases that take patches are listed)`, KERNEL_NAMES);
    }
    const hk = namedKernel(baseName);
    if (spec.locks === undefined) return hk;
    return withLocks(hk, applyLockOverrides(hk.locks, spec.locks, fields.locks));
  }
  for (const id of extra) {
    if (basePatches.includes(id)) {
      throw new KernelConfigError(patchesField, `patch ${id} ("${getPatch(id).title}") is already in base ${baseName} (patches ${formatPatchList(basePatches) || 'none'})`);
    }
  }
  const k = kernelFromPatches([...basePatches, ...extra], patchesField);
  if (spec.locks === undefined) return k;
  // a mutex or spinlock i_mmap serves read-mode sites exclusively (MmContext.newLock)
  return withLocks(k, applyLockOverrides(k.locks, spec.locks, fields.locks));
}

/** `k` with `locks`, named and described by what changed */
function withLocks(k: KernelConfig, locks: KernelLocks): KernelConfig {
  const primitive = locks.i_mmap.primitive;
  const changed = describeOverrides(k.locks, locks);
  return deepFreezeConfig({
    ...k,
    name: changed ? `${k.name} [locks: ${changed}]` : k.name,
    description: changed ? `${k.description}; locks overridden: ${changed}` : k.description,
    primitive,
    sites: { ...k.sites },
    patches: [...k.patches],
    locks,
  });
}

function describeOverrides(before: KernelLocks, after: KernelLocks): string {
  const out: string[] = [];
  for (const c of LOCK_CLASSES) {
    const a = after[c];
    if (!a) continue;
    const b = before[c] ?? defaultLockConfig(DEFAULT_PRIMITIVE[c]);
    if (b.primitive !== a.primitive) out.push(`${c}=${describeLock(a)}`);
    else {
      for (const [o, v] of Object.entries(a.options)) {
        if (b.options[o] !== v) out.push(`${c}.${o}=${v}`);
      }
    }
  }
  return out.join(', ');
}

/** One row per call site, in table order: the shape `mmlock callsites --json` prints. */
export function siteTable(k: KernelConfig): { site: SiteId; mode: SiteMode; patch: PatchId | null }[] {
  return CALLSITES.map((s) => ({ site: s.id, mode: k.sites[s.id].mode, patch: k.sites[s.id].patch }));
}
