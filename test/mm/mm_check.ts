import { checkIntervalTree } from './interval_tree_check';
import { VM_NONLINEAR, type AddressSpace, type MmStruct, type Vma } from '../../src/mm';

/**
 * Cross-structure invariants after mm operations (throws on the first violation):
 * - each mm's VMA list is sorted, non-overlapping, and every VMA points back at its mm;
 * - each file VMA of a live mm is in exactly its file's i_mmap tree over [pgoff, lastPgoff]
 *   (or in i_mmap_nonlinear), and every tree/nonlinear entry is a VMA of a live mm;
 * - each tree passes the interval-tree validator; i_mmap_writable = live VM_SHARED VMAs;
 * - every present pte lies inside a VMA of its mm, file ptes map the VMA's own file page,
 *   and page.mappers agrees with the ptes.
 */
export function checkMms(mms: readonly MmStruct[], files: readonly AddressSpace[]): void {
  const live = new Set<Vma>();
  for (const mm of mms) {
    let prevEnd = -Infinity;
    for (const v of mm.vmas) {
      if (v.mm !== mm) fail(`${mm.name}: VMA [${v.start}, ${v.end}) belongs to ${v.mm.name}`);
      if (!(v.start < v.end)) fail(`${mm.name}: empty VMA [${v.start}, ${v.end})`);
      if (v.start < prevEnd) fail(`${mm.name}: VMAs overlap or are unsorted at ${v.start}`);
      prevEnd = v.end;
      live.add(v);
      if (v.file) {
        if (!files.includes(v.file)) fail(`${mm.name}: VMA maps an unknown file ${v.file.name}`);
        if (v.has(VM_NONLINEAR)) {
          if (!v.file.i_mmap_nonlinear.has(v) || v.itNode) fail(`${mm.name}: nonlinear VMA not (only) in i_mmap_nonlinear`);
        } else {
          const n = v.itNode;
          if (!n || n.tree !== v.file.i_mmap) fail(`${mm.name}: file VMA [${v.start}, ${v.end}) of ${v.file.name} is not in its tree`);
          if (n.value !== v || n.start !== v.pgoff || n.last !== v.lastPgoff) {
            fail(`${mm.name}: tree node [${n.start}, ${n.last}] disagrees with VMA pgoff [${v.pgoff}, ${v.lastPgoff}]`);
          }
        }
      } else if (v.itNode) fail(`${mm.name}: anonymous VMA has a tree node`);
    }
    for (const [addr, page] of mm.pt.entries()) {
      const v = mm.findVma(addr);
      if (!v) fail(`${mm.name}: pte at ${addr} outside every VMA`);
      if (page) {
        if (page.mapping !== v.file) fail(`${mm.name}: pte at ${addr} maps a page of another file`);
        if (!v.has(VM_NONLINEAR) && page.index !== v.pgoff + (addr - v.start)) fail(`${mm.name}: pte at ${addr} maps index ${page.index}`);
        if (!page.mappers.has(mm)) fail(`${mm.name}: page ${page.index} lacks the mapper`);
      }
    }
    if (mm.rss !== mm.pt.size) fail(`${mm.name}: rss ${mm.rss} != ${mm.pt.size} ptes`);
  }
  for (const f of files) {
    checkIntervalTree(f.i_mmap);
    let shared = 0;
    for (const node of f.i_mmap) {
      if (!live.has(node.value)) fail(`${f.name}: tree holds a VMA of no live mm ([${node.start}, ${node.last}])`);
      if (node.value.file !== f) fail(`${f.name}: tree holds a VMA of another file`);
      if (node.value.itNode !== node) fail(`${f.name}: VMA's itNode is not its tree node`);
    }
    for (const v of f.i_mmap_nonlinear) if (!live.has(v)) fail(`${f.name}: nonlinear list holds a dead VMA`);
    for (const v of live) if (v.file === f && v.has(0x8)) shared++;
    if (f.i_mmap_writable !== shared) fail(`${f.name}: i_mmap_writable ${f.i_mmap_writable}, live VM_SHARED VMAs ${shared}`);
  }
}

/** the file VMAs of `f` in tree order, as "mm:[start,end)" strings */
export function treeOrder(f: AddressSpace): string[] {
  return f.i_mmap.toArray().map((n) => `${n.value.mm.name}:[${n.value.start},${n.value.end})`);
}

/** a compact picture of an mm: "start-end prot file@pgoff" per VMA */
export function layout(mm: MmStruct): string[] {
  return mm.vmas.map((v) => {
    const p = `${v.flags & 1 ? 'r' : '-'}${v.flags & 2 ? 'w' : '-'}${v.flags & 4 ? 'x' : '-'}`;
    return `${v.start}-${v.end} ${p} ${v.file ? `${v.file.name}@${v.pgoff}` : 'anon'}`;
  });
}

function fail(msg: string): never {
  throw new Error(`mm invariant: ${msg}`);
}
