import { describe, expect, it } from 'vitest';
import { ROUTER_DEFAULTS } from '../router-core.js';
import { routerOptions, routerSchema } from './spec.js';

describe('router: section', () => {
  it('defaults to production-stack: no first-token timeout, no outlier detection', () => {
    expect(routerOptions(routerSchema.parse(undefined))).toEqual({ timeoutUs: Infinity, retry: ROUTER_DEFAULTS.retry });
  });

  it('turns on the first-token timeout and Envoy outlier detection ({} = Envoy defaults)', () => {
    expect(routerOptions(routerSchema.parse({ retry: { firstTokenTimeoutS: 2 }, outlierDetection: {} }))).toEqual({
      timeoutUs: Infinity, retry: ROUTER_DEFAULTS.retry, firstTokenTimeoutUs: 2e6,
      outlierDetection: { consecutive5xx: 5, baseEjectionUs: 30e6, maxEjectionUs: 300e6, maxEjectionPercent: 10 },
    });
    expect(routerOptions(routerSchema.parse({ outlierDetection: { consecutive5xx: 2, baseEjectionS: 1 } })).outlierDetection)
      .toEqual({ consecutive5xx: 2, baseEjectionUs: 1e6, maxEjectionUs: 300e6, maxEjectionPercent: 10 });
    expect(routerSchema.safeParse({ outlierDetection: { consecutive5xx: 0 } }).success).toBe(false);
  });
});
