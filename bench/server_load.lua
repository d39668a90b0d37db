-- wrk script: each thread (one connection each: run wrk with -t N -c N) does CYCLES
-- acquire/run/release cycles against a ptest-iso server's /v1/call, then stops.
--
--   wrk -t50 -c50 -d300s -s bench/server_load.lua URL -- TOKEN CYCLES ACQUIRE_METHOD ACQUIRE_BODY
--
-- ACQUIRE_METHOD is `acquire` (ACQUIRE_BODY {"pool": NAME}) or `create` ({"spec": ...}). A
-- cycle is: acquire (or create), run `true`, destroy. `done` prints one JSON line:
-- {"cycles", "errors", "latency_ms": {"p50", "p99", "max"}} (per request, from wrk's histogram).

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  token = args[1]
  cycles = tonumber(args[2])
  acquire_method = args[3]
  acquire_body = args[4]
  headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
  state = "acquire"
  id = nil
  done_cycles = 0
  errors = 0
  last_error = ""
end

function request()
  if state == "acquire" then
    return wrk.format("POST", "/v1/call/" .. acquire_method, headers, acquire_body)
  elseif state == "run" then
    return wrk.format("POST", "/v1/call/run", headers, '{"id":"' .. id .. '","argv":["true"]}')
  else
    return wrk.format("POST", "/v1/call/destroy", headers, '{"id":"' .. id .. '"}')
  end
end

function response(status, _, body)
  if status ~= 200 then
    errors = errors + 1
    last_error = status .. " " .. string.sub(body or "", 1, 200)
    -- A failed run or destroy still releases: the environment must not be left behind.
    if state == "run" then state = "release" end
    return
  end
  if state == "acquire" then
    id = string.match(body, '"id"%s*:%s*"([^"]+)"')
    state = "run"
  elseif state == "run" then
    state = "release"
  else
    done_cycles = done_cycles + 1
    state = "acquire"
    if done_cycles >= cycles then wrk.thread:stop() end
  end
end

function done(summary, latency, _)
  local total, failed, last = 0, 0, ""
  for _, thread in ipairs(threads) do
    total = total + (thread:get("done_cycles") or 0)
    failed = failed + (thread:get("errors") or 0)
    local message = thread:get("last_error")
    if message and message ~= "" then last = string.gsub(message, '[%c"\\]', " ") end
  end
  failed = failed + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    '{"cycles": %d, "errors": %d, "requests": %d, "latency_ms": {"p50": %.3f, "p99": %.3f, "max": %.3f}, "last_error": "%s"}\n',
    total, failed, summary.requests, latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000, last))
end
