-- wrk script of `make loadtest`: cycles through a file of paths, one a line.
--   wrk -t T -c C -d D --latency -s cycle.lua http://host:port -- FILE T [once MARKER]
-- Thread i starts at its own offset in the file (the threads do not send the same URL at the
-- same time). With "once", thread i sends only the lines i, i+T, i+2T… once each, and stops
-- when their answers are in, writing the file MARKER<i>: one pass over the file (the cold
-- pass). wrk's main thread still sleeps the whole duration: the caller sends it SIGINT once
-- every marker is there, and wrk then prints its summary as at the end of a timed run.
-- done() prints one line, `LOADTEST {json}`, that scripts/loadtest/wrk.py reads.

local thread_count = 0

function setup(thread)
  thread:set("id", thread_count)
  thread_count = thread_count + 1
end

function init(args)
  local threads = tonumber(args[2]) or 1
  once = args[3] == "once"
  marker = args[4]
  paths = {}
  local all = {}
  for line in io.lines(args[1]) do
    if #line > 0 then all[#all + 1] = line end
  end
  if once then
    for index = id + 1, #all, threads do paths[#paths + 1] = all[index] end
  else
    local offset = math.floor(#all * id / threads)
    for index = 1, #all do paths[index] = all[((index - 1 + offset) % #all) + 1] end
  end
  sent, answered = 0, 0
  -- A browser's headers: the application may compress (Accept-Encoding) as it would for one.
  wrk.headers["Accept-Encoding"] = "gzip, deflate, br"
  wrk.headers["Accept"] = "text/html,application/json;q=0.9,*/*;q=0.8"
  if not once then
    response = nil -- no response() callback: wrk then skips parsing headers for Lua
  end
end

local function finish()
  if marker then
    local file = io.open(marker .. id, "w")
    if file then file:close() end
    marker = nil
  end
  wrk.thread:stop()
end

function request()
  if #paths == 0 then
    finish()
    return wrk.format("GET", "/sante/")
  end
  sent = sent + 1
  return wrk.format("GET", paths[((sent - 1) % #paths) + 1])
end

function response(status, headers, body)
  answered = answered + 1
  if answered >= #paths then finish() end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'LOADTEST {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
