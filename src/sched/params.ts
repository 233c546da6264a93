/**
 * Scheduler parameters (ns). Defaults follow Linux 3.18 CFS on a machine with ≥ 8 CPUs
 * (SCHED_TUNABLESCALING_LOG: factor 1 + ilog2(min(ncpus, 8)) = 4) unless marked.
 */
import { withOverrides } from '../engine/params';
export interface SchedParams {
  /** timer interrupt rate (CONFIG_HZ) */
  hz: number;
  /** sysctl_sched_latency: 6 ms × 4 (kernel/sched/fair.c) */
  schedLatency: number;
  /** sysctl_sched_min_granularity: 0.75 ms × 4 */
  minGranularity: number;
  /** sysctl_sched_wakeup_granularity: 1 ms × 4 */
  wakeupGranularity: number;
  /** CPU time of a context switch (schedule() + switch_mm + cache refill) */
  contextSwitch: number;
  /** CPU time the waker spends in try_to_wake_up (rq lock, enqueue, maybe IPI) */
  wakeupCost: number;
  /** CPU time of try_to_wake_up on a task that is already awake (pi_lock, state check) */
  wakeupNoopCost: number;
  /** delay until a task woken onto an idle CPU runs (IPI + idle exit) */
  idleWakeLatency: number;
}

export const defaultSchedParams: Readonly<SchedParams> = Object.freeze({
  hz: 250,
  schedLatency: 24e6,
  minGranularity: 3e6,
  wakeupGranularity: 4e6,
  contextSwitch: 2000,
  wakeupCost: 1000,
  wakeupNoopCost: 100,
  idleWakeLatency: 5000,
});

/** Where each default comes from. */
export const schedParamSources: Record<keyof SchedParams, string> = {
  hz: '[U] CONFIG_HZ=250, the common enterprise-distribution setting of 2014 (SLES 12); 1000 on RHEL 7',
  schedLatency: 'kernel/sched/fair.c (3.18): sysctl_sched_latency = 6 ms, scaled by 1 + ilog2(min(ncpus, 8)) = 4',
  minGranularity: 'kernel/sched/fair.c (3.18): sysctl_sched_min_granularity = 0.75 ms × 4',
  wakeupGranularity: 'kernel/sched/fair.c (3.18): sysctl_sched_wakeup_granularity = 1 ms × 4',
  contextSwitch: '[U] ~2 µs: direct cost of a process context switch with address-space change and TLB refill on 2010s Xeons (lmbench lat_ctx order of magnitude)',
  wakeupCost: '[U] ~1 µs of waker CPU time in try_to_wake_up (remote rq lock + enqueue)',
  wakeupNoopCost: '[U] ~100 ns: take p->pi_lock (a cache miss on the task), see TASK_RUNNING, return',
  idleWakeLatency: '[U] ~5 µs: reschedule IPI plus exit from a shallow C-state',
};

export function resolveSchedParams(p: Partial<SchedParams> | undefined): SchedParams {
  return withOverrides(defaultSchedParams, p, 'sched', 'parameter', (k, v) =>
    typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v) || (k === 'hz' && !(v > 0))
      ? `must be a finite number ${k === 'hz' ? '> 0' : '>= 0'}` : undefined);
}
