import { z } from 'zod';

const positive = z.number().positive();

/** A deployed OpenAI-compatible stack to send the workflows to. */
export const targetSchema = z.strictObject({
  /** Router or engine base URL (http or https), e.g. http://127.0.0.1:8000. */
  baseUrl: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }),
  /** `model` of every request (what the target serves on /v1/models). */
  model: z.string().min(1),
  /** Sent as `Authorization: Bearer`; prefer apiKeyEnv so keys stay out of files. */
  apiKey: z.string().min(1).optional(),
  /** Name of an environment variable holding the key. */
  apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name').optional(),
});

/** The `live:` section of a scenario (used when `mode: live`). */
export const liveSchema = z.strictObject({
  /** `local`: start the cluster's instances as emulated engines plus the router on loopback (default). */
  spawn: z.literal('local').optional(),
  /** Send to a deployed stack instead of spawning one. */
  target: targetSchema.optional(),
  /** Run the spawned stack faster than real time (0.1 = ten times faster); 1 for targets. */
  timeScale: positive.max(1).default(1),
  /** A call still open after this (scaled) time ends as a timeout. */
  requestTimeoutS: positive.default(300),
  /**
   * Commands run at a time of the run with `sh -c` (a fault against a deployed stack, e.g.
   * `kubectl delete pod vllm-1`); each is bounded by its timeout and its exit is reported.
   */
  commands: z.array(z.strictObject({
    atS: z.number().nonnegative(),
    run: z.string().min(1),
    timeoutS: positive.max(3600).default(60),
  })).default([]),
  /**
   * Requests sent to a deployed target before each cell and not recorded (each a 1,000-token
   * prompt of its own and 8 output tokens), so the first cell does not pay the stack's cold start
   * alone. A spawned stack is always warmed and then reset.
   */
  warmup: z.strictObject({ requests: z.int().min(0).max(1000).default(0) }).prefault({}),
  /**
   * A command run with `sh -c` before every cell but the first, to make a deployed target's cells
   * comparable: its prefix cache otherwise carries over from one cell to the next (e.g. vLLM's
   * `curl -X POST $URL/reset_prefix_cache`, or a rollout restart). A failing command stops the run.
   */
  resetBetweenCells: z.strictObject({ run: z.string().min(1), timeoutS: positive.max(3600).default(60) }).optional(),
  /** Wall-clock bound of one cell; open calls then end as timeouts. */
  maxDurationS: positive.default(600),
  /** At most this many calls on the wire at once (the rest wait: client queue time). */
  maxConcurrency: z.int().positive().optional(),
  /** ignore_eos + max_tokens = the drawn output length (vLLM benchmark style). */
  forceOutputLength: z.boolean().default(true),
  /** The spawned router's settings. */
  router: z.strictObject({
    healthIntervalMs: positive.default(1000),
    healthTimeoutMs: positive.default(1000),
    unhealthyThreshold: z.int().positive().default(2),
    /** Moved: the spawned router takes the scenario's `router:` section, as the simulated router does. */
    maxAttempts: z.never({ error: 'moved: the spawned router uses the scenario\'s router.retry (maxAttempts, backoff, timeoutS), the same section and defaults as the simulated router' }).optional(),
    scrapeIntervalMs: z.number().nonnegative().default(1000),
  }).prefault({}),
}).check((ctx) => {
  const v = ctx.value;
  if (v.spawn !== undefined && v.target !== undefined) {
    ctx.issues.push({ code: 'custom', input: v, path: ['target'], message: 'expected either spawn: local or target, found both' });
  }
  if (v.target !== undefined && v.timeScale !== 1) {
    ctx.issues.push({ code: 'custom', input: v.timeScale, path: ['timeScale'], message: `a deployed target runs in real time: expected timeScale 1, found ${v.timeScale}` });
  }
  if (v.target?.apiKey !== undefined && v.target.apiKeyEnv !== undefined) {
    ctx.issues.push({ code: 'custom', input: v.target, path: ['target', 'apiKeyEnv'], message: 'expected apiKey or apiKeyEnv, found both' });
  }
});

/** A parsed live section. */
export type LiveSettings = z.output<typeof liveSchema>;
/** A parsed target. */
export type LiveTarget = z.output<typeof targetSchema>;
