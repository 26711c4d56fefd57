-- bench/serve_load.lua - wrk's request mix for bench/serve_load.sh: tiles of the home
-- view (cached by the warm-up; half of them data, half coloured PNG as the page asks for
-- them), coloured tiles of the 1e14 location (cached too), and coloured tiles far out of
-- the home view that no one asked for before (each a render, a colouring and a PNG: they
-- fill the render queue, so some get 503). `wrk ... -- cached` asks for cached tiles only.
-- The mix counts every status; done() prints them and the latency percentiles.
--
-- The cached runs count no statuses (wrk's own count of non-2xx/3xx answers stands): a
-- response() function makes wrk hand every body to Lua as a string, 256 KiB a tile, and
-- that held wrk to ~1,700 requests a second, p99 78 ms, where the server answers 10,000
-- (p99 9 ms).
local threads = {}
local home = "/tile?size=1920x1080&iterations=1000&data=smooth&tile="
local home_png = "/tile?size=1920x1080&iterations=1000&format=png&tile="
local deep = "/tile?center=-1.759817130804847813610825010561798238243999999999999999999800," ..
             "-0.012593310799749865383746631843264858450340000000000000000000" ..
             "&zoom=1.00e014&size=1920x1080&iterations=4036&format=png&tile="

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    statuses = {}
    cached_only = args[1] == "cached"
    if cached_only then response = nil end
    math.randomseed(os.time() + math.random(1000000))
end

function request()
    local r = math.random(100)
    local tx, ty = math.random(0, 7), math.random(0, 4)
    local path
    if cached_only or r <= 70 then
        path = (r % 2 == 0 and home or home_png) .. tx .. "," .. ty
    elseif r <= 90 then
        path = deep .. tx .. "," .. ty
    else
        path = home_png .. math.random(100, 100000) .. "," .. math.random(-1000, 1000)
    end
    return wrk.format("GET", path)
end

function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
    local total = {}
    for _, t in ipairs(threads) do
        for k, v in pairs(t:get("statuses")) do total[k] = (total[k] or 0) + v end
    end
    local line = "statuses:"
    for k, v in pairs(total) do line = line .. " " .. k .. "=" .. v end
    if next(total) == nil then line = line .. " not counted; non-2xx/3xx=" .. summary.errors.status end
    print(line)
    print(string.format("latency p50 %.2f ms, p99 %.2f ms, max %.2f ms; %d requests; " ..
        "socket errors: connect %d, read %d, write %d, timeout %d",
        latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
        summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write,
        summary.errors.timeout))
end
