import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { dataPath } from '../data';
import { Machine, type MachineSpec } from './machine';

/** Names of the machine presets in data/machines/. */
export function machinePresets(): string[] {
  return readdirSync(dataPath('machines'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/**
 * Is this machine value a file path rather than a preset name? A value ending in `.json` or
 * containing a path separator (`/` or `\`) is read as a MachineSpec file (relative paths
 * from the current directory); anything else is a preset name.
 */
export function isMachineFile(m: string): boolean {
  return m.endsWith('.json') || m.includes('/') || m.includes('\\');
}

/**
 * Read a MachineSpec from a JSON file. Errors name the file and, for a bad spec, the field
 * (e.g. `machine file my.json: machine "x": latency.hit must be a finite number > 0, got -1`).
 */
export function loadMachineFile(path: string): Machine {
  const where = `machine file ${path}`;
  let text: string;
  try {
    text = readFileSync(resolve(path), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${where}: cannot read it (${code ?? (e as Error).message}); allowed: a preset name (${machinePresets().join(', ')}) or the path of a MachineSpec JSON file`);
  }
  let spec: unknown;
  try {
    spec = JSON.parse(text);
  } catch (e) {
    throw new Error(`${where}: must be a MachineSpec in JSON; invalid JSON: ${(e as Error).message}`);
  }
  try {
    return new Machine(spec as MachineSpec);
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`);
  }
}

/**
 * A machine from a preset name (data/machines/<name>.json), a MachineSpec file path (see
 * isMachineFile) or a plain spec object.
 */
export function loadMachine(m: string | MachineSpec): Machine {
  if (typeof m !== 'string') return new Machine(m);
  if (isMachineFile(m)) return loadMachineFile(m);
  const names = machinePresets();
  if (!names.includes(m)) {
    throw new Error(`machine: unknown preset ${JSON.stringify(m)}; allowed: ${names.join(', ')}, the path of a MachineSpec JSON file (ending in .json), or a MachineSpec object`);
  }
  return new Machine(JSON.parse(readFileSync(dataPath('machines', `${m}.json`), 'utf8')) as MachineSpec);
}
