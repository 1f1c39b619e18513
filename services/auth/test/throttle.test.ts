import { describe, expect, it } from 'vitest';
import { memoryAttemptLimiter } from '../src/throttle/attempt-limiter.js';
import { accountKey, addressKey } from '../src/throttle/throttles.js';
import { describeAttemptLimiter } from './attempt-limiter.contract.js';

describeAttemptLimiter('memory', (policy) => memoryAttemptLimiter(policy));

describe('what is counted', () => {
  it('when an email differs only in case and spaces, it is the same account counter', () => {
    expect(accountKey(' Mixed.Case@Example.TEST ')).toBe(accountKey('mixed.case@example.test'));
    expect(accountKey('a@example.test')).not.toBe(accountKey('b@example.test'));
  });

  it('when the account key is made, it does not contain the email', () => {
    expect(accountKey('secret.person@example.test')).not.toContain('secret');
  });

  it('when an IPv4 address arrives plain or IPv4-mapped, it is one address', () => {
    expect(addressKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(addressKey('203.0.113.9')).toBe('203.0.113.9');
  });

  it('when IPv6 addresses share a /64, they are one client; another /64 is another', () => {
    expect(addressKey('2001:db8:1:2::1')).toBe(addressKey('2001:db8:1:2:ffff:ffff:ffff:ffff'));
    expect(addressKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:3::1')).not.toBe(addressKey('2001:db8:1:2::1'));
  });
});
