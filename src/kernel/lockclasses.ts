/**
 * Lock classes and their configuration, as plain data for the locking layer to interpret.
 * A kernel names a primitive and an options object for each of `i_mmap`, `anon_vma` and
 * `mmap_sem`. Defaults are 3.18 x86-64 behaviour (docs/reference/kernel-locking.md §5 mutex, §6 rwsem);
 * a non-default value is a what-if knob. Options are validated against LOCK_OPTIONS, so a
 * typo is an error listing the allowed names rather than a silently ignored key.
 */
import { KernelConfigError, show } from './errors';

export type LockPrimitive = 'mutex' | 'rwsem' | 'spinlock';
export const LOCK_PRIMITIVES: readonly LockPrimitive[] = Object.freeze(['mutex', 'rwsem', 'spinlock'] as LockPrimitive[]);

export type LockOptions = Record<string, boolean | number>;

export interface LockClassConfig {
  readonly primitive: LockPrimitive;
  readonly options: Readonly<LockOptions>;
}

export const LOCK_CLASSES = ['i_mmap', 'anon_vma', 'mmap_sem'] as const;
export type LockClass = (typeof LOCK_CLASSES)[number];

export type KernelLocks = { readonly [C in LockClass]: LockClassConfig };

export interface LockOptionSpec {
  readonly type: 'boolean' | 'number';
  /** 3.18 value. */
  readonly default: boolean | number;
  readonly help: string;
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
      type: 'boolean', default: false,
      help: 'new readers join a read-held lock even with waiters queued; 3.18 sends them to the FIFO queue once anyone is queued (§6 model rule 1), so false',
    },
  }),
  spinlock: Object.freeze({
    fair: {
      type: 'boolean', default: true,
      help: 'FIFO (x86 ticket lock in 3.18, §6 [U]); false = test-and-set, whoever lands first',
    },
  }),
};
export const LOCK_OPTIONS: OptionTable = Object.freeze(optionTable);

/** Which primitives each class may use. */
export const ALLOWED_PRIMITIVES: { readonly [C in LockClass]: readonly LockPrimitive[] } = Object.freeze({
  // i_mmap_mutex (3.18) / i_mmap_rwsem (patch 3). Read-mode sites need 'rwsem' (kernels.ts checks).
  i_mmap: Object.freeze(['mutex', 'rwsem'] as LockPrimitive[]),
  // anon_vma->rwsem in 3.18 (§4); a mutex is the what-if "every anon_vma user exclusive".
  anon_vma: Object.freeze(['rwsem', 'mutex'] as LockPrimitive[]),
  // mm->mmap_sem: faults and NUMA hinting take it for read (§4); only an rwsem serves them.
  mmap_sem: Object.freeze(['rwsem'] as LockPrimitive[]),
});

/** The primitive's 3.18 configuration. */
export function defaultLockConfig(primitive: LockPrimitive): LockClassConfig {
  const options: LockOptions = {};
  for (const [k, spec] of Object.entries(LOCK_OPTIONS[primitive])) options[k] = spec.default;
  return Object.freeze({ primitive, options: Object.freeze(options) });
}

/** 3.18 lock classes with the given i_mmap primitive. */
export function defaultLocks(iMmap: 'mutex' | 'rwsem'): KernelLocks {
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
  const out: Record<LockClass, LockClassConfig> = { ...base };
  for (const [cls, ov] of Object.entries(overrides)) {
    const f = `${field}.${cls}`;
    if (!(LOCK_CLASSES as readonly string[]).includes(cls)) throw new KernelConfigError(f, 'unknown lock class', LOCK_CLASSES);
    const c = cls as LockClass;
    if (ov === undefined) continue;
    if (!isPlainObject(ov)) throw new KernelConfigError(f, `expected an object with primitive and/or options, got ${show(ov)}`, ['primitive', 'options']);
    for (const k of Object.keys(ov)) {
      if (k !== 'primitive' && k !== 'options') throw new KernelConfigError(`${f}.${k}`, 'unknown key', ['primitive', 'options']);
    }
    let primitive = out[c].primitive;
    let options: LockOptions = { ...out[c].options };
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
        options[name] = value as boolean | number;
      }
    }
    out[c] = Object.freeze({ primitive, options: Object.freeze(options) });
  }
  return Object.freeze(out);
}

/** "optimisticSpin, writerSteal" — the options that are on (booleans) or set (numbers). */
export function describeLock(c: LockClassConfig): string {
  const parts = Object.entries(c.options)
    .filter(([, v]) => v !== false)
    .map(([k, v]) => (v === true ? k : `${k}=${v}`));
  return `${c.primitive}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}
