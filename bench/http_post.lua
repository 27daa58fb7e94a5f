-- http_post.lua - wrk script for bench/http_bench.sh. POSTs the gzipped reports in $BODIES (made by
-- http_bodies: 4-byte big-endian length + gzip bytes, repeated). Thread k of $THREADS takes bodies
-- k, k+THREADS, ... so no body is sent twice and every 2xx is a new report. Past the last body a
-- thread sends GET (a 405, stored nowhere) so a short supply shows up as non-2xx, never as a silent
-- duplicate. $DELAY_MS > 0 paces each connection (for the latency run at a fixed lower rate).
local counter = 0

function setup(thread)
    thread:set("id", counter)
    counter = counter + 1
end

function init(args)
    local nthreads = tonumber(os.getenv("THREADS") or "1")
    local f = assert(io.open(os.getenv("BODIES"), "rb"))
    local data = f:read("*a")
    f:close()
    bodies = {}
    local pos, i = 1, 0
    while pos + 3 <= #data do
        local b1, b2, b3, b4 = data:byte(pos, pos + 3)
        local len = ((b1 * 256 + b2) * 256 + b3) * 256 + b4
        if i % nthreads == id then
            bodies[#bodies + 1] = data:sub(pos + 4, pos + 3 + len)
        end
        pos = pos + 4 + len
        i = i + 1
    end
    data = nil
    idx = 0
    pace = tonumber(os.getenv("DELAY_MS") or "0")
    wrk.headers["Content-Type"] = "application/tlsrpt+gzip"
end

function request()
    idx = idx + 1
    local body = bodies[idx]
    if body == nil then
        return wrk.format("GET", "/", nil, nil)
    end
    return wrk.format("POST", "/", nil, body)
end

function delay()
    return pace
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format("BENCH requests=%d non2xx=%d connect=%d read=%d write=%d timeout=%d " ..
                           "duration_us=%d p50_us=%d p99_us=%d\n",
                           summary.requests, e.status, e.connect, e.read, e.write, e.timeout,
                           summary.duration, latency:percentile(50), latency:percentile(99)))
end
