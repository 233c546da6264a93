// withOverrides: defaults with overrides on top; an unknown key or a value the table's check
// rejects is an error naming the field and what is allowed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { withOverrides } from '../../src/engine/params';

const defaults = { a: 1, b: 2 };
const nonNegative = (_k: string, v: unknown) => (typeof v === 'number' && v >= 0 ? undefined : 'must be a number >= 0');

test('overrides replace defaults, the rest stay', () => {
  fc.assert(fc.property(fc.double({ min: 0, max: 1e9, noNaN: true }), (x) => {
    assert.deepEqual(withOverrides(defaults, { b: x }, 't', 'parameter', nonNegative), { a: 1, b: x });
  }));
  assert.deepEqual(withOverrides(defaults, undefined, 't', 'parameter', nonNegative), defaults);
});

test('an unknown key or a rejected value names the field', () => {
  assert.throws(() => withOverrides(defaults, { c: 1 } as never, 'x.y', 'cost', nonNegative), /^Error: x\.y\.c: unknown cost; allowed: a, b$/);
  assert.throws(() => withOverrides(defaults, { a: -1 }, 'x.y', 'parameter', nonNegative), /^Error: x\.y\.a: must be a number >= 0, got -1$/);
});
