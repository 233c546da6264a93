/**
 * The reaim test names this model knows: every line of the alltests workfile (including
 * signal_test, which mmtests excludes) and the disk workfile's five O_DIRECT tests, as listed
 * in docs/reference/aim7.md §3–4. re-aim-7 has more tests than these; they are not modelled
 * and a workfile naming one is rejected.
 */
export const KNOWN_TESTS = [
  // alltests, in the order of data/workloads/reaim/workfile.alltests
  'add_double', 'add_float', 'add_long', 'add_int', 'add_short', 'sieve', 'string_rtns',
  'exec_test', 'mul_double', 'mul_float', 'mul_long', 'mul_int', 'mul_short', 'shell_rtns_1',
  'disk_rr', 'disk_rw', 'disk_rd', 'disk_wrt', 'disk_cp',
  'disk_brr', 'disk_brw', 'disk_brd', 'disk_bwrt', 'disk_bcp',
  'sync_disk_rw', 'sync_disk_wrt', 'sync_disk_cp', 'sync_disk_update', 'disk_src',
  'creat_clo', 'array_rtns', 'brk_test', 'dgram_pipe', 'dir_rtns_1',
  'div_double', 'div_float', 'div_long', 'div_int', 'div_short',
  'fork_test', 'jmp_test', 'link_test', 'matrix_rtns', 'mem_rtns_1', 'mem_rtns_2', 'misc_rtns_1',
  'new_raph', 'num_rtns_1', 'page_test', 'pipe_cpy', 'ram_copy', 'series_1', 'shared_memory',
  'fifo_test', 'sort_rtns_1', 'stream_pipe', 'tcp_test', 'trig_rtns', 'udp_test',
  'shell_rtns_2', 'shell_rtns_3', 'signal_test',
  // disk only
  'disk_dio_rr', 'disk_dio_rw', 'disk_dio_rd', 'disk_dio_wrt', 'disk_dio_cp',
] as const;

export type ReaimTest = (typeof KNOWN_TESTS)[number];

const KNOWN = new Set<string>(KNOWN_TESTS);
export function isKnownTest(name: string): name is ReaimTest {
  return KNOWN.has(name);
}
