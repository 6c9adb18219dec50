-- wrk script for Benchmarks/load.sh: POSTs one AdmissionReview body, as the apiserver does, on every
-- keep-alive connection, checks every answer, and prints one machine-readable summary line.
--
--   wrk -t1 -c32 -d20s --latency -s Benchmarks/load/admission.lua https://127.0.0.1:8443/validate
--
-- Environment:
--   IG_BODY    file holding the request body (default: user-update-validate.json next to this script)
--   IG_EXPECT  text every answer body must contain, e.g. '"allowed":true' (default: none checked)
--   IG_LABEL   name printed on the summary line (default: "run")
--   IG_DELAY_MS  if set, each connection waits this long before its next request (a paced load below
--                saturation: about connections × 1000 / (IG_DELAY_MS + latency) requests per second)
--
-- wrk only counts non-2xx/3xx answers; the `response` function below counts everything that is not exactly
-- 200, and answers that lack IG_EXPECT. Each wrk thread has its own Lua state, so the counters are collected
-- from the threads in `done`.

local function script_directory()
  local source = debug.getinfo(1, "S").source
  local path = source:sub(1, 1) == "@" and source:sub(2) or source
  return path:match("^(.*)/[^/]*$") or "."
end

local function read_file(path)
  local file = assert(io.open(path, "rb"), "admission.lua: cannot open the body file " .. path)
  local content = file:read("*a")
  file:close()
  return content
end

local body_path = os.getenv("IG_BODY") or (script_directory() .. "/user-update-validate.json")
local expect = os.getenv("IG_EXPECT")
if expect == "" then expect = nil end
local label = os.getenv("IG_LABEL") or "run"
local delay_ms = tonumber(os.getenv("IG_DELAY_MS") or "")

if delay_ms ~= nil and delay_ms > 0 then
  function delay()
    return delay_ms
  end
end

wrk.method = "POST"
wrk.body = read_file(body_path)
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, */*"
wrk.headers["User-Agent"] = "kube-apiserver-admission"

-- Per-thread state (this file runs once in every thread's Lua state).
responses = 0
non200 = 0
unexpected = 0
first_bad = nil

function response(status, headers, body)
  responses = responses + 1
  if status ~= 200 then
    non200 = non200 + 1
    if first_bad == nil then first_bad = tostring(status) .. " " .. tostring(body):sub(1, 200) end
  elseif expect ~= nil and (body == nil or not body:find(expect, 1, true)) then
    unexpected = unexpected + 1
    if first_bad == nil then first_bad = "200 without " .. expect .. ": " .. tostring(body):sub(1, 200) end
  end
end

-- Main state: remember the threads to read their counters at the end.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local answered, bad_status, bad_body, sample = 0, 0, 0, nil
  for _, thread in ipairs(threads) do
    answered = answered + (thread:get("responses") or 0)
    bad_status = bad_status + (thread:get("non200") or 0)
    bad_body = bad_body + (thread:get("unexpected") or 0)
    sample = sample or thread:get("first_bad")
  end
  local errors = summary.errors
  local socket_errors = errors.connect + errors.read + errors.write + errors.timeout
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "IG-RESULT label=%s requests=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d mean_us=%.1f " ..
    "answered=%d non200=%d unexpected_body=%d socket_errors=%d body_bytes=%d\n",
    label, summary.requests, summary.requests / seconds,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    answered, bad_status, bad_body, socket_errors, #wrk.body))
  if sample ~= nil then
    io.write("IG-FIRST-BAD " .. sample:gsub("\n", " ") .. "\n")
  end
end
