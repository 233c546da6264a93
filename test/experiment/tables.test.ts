import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tableFromIPC } from '@uwdata/flechette';
import { columnTypes, parseCsv, toArrow, toCsv, toJson, type Table } from '../../src/experiment/tables';
import { canonicalJson, formatNumber } from '../../src/experiment/canonical';
import { progressLine, formatDuration } from '../../src/experiment/progress';

const t: Table = {
  columns: ['id', 'x', 'ok', 'label', 'mixed'],
  rows: [
    { id: 'a', x: 0.1 + 0.2, ok: true, label: 'plain', mixed: 1 },
    { id: 'b', x: -0, ok: null, label: 'with, comma "and quotes"\nnewline', mixed: 'two' },
    { id: 'c', x: null, ok: false, label: '', mixed: null },
  ],
};

test('numbers print one way everywhere; canonical JSON sorts keys', () => {
  assert.equal(formatNumber(0.1 + 0.2), '0.30000000000000004');
  assert.equal(formatNumber(-0), '0');
  assert.equal(formatNumber(NaN), null);
  assert.equal(formatNumber(1e21), '1e+21');
  assert.equal(canonicalJson({ b: 1, a: [2, { d: -0, c: NaN }], u: undefined }), '{"a":[2,{"c":null,"d":0}],"b":1}');
});

test('CSV, JSON and Arrow of a table', () => {
  assert.deepEqual(columnTypes(t), { id: 'string', x: 'number', ok: 'boolean', label: 'string', mixed: 'string' });
  const csv = toCsv(t);
  assert.equal(csv, 'id,x,ok,label,mixed\na,0.30000000000000004,true,plain,1\nb,0,,"with, comma ""and quotes""\nnewline",two\nc,,false,"",\n');
  assert.deepEqual(parseCsv(csv)[2], ['b', '0', '', 'with, comma "and quotes"\nnewline', 'two']);
  assert.equal(toJson(t).split('\n')[1], '  {"id":"a","x":0.30000000000000004,"ok":true,"label":"plain","mixed":1},');
  assert.deepEqual(JSON.parse(toJson(t))[2], { id: 'c', x: null, ok: false, label: '', mixed: null });
  const back = tableFromIPC(toArrow(t)).toArray();
  assert.deepEqual(back.map((r) => ({ ...r })), [
    { id: 'a', x: 0.30000000000000004, ok: true, label: 'plain', mixed: '1' },
    { id: 'b', x: 0, ok: null, label: 'with, comma "and quotes"\nnewline', mixed: 'two' },
    { id: 'c', x: null, ok: false, label: '', mixed: null },
  ]);
  assert.ok(Buffer.from(toArrow(t)).equals(Buffer.from(toArrow(structuredClone(t)))));
  assert.equal(toJson({ columns: ['a'], rows: [] }), '[]\n');
});

test('the progress line shows done/total, percent, rate and ETA', () => {
  assert.equal(progressLine({ done: 9, total: 16, resumed: 3, elapsedSeconds: 5, rate: 1.8, etaSeconds: 3.9, lastRunId: 'p0008-r00' }),
    'sweep [##############..........]  9/16  56%  1.80 runs/s  ETA 0:04  (3 resumed)');
  assert.equal(formatDuration(3725), '1:02:05');
  assert.equal(formatDuration(null), '?');
});
