import { isObj } from '../json-object.js';

/** An OpenAI-style client error (HTTP status + message + the offending parameter). */
export interface RequestProblem {
  readonly status: number;
  readonly message: string;
  readonly param: string | null;
}


/** A 400 naming the offending parameter. */
export const badRequest = (message: string, param: string): RequestProblem => ({ status: 400, message, param });

/** Whether a parse result is a {@link RequestProblem}. */
export const isProblem = (v: unknown): v is RequestProblem => isObj(v) && typeof v['status'] === 'number' && typeof v['message'] === 'string';
