import type { RequestRecord } from '../../reports/records.js';
import type { Rows } from '../../reports/request-table.js';

/**
 * Live-only summary figures: retries and recoveries (`requestsRetried`, `requestsRecovered`,
 * `timeToRecoverMs` from the first failed attempt to the end of the last successful retry),
 * the router's reroutes and rejections, `itlPerChunk` (1: ITL is per streamed chunk) and the
 * time scale.
 */
export function liveSummary(requests: Rows<RequestRecord>, timeScale: number, router?: { reroutes: number; rejected: number }): Record<string, number> {
  let retried = 0;
  let recovered = 0;
  let firstFailUs = Infinity;
  let lastRecoveryUs = -Infinity;
  for (const r of requests) {
    if (r.outcome === 'failed' && r.endUs < firstFailUs) firstFailUs = r.endUs;
    if (r.attempt > 0) {
      retried++;
      if (r.outcome === 'ok') {
        recovered++;
        if (r.endUs > lastRecoveryUs) lastRecoveryUs = r.endUs;
      }
    }
  }
  return {
    requestsRetried: retried,
    requestsRecovered: recovered,
    timeToRecoverMs: Number.isFinite(firstFailUs) && lastRecoveryUs > firstFailUs ? Math.round(lastRecoveryUs - firstFailUs) / 1000 : NaN,
    routerReroutes: router?.reroutes ?? NaN,
    routerRejected: router?.rejected ?? NaN,
    itlPerChunk: 1,
    timeScale,
  };
}
