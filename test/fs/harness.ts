import { FS_COST_NAMES, type FsCosts } from '../../src/fs';

/** every file-system cost 1 (µs, ns or inodes as named), with the given ones overridden */
export function unitCosts(over: Partial<FsCosts> = {}): FsCosts {
  const out = {} as Record<keyof FsCosts, number>;
  for (const n of FS_COST_NAMES) out[n] = 1;
  return { ...out, ...over };
}
