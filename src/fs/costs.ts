/**
 * CPU costs of the file-system operations the model times (µs unless the name says ns;
 * `baseInodes` is a count). The workload that mounts the file system supplies them: aim7's
 * are data/workloads/aim7/costs.yaml, with its I/O costs already scaled by the calibrated
 * ioScale (src/workloads/aim7/driver.ts).
 */
export const FS_COST_NAMES = ['creatHoldUs', 'creatOutsideUs', 'unlinkHoldUs', 'readdirHoldUs', 'lookupUs', 'writeUsPerKiB', 'readUsPerKiB',
  'dioUsPerKiB', 'logForceUs', 'writebackInodeUs', 'writebackFixedUs', 'inodeScanNs', 'baseInodes', 'syncFixedUs'] as const;
export type FsCostName = (typeof FS_COST_NAMES)[number];
export type FsCosts = Readonly<Record<FsCostName, number>>;
