export { MmContext, LOCKDEP_CLASSES, newConfiguredLock, type MmKernel } from './model/context';
export { AddressSpace, type AddressSpaceOptions } from './address_space';
export { AnonVma } from './anon_vma';
export { MmStruct, PTRS_PER_PTE } from './mm_struct';
export { Vma, VM_READ, VM_WRITE, VM_EXEC, VM_SHARED, VM_MAYSHARE, VM_LOCKED, VM_HUGETLB } from './vma';
export { Page } from './page';
export { IntervalTree, IntervalNode } from './interval_tree';
export { defaultMmCosts, mmCostSources, resolveMmCosts, type MmCosts } from './model/costs';
export { newVmStat, type VmStat } from './model/vmstat';
export { KernelPathClock, KERNEL_PATHS, type KernelPath, type PathTimes } from './model/kernel_paths';
export { vmaLink, unlinkFileVma, mmapRegion, treeUpdateCost, type MmapRequest } from './mmap';
export {
  rmapWalk, rmapWalkFile, rmapWalkAnon, tryToUnmap, tryToMunlock, pageReferenced, pageMkclean, isFileMapping,
  TryToUnmapWalker, PageReferencedWalker, PageMkcleanWalker, type RmapWalker, type SwapResult,
  SWAP_SUCCESS, SWAP_AGAIN, SWAP_FAIL, SWAP_MLOCK, TTU_UNMAP, TTU_MIGRATION, TTU_MUNLOCK, TTU_IGNORE_MLOCK, TTU_IGNORE_ACCESS,
} from './rmap';
export {
  migrateMisplacedPage, migratePages, unmapAndMove, removeMigrationPtes, numamigrateUpdateRatelimit, migrateState,
  RemoveMigrationPtesWalker, MIGRATEPAGE_SUCCESS, EAGAIN, EBUSY, ENOMEM, type MigrateMode, type MigrateState,
} from './migrate';
export { NumaBalancing, type TaskNuma, type HotSet, type TouchResult, TNF_MIGRATED, TNF_NO_GROUP, TNF_SHARED, TNF_FAULT_LOCAL, TNF_MIGRATE_FAIL } from './numa';
export { defaultNumaParams, numaParamSources, resolveNumaParams, type NumaParams } from './model/numa_params';
export { allocHighOrder, compactZone, fileShare, defaultCompactionParams, compactionParamSources, resolveCompactionParams, COMPACT_CLUSTER_MAX, THREAD_SIZE_ORDER, type CompactionParams } from './compaction';
export { SiteOverlap, type SiteOverlapStats } from './model/site_overlap';
export { HPAGE_PAGES, PTRS_PER_PMD, PUD_PAGES, HugePmdPage, type HugePte, hugePteOffset, vmaShareable, pageTableShareable, vmaHugecacheOffset, pudIndex, pmdIndex } from './hugetlb_pgtable';
export { Hstate, hstate, roundupPowOfTwo, type HugetlbInode, type HugetlbStats } from './hugetlb_hstate';
export { pmdAlloc, hugePteAlloc, hugePmdShare, hugePmdUnshare, unmapHugePages, unmapHugepageRange, unmapHugepageRangeFinal, hugetlbFreePgdRange, hugetlbChangeProtection, unmapRefPrivate } from './hugetlb';
export { hugetlbAccess, hugetlbFault, copyHugetlbPageRange, type HugetlbFaultResult } from './hugetlb_fault';
export { newHugetlbfsFile, hugetlbfsMmap, alignedUnmappedArea, hugetlbVmtruncate, hugetlbVmtruncateList, type HugetlbMmapRequest } from './hugetlbfs';
export { Uprobe, dupMmapSem, validVma, buildMapInfo, registerForEachVma, type MapInfo, type BuildMapInfoOptions } from './uprobes';
export { collectProcsFile, memoryFailure, isHwPoisoned, type McProcess, type ToKill, type TryToUnmap, type MemoryFailureResult } from './memory_failure';
export { XipState, xipState, newXipFile, xipFileFault, xipFileWriteHole, xipUnmap, type XipFaultResult } from './filemap_xip';
export { VmRegion, vmRegion, nommuRegionSem, addVmaToMm, deleteVmaFromMm, nommuMmap, nommuMunmap, nommuShrinkInodeMappings, ETXTBSY } from './nommu';
export { VM_DONTCOPY, VM_NONLINEAR } from './vma';
export { PageTable } from './pgtable';
export { anonVmaPrepare, anonVmaClone, anonVmaFork, unlinkAnonVmas } from './rmap_anon';
export {
  vmaPrev, vmaNext, findVmaFrom, protFlags, vmaMerge, vmaAdjust, splitVma, doMunmap, unmapRegion, freePgtables,
  vmMunmap, doMmap, doMmapRange, vmMmap, vmMmapAddr, doBrk, sysBrk, mmTakeAllLocks, mmDropAllLocks, linkFileLocked, unlinkFileLocked, type AllLocks,
} from './mmap';
export {
  FAULT_AROUND_PAGES, zapPteRange, unmapSingleVma, unmapVmas, unmapMappingRange, copyPageRange,
  FaultError, pageFault, filemapFault, anonFault, handlePteFault,
} from './memory';
export { mprotect, mprotectFixup, changeProtection } from './mprotect';
export { HUGETLB_OPS, type HugetlbOps } from './model/hugetlb_hooks';
export { dupMmap, fork } from './fork';
export { exitMmap, doExit } from './exit';
export { exec, ElfFiles, ELF_BASE, STACK_TOP, STACK_PAGES, type ExecImage, type ExecSpec, type ExecOptions } from './exec';
export { DSO_LAYOUTS, INTERP, dsoLayout, imagePages, dataOffset, withCleanDataPages, type DsoLayout } from './model/layouts';
export { mremap, moveVma, movePageTables, movePtes, copyVma, LATENCY_LIMIT } from './mremap';
export { truncatePagecache, truncateInodePages, truncateSetsize } from './truncate';
export { remapFilePages } from './fremap';
