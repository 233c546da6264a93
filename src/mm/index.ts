export { MmContext, LOCK_CLASSES, type MmKernel, type MmLockConfig } from './context';
export { AddressSpace, type AddressSpaceOptions } from './address_space';
export { AnonVma } from './anon_vma';
export { MmStruct, PTRS_PER_PTE } from './mm_struct';
export { Vma, VM_READ, VM_WRITE, VM_EXEC, VM_SHARED, VM_MAYSHARE, VM_LOCKED, VM_HUGETLB } from './vma';
export { Page } from './page';
export { IntervalTree, IntervalNode } from './interval_tree';
export { defaultMmCosts, mmCostSources, resolveMmCosts, type MmCosts } from './costs';
export { newVmStat, type VmStat } from './vmstat';
export { vmaLink, unlinkFileVma, mmapRegion, treeUpdateCost, type MmapRequest } from './mmap';
export { VM_DONTCOPY, VM_NONLINEAR } from './vma';
export { PageTable } from './pgtable';
export { anonVmaPrepare, anonVmaClone, anonVmaFork, unlinkAnonVmas } from './rmap_anon';
export {
  vmaPrev, vmaNext, findVmaFrom, protFlags, vmaMerge, vmaAdjust, splitVma, doMunmap, unmapRegion, freePgtables,
  vmMunmap, doMmap, vmMmap, doBrk, sysBrk, mmTakeAllLocks, mmDropAllLocks, linkFileLocked, unlinkFileLocked, type AllLocks,
} from './mmap';
export {
  FAULT_AROUND_PAGES, hugetlbHooks, zapPteRange, unmapSingleVma, unmapVmas, unmapMappingRange, copyPageRange,
  FaultError, pageFault, filemapFault, anonFault, handlePteFault,
} from './memory';
export { mprotect, mprotectFixup, changeProtection, mprotectHooks } from './mprotect';
export { dupMmap, fork } from './fork';
export { exitMmap, doExit } from './exit';
export { exec, ElfFiles, ELF_BASE, STACK_TOP, STACK_PAGES, type ExecImage, type ExecSpec, type ExecOptions } from './exec';
export { DSO_LAYOUTS, INTERP, dsoLayout, imagePages, dataOffset, type DsoLayout } from './layouts';
export { mremap, moveVma, movePageTables, movePtes, copyVma, LATENCY_LIMIT } from './mremap';
export { truncatePagecache, truncateInodePages, truncateSetsize } from './truncate';
export { remapFilePages } from './fremap';
