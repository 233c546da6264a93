export { Scheduler, RESCHED, OFF_CPU } from './scheduler';
export { Task, type TaskState, type TaskStats } from './task';
export { Cpu, IDLE, BUSY, SPIN } from './cpu';
export { defaultSchedParams, schedParamSources, resolveSchedParams, type SchedParams } from './params';
