-- wrk script (Benchmarks/abuse): each connection sends DEPTH (default 100) pipelined /validate requests, reads
-- all the answers, repeats. Run from the repository root, e.g. beside abuse.sh's good client:
--   DEPTH=100 taskset -c 1 wrk -t1 -c8 -d16s -s Benchmarks/abuse/pipeline.lua https://127.0.0.1:PORT/validate
local depth = tonumber(os.getenv("DEPTH") or "100")
local file = assert(io.open(os.getenv("IG_BODY") or "Benchmarks/load/user-update-validate.json", "rb"))
local body = file:read("*a")
file:close()
init = function(args)
  local requests = {}
  for i = 1, depth do
    requests[i] = wrk.format("POST", "/validate", {["Content-Type"] = "application/json"}, body)
  end
  batch = table.concat(requests)
end
request = function() return batch end
