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
 * - a name: `3.18-rc1`, `3.18-rc1-i_mmap_rwsem`, `3.18-rc1-i_mmap_rwsem-merged`;
 * - `<name>+<list>`: a named kernel plus more patches, e.g. `3.18-rc1-i_mmap_rwsem-merged+11`;
 * - `patches:<list>`: 3.18-rc1 plus patches, e.g. `patches:1-4`, `patches:1-7,9,11`,
 *   `patches:` (none); `<list>` is comma-separated numbers and inclusive ranges, `11/10` = 11;
 * - a JSON object string `{"base": ..., "patches": ..., "locks": ...}` (as below);
 * - an object `{ base?: name, patches?: list, locks?: LockOverrides }`: `base` (default
 *   3.18-rc1) plus `patches`, then lock-class overrides (lockclasses.ts).
 * A spec whose patch list equals a named kernel's gets that name (`patches:1-10` is
 * `3.18-rc1-i_mmap_rwsem`) unless locks are overridden.
 */
import { CALLSITES, SITE_IDS, type SiteId } from './callsites';
import { KernelConfigError, show } from './errors';
import { applyLockOverrides, defaultLocks, describeLock, type KernelLocks, type LockOverrides } from './lockclasses';
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
  readonly primitive: 'mutex' | 'rwsem';
  readonly sites: { readonly [S in SiteId]: SiteSetting };
  readonly locks: KernelLocks;
}

export const KERNEL_NAMES = ['3.18-rc1', '3.18-rc1-i_mmap_rwsem', '3.18-rc1-i_mmap_rwsem-merged'] as const;
export type KernelName = (typeof KERNEL_NAMES)[number];

/** The named kernels (the cover letter's labels). */
export const KERNELS: { readonly [N in KernelName]: { readonly description: string; readonly patches: readonly PatchId[] } } = Object.freeze({
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
});

/** Spec syntax help, for error messages. */
const SPEC_FORMS = ['<name>+<patches>', 'patches:<patches> (e.g. patches:1-4)'];

export function isKernelName(x: unknown): x is KernelName {
  return typeof x === 'string' && (KERNEL_NAMES as readonly string[]).includes(x);
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
  return `3.18-rc1 + ${patches}: i_mmap ${k.primitive === 'mutex' ? 'mutex' : 'rwsem'}; read in ${read.length ? read.join(', ') : 'no site'}`;
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
  let primitive: 'mutex' | 'rwsem' = 'mutex';
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
  if (!isKernelName(name)) throw new KernelConfigError(field, `unknown kernel ${show(name)}`, KERNEL_NAMES);
  return kernelFromPatches(KERNELS[name].patches);
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
    if (!isKernelName(s)) throw new KernelConfigError(field, `unknown kernel ${show(nameOrSpec)}`, [...KERNEL_NAMES, ...SPEC_FORMS]);
    return namedKernel(s, field);
  }
  if (typeof nameOrSpec !== 'object' || nameOrSpec === null || Array.isArray(nameOrSpec)) {
    throw new KernelConfigError(field, `expected a kernel name or a spec object, got ${show(nameOrSpec)}`, [...KERNEL_NAMES, ...SPEC_FORMS]);
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
  if (!isKernelName(baseName)) throw new KernelConfigError(fields.base, `unknown base kernel ${show(baseName)}`, KERNEL_NAMES);
  const patchesField = fields.patches;
  const basePatches = KERNELS[baseName].patches;
  const extra = spec.patches === undefined ? [] : parsePatchList(spec.patches, patchesField);
  for (const id of extra) {
    if (basePatches.includes(id)) {
      throw new KernelConfigError(patchesField, `patch ${id} ("${getPatch(id).title}") is already in base ${baseName} (patches ${formatPatchList(basePatches) || 'none'})`);
    }
  }
  const k = kernelFromPatches([...basePatches, ...extra], patchesField);
  if (spec.locks === undefined) return k;
  const locks = applyLockOverrides(k.locks, spec.locks, fields.locks);
  const primitive = locks.i_mmap.primitive as 'mutex' | 'rwsem';
  if (primitive === 'mutex') {
    const read = readSites(k);
    if (read.length) {
      throw new KernelConfigError(
        `${fields.locks}.i_mmap.primitive`,
        `a mutex cannot serve the read-mode sites ${read.map((s) => `${s} (patch ${k.sites[s].patch})`).join(', ')}`,
        ['rwsem'],
      );
    }
  }
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
  for (const c of Object.keys(after) as (keyof KernelLocks)[]) {
    if (before[c].primitive !== after[c].primitive) out.push(`${c}=${describeLock(after[c])}`);
    else {
      for (const [o, v] of Object.entries(after[c].options)) {
        if (before[c].options[o] !== v) out.push(`${c}.${o}=${v}`);
      }
    }
  }
  return out.join(', ');
}

/** One row per call site, in table order: the shape `mmlock callsites --json` prints. */
export function siteTable(k: KernelConfig): { site: SiteId; mode: SiteMode; patch: PatchId | null }[] {
  return CALLSITES.map((s) => ({ site: s.id, mode: k.sites[s.id].mode, patch: k.sites[s.id].patch }));
}
