import { Rng } from '../src/engine';
import { parse, intOption, seedOption } from '../src/args';
import { IntervalNode, IntervalTree } from '../src/mm/interval_tree';

/**
 * Micro-benchmark of the address_space interval tree (src/mm/interval_tree.ts).
 * Phases, all seeded and single-threaded:
 * - build: insert N random intervals (starts uniform over 16·N pages, 1–64 pages long);
 * - churn: remove a random node + insert a new one, N held constant (munmap/mmap);
 * - query: point queries `forEachOverlap(p, p)` at random page offsets (rmap_walk_file);
 * - shared: a shared library's tree — P processes × 4 VMAs with the same 4 intervals,
 *   children added with insertAfter as dup_mmap does — point queries that each hit ~P VMAs;
 * - teardown: remove all N nodes in random order.
 * Prints rates; the last line is `queries_per_s=<n>` (random point queries, N nodes).
 */
export const intervalTree = {
  summary: 'interval tree: insert/remove/query rates on an N-node vma_interval_tree',
  run(argv: string[]): number {
    const cmd = 'bench interval-tree';
    const { values } = parse(cmd, argv, {
      nodes: { type: 'string', default: '10000', help: 'nodes in the tree' },
      queries: { type: 'string', default: '2000000', help: 'point queries to time' },
      churn: { type: 'string', default: '1000000', help: 'remove+insert pairs to time' },
      processes: { type: 'string', default: '2000', help: 'processes mapping the shared library (shared phase)' },
      seed: { type: 'string', text: true, default: '1', help: 'run seed' },
    });
    const seed = seedOption(cmd, values.seed);
    const n = intOption(cmd, 'nodes', values.nodes);
    const nq = intOption(cmd, 'queries', values.queries);
    const nc = intOption(cmd, 'churn', values.churn);
    const procs = intOption(cmd, 'processes', values.processes);
    const rng = new Rng(`${seed}\u0000interval-tree`);
    const span = 16 * n;
    const now = (): number => Number(process.hrtime.bigint()) / 1e9;
    const rate = (x: number, s: number): string => `${(x / s / 1e6).toFixed(2)}M/s`;

    // build
    const tree = new IntervalTree<number>();
    const nodes: IntervalNode<number>[] = new Array(n);
    const starts = new Float64Array(Math.max(n, nc));
    const lens = new Float64Array(Math.max(n, nc));
    for (let i = 0; i < starts.length; i++) {
      starts[i] = rng.int(span);
      lens[i] = rng.int(64);
    }
    let t0 = now();
    for (let i = 0; i < n; i++) nodes[i] = tree.insert(starts[i], starts[i] + lens[i], i);
    const tBuild = now() - t0;
    console.log(`build:    ${n} inserts in ${(tBuild * 1e3).toFixed(1)} ms (${rate(n, tBuild)}), height ${tree.height()} (2·log2(n+1) = ${(2 * Math.log2(n + 1)).toFixed(1)})`);

    // churn (steady state)
    const picks = new Float64Array(nc);
    for (let i = 0; i < nc; i++) picks[i] = rng.int(n);
    t0 = now();
    for (let i = 0; i < nc; i++) {
      const j = picks[i];
      tree.remove(nodes[j]);
      nodes[j] = tree.insert(starts[i], starts[i] + lens[i], j);
    }
    const tChurn = now() - t0;
    console.log(`churn:    ${nc} remove+insert pairs in ${(tChurn * 1e3).toFixed(1)} ms (${rate(2 * nc, tChurn)} updates), height ${tree.height()}`);

    // random point queries
    const qs = new Float64Array(nq);
    for (let i = 0; i < nq; i++) qs[i] = rng.int(span + 64);
    let hits = 0;
    const count = (): void => {
      hits++;
    };
    let visits = 0;
    for (let i = 0; i < Math.min(nq, 100_000); i++) visits += tree.forEachOverlap(qs[i], qs[i], count); // warm-up
    hits = 0;
    visits = 0;
    t0 = now();
    for (let i = 0; i < nq; i++) visits += tree.forEachOverlap(qs[i], qs[i], count);
    const tQuery = now() - t0;
    const qps = nq / tQuery;
    console.log(`query:    ${nq} point queries in ${(tQuery * 1e3).toFixed(1)} ms (${rate(nq, tQuery)}), ${(hits / nq).toFixed(2)} hits and ${(visits / nq).toFixed(1)} visits per query, ${(1e9 * tQuery / visits).toFixed(1)} ns/visit`);

    // cursor walk (kernel first/next) over the same queries
    const cur = tree.cursor();
    hits = 0;
    visits = 0;
    t0 = now();
    for (let i = 0; i < nq; i++) {
      for (let x = cur.first(qs[i], qs[i]); x !== null; x = cur.next()) hits++;
      visits += cur.visits;
    }
    const tCursor = now() - t0;
    console.log(`cursor:   ${nq} point queries in ${(tCursor * 1e3).toFixed(1)} ms (${rate(nq, tCursor)}) via OverlapCursor first/next`);

    // teardown
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    t0 = now();
    for (let i = 0; i < n; i++) tree.remove(nodes[order[i]]);
    const tTear = now() - t0;
    console.log(`teardown: ${n} removes in ${(tTear * 1e3).toFixed(1)} ms (${rate(n, tTear)})`);

    // shared library: 4 segments mapped by every process; fork = insertAfter
    const lib = new IntervalTree<number>();
    const segs = [[0, 399], [399, 449], [450, 469], [470, 479]];
    const first = segs.map(([s, l]) => lib.insert(s, l, 0));
    for (let p = 1; p < procs; p++) {
      for (let k = 0; k < 4; k++) lib.insertAfter(new IntervalNode(segs[k][0], segs[k][1], p), first[k]);
    }
    const nsq = Math.max(1, Math.floor(nq / procs));
    hits = 0;
    visits = 0;
    t0 = now();
    for (let i = 0; i < nsq; i++) visits += lib.forEachOverlap(qs[i] % 480, qs[i] % 480, count);
    const tShared = now() - t0;
    console.log(`shared:   ${lib.size} nodes (${procs} processes × 4 VMAs), ${nsq} point queries in ${(tShared * 1e3).toFixed(1)} ms (${(nsq / tShared).toFixed(0)}/s), ${(hits / nsq).toFixed(0)} hits per query, ${(visits / hits).toFixed(2)} visits per hit, ${(1e9 * tShared / visits).toFixed(1)} ns/visit`);

    console.log(`heap=${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(1)}MiB`);
    console.log(`queries_per_s=${Math.round(qps)}`);
    return 0;
  },
};
