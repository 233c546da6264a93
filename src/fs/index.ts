/**
 * The file-system model, between the mm model and the workloads (as the kernel has fs/ beside
 * mm/): a mounted file system's directory locks, its superblock's inode list, the bdi
 * flusher and the xfs log, with their costs supplied by the workload.
 */
export { FileSystem } from './filesystem';
export { XfsLog } from './xfs_log';
export { BdiWriteback } from './fs_writeback';
export { ServiceThread } from './service_thread';
export { FS_COST_NAMES, type FsCostName, type FsCosts } from './costs';
