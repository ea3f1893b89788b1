-- send.lua — wrk script: POST messages with a fresh client_id each, spread over the
-- conversation ids in CONVS (comma separated), authenticated with TOKEN. RUN (0 to 65535)
-- tells runs apart: a second run with the same RUN would send retries of the first's sends.
local counter = 0

local convs = {}
local token = os.getenv("TOKEN")
local run = (tonumber(os.getenv("RUN") or "0") or 0) % 65536
for id in string.gmatch(os.getenv("CONVS") or "", "%d+") do convs[#convs + 1] = id end
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  threads[#threads + 1] = thread
end

function init(args)
  math.randomseed(os.time() + tid)
end

function request()
  counter = counter + 1
  local conv = convs[(counter % #convs) + 1]
  local cid = string.format("%08x-%04x-4000-8000-%012x", tid or 0, run, counter)
  local body = '{"body":"bench message ' .. counter .. '","client_id":"' .. cid .. '"}'
  return wrk.format("POST", "/api/v1/conversations/" .. conv .. "/messages",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end
