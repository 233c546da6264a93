import { Vma, type AddressSpace, type MmContext, type MmStruct, type AnonVma } from '../../src/mm';
import type { LockEnv } from '../../src/locking';

/** A file VMA linked straight into its mm and i_mmap (set-up without simulated cost or locks). */
export function linkFileVma(file: AddressSpace, mm: MmStruct, pgoff: number, pages: number, flags: number): Vma {
  const addr = mm.unmappedArea(pages);
  const vma = new Vma(mm, addr, addr + pages, pgoff, flags, file);
  mm.insertVma(vma);
  vma.itNode = file.i_mmap.insert(pgoff, vma.lastPgoff, vma);
  return vma;
}

/** An anonymous VMA chained to `av` (anon_vma_chain in av.rb_root), pgoff = its start. */
export function linkAnonVma(av: AnonVma, mm: MmStruct, pages: number, flags: number): Vma {
  const addr = mm.unmappedArea(pages);
  const vma = new Vma(mm, addr, addr + pages, addr, flags, null);
  vma.anonVma = av;
  mm.insertVma(vma);
  av.rb_root.insert(vma.pgoff, vma.lastPgoff, vma);
  return vma;
}

/** n mms named p0..p(n-1) */
export function mms(ctx: MmContext, n: number): MmStruct[] {
  return Array.from({ length: n }, (_, i) => ctx.newMm(`p${i}`));
}

/** lockstat acquisitions of one class at one site (read + write) */
export function acq(env: LockEnv, cls: string, site: string): number {
  const s = env.stat.classes.get(cls)?.get(site);
  return s ? s.acquisitions.read + s.acquisitions.write : 0;
}
