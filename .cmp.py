import sys, time
sys.path.insert(0, 'benchmarks')
from bench import replicated_households, README_AS_OF, README_PARAMETERS
hs = replicated_households(10000)
t=time.perf_counter()
import fangfan_rules as ff
ff.compare(hs, list(README_AS_OF), as_of=README_AS_OF, parameters=README_PARAMETERS)
print('compare', time.perf_counter()-t)
