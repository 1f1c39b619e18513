export { deleteKeys, scanKeys } from '@toypetme/http-kit';
export { hashSlot, hashTag } from './cluster-slots.js';
export { HttpClient, type Reply, type RequestOptions } from './http-client.js';
export { listen, type Listening } from './listen.js';
export { startRedisProcess, type RestartableRedis } from './redis-process.js';
export { testRedis, TEST_REDIS_URL, type TestRedis } from './redis.js';
export { freeLoopbackPort } from './free-port.js';
export {
  REDIS_SERVER_BIN,
  spawnRedisServer,
  startRedisCluster,
  startRedisSentinel,
  waitFor,
  type RedisClusterOptions,
  type RedisProcess,
  type TestRedisCluster,
  type TestRedisSentinel,
} from './redis-servers.js';
