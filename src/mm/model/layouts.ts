/**
 * Memory layouts of the ELF objects an aim7 run maps, as data (units: 4 KiB pages).
 *
 * Shape of an x86-64 DSO or executable of 2014 (binutils default max-page-size 2 MiB):
 *   image pages [0, text)                    r-x  file pages [0, text)
 *   image pages [text, text + gap)           hole (PROT_NONE after ld.so's mprotect)
 *   image pages [text + gap, + data)         rw-  file pages [dataPgoff, dataPgoff + data),
 *                                                 the first `relro` of them r-- after relocation
 *   then `bss` anonymous zero-fill pages     rw-
 * The data segment starts in the file page holding the end of the text
 * (dataPgoff = text - 1), at image offset text + gap with gap ≈ 511 (2 MiB alignment).
 *
 * Sizes are from /proc/<pid>/maps of Ubuntu 14.04 x86-64 (glibc 2.19, dash 0.5.7,
 * coreutils 8.21) as remembered, not measured on the 2014 test system, whose
 * distribution is unknown: every number here is **[U]**. What the model needs from them
 * is the VMA count per object (libc 4 file VMAs + bss, ld.so and binaries 3 + bss), the
 * ld.so call sequence, and which file each VMA maps; the page counts only scale fault,
 * zap and copy costs.
 */
export interface DsoLayout {
  /** the file (soname or path) */
  readonly name: string;
  /** file size in pages */
  readonly filePages: number;
  /** text segment pages (r-x), file pages [0, textPages) */
  readonly textPages: number;
  /** pages between the text and the data segment in the image */
  readonly gapPages: number;
  /** file page offset of the data segment */
  readonly dataPgoff: number;
  /** file-backed pages of the data segment, RELRO included */
  readonly dataPages: number;
  /** leading data pages made read-only after relocation (PT_GNU_RELRO) */
  readonly relroPages: number;
  /** anonymous zero-fill pages after the data segment */
  readonly bssPages: number;
  /**
   * trailing data pages that start-up (relocation, library init) does not write: they stay
   * page-cache pages shared by every process mapping the object until one writes them
   * (then COW). What NUMA balancing can migrate of a library's data (numa.ts).
   */
  readonly cleanDataPages: number;
  /** DT_NEEDED closure, in ld.so's load order (executables only) */
  readonly needed?: readonly string[];
  readonly source: string;
}

const U14 = '[U] Ubuntu 14.04 x86-64 /proc/<pid>/maps as remembered, not measured';

function dso(name: string, textPages: number, dataPages: number, relroPages: number, bssPages: number,
  source: string, needed?: string[], cleanDataPages = 0): DsoLayout {
  const gapPages = 511;
  const dataPgoff = textPages - 1;
  return Object.freeze({
    name, filePages: dataPgoff + dataPages, textPages, gapPages, dataPgoff, dataPages, relroPages, bssPages, cleanDataPages,
    ...(needed ? { needed: Object.freeze(needed) } : {}), source,
  });
}

/** Layouts by file name. */
export const DSO_LAYOUTS: Readonly<Record<string, DsoLayout>> = Object.freeze({
  'libc.so.6': dso('libc.so.6', 443, 6, 4, 5, `${U14}: libc-2.19.so r-xp 0x1bb000, ---p 0x1ff000, r--p 0x4000, rw-p 0x2000, anon rw-p 0x5000; `
    + 'cleanDataPages 0: both rw- pages are written in every process (the first holds __malloc_hook, cleared by the first malloc; '
    + 'the second __progname, set by __init_misc, and the start of .bss, zeroed by ld.so): docs/fidelity/candidates.md, candidate 1', undefined, 0),
  'ld-linux-x86-64.so.2': dso('ld-linux-x86-64.so.2', 35, 2, 1, 1, `${U14}: ld-2.19.so r-xp 0x23000, r--p 0x1000, rw-p 0x1000, anon rw-p 0x1000`),
  'libselinux.so.1': dso('libselinux.so.1', 31, 3, 1, 1, U14),
  'libacl.so.1': dso('libacl.so.1', 7, 2, 1, 0, U14),
  'libpcre.so.3': dso('libpcre.so.3', 110, 2, 1, 0, U14),
  'libdl.so.2': dso('libdl.so.2', 3, 2, 1, 0, U14),
  'libattr.so.1': dso('libattr.so.1', 4, 2, 1, 0, U14),
  'libaio.so.1': dso('libaio.so.1', 1, 2, 1, 0, `${U14}; reaim links -laio (mmtests reaim-install)`),
  '/bin/sh': dso('/bin/sh', 36, 2, 1, 2, `${U14}: /bin/dash r-xp 0x24000, r--p 0x1000, rw-p 0x1000, anon 0x2000`, ['libc.so.6']),
  '/bin/ls': dso('/bin/ls', 27, 2, 1, 1, `${U14}: coreutils 8.21 ls; ldd lists libselinux, libacl, libc, libpcre, libdl, libattr`,
    ['libselinux.so.1', 'libacl.so.1', 'libc.so.6', 'libpcre.so.3', 'libdl.so.2', 'libattr.so.1']),
  '/bin/sync': dso('/bin/sync', 7, 2, 1, 1, `${U14}: coreutils 8.21 sync`, ['libc.so.6']),
  '/bin/sleep': dso('/bin/sleep', 7, 2, 1, 1, `${U14}: coreutils 8.21 sleep`, ['libc.so.6']),
  'libpthread.so.0': dso('libpthread.so.0', 24, 2, 1, 4, `${U14}: libpthread-2.19.so r-xp 0x18000, r--p 0x1000, rw-p 0x1000, anon rw-p 0x4000`),
  'libevent-2.0.so.5': dso('libevent-2.0.so.5', 63, 2, 1, 0, `${U14}: libevent 2.0.21`),
  memcached: dso('memcached', 30, 3, 1, 4, `${U14}: memcached 1.4.14 (-t worker threads); ldd lists libevent, libpthread, libc (libsasl2 left out)`,
    ['libevent-2.0.so.5', 'libpthread.so.0', 'libc.so.6']),
  reaim: dso('reaim', 40, 3, 1, 8, '[U] osdl-aim-7 1.1.13 reaim driver: size estimated from its sources; links libaio and libc', ['libaio.so.1', 'libc.so.6']),
});

/** The dynamic loader every executable above names as PT_INTERP. */
export const INTERP = 'ld-linux-x86-64.so.2';

/**
 * A what-if variant of layout `l` with `k` clean data pages: its rw- data segment grows to
 * k + 1 pages if needed (the first one still written at start-up, as .got.plt is), so
 * the same pages are written by exec and `k` stay page-cache pages shared by every
 * process. For studies of how much NUMA balancing could migrate; not a measured layout.
 */
export function withCleanDataPages(l: DsoLayout, k: number): DsoLayout {
  if (!Number.isInteger(k) || k < 0) throw new Error(`withCleanDataPages(${l.name}): k must be an integer >= 0, got ${k}`);
  const rw = Math.max(l.dataPages - l.relroPages, k + 1);
  const dataPages = l.relroPages + rw;
  return Object.freeze({
    ...l,
    dataPages,
    filePages: l.dataPgoff + dataPages,
    cleanDataPages: k,
    source: `${l.source}; what-if: ${k} clean data page${k === 1 ? '' : 's'} (rw- segment ${rw} pages)`,
  });
}

/** A layout by name, with an error naming the known ones. */
export function dsoLayout(name: string): DsoLayout {
  const l = DSO_LAYOUTS[name];
  if (!l) throw new Error(`no layout for ${JSON.stringify(name)}; known: ${Object.keys(DSO_LAYOUTS).join(', ')}`);
  return l;
}

/** image pages from the load base to the end of the bss (ld.so's maplength) */
export function imagePages(l: DsoLayout): number {
  return l.textPages + l.gapPages + l.dataPages + l.bssPages;
}

/** image page offset of the data segment */
export function dataOffset(l: DsoLayout): number {
  return l.textPages + l.gapPages;
}
