-- wrk script shared by every measurement of bench/load.py.
--
-- Without arguments it sends wrk's own request (a GET of the URL, with the
-- headers given by -H). With a file as argument it cycles over the requests
-- listed there, one per line: METHOD <tab> PATH <tab> BODY <tab> HEADER <tab>
-- HEADER ..., each header as "Name: value", added to those given by -H (the
-- bookings with their bearer tokens, the visitors with their own sessions).
-- In every case it counts the answers per status, and those that set a cookie
-- (a read that writes the session), and prints one JSON line,
-- prefixed with WRK_JSON, with the throughput and the latency percentiles
-- (wrk's --latency output has no 95th percentile).

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_number", counter)
  table.insert(threads, thread)
end

statuses = {}
set_cookies = 0
local prepared = nil
local position = 0

function init(args)
  statuses = {}
  set_cookies = 0
  if args[1] ~= nil then
    prepared = {}
    for line in io.lines(args[1]) do
      local fields = {}
      for value in (line .. "\t"):gmatch("([^\t]*)\t") do
        fields[#fields + 1] = value
      end
      if #fields >= 3 then
        local headers = {}
        for name, value in pairs(wrk.headers) do
          headers[name] = value
        end
        for i = 4, #fields do
          local name, value = fields[i]:match("^([^:]+):%s*(.*)$")
          if name ~= nil then
            headers[name] = value
          end
        end
        local body = fields[3] ~= "" and fields[3] or nil
        prepared[#prepared + 1] = wrk.format(fields[1], fields[2], headers, body)
      end
    end
    -- Threads start at different places in the list, so they do not book
    -- the same slots in step.
    position = math.floor(#prepared * (thread_number - 1) / 2)
  end
end

function request()
  if prepared == nil then
    return wrk.request()
  end
  position = position % #prepared + 1
  return prepared[position]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if headers["Set-Cookie"] ~= nil or headers["set-cookie"] ~= nil then
    set_cookies = set_cookies + 1
  end
end

function done(summary, latency, requests)
  local merged = {}
  local cookies = 0
  for _, thread in ipairs(threads) do
    cookies = cookies + thread:get("set_cookies")
    local counts = thread:get("statuses")
    for status, n in pairs(counts) do
      merged[status] = (merged[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(merged) do
    parts[#parts + 1] = string.format('"%d": %d', status, n)
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "mean_us": %.1f, "socket_errors": %d, "timeouts": %d, ' ..
    '"set_cookies": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(95), latency:percentile(99), latency.max, latency.mean,
    e.connect + e.read + e.write, e.timeout, cookies, table.concat(parts, ", ")))
end
