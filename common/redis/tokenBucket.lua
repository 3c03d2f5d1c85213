-- A token bucket (KEYS[1]: the bucket; ARGV: tokens, refill interval in milliseconds,
-- limit, "1" to allow overflow), like Effect's Redis store, with two differences: the time
-- comes from Redis (one clock for the whole fleet, whatever the hosts' skew), and the key
-- expires once the bucket would be full again, so idle tenants leave nothing behind.
-- A full bucket counts its next refill from now (as Effect's stores do): a burst taken
-- from it is followed by a whole refill interval.
-- Returns { remaining after taking, milliseconds since the current refill interval
-- started }, as strings of 17 significant digits (a Lua number would reach the client
-- truncated to an integer).
local key = KEYS[1]
local tokens = tonumber(ARGV[1])
local refill_ms = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local overflow = ARGV[4] == "1"
local time = redis.call("TIME")
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call("HMGET", key, "tokens", "refill")
local current = tonumber(state[1])
local last = tonumber(state[2])
if not current or not last then
  current = limit
  last = now
end
-- a clock that went back (a failover to a host behind) restarts the interval, never the tokens
if last > now then last = now end
local refill = math.floor((now - last) / refill_ms)
if refill > 0 then
  current = math.min(current + refill, limit)
  last = last + refill * refill_ms
end
if current >= limit then
  last = now
end
local next = current - tokens
local kept = next
if next < 0 and not overflow then kept = current end
redis.call("HSET", key, "tokens", string.format("%.17g", kept), "refill", string.format("%.17g", last))
redis.call("PEXPIRE", key, math.max(1, math.ceil((limit - kept + 1) * refill_ms)))
return { string.format("%.17g", next), string.format("%.17g", math.max(0, now - last)) }
