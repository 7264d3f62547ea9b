import { describe, expect, it } from 'vitest';
import { apiKeyFrom } from './live-flags.js';

describe('--api-key / --api-key-env', () => {
  it('takes the flag, else the named variable, else $AGENTBENCH_API_KEY', () => {
    expect(apiKeyFrom('k1', undefined, { AGENTBENCH_API_KEY: 'k0' })).toBe('k1');
    expect(apiKeyFrom(undefined, 'MY_KEY', { MY_KEY: 'k2', AGENTBENCH_API_KEY: 'k0' })).toBe('k2');
    expect(apiKeyFrom(undefined, undefined, { AGENTBENCH_API_KEY: 'k0' })).toBe('k0');
    expect(apiKeyFrom(undefined, undefined, {})).toBeUndefined();
    expect(apiKeyFrom(undefined, undefined, { AGENTBENCH_API_KEY: '' })).toBeUndefined();
  });

  it('refuses an unset or empty named variable (a server meant to be protected never starts open) and both flags at once', () => {
    expect(() => apiKeyFrom(undefined, 'MISSING', {})).toThrow('--api-key-env: environment variable MISSING is unset or empty');
    expect(() => apiKeyFrom(undefined, 'EMPTY', { EMPTY: '' })).toThrow('--api-key-env: environment variable EMPTY is unset or empty');
    expect(() => apiKeyFrom('k', 'MY_KEY', { MY_KEY: 'x' })).toThrow('give --api-key or --api-key-env, not both');
  });
});
