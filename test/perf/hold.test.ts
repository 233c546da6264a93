import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hold, bareHeapHold } from '../../perf/hold';
import { capture } from './capture';

test('bench hold runs small: mmlock, the bare heap and SimPy (or why not), last line events_per_s=<n>', () => {
  const { code, lines } = capture(() => hold.run(['--processes', '50', '--events', '20000', '--simpy-events', '20000']));
  assert.equal(code, 0);
  assert.match(lines[0]!, /^hold: queue=calendar processes=50 events=\d+ .*: \d+ events\/s$/);
  assert.match(lines[1]!, /^bare typed-array binary heap .*: \d+ events\/s; mmlock\/bare \d+\.\d\d \(target >= 0\.6\)$/);
  // SimPy is measured when /usr/bin/python3 can import it; either way the line says what happened
  assert.match(lines[2]!, /^SimPy (\S+ \(\/usr\/bin\/python3\): events=\d+ seconds=\S+: \d+ events\/s; mmlock\/SimPy \d+\.\d \(target >= 10\)|: not measured: .+)$/);
  assert.match(lines[lines.length - 1]!, /^events_per_s=\d+$/);
});

test('bench hold without a Python says SimPy was not measured (not a failure)', () => {
  const { code, lines } = capture(() => hold.run(['--processes', '10', '--events', '5000', '--python', '/nonexistent/python3']));
  assert.equal(code, 0);
  assert.ok(lines.some((l) => /^SimPy: not measured: SimPy is not available: \/nonexistent\/python3 cannot run/.test(l)));
  assert.match(lines[lines.length - 1]!, /^events_per_s=\d+$/);
});

test('the bare heap hold model processes exactly the events asked for', () => {
  const r = bareHeapHold(7, 1000, '1');
  assert.equal(r.events, 1000);
  assert.ok(r.seconds >= 0);
});
