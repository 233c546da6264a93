import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expandSweep, loadSweepSpec } from '../../src/experiment/spec';
import { dataPath } from '../../src/data';
import '../../src/workloads';

test('every sweep spec shipped in data/sweeps/ expands against the registered workloads (a renamed parameter breaks this)', () => {
  const dir = dataPath('sweeps');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  assert.ok(files.includes('aim7-ablations.json') && files.includes('aim7-spread.json') && files.includes('aim7-full-500.json'));
  for (const f of files) {
    const x = expandSweep(loadSweepSpec(join(dir, f)));
    assert.ok(x.runs.length > 0, f);
    // the description says how to regenerate it
    assert.match(String((x.spec as { description?: string }).description ?? ''), /\w/, f);
  }
});
