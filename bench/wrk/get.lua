-- W1, W3, W4 and /healthz: the URL given to wrk.
dofile(os.getenv("BENCH_DIR") .. "/wrk/report.lua")
