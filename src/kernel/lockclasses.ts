/**
 * Lock classes and their configuration, as plain data for the locking layer to interpret.
 * A kernel names a primitive and an options object for each of `i_mmap`, `anon_vma`,
 * `mmap_sem` and `ptl` (the page-table locks: split pte locks, mm->page_table_lock and the
 * hugetlb pmd locks). Defaults are 3.18 x86-64 behaviour (docs/reference/kernel-locking.md
 * §5 mutex, §6 rwsem); a non-default value is a what-if knob or an older kernel's design
 * (the historical kernels of kernels.ts). Any class may be any primitive: a read-mode
 * acquisition of a primitive without a shared mode (mutex, spinlock) takes it exclusively,
 * as the kernel did before the lock was an rwsem. Options are validated against
 * LOCK_OPTIONS, so a typo is an error listing the allowed names rather than a silently
 * ignored key; an option the locking layer does not model (`modelled: false`) keeps its
 * 3.18 value and refuses any other.
 *
 * `ptl` is absent from a kernel's `locks` unless overridden (then the 3.18 spinlock): its
 * absence keeps the canonical JSON of every existing kernel, hence config hashes and the
 * seeds derived from them, unchanged.
 */
import { KernelConfigError, show } from './errors';

export type LockPrimitive = 'mutex' | 'rwsem' | 'spinlock';
export const LOCK_PRIMITIVES: readonly LockPrimitive[] = Object.freeze(['mutex', 'rwsem', 'spinlock'] as LockPrimitive[]);

export type LockOptions = Record<string, boolean | number>;

export interface LockClassConfig {
  readonly primitive: LockPrimitive;
  readonly options: Readonly<LockOptions>;
}

export const LOCK_CLASSES = ['i_mmap', 'anon_vma', 'mmap_sem', 'ptl'] as const;
export type LockClass = (typeof LOCK_CLASSES)[number];

/** i_mmap, anon_vma and mmap_sem always; ptl only when overridden (see the module comment). */
export type KernelLocks = { readonly [C in Exclude<LockClass, 'ptl'>]: LockClassConfig } & { readonly ptl?: LockClassConfig };

/** The configuration of class `c` in `locks` (ptl: the 3.18 spinlock unless overridden). */
export function lockConfigOf(locks: KernelLocks, c: LockClass): LockClassConfig {
  return locks[c] ?? defaultLockConfig('spinlock');
}

export interface LockOptionSpec {
  readonly type: 'boolean' | 'number';
  /** 3.18 value. */
  readonly default: boolean | number;
  readonly help: string;
  /** false: not modelled by the locking layer; only the default value is accepted */
  readonly modelled?: false;
}

/** Options each primitive understands, with 3.18 defaults. */
type OptionTable = { readonly [P in LockPrimitive]: Readonly<Record<string, LockOptionSpec>> };
const optionTable: OptionTable = {
  mutex: Object.freeze({
    optimisticSpin: {
      type: 'boolean', default: true,
      help: 'CONFIG_MUTEX_SPIN_ON_OWNER: the OSQ head spins while the owner runs or the owner field is NULL, and can take a free mutex ahead of sleeping waiters (§5)',
    },
  }),
  rwsem: Object.freeze({
    optimisticSpin: {
      type: 'boolean', default: true,
      help: 'CONFIG_RWSEM_SPIN_ON_OWNER (3.16+): a writer spins only while a writer owns the lock and runs; owner NULL (free or read-held) → no spin (§6)',
    },
    writerSteal: {
      type: 'boolean', default: true,
      help: 'a writer takes the lock whenever the active count is 0, queue or not (down_write fast path and spinning cmpxchg); false = writers queue behind waiters (§6)',
    },
    readerPreference: {
      type: 'boolean', default: false, modelled: false,
      help: 'NOT MODELLED (only false is accepted): new readers joining a read-held lock even with waiters queued; 3.18 sends them to the FIFO queue once anyone is queued (§6 model rule 1)',
    },
  }),
  spinlock: Object.freeze({
    fair: {
      type: 'boolean', default: true, modelled: false,
      help: 'NOT MODELLED (only true is accepted): FIFO hand-off (x86 ticket lock in 3.18, §6 [U]); false would be test-and-set, whoever lands first',
    },
  }),
};
export const LOCK_OPTIONS: OptionTable = Object.freeze(optionTable);

/**
 * Which primitives each class may use: all of them. i_mmap: i_mmap_lock spinlock before
 * 3.0, i_mmap_mutex 3.0–3.18, i_mmap_rwsem with patch 3; anon_vma: spinlock, mutex (3.0),
 * rwsem (3.8); mmap_sem: an rwsem throughout; ptl: spinlocks throughout
 * (docs/reference/kernel-locking.md §9). A read-mode acquisition of a mutex or spinlock is
 * exclusive.
 */
export const ALLOWED_PRIMITIVES: { readonly [C in LockClass]: readonly LockPrimitive[] } = Object.freeze({
  i_mmap: LOCK_PRIMITIVES,
  anon_vma: LOCK_PRIMITIVES,
  mmap_sem: LOCK_PRIMITIVES,
  ptl: LOCK_PRIMITIVES,
});

/** the 3.18 primitive of each class */
export const DEFAULT_PRIMITIVE: { readonly [C in LockClass]: LockPrimitive } = Object.freeze({
  i_mmap: 'mutex', anon_vma: 'rwsem', mmap_sem: 'rwsem', ptl: 'spinlock',
});

/** The primitive's 3.18 configuration. */
export function defaultLockConfig(primitive: LockPrimitive): LockClassConfig {
  const options: LockOptions = {};
  for (const [k, spec] of Object.entries(LOCK_OPTIONS[primitive])) options[k] = spec.default;
  return Object.freeze({ primitive, options: Object.freeze(options) });
}

/** 3.18 lock classes with the given i_mmap primitive. */
export function defaultLocks(iMmap: LockPrimitive): KernelLocks {
  return Object.freeze({
    i_mmap: defaultLockConfig(iMmap),
    anon_vma: defaultLockConfig('rwsem'),
    mmap_sem: defaultLockConfig('rwsem'),
  });
}

export interface LockClassOverride {
  /** Change the primitive; options reset to its defaults before `options` apply. */
  primitive?: LockPrimitive;
  options?: LockOptions;
}
export type LockOverrides = { [C in LockClass]?: LockClassOverride };

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}


/**
 * `base` with `overrides` applied. Throws KernelConfigError naming the field (e.g.
 * `locks.i_mmap.options.spin`) and listing the allowed values for an unknown class, key,
 * primitive or option, or a value of the wrong type.
 */
export function applyLockOverrides(base: KernelLocks, overrides: unknown, field = 'locks'): KernelLocks {
  if (overrides === undefined) return base;
  if (!isPlainObject(overrides)) throw new KernelConfigError(field, `expected an object keyed by lock class, got ${show(overrides)}`, LOCK_CLASSES);
  const out: Record<string, LockClassConfig> = { ...base };
  for (const [cls, ov] of Object.entries(overrides)) {
    const f = `${field}.${cls}`;
    if (!(LOCK_CLASSES as readonly string[]).includes(cls)) throw new KernelConfigError(f, 'unknown lock class', LOCK_CLASSES);
    const c = cls as LockClass;
    if (ov === undefined) continue;
    if (!isPlainObject(ov)) throw new KernelConfigError(f, `expected an object with primitive and/or options, got ${show(ov)}`, ['primitive', 'options']);
    for (const k of Object.keys(ov)) {
      if (k !== 'primitive' && k !== 'options') throw new KernelConfigError(`${f}.${k}`, 'unknown key', ['primitive', 'options']);
    }
    const current = out[c] ?? defaultLockConfig(DEFAULT_PRIMITIVE[c]);
    let primitive = current.primitive;
    let options: LockOptions = { ...current.options };
    if (ov.primitive !== undefined) {
      if (typeof ov.primitive !== 'string' || !ALLOWED_PRIMITIVES[c].includes(ov.primitive as LockPrimitive)) {
        throw new KernelConfigError(`${f}.primitive`, `${show(ov.primitive)} is not a primitive for ${cls}`, ALLOWED_PRIMITIVES[c]);
      }
      if (ov.primitive !== primitive) {
        primitive = ov.primitive as LockPrimitive;
        options = { ...defaultLockConfig(primitive).options };
      }
    }
    if (ov.options !== undefined) {
      if (!isPlainObject(ov.options)) throw new KernelConfigError(`${f}.options`, `expected an object, got ${show(ov.options)}`, Object.keys(LOCK_OPTIONS[primitive]));
      const specs = LOCK_OPTIONS[primitive];
      for (const [name, value] of Object.entries(ov.options)) {
        const spec = specs[name];
        const of = `${f}.options.${name}`;
        if (!spec) throw new KernelConfigError(of, `unknown option for a ${primitive}`, Object.keys(specs));
        if (typeof value !== spec.type || (spec.type === 'number' && !Number.isFinite(value))) {
          throw new KernelConfigError(of, `expected a ${spec.type}, got ${show(value)}`);
        }
        if (spec.modelled === false && value !== spec.default) {
          throw new KernelConfigError(of, `${show(value)} is not modelled (the locking layer implements only the 3.18 behaviour of this option)`, [String(spec.default)]);
        }
        options[name] = value as boolean | number;
      }
    }
    out[c] = Object.freeze({ primitive, options: Object.freeze(options) });
  }
  return Object.freeze(out) as unknown as KernelLocks;
}

/** "optimisticSpin, writerSteal" — the options that are on (booleans) or set (numbers). */
export function describeLock(c: LockClassConfig): string {
  const parts = Object.entries(c.options)
    .filter(([, v]) => v !== false)
    .map(([k, v]) => (v === true ? k : `${k}=${v}`));
  return `${c.primitive}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}
