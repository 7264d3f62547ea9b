import { describe, expect, it } from 'vitest';
import { argmaxHealthy, argminHealthy, loadRange } from './helpers.js';
import { view } from './routing.suite.js';
import { keepFirst, takeLast } from './testing.js';


const byWaiting = (v: { waiting: number }) => v.waiting;

describe('argminHealthy / argmaxHealthy', () => {
  it('skip unhealthy instances, even with the best score', () => {
    const views = [view('x', { healthy: false, waiting: 0 }), view('a', { waiting: 5 }), view('y', { healthy: false, waiting: 9 }), view('b', { waiting: 7 })];
    expect(argminHealthy(views, byWaiting, keepFirst)).toBe(1);
    expect(argmaxHealthy(views, byWaiting, keepFirst)).toBe(3);
  });

  it('return a healthy instance even when no score compares (NaN), never -1', () => {
    const views = [view('x', { healthy: false }), view('a'), view('b')];
    expect(argminHealthy(views, () => Number.NaN, keepFirst)).toBe(1);
    expect(argmaxHealthy(views, () => Number.NaN, keepFirst)).toBe(1);
  });

  it('break ties with the rng: int(ties) = 0 takes the later one', () => {
    const views = [view('a', { waiting: 2 }), view('b', { waiting: 2 })];
    expect(argminHealthy(views, byWaiting, keepFirst)).toBe(0);
    expect(argminHealthy(views, byWaiting, takeLast)).toBe(1);
    expect(argmaxHealthy(views, byWaiting, keepFirst)).toBe(0);
    expect(argmaxHealthy(views, byWaiting, takeLast)).toBe(1);
  });
});

describe('loadRange', () => {
  it('is [least, most] running + waiting over healthy instances not excluded, [0, 0] with none', () => {
    // loads: a 1, b 5 (2 + 3), c 9 but down, d 0 but excluded.
    const views = [view('a', { running: 1 }), view('b', { running: 2, waiting: 3 }), view('c', { healthy: false, running: 9 }), view('d')];
    expect(loadRange(views, 'd')).toEqual([1, 5]);
    expect(loadRange([view('a', { running: 5 }), view('b', { running: 1 })])).toEqual([1, 5]);
    expect(loadRange([])).toEqual([0, 0]);
  });
});
