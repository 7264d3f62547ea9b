/** An OpenAI-style client error (HTTP status + message + the offending parameter). */
export interface RequestProblem {
  readonly status: number;
  readonly message: string;
  readonly param: string | null;
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Whether a parse result is a {@link RequestProblem}. */
export const isProblem = (v: unknown): v is RequestProblem => isObj(v) && typeof v['status'] === 'number' && typeof v['message'] === 'string';
