import { afterEach, beforeEach, vi } from 'vitest';

/**
 * Capture what the CLI writes to stdout and stderr during each test of the calling file (fresh
 * for each test), restoring the streams and `process.exitCode` after it.
 */
export function captureStdio(): { readonly out: string; readonly err: string } {
  const io = { out: '', err: '' };
  beforeEach(() => {
    io.out = '';
    io.err = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((io.out += String(s)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((io.err += String(s)), true));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });
  return io;
}
