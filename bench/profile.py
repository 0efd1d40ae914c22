#!/usr/bin/python3
"""Profiles the bridge under load with callgrind (for bench/README.md).

  /usr/bin/python3 bench/profile.py MODE CLICKS OUT.callgrind [ITERATIONS]

Starts the benchmark's stack with the bridge under
`valgrind --tool=callgrind`, signs BENCH_USERS (16) users in once, zeroes
the counters (callgrind_control -z), makes CLICKS clicks at concurrency 8
with fresh tokens, stops the stack (the profile is written at exit) and
prints the measurement. Then: callgrind_annotate --inclusive=yes OUT.
The bridge runs ~20x slower under valgrind: latencies are meaningless,
instruction counts per function are the point.
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
from stack import Stack  # noqa: E402  (bench put tests/integration on the path)


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    mode, n, out = sys.argv[1], int(sys.argv[2]), os.path.abspath(sys.argv[3])
    iters = int(sys.argv[4]) if len(sys.argv) == 5 else 1000
    wd = tempfile.mkdtemp(prefix="cb-profile-")
    st = Stack(front="nginx", mode=mode, bridge=bench.BRIDGE, workers=8, pbkdf2=iters, timeout_ms=120000,
               name="profile", wrapper=["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out])
    try:
        st.start()
        st.emu("POST", "/__emu/config", {"MaxUsersPerTeam": 100000})
        us = bench.users(int(os.environ.get("BENCH_USERS", "16")))
        bench.warm_up(st, us)
        subprocess.run(["callgrind_control", "-z", str(st.bridge_pid())], capture_output=True)
        r = bench.measure_clicks(st, us, n, wd, "profile")
        print(json.dumps({k: v for k, v in r.items() if k != "histogram_us"}, indent=1))
    finally:
        problems = st.stop()
        subprocess.run(["rm", "-rf", wd])
    if problems:
        sys.exit("stack: %s" % problems)
    print("callgrind_annotate --inclusive=yes %s" % out)


if __name__ == "__main__":
    main()
