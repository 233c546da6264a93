"""The hold model of `mmlock bench hold` in SimPy, for comparison (run by perf/hold.ts).

N processes, each repeatedly waiting an exponential delay (mean 1000 time units, as the
mmlock model's 1 us in ns). Warms up on 200,000 events, then processes at least EVENTS
more and prints one JSON line: {"simpy": version, "events": n, "seconds": s}. One event is
one timeout ending a hold (the process it resumes does the next hold).

usage: python3 hold_simpy.py PROCESSES EVENTS [SEED]
"""
import json
import random
import sys
import time

import simpy


def main():
    n = int(sys.argv[1])
    m = int(sys.argv[2])
    rng = random.Random(sys.argv[3] if len(sys.argv) > 3 else "1")
    env = simpy.Environment()
    count = [0]

    def proc(env):
        timeout = env.timeout
        expo = rng.expovariate
        while True:
            yield timeout(expo(0.001))
            count[0] += 1

    for _ in range(n):
        env.process(proc(env))

    def run_events(k):
        start = count[0]
        while count[0] - start < k:
            env.run(until=env.now + 1e5)
        return count[0] - start

    run_events(min(m, 200000))
    t0 = time.perf_counter()
    events = run_events(m)
    secs = time.perf_counter() - t0
    print(json.dumps({"simpy": simpy.__version__, "events": events, "seconds": secs}))


if __name__ == "__main__":
    main()
