-- wrk script for bench:compliance: POSTs checks for random seeded players with a service token.
-- Environment: BENCH_PLAYERS_FILE (one player id per line), BENCH_TOKEN, BENCH_BODY ("stake" or "deposit").
local ids = {}
for line in io.lines(os.getenv("BENCH_PLAYERS_FILE")) do ids[#ids + 1] = line end
local kind = os.getenv("BENCH_BODY")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")

request = function()
  local id = ids[math.random(#ids)]
  local body
  if kind == "deposit" then
    body = '{"playerId":"' .. id .. '","currency":"GBP","amount":"1000"}'
  else
    body = '{"playerId":"' .. id .. '","currency":"GBP","amount":"100","gameKind":"SLOT"}'
  end
  return wrk.format(nil, nil, nil, body)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_RESULT {"requests":%d,"errors":%d,"seconds":%.3f,"p50":%.3f,"p90":%.3f,"p99":%.3f,"p999":%.3f,"max":%.3f}\n',
    summary.requests, e.status + e.connect + e.read + e.write + e.timeout, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000))
end
