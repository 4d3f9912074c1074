import { createHash } from 'node:crypto';

/**
 * The Redis store's one decision, as one atomic Lua script: apply what responses taught, then
 * try to take a token. It is `SharedBucket` in `memory-store.ts` (a `TokenBucket` and a
 * `CubicRate`) translated line for line, so that every process on the key decides as one
 * in-memory limiter would; `spec/schedule/store/differential.spec.ts` holds the two to it.
 *
 * The clock is Redis `TIME`, never a client's (clients' clocks disagree); `ARGV[1]` overrides it
 * for the differential spec only. State is one hash per bucket, expiring `ARGV[2]` ms after its
 * last use so that idle budgets vanish. Floats are stored with `%.17g`, which round-trips doubles.
 *
 * KEYS[1] the bucket. ARGV: clock override ms or '', ttl ms, fixed rate per ms or '', take 0|1|2 (reserve),
 * the number of observations, retry budget capacity or '', its change, then 6 fields per
 * observation: seq or '', pause ms, rate per ms or '', remaining or '', reset ms or '',
 * cubic '' | '0' | '1' (throttled).
 * Returns { wait ms, seq or '', rate per second or '', paused-for ms, retry tokens or '',
 * ms until the next token }, as strings.
 *
 * @example
 * ```ts
 * await redis.sendCommand(['EVALSHA', LIMITER_SCRIPT_SHA, '1', 'rxcp:acme:3f2a', '', '600000', '', '2', '0', '', '0']);
 * ```
 */
export const LIMITER_SCRIPT = `
-- Redis before 5 replicates scripts verbatim, which TIME would make non-deterministic.
if redis.replicate_commands then redis.replicate_commands() end
local key = KEYS[1]
local now
if ARGV[1] ~= '' then
  now = tonumber(ARGV[1])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end
local BURST_MS = 1000
local BETA, SCALE, SMOOTH, MIN_RATE = 0.7, 0.4, 0.8, 0.5

local function num(v) if v == false or v == nil or v == '' then return nil end return tonumber(v) end
local f = redis.call('HMGET', key, 's', 'p', 'r', 'c', 't', 'u', 'ce', 'cr', 'cm', 'ct', 'cmr', 'cn', 'cw', 'rb')
local sent, paused = num(f[1]), num(f[2])
local rate, cap, tokens, updated = num(f[3]), num(f[4]), num(f[5]), num(f[6])
local c_on, c_rate, c_max, c_at, c_meas, c_count, c_win =
  num(f[7]), num(f[8]), num(f[9]), num(f[10]), num(f[11]), num(f[12]), num(f[13])

if sent == nil then
  sent, paused = 0, 0
  local s = now / 1000
  c_on, c_rate, c_max, c_at, c_meas, c_count, c_win = 0, MIN_RATE, 0, s, 0, 0, math.floor(s * 2) / 2
  local fixed = num(ARGV[3])
  if fixed ~= nil then
    rate, cap, updated = fixed, math.max(1, fixed * BURST_MS), now
    tokens = math.min(1, cap)
  end
end

-- TokenBucket
local function refill(at)
  if rate ~= nil and at > updated then
    tokens = math.min(cap, tokens + (at - updated) * rate)
    updated = at
  end
end
local function set_rate(per_ms, at, initial)
  local capacity = math.max(1, per_ms * BURST_MS)
  if rate ~= nil then
    refill(at)
    rate, cap = per_ms, capacity
    tokens = math.min(tokens, cap)
  else
    rate, cap, updated = per_ms, capacity, at
    tokens = math.min(initial or 1, cap)
  end
end
local function pause_until(at) if at > paused then paused = at end end

-- CubicRate.observe
local function cubic(at, throttled)
  local window = math.floor(at * 2) / 2
  c_count = c_count + 1
  if window > c_win then
    local current = c_count / (window - c_win)
    c_meas = current * SMOOTH + c_meas * (1 - SMOOTH)
    c_count, c_win = 0, window
  end
  local nxt
  if throttled then
    local base = c_meas
    if c_on == 1 then base = math.min(c_meas, c_rate) end
    c_max, c_at, c_on = base, at, 1
    nxt = base * BETA
  else
    local k = ((c_max * (1 - BETA)) / SCALE) ^ (1 / 3)
    nxt = SCALE * (at - c_at - k) ^ 3 + c_max
  end
  c_rate = math.max(math.min(nxt, 2 * c_meas), MIN_RATE)
  return c_rate
end

local n = tonumber(ARGV[5])
for i = 0, n - 1 do
  local b = 7 + i * 6
  local seq, pause = num(ARGV[b + 1]), tonumber(ARGV[b + 2])
  local per_ms, remaining, reset, cub = num(ARGV[b + 3]), num(ARGV[b + 4]), num(ARGV[b + 5]), ARGV[b + 6]
  if pause > 0 then pause_until(now + pause) end
  if per_ms ~= nil then set_rate(per_ms, now, remaining) end
  if remaining ~= nil then
    -- seq '': a request this bucket did not count (taken locally while Redis was away).
    if rate ~= nil and seq ~= nil then
      refill(now)
      tokens = math.min(tokens, remaining - (sent - seq))
    end
    if remaining == 0 and reset ~= nil then pause_until(now + reset) end
  end
  if cub ~= '' then
    local r = cubic(now / 1000, cub == '1')
    if c_on == 1 then set_rate(r / 1000, now, 0) end
  end
end

-- The retry budget: capacity or '', then the change since the client's last call.
local rb = num(f[14])
local rb_cap = num(ARGV[6])
if rb_cap ~= nil then
  rb = math.min(rb_cap, math.max(0, (rb or rb_cap) + tonumber(ARGV[7])))
end

-- take: '0' no, '1' a token free now, '2' reserve the next one unless paused
local wait, taken = 0, ''
if ARGV[4] ~= '0' then
  local pause_wait, token_wait = paused - now, 0
  if rate ~= nil then
    refill(now)
    if tokens < 1 then token_wait = math.ceil((1 - tokens) / rate) end
  end
  if pause_wait > 0 or (token_wait > 0 and ARGV[4] ~= '2') then
    wait = math.max(pause_wait, token_wait)
  else
    if rate ~= nil then tokens = tokens - 1 end
    sent = sent + 1
    taken = tostring(sent)
    wait = token_wait
  end
end

local function g(v) return string.format('%.17g', v) end
local state = { 's', g(sent), 'p', g(paused), 'ce', g(c_on), 'cr', g(c_rate), 'cm', g(c_max),
  'ct', g(c_at), 'cmr', g(c_meas), 'cn', g(c_count), 'cw', g(c_win) }
if rate ~= nil then
  for _, v in ipairs({ 'r', g(rate), 'c', g(cap), 't', g(tokens), 'u', g(updated) }) do
    state[#state + 1] = v
  end
end
if rb ~= nil then
  state[#state + 1] = 'rb'
  state[#state + 1] = g(rb)
end
redis.call('HSET', key, unpack(state))
redis.call('PEXPIRE', key, ARGV[2])
local per_second = ''
if rate ~= nil then per_second = g(rate * 1000) end
local retry_tokens = ''
if rb ~= nil then retry_tokens = g(rb) end
-- When the next token is free, after this call: with the pause, when a lone request could go.
-- A look only, as TokenBucket.peekMsUntilToken: the stored balance is left as it is.
local next_wait = 0
if rate ~= nil then
  local t = tokens
  if now > updated then t = math.min(cap, tokens + (now - updated) * rate) end
  if t < 1 then next_wait = math.ceil((1 - t) / rate) end
end
return { g(wait), taken, per_second, g(math.max(0, paused - now)), retry_tokens, g(next_wait) }
`;

/** The script's SHA-1, for `EVALSHA`. */
export const LIMITER_SCRIPT_SHA = createHash('sha1').update(LIMITER_SCRIPT).digest('hex');
