-- page.lua — wrk script: GET a 50-message page at a random point of conversation CONV,
-- which holds MAXSEQ messages.
local token = os.getenv("TOKEN")
local conv = os.getenv("CONV")
local maxseq = tonumber(os.getenv("MAXSEQ"))

function init(args)
  math.randomseed(os.time())
end

function request()
  local before = math.random(51, maxseq)
  return wrk.format("GET", "/api/v1/conversations/" .. conv .. "/messages?limit=50&before=" .. before,
    {["Authorization"] = "Bearer " .. token})
end
