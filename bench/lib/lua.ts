/**
 * wrk Lua scripts for each scenario. Every script reports latency percentiles from done(), and
 * counts what came back exactly (see COUNTED) so the matrix can hold the clicks recorded against
 * the redirects answered.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const REPORT = `
done = function(summary, latency, requests)
  io.write(string.format("RL_LAT %f %f %f %f\\n", latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9)))
end
`;

/**
 * Exact counts from a closed loop. wrk drops whatever is in flight when its duration ends, and the
 * server may have answered (and counted) those requests: so each connection stops sending at the
 * end of the measured window (delay() parks it) and the run goes on for a drain period in which
 * the last answers arrive. Then every request sent has been answered, timed out or failed, and
 * the 3xx answers counted here are all the redirects the server gave. Arguments (after --):
 * the measured window in ms, and the pacing delay in ms per request and connection (0: none).
 * CLOCK_MONOTONIC through LuaJIT's FFI: wrk's Lua has no finer clock than os.time().
 */
const COUNTED = `
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } rl_timespec;
int clock_gettime(int clk_id, rl_timespec *tp);
]]
local rl_ts = ffi.new("rl_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, rl_ts)
  return tonumber(rl_ts.tv_sec) * 1000 + tonumber(rl_ts.tv_nsec) / 1e6
end
local rl_threads = {}
setup = function(thread) rl_threads[#rl_threads + 1] = thread end
-- globals, so done() can read them from each thread's state
rl_answered, rl_redirects, rl_in_window = 0, 0, 0
local rl_cutoff, rl_pace = math.huge, 0
init = function(args)
  rl_cutoff = now_ms() + tonumber(args[1] or "0")
  rl_pace = tonumber(args[2] or "0")
end
response = function(status, headers, body)
  rl_answered = rl_answered + 1
  if status >= 300 and status < 400 then rl_redirects = rl_redirects + 1 end
  if now_ms() < rl_cutoff then rl_in_window = rl_in_window + 1 end
end
-- wrk truncates a delay to whole ms: carry the fraction, so a 0.4 ms pace averages 0.4 ms
local rl_carry = 0
delay = function()
  if now_ms() >= rl_cutoff then return 3600000 end
  if rl_pace == 0 then return 0 end
  rl_carry = rl_carry + rl_pace
  local whole = math.floor(rl_carry)
  rl_carry = rl_carry - whole
  return whole
end
`;

const COUNT_REPORT = `
  local answered, redirects, in_window = 0, 0, 0
  for _, t in ipairs(rl_threads) do
    answered = answered + t:get("rl_answered")
    redirects = redirects + t:get("rl_redirects")
    in_window = in_window + t:get("rl_in_window")
  end
  io.write(string.format("RL_COUNT %d %d %d\\n", answered, redirects, in_window))
`;

const CREATE = `
local prefix = tostring(math.random(100000000, 999999999))
local counter = 0
local function create_body()
  counter = counter + 1
  return '{"url":"https://example.com/bench/' .. prefix .. '/' .. counter .. '"}'
end
local create_headers = { ["Content-Type"] = "application/json" }
`;

function codesLoader(file: string): string {
  return `
local codes = {}
for line in io.lines("${file}") do if #line > 0 then codes[#codes + 1] = "/" .. line end end
local n = #codes
`;
}

export type Scenario = "hot" | "cold" | "unknown" | "create" | "mix";

/**
 * `counted: false` leaves the counting hooks out (the baseline: nothing of its to count, and wrk
 * pays ~1 µs per request for response() and delay(), which at the baseline's rate could make the
 * load generator the limit and flatter every ratio).
 */
export function writeScenarioScript(dir: string, scenario: Scenario, codesFile: string, opts: { counted?: boolean } = {}): string {
  const counted = opts.counted ?? true;
  let body: string;
  switch (scenario) {
    case "hot":
    case "cold":
    case "unknown":
      body = `${codesLoader(codesFile)}
request = function() return wrk.format("GET", codes[math.random(n)]) end`;
      break;
    case "create":
      body = `${CREATE}
request = function() return wrk.format("POST", "/api/v1/links", create_headers, create_body()) end`;
      break;
    case "mix":
      body = `${codesLoader(codesFile)}${CREATE}
request = function()
  if math.random(10) == 1 then return wrk.format("POST", "/api/v1/links", create_headers, create_body()) end
  return wrk.format("GET", codes[math.random(n)])
end`;
      break;
  }
  const file = join(dir, counted ? `${scenario}.lua` : `${scenario}-uncounted.lua`);
  writeFileSync(file, counted ? `${COUNTED}\n${body}\n${REPORT.replace(/\nend\n$/, `\n${COUNT_REPORT}end\n`)}` : `${body}\n${REPORT}`);
  return file;
}
