
/** One load stage: Poisson arrivals at `ratePerSec` for `durationS`. */
export interface RateStage {
  readonly durationS: number;
  readonly ratePerSec: number;
}

/** Parse `10s@2,30s@5,1m@0.5` (duration with s/m unit @ workflows per second). */
export function parseStages(text: string): RateStage[] | { error: string } {
  const out: RateStage[] = [];
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const m = /^(\d+(?:\.\d+)?)(s|m)@(\d+(?:\.\d+)?)$/.exec(part);
    if (!m) return { error: `expected <duration>s|m@<rate>, e.g. 30s@2, found '${part}'` };
    const durationS = Number(m[1]) * (m[2] === 'm' ? 60 : 1);
    const ratePerSec = Number(m[3]);
    if (!(durationS > 0) || !(ratePerSec > 0)) return { error: `duration and rate must be positive in '${part}'` };
    out.push({ durationS, ratePerSec });
  }
  if (out.length === 0) return { error: 'expected at least one stage, e.g. 30s@2' };
  return out;
}
