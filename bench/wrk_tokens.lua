-- wrk script of bench/token_bench.py: POSTs the media-token endpoint, rotating over the members'
-- access tokens read from a file of "<path> <token>" lines (the one argument after --).
local requests, count, index = {}, 0, 0

function init(args)
  for line in io.lines(args[1]) do
    local path, token = line:match("^(%S+)%s+(%S+)$")
    if path then
      count = count + 1
      -- formatted once here so the generator spends its time sending, not building strings
      requests[count] = wrk.format("POST", path, {["Authorization"] = "Bearer " .. token,
                                                   ["Content-Length"] = "0"})
    end
  end
  index = math.random(count) - 1
end

function request()
  index = index % count + 1
  return requests[index]
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
