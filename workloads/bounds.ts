import { z } from 'zod';

/**
 * The largest token count one field may state or one trace row may hold. The longest context
 * windows served today are ~10M tokens; beyond that a count is a typo (1e12) that would only
 * fail later, deep in KV hashing, after minutes and gigabytes.
 */
export const MAX_TOKENS = 10_000_000;

/** Longest name that becomes a path component (a run directory, a report file). */
export const MAX_NAME_CHARS = 100;

/**
 * A name safe as one path component: letters, digits and `extra`; not `.` or `..` (which would
 * write into the current or parent directory); at most {@link MAX_NAME_CHARS} characters (file
 * systems refuse 255 bytes and run files add suffixes).
 */
export function safeNameSchema(extra = '._-'): z.ZodString {
  const chars = extra.split('').map((c) => `"${c}"`).join(', ');
  const escaped = extra.replace(/[-\\\]^]/g, '\\$&');
  return z.string()
    .regex(new RegExp(`^[A-Za-z0-9${escaped}]+$`), `expected letters, digits, ${chars}`)
    .max(MAX_NAME_CHARS)
    .refine((s) => s !== '.' && s !== '..', { message: "expected a name, not '.' or '..' (names become folder names)" });
}
