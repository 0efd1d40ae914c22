-- clicks.lua - wrk script for bench/bench.py: every request carries its own
-- link token, and the run stops after exactly one request per token.
--
-- Environment (set by bench.py):
--   BENCH_TOKENS    file with one token per line (thread i of n takes lines
--                   i, i+n, i+2n, ...; bench.py runs one thread, -t1, so all
--                   connections share one list and concurrency stays at -c
--                   until the last few requests)
--   BENCH_NTHREADS  = wrk -t
--   BENCH_PATH      request path, "/auth/open" (the bridge) or "/hello" (the
--                   baseline responder; it gets the same query string, so
--                   nginx and FastCGI move the same bytes)
--   BENCH_OUT       where done() writes the results (JSON)
--   BENCH_MARK      prefix of the marker files: MARK.start<id> is written when
--                   the thread sends its first request, MARK.done<id> when its
--                   last response has arrived. bench.py takes the run's
--                   duration from their modification times (nanoseconds) and,
--                   when every thread is done, sends wrk SIGINT (wrk would
--                   otherwise sleep for the whole -d duration)
--   BENCH_EXPECT    expected status (302 for clicks, 200 for hello)
--
-- A click is counted as good only if its status is BENCH_EXPECT and, for
-- 302, it has a Location and sets the MMAUTHTOKEN cookie. When a thread has
-- sent its last token, request() returns an unfinished request (no blank
-- line): nginx waits for the rest of the header, no response comes back,
-- and wrk records no latency for it. When the last response has arrived the
-- thread stops.

local threads = {}

function setup(thread)
   thread:set("id", #threads)      -- 0, 1, ...: which lines of the token file
   table.insert(threads, thread)
end

local function touch(name)
   if mark then
      local f = io.open(mark .. name .. id, "w")
      if f then f:write("x\n"); f:close() end
   end
end

function init(args)
   local nthreads = tonumber(os.getenv("BENCH_NTHREADS") or "1")
   path    = os.getenv("BENCH_PATH") or "/auth/open"
   expect  = tonumber(os.getenv("BENCH_EXPECT") or "302")
   mark    = os.getenv("BENCH_MARK")
   tokens  = {}
   local i = 0
   for line in io.lines(os.getenv("BENCH_TOKENS")) do
      if line ~= "" then
         if i % nthreads == id then
            tokens[#tokens + 1] = line
         end
         i = i + 1
      end
   end
   sent, received, good, bad = 0, 0, 0, 0
   statuses = {}
   -- nginx's server_name _ accepts any Host; keep the request small and
   -- like a browser's GET.
   headers = { ["Host"] = "127.0.0.1", ["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) bench/wrk" }
   stall = "GET /auth/ping HTTP/1.1\r\nHost: 127.0.0.1\r\n"
end

function request()
   -- wrk calls request() once on thread 0's state right after init() to
   -- check the request it returns (script_verify_request); that call sends
   -- nothing, so it must not use up a token.
   if id == 0 and not checked then
      checked = true
      return wrk.format("GET", path .. "?jwt=" .. (tokens[1] or ""), headers)
   end
   if sent >= #tokens then
      return stall
   end
   if sent == 0 then
      touch("start")
   end
   sent = sent + 1
   return wrk.format("GET", path .. "?jwt=" .. tokens[sent], headers)
end

function response(status, hdrs, body)
   received = received + 1
   local ok = status == expect
   if ok and status == 302 then
      -- wrk keeps one value per header name; any of the three cookies
      -- (the bridge always sets all three) proves a session was made.
      local sc = hdrs["Set-Cookie"] or ""
      local loc = hdrs["Location"] or ""
      ok = loc ~= "" and (sc:find("MMAUTHTOKEN=", 1, true) ~= nil or sc:find("MMUSERID=", 1, true) ~= nil
                          or sc:find("MMCSRF=", 1, true) ~= nil)
   end
   if ok then good = good + 1 else bad = bad + 1 end
   local k = tostring(status)
   statuses[k] = (statuses[k] or 0) + 1
   if received >= #tokens then
      touch("done")
      wrk.thread:stop()
   end
end

function done(summary, latency, requests)
   local f = assert(io.open(os.getenv("BENCH_OUT"), "w"))
   local t_good, t_bad, t_sent, codes = 0, 0, 0, {}
   for _, t in ipairs(threads) do
      t_good = t_good + (t:get("good") or 0)
      t_bad  = t_bad + (t:get("bad") or 0)
      t_sent = t_sent + (t:get("sent") or 0)
      local st = t:get("statuses") or {}
      for k, v in pairs(st) do codes[k] = (codes[k] or 0) + v end
   end
   f:write("{\n")
   f:write(string.format('"duration_us": %d, "requests": %d, "bytes": %d,\n',
                         summary.duration, summary.requests, summary.bytes))
   f:write(string.format('"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d},\n',
                         summary.errors.connect, summary.errors.read, summary.errors.write,
                         summary.errors.status, summary.errors.timeout))
   f:write(string.format('"sent": %d, "good": %d, "bad": %d,\n', t_sent, t_good, t_bad))
   f:write('"statuses": {')
   local first = true
   for k, v in pairs(codes) do
      f:write(string.format('%s"%s": %d', first and "" or ", ", k, v))
      first = false
   end
   f:write("},\n")
   f:write(string.format('"latency_us": {"min": %d, "max": %d, "mean": %.1f},\n',
                         latency.min, latency.max, latency.mean))
   -- The whole histogram: wrk keeps one bucket per microsecond; latency(i)
   -- is the i-th non-empty bucket as (microseconds, count).
   f:write('"histogram_us": [')
   for i = 1, #latency do
      local v, c = latency(i)
      f:write(string.format('%s[%d, %d]', i > 1 and ", " or "", v, c))
   end
   f:write("]\n}\n")
   f:close()
end
