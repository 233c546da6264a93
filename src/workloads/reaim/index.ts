/**
 * reaim (re-aim-7) driver rules, as pure functions: the workfile parser, per-test quotas and
 * tasks per child, each child's test order, the JPM/JTI arithmetic and per-test fork/exec/sync
 * counts. See docs/reference/aim7.md §1–5. No simulation here.
 */
export * from './tests';
export * from './workfile';
export * from './quota';
export * from './order';
export * from './jpm';
export * from './syscalls';
