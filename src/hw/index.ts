export { Machine, validateMachineSpec, type MachineSpec, type MachineLatencies } from './machine';
export { CacheLine, type CacheLineStats, type CacheLineSnapshot } from './cacheline';
export { loadMachine, loadMachineFile, isMachineFile, machinePresets } from './presets';
