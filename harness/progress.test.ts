import { describe, expect, it } from 'vitest';
import { duration, Progress } from './progress.js';

// A fake stream and a hand-driven clock: no real sleeps.
function fake(isTTY: boolean) {
  const writes: string[] = [];
  let now = 0;
  return {
    writes,
    stream: { isTTY, columns: 200, write: (s: string) => writes.push(s) },
    clock: { nowMs: () => now, set: (ms: number) => (now = ms) },
  };
}

describe('Progress on a TTY: one line with done/total, unit, elapsed and ETA', () => {
  it('shows nothing in the first second, then rewrites one line at most 10 times a second', () => {
    const f = fake(true);
    const p = new Progress(f.stream, true, { nowMs: f.clock.nowMs });
    p.start(40, 'cells');
    p.update('cell 1');
    expect(f.writes).toEqual([]);
    f.clock.set(1000);
    p.update('cell 1: 3/8 workflows');
    f.clock.set(1050); // within 100 ms of the last line: skipped
    p.update('cell 1: 4/8 workflows');
    expect(f.writes).toEqual(['\r\x1b[2K0/40 cells (0%), 1 s elapsed | cell 1: 3/8 workflows']);
  });

  it('ETA = elapsed / done × remaining: 10 of 40 cells in 30 s leaves 90 s', () => {
    const f = fake(true);
    const p = new Progress(f.stream, true, { nowMs: f.clock.nowMs });
    p.start(40, 'cells');
    f.clock.set(30_000);
    for (let i = 0; i < 10; i++) p.advance();
    expect(p.status()).toBe('10/40 cells (25%), 30 s elapsed, ETA 1:30');
    expect(f.writes.at(-1)).toBe('\r\x1b[2K1/40 cells (2%), 30 s elapsed, ETA 19:30'); // the first advance at 30 s: 30 s × 39
    p.done();
    expect(f.writes.at(-1)).toBe('\r\x1b[2K');
  });

  it('truncates to the terminal width', () => {
    const f = fake(true);
    const p = new Progress({ ...f.stream, columns: 21 }, true, { nowMs: f.clock.nowMs });
    f.clock.set(2000);
    p.update('x'.repeat(50));
    expect(f.writes[0]).toBe('\r\x1b[2K2 s elapsed | xxxxxx'); // columns − 1 = 20 characters: 14 of status, 6 of detail
  });
});

describe('Progress without a TTY: a plain line every ~10 s and at the end', () => {
  it('writes at 10 s and 20 s (not between), then a final line', () => {
    const f = fake(false);
    const p = new Progress(f.stream, true, { nowMs: f.clock.nowMs });
    p.start(4, 'cells');
    f.clock.set(5_000);
    p.advance();
    expect(f.writes).toEqual([]);
    f.clock.set(10_000);
    p.update('cell 2: 1/8 workflows');
    f.clock.set(15_000);
    p.advance();
    f.clock.set(20_000);
    p.advance();
    f.clock.set(24_000);
    p.advance();
    p.done();
    expect(f.writes).toEqual([
      'progress: 1/4 cells (25%), 10 s elapsed, ETA 30 s | cell 2: 1/8 workflows\n',
      'progress: 3/4 cells (75%), 20 s elapsed, ETA 7 s | cell 2: 1/8 workflows\n', // ETA 20 / 3 × 1 = 6.7 s; the last detail shown
      'progress: 4/4 cells (100%), 24 s elapsed (done)\n',
    ]);
  });

  it('a run shorter than the interval prints nothing', () => {
    const f = fake(false);
    const p = new Progress(f.stream, true, { nowMs: f.clock.nowMs });
    p.start(2, 'cells');
    f.clock.set(3_000);
    p.advance();
    p.advance();
    p.done();
    expect(f.writes).toEqual([]);
  });
});

describe('--quiet: nothing on either kind of stream', () => {
  for (const tty of [true, false]) {
    it(tty ? 'TTY' : 'no TTY', () => {
      const f = fake(tty);
      const p = new Progress(f.stream, false, { nowMs: f.clock.nowMs });
      p.start(2, 'cells');
      for (const t of [2_000, 12_000, 30_000]) {
        f.clock.set(t);
        p.update('x');
        p.advance();
      }
      p.done();
      expect(f.writes).toEqual([]);
    });
  }
});

describe('duration', () => {
  it('seconds, m:ss, h:mm:ss', () => {
    expect([duration(0), duration(59_400), duration(60_000), duration(187_000), duration(3_723_000)]).toEqual(['0 s', '59 s', '1:00', '3:07', '1:02:03']);
  });
});
