-- Shared by every workload: one machine-readable line when wrk is done.
--   RESULT <requests/s> <p50 ms> <p99 ms> <non-2xx/3xx> <requests> <socket errors>
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %.1f %.3f %.3f %d %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, summary.requests, e.connect + e.read + e.write + e.timeout))
end
