-- Compare-and-delete of a lease or a webhook claim: only its owner releases it
-- (KEYS[1]: the key; ARGV[1]: the owner).
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0
