import { readdirSync, readFileSync } from 'node:fs';
import { dataPath } from '../data';
import { Machine, type MachineSpec } from './machine';

/** Names of the machine presets in data/machines/. */
export function machinePresets(): string[] {
  return readdirSync(dataPath('machines'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** A machine from a preset name (data/machines/<name>.json) or a plain spec object. */
export function loadMachine(m: string | MachineSpec): Machine {
  if (typeof m !== 'string') return new Machine(m);
  const names = machinePresets();
  if (!names.includes(m)) {
    throw new Error(`machine: unknown preset ${JSON.stringify(m)}; allowed: ${names.join(', ')} (or a MachineSpec object)`);
  }
  return new Machine(JSON.parse(readFileSync(dataPath('machines', `${m}.json`), 'utf8')) as MachineSpec);
}
