/**
 * Machine topology: sockets × cores × SMT threads, NUMA nodes and the latencies that
 * price cache-line movement. A `MachineSpec` is plain data (presets in data/machines/);
 * `Machine` answers topology questions in O(1).
 *
 * CPU numbering follows what Linux shows on Intel multi-socket parts: the first
 * hardware thread of every core comes first, socket by socket (cpu 0..C-1), then the
 * second threads in the same order (cpu C..2C-1), so `cpu` and `cpu + C` are siblings
 * (C = ncores = sockets × coresPerSocket). Socket s holds cores s·P..(s+1)·P-1
 * (P = coresPerSocket). There is one NUMA node per socket, numbered like the sockets.
 *
 * Costs (all in ns):
 * - same CPU: `latency.hit`; SMT sibling: `latency.sameCore`; another core of the same
 *   socket: `latency.sameSocket`;
 * - another socket: `latency.crossSocket` × hops, where
 *   hops = max(1, (SLIT(a,b) − 10) / (nearest remote SLIT from a − 10)): sockets at the
 *   smallest remote distance cost exactly `crossSocket`, farther ones scale linearly with
 *   the SLIT excess over 10 (e.g. 21 → 1 hop, 25 → 15/11 ≈ 1.36 hops);
 * - DRAM: `latency.memoryLocal` on the own node, `latency.memoryRemote` × hops elsewhere.
 */
export interface MachineLatencies {
  /** a line already held in a usable state by this CPU (L1/L2 hit) */
  hit: number;
  /** line moved between the two SMT threads of one core (shared L1/L2) */
  sameCore: number;
  /** line moved between cores of one socket (through the L3) */
  sameSocket: number;
  /** line moved between sockets one interconnect hop apart (farther: × hops, see above) */
  crossSocket: number;
  /** line fetched from DRAM of the local node */
  memoryLocal: number;
  /** line fetched from DRAM of a node one hop away (farther: × hops) */
  memoryRemote: number;
}

export interface MachineSpec {
  name: string;
  description: string;
  sockets: number;
  coresPerSocket: number;
  threadsPerCore: number;
  /** core clock in GHz, for turning cycle counts into ns (the cache-line costs here do not use it) */
  clockGHz: number;
  /**
   * SLIT-style node distances (10 = local, > 10 remote), sockets × sockets, one node per
   * socket; only ratios of the excess over 10 matter (see the module comment).
   * Default: 10 local, 20 remote (every socket one hop from every other).
   */
  nodeDistance?: number[][];
  /** latencies in ns, ordered hit <= sameCore <= sameSocket <= crossSocket, memoryLocal <= memoryRemote */
  latency: MachineLatencies;
  /**
   * Speed of a hardware thread relative to running alone on its core, when its SMT
   * sibling is busy running (`busy`) or spinning with PAUSE (`spinning`).
   */
  smt: { busy: number; spinning: number };
  /**
   * where each number comes from: field path (or several, comma-separated) → citation;
   * "[U]" marks a recalled/unverified value, "calibrated" one fitted to a result
   */
  sources: Record<string, string>;
}

export class Machine {
  readonly ncpus: number;
  readonly ncores: number;
  readonly nsockets: number;
  readonly nnodes: number;
  private readonly socket: Int32Array;
  private readonly core: Int32Array;
  private readonly distance: number[][];

  constructor(readonly spec: MachineSpec) {
    validateMachineSpec(spec);
    this.nsockets = spec.sockets;
    this.nnodes = spec.sockets;
    this.ncores = spec.sockets * spec.coresPerSocket;
    this.ncpus = this.ncores * spec.threadsPerCore;
    this.socket = new Int32Array(this.ncpus);
    this.core = new Int32Array(this.ncpus);
    for (let cpu = 0; cpu < this.ncpus; cpu++) {
      const core = cpu % this.ncores;
      this.core[cpu] = core;
      this.socket[cpu] = Math.floor(core / spec.coresPerSocket);
    }
    this.distance = spec.nodeDistance ?? defaultDistance(spec.sockets);
  }

  get name(): string {
    return this.spec.name;
  }

  socketOf(cpu: number): number {
    return this.socket[cpu];
  }

  /** global core index of a CPU (0..ncores-1) */
  coreOf(cpu: number): number {
    return this.core[cpu];
  }

  /** NUMA node of a CPU: one node per socket */
  nodeOf(cpu: number): number {
    return this.socket[cpu];
  }

  /** the other hardware threads of the CPU's core */
  siblingsOf(cpu: number): number[] {
    const out: number[] = [];
    const core = this.core[cpu];
    for (let t = 0; t < this.spec.threadsPerCore; t++) {
      const c = core + t * this.ncores;
      if (c !== cpu) out.push(c);
    }
    return out;
  }

  /** CPUs of one socket, first threads first */
  cpusOfSocket(socket: number): number[] {
    const out: number[] = [];
    for (let cpu = 0; cpu < this.ncpus; cpu++) if (this.socket[cpu] === socket) out.push(cpu);
    return out;
  }

  /** first CPU of a socket (a representative for socket-to-socket costs) */
  cpusOfSocketFirst(socket: number): number {
    return socket * this.spec.coresPerSocket;
  }

  /** SLIT distance between two nodes */
  nodeDistance(a: number, b: number): number {
    return this.distance[a][b];
  }

  /** ns to move a cache line held by `from` to `to` (same cpu → hit). */
  transferCost(from: number, to: number): number {
    const l = this.spec.latency;
    if (from === to) return l.hit;
    if (this.core[from] === this.core[to]) return l.sameCore;
    const sa = this.socket[from], sb = this.socket[to];
    if (sa === sb) return l.sameSocket;
    // one hop = the crossSocket figure; farther nodes scale with the SLIT distance
    const hops = (this.distance[sa][sb] - 10) / (this.minRemoteDistance(sa) - 10);
    return l.crossSocket * Math.max(1, hops);
  }

  /** ns to fetch a line from the DRAM of `node` into `cpu`'s cache. */
  memoryCost(cpu: number, node: number): number {
    const l = this.spec.latency;
    const s = this.socket[cpu];
    if (s === node) return l.memoryLocal;
    const hops = (this.distance[s][node] - 10) / (this.minRemoteDistance(s) - 10);
    return l.memoryRemote * Math.max(1, hops);
  }

  private minRemoteDistance(s: number): number {
    let m = Infinity;
    const row = this.distance[s];
    for (let j = 0; j < row.length; j++) if (j !== s && row[j] < m) m = row[j];
    return m === Infinity ? 20 : m;
  }
}

function defaultDistance(n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 10 : 20)));
}

/** A value for an error message; never throws (BigInt, cycles, symbols, functions). */
function show(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' || v === undefined || v === null) {
    return String(v) + (typeof v === 'bigint' ? 'n' : '');
  }
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'symbol' || typeof v === 'function') return typeof v;
  try {
    const s = JSON.stringify(v);
    return s === undefined ? typeof v : s.length > 60 ? s.slice(0, 57) + '...' : s;
  } catch {
    return Array.isArray(v) ? 'an array' : 'an object';
  }
}

const LATENCY_FIELDS = ['hit', 'sameCore', 'sameSocket', 'crossSocket', 'memoryLocal', 'memoryRemote'] as const;
/** pairs [a, b] with a required latency.a <= latency.b */
const LATENCY_ORDER: ReadonlyArray<readonly [keyof MachineLatencies, keyof MachineLatencies]> = [
  ['hit', 'sameCore'],
  ['sameCore', 'sameSocket'],
  ['sameSocket', 'crossSocket'],
  ['memoryLocal', 'memoryRemote'],
];

/**
 * Throws an Error naming the first bad field of a machine spec and what is allowed.
 * Checks: sockets 1..64, coresPerSocket 1..1024, threadsPerCore 1..8 (integers);
 * clockGHz and every latency a finite number > 0, ordered hit <= sameCore <= sameSocket
 * <= crossSocket and memoryLocal <= memoryRemote; smt.busy and smt.spinning in (0, 1];
 * nodeDistance, if given, sockets×sockets with 10 on the diagonal and finite values > 10
 * elsewhere; description, if given, a string; sources, if given, an object of strings.
 */
export function validateMachineSpec(spec: MachineSpec): void {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new Error(`machine: expected an object or a preset name, got ${show(spec)}`);
  }
  if (typeof spec.name !== 'string' || !spec.name) throw new Error(`machine: name must be a non-empty string, got ${show(spec.name)}`);
  const where = `machine ${JSON.stringify(spec.name)}`;
  const posInt = (v: unknown, f: string, max: number) => {
    if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > max) {
      throw new Error(`${where}: ${f} must be an integer from 1 to ${max}, got ${show(v)}`);
    }
  };
  const posNum = (v: unknown, f: string) => {
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) {
      throw new Error(`${where}: ${f} must be a finite number > 0, got ${show(v)}`);
    }
  };
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (spec.description !== undefined && typeof spec.description !== 'string') {
    throw new Error(`${where}: description must be a string, got ${show(spec.description)}`);
  }
  posInt(spec.sockets, 'sockets', 64);
  posInt(spec.coresPerSocket, 'coresPerSocket', 1024);
  posInt(spec.threadsPerCore, 'threadsPerCore', 8);
  posNum(spec.clockGHz, 'clockGHz');
  if (!isObject(spec.latency)) {
    throw new Error(`${where}: latency must be an object {${LATENCY_FIELDS.join(', ')}} (ns), got ${show(spec.latency)}`);
  }
  for (const k of LATENCY_FIELDS) posNum(spec.latency[k], `latency.${k}`);
  for (const [a, b] of LATENCY_ORDER) {
    if (spec.latency[b] < spec.latency[a]) {
      throw new Error(`${where}: latency.${b} must be >= latency.${a} (${spec.latency[a]} ns), got ${spec.latency[b]}`);
    }
  }
  if (!isObject(spec.smt)) throw new Error(`${where}: smt must be an object {busy, spinning}, got ${show(spec.smt)}`);
  for (const k of ['busy', 'spinning'] as const) {
    const v = spec.smt[k];
    if (typeof v !== 'number' || !(v > 0 && v <= 1)) {
      throw new Error(`${where}: smt.${k} must be a number in (0, 1], got ${show(v)}`);
    }
  }
  if (spec.nodeDistance !== undefined) {
    const d: unknown = spec.nodeDistance;
    const n = spec.sockets;
    // index loops, not some/forEach: those skip the holes of sparse arrays
    let shapeOk = Array.isArray(d) && d.length === n;
    for (let i = 0; shapeOk && i < n; i++) {
      const r: unknown = (d as unknown[])[i];
      shapeOk = Array.isArray(r) && r.length === n;
    }
    if (!shapeOk) {
      throw new Error(`${where}: nodeDistance must be a ${n}×${n} matrix (one node per socket), got ${show(d)}`);
    }
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const v: unknown = (d as unknown[][])[i][j];
        if (typeof v !== 'number' || (i === j ? v !== 10 : !(v > 10 && Number.isFinite(v)))) {
          throw new Error(`${where}: nodeDistance[${i}][${j}] must be ${i === j ? '10 (local)' : 'a finite number > 10'}, got ${show(v)}`);
        }
      }
    }
  }
  if (spec.sources !== undefined) {
    const proto: unknown = isObject(spec.sources) ? Object.getPrototypeOf(spec.sources) : undefined;
    if (proto !== Object.prototype && proto !== null) {
      throw new Error(`${where}: sources must be a plain object (field path → citation), got ${show(spec.sources)}`);
    }
    for (const [k, v] of Object.entries(spec.sources)) {
      if (typeof v !== 'string') throw new Error(`${where}: sources[${JSON.stringify(k)}] must be a string, got ${show(v)}`);
    }
  }
}
