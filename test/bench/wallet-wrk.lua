-- wrk script for bench:wallet: the wallet's internal API from a C load generator (one thread).
-- Environment: BENCH_PLAYERS_FILE (one funded player id per line), BENCH_TOKEN (a service token of
-- the games service), BENCH_MODE, BENCH_KEY_PREFIX (unique per run: no key is ever a replay).
--   stake    STAKE 1.00 GBP on a random wallet
--   pair     game rounds: STAKE on a random wallet, then WIN 0.90 GBP referencing that stake. A stake
--            answered OK queues its win, and a connection about to send takes a queued win first, so
--            every win references a stake already committed (not always sent on the same connection:
--            wrk does not tell a script which connection asks)
--   balance  GET the balance of a random wallet
--   healthz  GET /healthz (the HTTP floor)
local ids = {}
for line in io.lines(os.getenv("BENCH_PLAYERS_FILE")) do ids[#ids + 1] = line end
local mode = os.getenv("BENCH_MODE")
local prefix = os.getenv("BENCH_KEY_PREFIX")
local n = 0
-- wrk.format() uses wrk.headers only when it is given no headers of its own: all of them go here.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
if mode == "stake" or mode == "pair" then wrk.headers["Content-Type"] = "application/json" end

-- Completed stakes whose win is still to be sent: a queue of {playerId, key}.
local wins, winHead, winTail = {}, 1, 0

local function stake(id, key)
  return wrk.format("POST", "/internal/wallet/v1/transactions", nil, '{"type":"STAKE","playerId":"' .. id ..
    '","currency":"GBP","amount":"100","idempotencyKey":"' .. key .. '","counterRef":"bench-provider"}')
end

request = function()
  if mode == "pair" and winHead <= winTail then
    local w = wins[winHead]
    wins[winHead] = nil
    winHead = winHead + 1
    return wrk.format("POST", "/internal/wallet/v1/transactions", nil, '{"type":"WIN","playerId":"' .. w[1] ..
      '","currency":"GBP","amount":"90","idempotencyKey":"' .. string.gsub(w[2], "%-s(%d+)$", "-w%1") .. '","refKey":"' .. w[2] ..
      '","counterRef":"bench-provider"}')
  end
  local id = ids[math.random(#ids)]
  if mode == "stake" or mode == "pair" then
    n = n + 1
    return stake(id, prefix .. "-s" .. n)
  elseif mode == "balance" then
    return wrk.format("GET", "/internal/wallet/v1/balance?playerId=" .. id .. "&currency=GBP")
  end
  return wrk.format("GET", "/healthz")
end

-- Any answer but 200 counts as an error (wrk itself counts only statuses above 399). `bad` lives in
-- each thread's own Lua state; done() runs in the main state and collects it through setup()'s handles.
bad = 0
firstBad = nil
stakes, winsSent = 0, 0
response = function(status, headers, body)
  if mode == "pair" and status == 200 then
    if string.find(body, '"type":"STAKE"', 1, true) then
      stakes = stakes + 1
      winTail = winTail + 1
      wins[winTail] = { string.match(body, '"playerId":"([^"]+)"'), string.match(body, '"idempotencyKey":"([^"]+)"') }
    else
      winsSent = winsSent + 1
    end
  end
  if status ~= 200 then
    bad = bad + 1
    if not firstBad then firstBad = status .. " " .. string.sub(body or "", 1, 300) end
  end
end

local threads = {}
setup = function(thread) threads[#threads + 1] = thread end

done = function(summary, latency, requests)
  local e = summary.errors
  local bad, st, wn = 0, 0, 0
  for _, t in ipairs(threads) do
    bad = bad + (t:get("bad") or 0)
    st = st + (t:get("stakes") or 0)
    wn = wn + (t:get("winsSent") or 0)
    local first = t:get("firstBad")
    if first then io.write("WRK_FIRST_BAD " .. string.gsub(first, "\n", " ") .. "\n") end
  end
  io.write(string.format('WRK_RESULT {"requests":%d,"errors":%d,"non200":%d,"stakesAnswered":%d,"winsAnswered":%d,"seconds":%.3f,"p50":%.3f,"p90":%.3f,"p99":%.3f,"p999":%.3f,"max":%.3f}\n',
    summary.requests, e.status + e.connect + e.read + e.write + e.timeout, bad, st, wn, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000))
end
