-- serve.lua: wrk's script for bench/serve.  Each wrk thread posts its own
-- share of the pre-signed ballots in $BALLOTS (line i goes to thread
-- i mod $WRK_THREADS, so that a voter's later ballot goes out from the
-- same thread, long after the earlier one), and counts the answers: 201
-- (a durable ballot with its receipt) or anything else.

local threads = {}
local next_id = 0

function setup(thread)
	thread:set("id", next_id)
	next_id = next_id + 1
	table.insert(threads, thread)
end

function init(args)
	local nthreads = tonumber(os.getenv("WRK_THREADS"))
	local i = 0
	ballots = {}
	for line in io.lines(os.getenv("BALLOTS")) do
		if i % nthreads == id then
			ballots[#ballots + 1] = line
		end
		i = i + 1
	end
	index = 0
	accepted = 0
	refused = 0
	wrk.method = "POST"
	wrk.headers["Content-Type"] = "application/json"
end

function request()
	index = index + 1
	if index > #ballots then
		index = 1 -- out of ballots: these are refused, and counted so
	end
	return wrk.format(nil, nil, nil, ballots[index])
end

function response(status, headers, body)
	if status == 201 then
		accepted = accepted + 1
	else
		refused = refused + 1
	end
end

function done(summary, latency, requests)
	local ok, bad = 0, 0
	for _, thread in ipairs(threads) do
		ok = ok + thread:get("accepted")
		bad = bad + thread:get("refused")
	end
	local seconds = summary.duration / 1e6
	io.write(string.format("RESULT accepted=%d refused=%d seconds=%.2f " ..
	    "per_second=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f errors=%d\n",
	    ok, bad, seconds, ok / seconds, latency:percentile(50) / 1000,
	    latency:percentile(99) / 1000, latency.max / 1000,
	    summary.errors.connect + summary.errors.read + summary.errors.write +
	    summary.errors.timeout))
end
