/**
 * Machine topology: sockets × cores × SMT threads, NUMA nodes and the latencies that
 * price cache-line movement. A `MachineSpec` is plain data (presets in data/machines/);
 * `Machine` answers topology questions in O(1).
 *
 * CPU numbering follows what Linux shows on Intel multi-socket parts: the first
 * hardware thread of every core comes first, socket by socket (cpu 0..C-1), then the
 * second threads in the same order (cpu C..2C-1), so `cpu` and `cpu + C` are siblings.
 */
export interface MachineLatencies {
  /** a line already held in a usable state by this CPU (L1/L2 hit) */
  hit: number;
  /** line moved between the two SMT threads of one core (shared L1/L2) */
  sameCore: number;
  /** line moved between cores of one socket (through the L3) */
  sameSocket: number;
  /** line moved between sockets one interconnect hop apart */
  crossSocket: number;
  /** line fetched from DRAM of the local node */
  memoryLocal: number;
  /** line fetched from DRAM of a node one hop away */
  memoryRemote: number;
}

export interface MachineSpec {
  name: string;
  description: string;
  sockets: number;
  coresPerSocket: number;
  threadsPerCore: number;
  clockGHz: number;
  /** SLIT-style node distances (10 = local); one node per socket. Default: 10 local, 20 remote */
  nodeDistance?: number[][];
  /** latencies in ns */
  latency: MachineLatencies;
  /**
   * Speed of a hardware thread relative to running alone on its core, when its SMT
   * sibling is busy running (`busy`) or spinning with PAUSE (`spinning`).
   */
  smt: { busy: number; spinning: number };
  /** where each number comes from: field path → citation, or "calibrated" */
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

/** Throws an Error naming the first bad field of a machine spec and what is allowed. */
export function validateMachineSpec(spec: MachineSpec): void {
  const where = `machine ${JSON.stringify(spec?.name ?? '?')}`;
  const posInt = (v: unknown, f: string, max = 4096) => {
    if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > max) {
      throw new Error(`${where}: ${f} must be an integer from 1 to ${max}, got ${JSON.stringify(v)}`);
    }
  };
  const posNum = (v: unknown, f: string) => {
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) {
      throw new Error(`${where}: ${f} must be a positive number, got ${JSON.stringify(v)}`);
    }
  };
  if (typeof spec !== 'object' || spec === null) throw new Error('machine: expected an object or a preset name');
  if (typeof spec.name !== 'string' || !spec.name) throw new Error(`machine: name must be a non-empty string`);
  posInt(spec.sockets, 'sockets', 64);
  posInt(spec.coresPerSocket, 'coresPerSocket', 1024);
  posInt(spec.threadsPerCore, 'threadsPerCore', 8);
  posNum(spec.clockGHz, 'clockGHz');
  if (typeof spec.latency !== 'object' || spec.latency === null) throw new Error(`${where}: latency must be an object`);
  for (const k of ['hit', 'sameCore', 'sameSocket', 'crossSocket', 'memoryLocal', 'memoryRemote'] as const) {
    posNum(spec.latency[k], `latency.${k}`);
  }
  if (typeof spec.smt !== 'object' || spec.smt === null) throw new Error(`${where}: smt must be an object {busy, spinning}`);
  for (const k of ['busy', 'spinning'] as const) {
    const v = spec.smt[k];
    if (typeof v !== 'number' || !(v > 0 && v <= 1)) {
      throw new Error(`${where}: smt.${k} must be a number in (0, 1], got ${JSON.stringify(v)}`);
    }
  }
  if (spec.nodeDistance !== undefined) {
    const d = spec.nodeDistance;
    if (!Array.isArray(d) || d.length !== spec.sockets || d.some((r) => !Array.isArray(r) || r.length !== spec.sockets)) {
      throw new Error(`${where}: nodeDistance must be a ${spec.sockets}×${spec.sockets} matrix (one node per socket)`);
    }
    d.forEach((r, i) => r.forEach((v, j) => {
      if (typeof v !== 'number' || (i === j ? v !== 10 : v <= 10)) {
        throw new Error(`${where}: nodeDistance[${i}][${j}] must be ${i === j ? '10 (local)' : 'a number > 10'}, got ${JSON.stringify(v)}`);
      }
    }));
  }
}
