/**
 * Headless rendering: Vega-Lite → Vega → SVG in Node (vega 5 / vega-lite 5 CommonJS
 * builds, loaded lazily so that importing the package does not load them).
 */
import type { VegaLiteSpec } from './charts';
import { ChartError } from './table';

interface VegaLiteModule { compile(spec: unknown, opts?: { logger?: unknown }): { spec: unknown } }
interface VegaView { toSVG(): Promise<string>; finalize(): void }
interface VegaModule { parse(spec: unknown): unknown; View: new (runtime: unknown, opts: { renderer: string }) => VegaView }

/** Compile a Vega-Lite spec to a Vega spec; ChartError with vega-lite's message if invalid. */
export function compileVegaLite(spec: VegaLiteSpec): Record<string, unknown> {
  const vl = require('vega-lite') as VegaLiteModule;
  try {
    return vl.compile(spec, { logger: quietLogger() }).spec as Record<string, unknown>;
  } catch (e) {
    throw new ChartError(`vega-lite could not compile the spec: ${(e as Error).message}`);
  }
}

/** vega-lite's logger interface, keeping warnings quiet (e.g. "Maximum optimization runs(5) reached"); errors still throw. */
function quietLogger() {
  let lvl = 0;
  const self = {
    level(v?: number) { if (v === undefined) return lvl; lvl = v; return self; },
    error(...a: unknown[]) { throw new Error(a.map(String).join(' ')); },
    warn() { return self; },
    info() { return self; },
    debug() { return self; },
  };
  return self;
}

/** Render a Vega-Lite spec to an SVG string, headlessly. */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const vega = require('vega') as VegaModule;
  const view = new vega.View(vega.parse(compileVegaLite(spec)), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Count the drawn marks in a Vega SVG: path/rect/line/circle/text elements inside `mark-*` groups of roles other than axis/legend. */
export function countSvgMarks(svg: string): number {
  let n = 0;
  const re = /<g class="mark-(\w+) role-mark(?: [^"]*)?"[^>]*>(.*?)<\/g>/gs;
  for (const m of svg.matchAll(re)) {
    n += (m[2]!.match(/<(path|rect|line|circle|text)\b/g) ?? []).length;
  }
  return n;
}
