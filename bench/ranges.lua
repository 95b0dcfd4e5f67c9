-- wrk script for bench/run.sh (derived from ../shared/anchors/bench/ranges.lua).
--
-- Args (after "--"):  MODE LISTFILE NTHREADS
--   LISTFILE: one request per line, "PATH FIRST LAST" (a range request,
--             Range: bytes=FIRST-LAST) or "PATH" alone (a plain GET).  Written by
--             bench/rcbench.py, the same file for every target.
--   MODE=random : each request picks one line at random (fixed seed per thread),
--                 forever; wrk -d bounds the time.
--   MODE=seq    : the lines are dealt out round-robin over the threads and each is
--                 sent exactly once; a thread stops when its share is answered.
--                 Needs BENCH_MODE=seq in the environment (enables response()).
--   NTHREADS: the -t given to wrk (seq mode deals the lines by it; default 1).
-- done() prints one machine-readable line prefixed "WRKTSV" (see the format below).
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } rcbench_timespec;
int clock_gettime(int clk, rcbench_timespec *tp);
]]
local ts = ffi.new("rcbench_timespec")
local function now_us()  -- CLOCK_MONOTONIC, microseconds
  ffi.C.clock_gettime(1, ts)
  return tonumber(ts.tv_sec) * 1000000 + tonumber(ts.tv_nsec) / 1000
end

-- Lua states.  wrk loads this file into a main state (setup() and done() run there) and
-- once more into a state per thread (init(), request(), response() run there); a `local`
-- here is a separate copy in each state.  wrk (4.1.0, src/wrk.c main()) creates the
-- threads in one loop: script_init() for thread i (setup() in the main state, then init()
-- in thread i's state) and then pthread_create() for thread i, before setup() of thread
-- i+1.  So thread 0 is already sending requests while setup() of thread 1 runs.
--
-- thread:set() writes into that thread's lua_State from the main OS thread, without a
-- lock.  The old setup() did `t:set("nthreads", created)` on every earlier thread too,
-- i.e. it wrote into thread 0's state while thread 0 was running request() in it: a data
-- race on one lua_State, which once corrupted thread 0's stack so that request() saw its
-- upvalue `reqs` as a number ("PANIC: unprotected error in call to Lua API (ranges.lua:60:
-- attempt to index upvalue 'reqs' (a number value))", a range1m round of 2026-11-22).
-- Now setup() calls thread:set() only on the thread it is given (not started yet), the
-- thread count comes in as an argument, and thread:get() is only used in done(), after
-- wrk has joined every thread.
local threads = {}   -- setup()/done() environment only
local created = 0

function setup(thread)
  thread:set("tid", created)   -- this thread is not running yet: safe
  created = created + 1
  table.insert(threads, thread)
end

local mode
local reqs = {}          -- pre-formatted request strings, one per list line (thread states)
local nthreads = 1
local nexti = 0
recv, bad = 0, 0             -- globals: read by done() through thread:get()
t_first, t_last = nil, nil
local verified = false -- wrk calls request() once on thread 0 to verify it; ignore that call

function init(args)
  mode = args[1] or "random"
  local list = args[2] or error("ranges.lua: list file missing")
  for line in io.lines(list) do
    local p, a, b = line:match("^(%S+)%s+(%d+)%s+(%d+)")
    if p then
      table.insert(reqs, wrk.format("GET", p, { ["Range"] = "bytes=" .. a .. "-" .. b }))
    else
      p = line:match("^(%S+)")
      if p then table.insert(reqs, wrk.format("GET", p)) end
    end
  end
  if #reqs == 0 then error("ranges.lua: empty list " .. list) end
  nthreads = tonumber(args[3]) or 1
  math.randomseed(1234567 + 7919 * (tid or 0))
  nexti = tid or 0
end

function request()
  -- init() ran in this state before wrk could call request() here (script_init() precedes
  -- script_verify_request() and pthread_create()); a list that is not loaded is a bug in
  -- the caller, so say so instead of indexing nothing
  if type(reqs) ~= "table" or #reqs == 0 then error("ranges.lua: request() before init() loaded the list") end
  if mode == "random" then
    return reqs[math.random(1, #reqs)]
  end
  -- seq
  if (tid or 0) == 0 and not verified then verified = true; return reqs[1] end
  if t_first == nil then t_first = now_us() end
  local i = nexti
  if i >= #reqs then
    -- this thread's share is all sent; until its stop takes effect, idle
    -- connections ask for a path outside the corpus (not counted anywhere)
    return wrk.format("GET", "/__rcbench_done")
  end
  nexti = nexti + nthreads
  return reqs[i + 1]
end

if os.getenv("BENCH_MODE") == "seq" then
  function response(status, headers, body)
    if status == 404 then return end       -- an /__rcbench_done filler
    recv = recv + 1
    t_last = now_us()
    if status ~= 206 and status ~= 200 then bad = bad + 1 end
    local t, n = tid or 0, nthreads
    local share = math.floor((#reqs - 1 - t) / n) + 1
    if recv >= share then wrk.thread:stop() end
  end
end

-- WRKTSV fields: requests duration_us bytes err_connect err_read err_write err_status
--   err_timeout p50_us p90_us p99_us max_us mean_us seq_active_us seq_got seq_bad
function done(summary, latency, requests)
  local e = summary.errors
  local first, last = nil, nil
  for _, t in ipairs(threads) do
    local f, l = t:get("t_first"), t:get("t_last")
    if f and (first == nil or f < first) then first = f end
    if l and (last == nil or l > last) then last = l end
  end
  local active = (first and last) and (last - first) or 0
  local got, nbad = 0, 0
  for _, t in ipairs(threads) do got = got + (t:get("recv") or 0); nbad = nbad + (t:get("bad") or 0) end
  io.write(string.format("WRKTSV\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t%d\t%d\n",
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean, active, got, nbad))
end
