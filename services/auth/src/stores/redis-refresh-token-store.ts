import { AppError, isCluster, type RedisClient } from '@toypetme/http-kit';
import type { AuthKeys } from './keys.js';
import { addToIndex, liveMembers } from './redis-index.js';
import { TOMBSTONE_MS } from './tombstones.js';
import type { Family, RefreshTokenStore, SpendInput, SpendResult } from './refresh-token-store.js';

/**
 * The one atomic spend (CONTRACT "Tokens"). KEYS: family, presented token, successor token,
 * presented token's sealed pair; all under one {familyId} hash tag. ARGV: now, graceMs,
 * successorHash, sealedPair, tokenHash, deadline (microseconds on Redis's own clock).
 * A spend that runs after its deadline writes nothing: see `spend`.
 */
const SPEND = `
local time = redis.call('TIME')
if tonumber(time[1]) * 1000000 + tonumber(time[2]) > tonumber(ARGV[6]) then return {'late'} end
local family = redis.call('HMGET', KEYS[1], 'expiresAt', 'current')
local now = tonumber(ARGV[1])
if not family[1] or tonumber(family[1]) <= now then return {'invalid'} end
local token = redis.call('HMGET', KEYS[2], 'state', 'spentAt', 'successor')
if not token[1] then return {'invalid'} end
local grace = tonumber(ARGV[2])
if token[1] == 'live' and family[2] == ARGV[5] then
  redis.call('HSET', KEYS[2], 'state', 'spent', 'spentAt', now, 'successor', ARGV[3])
  redis.call('HSET', KEYS[3], 'state', 'live')
  redis.call('PEXPIREAT', KEYS[3], family[1])
  redis.call('HSET', KEYS[1], 'current', ARGV[3], 'lastUsedAt', now)
  if grace > 0 then redis.call('SET', KEYS[4], ARGV[4], 'PX', grace) end
  return {'rotated'}
end
if grace > 0 and token[1] == 'spent' and now - tonumber(token[2]) <= grace and family[2] == token[3] then
  local sealed = redis.call('GET', KEYS[4])
  if sealed then return {'replay', sealed} end
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[4])
return {'reuse'}`;

/** For a client without a command timeout: how long a spend may take to reach Redis. */
const DEFAULT_SPEND_TIMEOUT_MS = 2000;

function toFamily(id: string, fields: Record<string, string>): Family | undefined {
  if (fields.userId === undefined) return undefined;
  return {
    id,
    userId: fields.userId,
    sessionHandle: fields.sessionHandle ?? '',
    userAgent: fields.userAgent ?? '',
    createdAt: Number(fields.createdAt),
    expiresAt: Number(fields.expiresAt),
    lastUsedAt: Number(fields.lastUsedAt),
  };
}

/** Every key expires with its family; index sets expire with their newest family. */
export class RedisRefreshTokenStore implements RefreshTokenStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: AuthKeys,
  ) {}

  /** The client's per-command bound: a spend that reaches Redis later than this writes nothing. */
  private commandTimeoutMs(): number {
    const options = isCluster(this.redis) ? this.redis.options.redisOptions : this.redis.options;
    return options?.commandTimeout ?? DEFAULT_SPEND_TIMEOUT_MS;
  }

  async createFamily(family: Family, firstTokenHash: string): Promise<boolean> {
    const { id, expiresAt, sessionHandle } = family;
    // The family first, then the guarded join: a logout either refuses the join or finds the
    // family in the index it revokes. A refused family is deleted again.
    const [familyKey, tokenKey] = this.keys.together.newFamily(id, firstTokenHash);
    await this.redis
      .multi()
      .hset(familyKey, { ...family, current: firstTokenHash })
      .pexpireat(familyKey, expiresAt)
      .hset(tokenKey, 'state', 'live')
      .pexpireat(tokenKey, expiresAt)
      .exec();
    const [index, closed] = this.keys.together.sessionFamilies(sessionHandle);
    if (!(await addToIndex(this.redis, index, id, expiresAt, closed))) {
      await this.redis.del(familyKey, tokenKey);
      return false;
    }
    await addToIndex(this.redis, this.keys.userFamilies(family.userId), id, expiresAt);
    return true;
  }

  async getFamily(familyId: string, now: number): Promise<Family | undefined> {
    const family = toFamily(familyId, await this.redis.hgetall(this.keys.family(familyId)));
    return family !== undefined && family.expiresAt > now ? family : undefined;
  }

  /**
   * A frozen or write-paused Redis runs the script whenever it resumes, long after this caller
   * timed out and answered 503. Had it then rotated, the client's retry would be taken for reuse
   * and revoke the family (a logout). So the script carries a deadline on Redis's own clock (no
   * skew): read just before sending, plus the command timeout. Whenever it still runs in time,
   * this caller is still waiting for the answer.
   */
  async spend(input: SpendInput): Promise<SpendResult> {
    const { familyId, tokenHash, successorHash } = input;
    const keys = this.keys.together.spend(familyId, tokenHash, successorHash);
    const [seconds, micros] = await this.redis.time();
    const deadline = Number(seconds) * 1_000_000 + Number(micros) + this.commandTimeoutMs() * 1000;
    const args = [input.now, input.graceMs, successorHash, input.sealedPair, tokenHash, deadline];
    const [kind, sealedPair] = (await this.redis.eval(SPEND, keys.length, ...keys, ...args)) as [
      string,
      string?,
    ];
    if (kind === 'late') {
      throw new AppError('service_unavailable', 'The token store answered too late; try again.');
    }
    if (kind === 'replay' && sealedPair !== undefined) return { kind, sealedPair };
    if (kind === 'rotated' || kind === 'reuse') return { kind };
    return { kind: 'invalid' };
  }

  async revokeFamily(familyId: string): Promise<void> {
    // Without its family a token is inert; its entry expires when the family would have.
    await this.redis.del(this.keys.family(familyId));
  }

  async revokeBySession(sessionHandle: string): Promise<number> {
    await this.redis.set(this.keys.sessionClosed(sessionHandle), '1', 'PX', TOMBSTONE_MS);
    return this.revokeIndexed(this.keys.sessionFamilies(sessionHandle));
  }

  revokeByUser(userId: string): Promise<number> {
    return this.revokeIndexed(this.keys.userFamilies(userId));
  }

  async listByUser(userId: string, now: number): Promise<Family[]> {
    const index = this.keys.userFamilies(userId);
    const ids = await liveMembers(this.redis, index);
    const families = await Promise.all(
      ids.map(async (id) => toFamily(id, await this.redis.hgetall(this.keys.family(id)))),
    );
    const dead = ids.filter((_, i) => families[i] === undefined || families[i].expiresAt <= now);
    if (dead.length > 0) await this.redis.zrem(index, ...dead);
    return families
      .filter((family): family is Family => family !== undefined && family.expiresAt > now)
      .sort((a, b) => b.createdAt - a.createdAt);
  }

  private async revokeIndexed(indexKey: string): Promise<number> {
    const ids = await liveMembers(this.redis, indexKey);
    const deleted = await Promise.all(ids.map((id) => this.redis.del(this.keys.family(id))));
    await this.redis.del(indexKey);
    return deleted.reduce((sum, count) => sum + count, 0);
  }
}
