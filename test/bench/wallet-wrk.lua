-- wrk script for bench:wallet: the wallet's internal API from a C load generator (one thread).
-- Environment: BENCH_PLAYERS_FILE (one funded player id per line), BENCH_TOKEN (a service token of
-- the games service), BENCH_MODE ("stake", "balance" or "healthz"), BENCH_KEY_PREFIX (unique per
-- run: every stake gets its own idempotency key, so none is a replay).
local ids = {}
for line in io.lines(os.getenv("BENCH_PLAYERS_FILE")) do ids[#ids + 1] = line end
local mode = os.getenv("BENCH_MODE")
local prefix = os.getenv("BENCH_KEY_PREFIX")
local n = 0
-- wrk.format() uses wrk.headers only when it is given no headers of its own: all of them go here.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
if mode == "stake" then wrk.headers["Content-Type"] = "application/json" end

request = function()
  local id = ids[math.random(#ids)]
  if mode == "stake" then
    n = n + 1
    local body = '{"type":"STAKE","playerId":"' .. id .. '","currency":"GBP","amount":"100","idempotencyKey":"' ..
      prefix .. "-" .. n .. '","counterRef":"bench-provider"}'
    return wrk.format("POST", "/internal/wallet/v1/transactions", nil, body)
  elseif mode == "balance" then
    return wrk.format("GET", "/internal/wallet/v1/balance?playerId=" .. id .. "&currency=GBP")
  end
  return wrk.format("GET", "/healthz")
end

-- Any answer but 200 counts as an error (wrk itself counts only statuses above 399). `bad` lives in
-- each thread's own Lua state; done() runs in the main state and collects it through setup()'s handles.
bad = 0
firstBad = nil
response = function(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
    if not firstBad then firstBad = status .. " " .. string.sub(body or "", 1, 300) end
  end
end

local threads = {}
setup = function(thread) threads[#threads + 1] = thread end

done = function(summary, latency, requests)
  local e = summary.errors
  local bad = 0
  for _, t in ipairs(threads) do
    bad = bad + (t:get("bad") or 0)
    local first = t:get("firstBad")
    if first then io.write("WRK_FIRST_BAD " .. string.gsub(first, "\n", " ") .. "\n") end
  end
  io.write(string.format('WRK_RESULT {"requests":%d,"errors":%d,"non200":%d,"seconds":%.3f,"p50":%.3f,"p90":%.3f,"p99":%.3f,"p999":%.3f,"max":%.3f}\n',
    summary.requests, e.status + e.connect + e.read + e.write + e.timeout, bad, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000))
end
