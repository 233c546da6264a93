/**
 * Where a result came from: the package and its git commit, the Node.js version and the
 * host's CPUs. Computed once per process.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, arch, platform, release } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../data';

export interface Provenance {
  package: { name: string; version: string };
  /** `git rev-parse HEAD` in the package's folder; null outside a git checkout */
  gitCommit: string | null;
  /** whether the checkout had uncommitted changes to tracked files; null outside git */
  gitDirty: boolean | null;
  node: string;
  host: { platform: string; release: string; arch: string; cpuModel: string; cpus: number };
}

let cached: Provenance | undefined;

function git(args: string[], cwd: string): string | null {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
  } catch {
    return null;
  }
}

export function provenance(): Provenance {
  if (cached) return cached;
  const root = packageRoot();
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
  const commit = git(['rev-parse', 'HEAD'], root);
  const status = commit === null ? null : git(['status', '--porcelain', '--untracked-files=no'], root);
  const c = cpus();
  cached = {
    package: { name: pkg.name, version: pkg.version },
    gitCommit: commit && /^[0-9a-f]{40,64}$/.test(commit) ? commit : null,
    gitDirty: status === null ? null : status.length > 0,
    node: process.version,
    host: { platform: platform(), release: release(), arch: arch(), cpuModel: c[0]?.model?.trim() ?? 'unknown', cpus: c.length },
  };
  return cached;
}
