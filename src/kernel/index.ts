/**
 * The kernel as data: i_mmap call sites, the i_mmap_rwsem patch series, lock-class
 * configurations and the kernels built from them.
 */
export * from './errors';
export * from './callsites';
export * from './patches';
export * from './lockclasses';
export * from './kernels';
