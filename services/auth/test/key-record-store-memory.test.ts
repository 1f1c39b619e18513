import { MemoryKeyRecordStore } from '../src/keys/memory-key-record-store.js';
import { TestClock } from './key-fixtures.js';
import { describeKeyRecordStore } from './key-record-store.contract.js';

describeKeyRecordStore('memory', () => {
  const clock = new TestClock();
  const store = new MemoryKeyRecordStore(clock.now);
  return Promise.resolve({
    a: store,
    b: store,
    expireLock: () => {
      clock.advance(10_001);
      return Promise.resolve();
    },
  });
});
