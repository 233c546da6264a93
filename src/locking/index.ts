export { LockEnv, LockViolation, type LockdepClass, type Held, type LockOp } from './env';
export { Lock, setLockWatchHook, type SleepLock } from './lock';
export { SpinLock } from './spinlock';
export { Osq, spinOnOwner } from './osq';
export { Mutex, defaultMutexOptions, type MutexOptions } from './mutex';
export { RwSem, defaultRwsemOptions, type RwsemOptions } from './rwsem';
export { LockStat, LockSiteStats, Distribution, type LockMode, type LockStatRow, type WaitingOp } from './lockstat';
export { ExclusiveOnly, SleepingPtl, type PageTableLock } from './adapters';
