-- Effect's fixed window (KEYS[1]: the window; ARGV: tokens, refill interval in
-- milliseconds, limit or ""), with whole milliseconds for PX (a refill rate such as
-- 2 s / 45 is not a whole number, and PX refuses a fraction). Returns { count as a string
-- of 17 significant digits (fractional tokens), time to live in milliseconds }.
local key = KEYS[1]
local tokens = tonumber(ARGV[1])
local refillms = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local current = tonumber(redis.call("GET", key))
if not current then
  local nextpttl = math.max(1, math.ceil(refillms * tokens))
  redis.call("SET", key, string.format("%.17g", tokens), "PX", nextpttl)
  return { string.format("%.17g", tokens), nextpttl }
end
local currentpttl = tonumber(redis.call("PTTL", key) or "0")
local next = current + tokens
if limit and next > limit then
  return { string.format("%.17g", next), currentpttl }
end
local nextpttl = math.max(1, math.ceil(currentpttl + (refillms * tokens)))
redis.call("SET", key, string.format("%.17g", next), "PX", nextpttl)
return { string.format("%.17g", next), nextpttl }
