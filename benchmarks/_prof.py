import cProfile, pstats, random, json, base64
from benchmarks import _proto_support as ps
import sys
what = sys.argv[1]
fn = (lambda: ps.dal.save_tailored_cv("app-1", ps.data)) if what == "save" else (lambda: ps.dal.get_tailored_cv("app-1", "2026-11-26T10:30:00.000000Z"))
for _ in range(200): fn()
pr = cProfile.Profile(); pr.enable()
for _ in range(2000): fn()
pr.disable()
st = pstats.Stats(pr); st.sort_stats("tottime").print_stats(25)
