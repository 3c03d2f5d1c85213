-- Compare-and-delete of a stored token: the value starts with the id of the token that
-- failed (KEYS[1]: the token's key; ARGV[1]: "v1.<id>.").
if string.sub(redis.call("GET", KEYS[1]) or "", 1, #ARGV[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0
