/** wrk Lua scripts for each scenario. Every script reports latency percentiles from done(). */
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const REPORT = `
done = function(summary, latency, requests)
  io.write(string.format("RL_LAT %f %f %f %f\\n", latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9)))
end
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

export function writeScenarioScript(dir: string, scenario: Scenario, codesFile: string): string {
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
  const file = join(dir, `${scenario}.lua`);
  writeFileSync(file, `${body}\n${REPORT}`);
  return file;
}
