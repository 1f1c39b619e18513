export { HttpClient, type Reply, type RequestOptions } from './http-client.js';
export { listen, type Listening } from './listen.js';
export { deleteKeys, scanKeys, testRedis, TEST_REDIS_URL, type TestRedis } from './redis.js';
export { startRedisProcess, type RedisProcess } from './redis-process.js';
