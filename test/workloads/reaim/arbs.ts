import fc from 'fast-check';
import { KNOWN_TESTS } from '../../../src/workloads/reaim';

/** Random workfile text: 1–80 `<hits> <test>` lines over the known tests, some hits > 0. */
export const workfileArb = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 500 }), fc.constantFrom(...KNOWN_TESTS)), { minLength: 1, maxLength: 80 })
  .filter((ls) => ls.some(([h]) => h > 0))
  .map((ls) => ls.map(([h, t]) => `${h} ${t}`).join('\n'));
