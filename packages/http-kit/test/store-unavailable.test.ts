import { describe, expect, it } from 'vitest';
import { isStoreUnavailable } from '../src/index.js';

describe('isStoreUnavailable', () => {
  it.each([
    'Connection is closed.',
    'Command timed out',
    'connect ECONNREFUSED 127.0.0.1:6379',
    'CLUSTERDOWN The cluster is down',
    "Cluster isn't ready",
    'Too many Cluster redirections. Last error: ReplyError: MOVED 5461 127.0.0.1:37003',
    'All sentinels are unreachable. Retrying from scratch after 10ms.',
    "READONLY You can't write against a read only replica.",
  ])('when ioredis says %j, the store is unavailable (503)', (message) => {
    expect(isStoreUnavailable(new Error(message))).toBe(true);
  });

  it.each(['ERR wrong number of arguments', 'boom', 'WRONGTYPE Operation against a key'])(
    'when the error is %j, it is a fault of ours (500), not an outage',
    (message) => {
      expect(isStoreUnavailable(new Error(message))).toBe(false);
    },
  );
});
