-- send.lua — wrk script: POST messages with a fresh client_id each, spread over the
-- conversation ids in CONVS (comma separated), authenticated with TOKEN.
local counter = 0

local convs = {}
local token = os.getenv("TOKEN")
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
  local cid = string.format("%08x-0000-4000-8000-%012x", tid or 0, counter)
  local body = '{"body":"bench message ' .. counter .. '","client_id":"' .. cid .. '"}'
  return wrk.format("POST", "/api/v1/conversations/" .. conv .. "/messages",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end
