-- wrk script for bench/run.sh.  Optional environment:
--   BENCH_PATH  a path with one %d, filled with a random id from
--               BENCH_LO to BENCH_HI for each request
--   BENCH_BODY  a JSON body: the request becomes a POST
-- Prints one line: "BENCH requests/s p50_ms p99_ms errors".
local path = os.getenv("BENCH_PATH")
local lo = tonumber(os.getenv("BENCH_LO") or "1")
local hi = tonumber(os.getenv("BENCH_HI") or "1")
local body = os.getenv("BENCH_BODY")

if body then
	wrk.method = "POST"
	wrk.body = body
	wrk.headers["Content-Type"] = "application/json"
end

function setup(thread)
	thread:set("seed", math.random(1, 1000000))
end

function init(args)
	math.randomseed(seed or os.time())
end

function request()
	if path then
		return wrk.format(nil, string.format(path, math.random(lo, hi)))
	end
	return wrk.format()
end

function done(summary, latency, requests)
	local e = summary.errors
	local errors = e.connect + e.read + e.write + e.status + e.timeout
	io.write(string.format("BENCH %.0f %.2f %.2f %d\n",
		summary.requests / (summary.duration / 1e6),
		latency:percentile(50) / 1000, latency:percentile(99) / 1000,
		errors))
end
