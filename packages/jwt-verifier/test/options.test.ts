import { ConfigError } from '@toypetme/http-kit';
import { createLocalJWKSet } from 'jose';
import { describe, expect, it } from 'vitest';
import { createJwtVerifier, type JwtVerifierOptions } from '../src/index.js';

const keySource = createLocalJWKSet({ keys: [] });
const valid: JwtVerifierOptions = { issuer: 'http://issuer.test', audience: 'api', keySource };

function problemsOf(options: Partial<JwtVerifierOptions>): readonly string[] {
  try {
    createJwtVerifier({ ...valid, ...options });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  return [];
}

describe('createJwtVerifier options', () => {
  it('when the options are complete, it builds a verifier with defaults', () => {
    expect(problemsOf({})).toEqual([]);
    expect(
      problemsOf({ keySource: undefined, jwksUrl: 'http://127.0.0.1:4001/.well-known/jwks.json' }),
    ).toEqual([]);
  });

  it.each<[string, Partial<JwtVerifierOptions>, RegExp]>([
    ['issuer is empty', { issuer: ' ' }, /issuer/],
    ['audience is missing', { audience: undefined }, /audience/],
    ['both jwksUrl and keySource are given', { jwksUrl: 'http://127.0.0.1/jwks' }, /exactly one/],
    ['neither jwksUrl nor keySource is given', { keySource: undefined }, /exactly one/],
    ['jwksUrl is not http(s)', { keySource: undefined, jwksUrl: 'file:///etc/passwd' }, /jwksUrl/],
    ['jwksUrl is not a URL', { keySource: undefined, jwksUrl: 'jwks.json' }, /jwksUrl/],
    ['algorithms allow "none"', { algorithms: ['RS256', 'none'] }, /algorithms/],
    ['algorithms allow HS256', { algorithms: ['HS256'] }, /algorithms/],
    ['algorithms are empty', { algorithms: [] }, /algorithms/],
    ['typ is empty', { typ: '' }, /typ/],
    ['clockToleranceSec is negative', { clockToleranceSec: -1 }, /clockToleranceSec/],
    ['cooldownMs is NaN', { cooldownMs: Number.NaN }, /cooldownMs/],
    ['timeoutMs is fractional', { timeoutMs: 1.5 }, /timeoutMs/],
  ])('when %s, it throws a ConfigError naming it', (_name, options, pattern) => {
    const problems = problemsOf(options);
    expect(problems.some((problem) => pattern.test(problem))).toBe(true);
  });

  it('when several options are bad, it names every one at once', () => {
    expect(problemsOf({ issuer: '', audience: '', algorithms: ['none'] })).toHaveLength(3);
  });
});
