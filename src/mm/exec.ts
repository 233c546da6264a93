import type { Task } from '../sched';
import type { MmContext } from './model/context';
import type { MmStruct } from './mm_struct';
import type { AddressSpace } from './address_space';
import { Vma, VM_READ, VM_WRITE, VM_EXEC } from './vma';
import { doBrk, vmaLink, vmMmap, vmMunmap } from './mmap';
import { mprotect } from './mprotect';
import { pageFault } from './memory';
import { exitMmap } from './exit';
import { dataOffset, dsoLayout, imagePages, INTERP, type DsoLayout } from './model/layouts';
import type { Proc } from '../engine';

/** One ELF object to map: its file and layout. */
export interface ExecImage {
  readonly file: AddressSpace;
  readonly layout: DsoLayout;
}

/** What execve maps: the executable, its interpreter (ld.so) and the libraries ld.so loads. */
export interface ExecSpec {
  readonly binary: ExecImage;
  readonly interp: ExecImage | null;
  readonly libs: readonly ExecImage[];
}

export interface ExecOptions {
  /** read faults on each object's text while ld.so resolves symbols (spread evenly) [U]; default 2 */
  textFaults?: number;
}

/** the executable's load address (ET_EXEC, 0x400000) in pages */
export const ELF_BASE = 0x400;
/** top of the initial stack (STACK_TOP_MAX ≈ 2^47 bytes) in pages */
export const STACK_TOP = 2 ** 35;
/** initial stack VMA size: bprm_mm_init's page + setup_arg_pages' stack_expand (128 KiB) */
export const STACK_PAGES = 33;

const RX = VM_READ | VM_EXEC, RW = VM_READ | VM_WRITE;

/**
 * execve() of a dynamically linked ELF executable (fs/exec.c, fs/binfmt_elf.c), then
 * ld.so's start-up in user space. Returns the new mm; `oldMm` (if any) is gone.
 *
 * Kernel, in order:
 * 1. bprm_mm_init: a new mm; under its mmap_sem W the stack VMA (anonymous: no i_mmap);
 *    copy_strings writes the arguments (an anonymous fault: anon_vma_prepare).
 * 2. exec_mmap: the old mm's mmap_sem R around the switch, then mmput → exit_mmap (no
 *    mmap_sem; i_mmap W once per file VMA).
 * 3. load_elf_binary maps the executable segment by segment (elf_map → vm_mmap, each
 *    under mmap_sem W): text r-x, data rw- MAP_FIXED; padzero (a COW write fault); set_brk
 *    (vm_brk of the bss: anonymous).
 * 4. load_elf_interp maps ld.so: the WHOLE image first (elf_map with total_size), then
 *    vm_munmap of everything past the text (partial munmap: split → vma_adjust, then
 *    unlink_file_vma), the data segment MAP_FIXED, padzero, vm_brk of its bss.
 * ld.so (glibc 2.19 _dl_map_object_from_fd, user space), for each library in order:
 * 5. mmap of the whole image r-x (maplength = up to the end of the bss; vma_link);
 *    mprotect of the gap to PROT_NONE (has_holes: two splits → two vma_adjust);
 *    mmap MAP_FIXED of the data segment rw- (do_munmap of what it covers: a split when a
 *    bss part of the image remains, an unlink_file_vma; then vma_link); if there is bss,
 *    mmap MAP_FIXED|MAP_ANONYMOUS of it (do_munmap of the rest of the image: unlink_file_vma).
 * 6. Relocation, in reverse load order, then the executable and ld.so itself: write faults
 *    on every RELRO and data page but the layout's cleanDataPages (COW: anon_vma_prepare), read faults on the text, then
 *    _dl_protect_relro: mprotect of the RELRO pages to r-- (a split → vma_adjust).
 * Not modelled: shift_arg_pages (setup_arg_pages only grows the stack here), vDSO/vvar,
 * the open/read/close syscalls (folded into costs.dsoLoad), TLS and malloc arenas.
 */
export function* exec(ctx: MmContext, task: Task, oldMm: MmStruct | null, spec: ExecSpec, name: string,
  opts: ExecOptions = {}): Proc<MmStruct> {
  const textFaults = opts.textFaults ?? 2;
  yield* ctx.compute(task, ctx.costs.execFixed);
  // 1. bprm_mm_init
  const mm = ctx.newMm(name);
  yield* mm.mmapSem.acquire(task, 'write', 'bprm_mm_init');
  const stack = new Vma(mm, STACK_TOP - 1, STACK_TOP, STACK_TOP - 1, RW, null);
  yield* vmaLink(ctx, task, stack); // insert_vm_struct
  yield* mm.mmapSem.release(task, 'write');
  yield* pageFault(ctx, task, mm, STACK_TOP - 1, true); // copy_strings
  // 2. exec_mmap
  if (oldMm) {
    yield* oldMm.mmapSem.acquire(task, 'read', 'exec_mmap');
    yield* oldMm.mmapSem.release(task, 'read');
    yield* exitMmap(ctx, task, oldMm);
  }
  // setup_arg_pages: expand the stack (expand_downwards: anon_vma W, no i_mmap)
  yield* mm.mmapSem.acquire(task, 'write', 'setup_arg_pages');
  yield* expandStack(ctx, task, stack, STACK_PAGES - 1);
  yield* mm.mmapSem.release(task, 'write');
  // 3. load_elf_binary
  const bin = spec.binary.layout;
  yield* elfMapBinary(ctx, task, mm, spec.binary);
  mm.startBrk = mm.brk = ELF_BASE + imagePages(bin);
  // 4. load_elf_interp
  const loaded: { img: ExecImage; base: number }[] = [];
  let interpBase = -1;
  if (spec.interp) interpBase = yield* elfMapInterp(ctx, task, mm, spec.interp);
  ctx.vmstat.execs++;
  // 5. ld.so maps the libraries
  for (const lib of spec.libs) {
    yield* ctx.sched.compute(task, ctx.costs.dsoLoad, true);
    loaded.push({ img: lib, base: yield* dlMapObject(ctx, task, mm, lib) });
  }
  // 6. relocation and RELRO protection
  const order = loaded.slice().reverse();
  order.push({ img: spec.binary, base: ELF_BASE });
  if (spec.interp) order.push({ img: spec.interp, base: interpBase });
  for (const { img, base } of order) yield* relocate(ctx, task, mm, img.layout, base, textFaults);
  return mm;
}

/** expand_downwards() (mm/mmap.c): grow a stack VMA down by `pages` under anon_vma W */
function* expandStack(ctx: MmContext, task: Task, vma: Vma, pages: number): Proc {
  const av = vma.anonVma;
  if (av) yield* av.rwsem.acquire(task, 'write', 'expand_downwards');
  vma.start -= pages;
  vma.pgoff -= pages;
  if (av) yield* av.rwsem.release(task, 'write');
}

/** load_elf_binary's segment mapping (ET_EXEC at ELF_BASE); returns nothing */
function* elfMapBinary(ctx: MmContext, task: Task, mm: MmStruct, img: ExecImage): Proc {
  const l = img.layout, base = ELF_BASE;
  yield* vmMmap(ctx, task, mm, { file: img.file, pgoff: 0, pages: l.textPages, flags: RX, addr: base, fixed: true });
  yield* mapDataAndBss(ctx, task, mm, img, base, true);
}

/** load_elf_interp: whole image, munmap past the text, data MAP_FIXED, bss; returns the base */
function* elfMapInterp(ctx: MmContext, task: Task, mm: MmStruct, img: ExecImage): Proc<number> {
  const l = img.layout, total = imagePages(l);
  const whole = yield* vmMmap(ctx, task, mm, { file: img.file, pgoff: 0, pages: total, flags: RX });
  const base = whole.start;
  yield* vmMunmap(ctx, task, mm, base + l.textPages, total - l.textPages);
  yield* mapDataAndBss(ctx, task, mm, img, base, true);
  return base;
}

/** the data segment MAP_FIXED; in the kernel, padzero then vm_brk of the bss */
function* mapDataAndBss(ctx: MmContext, task: Task, mm: MmStruct, img: ExecImage, base: number, kernel: boolean): Proc {
  const l = img.layout, d = base + dataOffset(l);
  yield* vmMmap(ctx, task, mm, { file: img.file, pgoff: l.dataPgoff, pages: l.dataPages, flags: RW, addr: d, fixed: true });
  if (l.bssPages === 0) return;
  const bss = d + l.dataPages;
  if (kernel) {
    yield* pageFault(ctx, task, mm, bss - 1, true); // padzero: clear_user of the last data page
    yield* mm.mmapSem.acquire(task, 'write', 'vm_brk');
    yield* doBrk(ctx, task, mm, bss, l.bssPages);
    yield* mm.mmapSem.release(task, 'write');
  } else {
    // memset of the partial page happens at relocation; then MAP_ANONYMOUS|MAP_FIXED
    yield* vmMmap(ctx, task, mm, { file: null, pgoff: 0, pages: l.bssPages, flags: RW, addr: bss, fixed: true });
  }
}

/** _dl_map_object_from_fd's mapping sequence for one library; returns its load base */
function* dlMapObject(ctx: MmContext, task: Task, mm: MmStruct, img: ExecImage): Proc<number> {
  const l = img.layout;
  const whole = yield* vmMmap(ctx, task, mm, { file: img.file, pgoff: 0, pages: imagePages(l), flags: RX });
  const base = whole.start;
  if (l.gapPages > 0) yield* mprotect(ctx, task, mm, base + l.textPages, l.gapPages, 0);
  yield* mapDataAndBss(ctx, task, mm, img, base, false);
  return base;
}

/** relocation writes (COW), symbol lookups (text reads), _dl_protect_relro */
function* relocate(ctx: MmContext, task: Task, mm: MmStruct, l: DsoLayout, base: number, textFaults: number): Proc {
  const d = base + dataOffset(l);
  for (let i = 0; i < textFaults; i++) yield* pageFault(ctx, task, mm, base + Math.floor((i * l.textPages) / textFaults), false);
  for (let p = 0; p < l.dataPages - l.cleanDataPages; p++) yield* pageFault(ctx, task, mm, d + p, true);
  if (l.relroPages > 0) yield* mprotect(ctx, task, mm, d, l.relroPages, VM_READ);
}

/**
 * One AddressSpace per ELF file of a simulated kernel (libc's tree is shared by every
 * process), and ExecSpecs for programs of model/layouts.ts.
 */
export class ElfFiles {
  private readonly files = new Map<string, AddressSpace>();

  /** `layouts`: where layouts come from (default model/layouts.ts; a what-if may override some) */
  constructor(private readonly ctx: MmContext, private readonly node = 0, private readonly layouts: (name: string) => DsoLayout = dsoLayout) {}

  /** the layout of `name` in this run */
  layout(name: string): DsoLayout {
    return this.layouts(name);
  }

  /** the file `name`, created on first use with its layout's size */
  file(name: string): AddressSpace {
    let f = this.files.get(name);
    if (!f) {
      f = this.ctx.newFile(name, { nrPages: this.layout(name).filePages, node: this.node });
      this.files.set(name, f);
      this.ctx.addCachedFile(f);
    }
    return f;
  }

  image(name: string): ExecImage {
    return { file: this.file(name), layout: this.layout(name) };
  }

  /** binary + ld.so + its DT_NEEDED libraries */
  spec(program: string): ExecSpec {
    const l = this.layout(program);
    return { binary: this.image(program), interp: this.image(INTERP), libs: (l.needed ?? []).map((n) => this.image(n)) };
  }
}
