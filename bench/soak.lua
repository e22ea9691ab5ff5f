-- wrk script for bench/soak.sh: a mixed workload on one user's reports, optionally at a fixed
-- rate (wrk2 is not in Debian: each thread paces itself with delay() against a monotonic clock).
-- Environment: K9_TOKEN, K9_SOAK_IDS (comma-separated seeded report ids, never deleted),
-- K9_SOAK_RATE (requests per second for all threads together; 0 = as fast as possible),
-- K9_SOAK_THREADS (wrk's -t, to split the rate).
-- Mix: 40% GET /reports, 10% GET /reports/{id}, 30% POST /reports or DELETE of a report this
-- thread created (about 50 kept per thread), 10% PATCH title, 10% PUT favorite.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } k9_timespec;
  int clock_gettime(int clk, k9_timespec* ts);
]]
local ts = ffi.new("k9_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local token = os.getenv("K9_TOKEN")
local ids = {}
for id in string.gmatch(os.getenv("K9_SOAK_IDS") or "", "[^,]+") do ids[#ids + 1] = id end
local rate = tonumber(os.getenv("K9_SOAK_RATE") or "0")
local threads = tonumber(os.getenv("K9_SOAK_THREADS") or "1")
local period_ms = rate > 0 and 1000 * threads / rate or 0
local next_due = nil
local created = {}  -- ids from this thread's 201 answers, deleted later
local counter = 0
local body = '{"title":"Soak","reference":{"model":"Oak","brand":"Acme","images":[{"url":"a.jpg"}],' ..
  '"category":{"type":"tile","material":"porcelain"},"formats":[{"length":{"val":24,"unit":"in"},' ..
  '"width":{"val":12,"unit":"in"},"vendors":[{"sku":"A1","store":"S","name":"N","url":"u"}]}]}}'
local headers = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
end

function delay()
  if period_ms == 0 then return 0 end
  local t = now_ms()
  if next_due == nil or next_due < t - 1000 then next_due = t end  -- start, or fell far behind
  local wait = next_due - t
  next_due = next_due + period_ms
  return wait > 0 and wait or 0
end

function request()
  counter = counter + 1
  local roll = math.random(100)
  local id = ids[math.random(#ids)]
  if roll <= 40 then
    return wrk.format("GET", "/reports?limit=20", headers)
  elseif roll <= 50 then
    return wrk.format("GET", "/reports/" .. id, headers)
  elseif roll <= 80 then
    -- create or delete: each thread keeps about 50 reports of its own, so the data set stays
    -- the same size and memory measures the server, not the data's growth
    local victim = #created > 0 and (#created >= 50 or roll > 65) and table.remove(created, 1)
    if victim then return wrk.format("DELETE", "/reports/" .. victim, headers) end
    return wrk.format("POST", "/reports", headers, body)
  elseif roll <= 90 then
    return wrk.format("PATCH", "/reports/" .. id, headers, '{"title":"Soak ' .. counter .. '"}')
  else
    local on = math.random(2) == 1 and "true" or "false"
    return wrk.format("PUT", "/reports/" .. id .. "/favorites/p-" .. math.random(0, 9), headers,
      '{"isFavorite":' .. on .. '}')
  end
end

function response(status, hdrs, resp_body)
  if status == 201 then
    local id = string.match(resp_body, '"id":"([^"]+)"')
    if id then created[#created + 1] = id end
  end
end

done = function(summary, latency, requests)
  io.write(string.format("non2xx=%d errors=%d p50_ms=%.2f p99_ms=%.2f\n", summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
