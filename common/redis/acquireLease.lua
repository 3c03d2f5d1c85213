-- Takes the lease, or says how long it is held for (KEYS[1]: the lease key; ARGV[1]: the
-- owner; ARGV[2]: the lease time in milliseconds). A lease key without expiry (a holder's
-- key that lost its TTL: PERSIST, a restore, a foreign write) would be held forever, so it
-- is given one lease time. -2: acquired.
if redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2], "NX") then
  return -2
end
local left = redis.call("PTTL", KEYS[1])
if left < 0 then
  redis.call("PEXPIRE", KEYS[1], ARGV[2])
  return tonumber(ARGV[2])
end
return left
