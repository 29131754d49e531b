-- gateway_milestones.lua — wrk's requests for tests/bench/bench_gateway.c:
-- acknowledged SetMilestone commands through trin-gateway's resource path
-- POST /api/v1/projects/<id>/milestones, with a personal token.
--
--   wrk -t2 -c256 -d5s -s gateway_milestones.lua http://127.0.0.1:PORT -- \
--       TOKEN PROJECTS [PREFIX]
--
-- TOKEN     the personal token (Authorization: Bearer TOKEN)
-- PROJECTS  commands go round projects PREFIX0000 .. PREFIX<PROJECTS-1>
-- PREFIX    project id prefix (default "B", as bench_lifecycle's projects)
--
-- Each thread walks its own sequence: request k of thread t sets milestone
-- "gw-<t>-<k % 8>" of project (k + t * 7919) % PROJECTS, with a forecast that
-- moves one day every round of the projects, so every command is a real
-- change (a row, an outbox event and a commit in trin-lifecycle), not a
-- no-op. wrk counts any status other than 2xx/3xx as "Non-2xx or 3xx
-- responses", which bench_gateway reads as failed commands. With VERBOSE set
-- in the environment the first refusals' bodies go to stderr; that hook is
-- off otherwise because it costs wrk a Lua call per reply.

local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local token, projects, prefix
local headers = {}
-- Days since 1970-01-01 of 2027-01-01, the baseline; forecasts follow it.
local baseline_day = 20819

local function date_of(day)
  -- Civil date from days since the epoch (Howard Hinnant's algorithm):
  -- os.date would be one C call per request and is not in every wrk Lua.
  local z = day + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) -
                          math.floor(doe / 146096)) / 365)
  local y = yoe + era * 400
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local d = doy - math.floor((153 * mp + 2) / 5) + 1
  local m = mp < 10 and mp + 3 or mp - 9
  if m <= 2 then y = y + 1 end
  return string.format("%04d-%02d-%02d", y, m, d)
end

local baseline = date_of(baseline_day)

function init(args)
  token = args[1]
  projects = tonumber(args[2] or "1000")
  prefix = args[3] or "B"
  if not token or not projects or projects < 1 then
    error("usage: wrk ... -s gateway_milestones.lua URL -- TOKEN PROJECTS [PREFIX]")
  end
  headers["Authorization"] = "Bearer " .. token
  headers["Content-Type"] = "application/json"
end

function request()
  local t = id or 0
  local k = counter
  counter = counter + 1
  local p = (k + t * 7919) % projects
  local round = math.floor(k / projects) % 3000
  local path = string.format("/api/v1/projects/%s%04d/milestones", prefix, p)
  local body = string.format(
    '{"milestone":{"name":"gw-%d-%d","baseline":"%s","forecast":"%s"}}',
    t, k % 8, baseline, date_of(baseline_day + 1 + round))
  return wrk.format("POST", path, headers, body)
end

if os.getenv("VERBOSE") then
  local shown = 0
  function response(status, hdrs, body)
    if status >= 300 and shown < 3 then
      shown = shown + 1
      io.stderr:write(string.format("status %d: %s\n", status, body))
    end
  end
end
