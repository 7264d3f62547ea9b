import { badRequest, type RequestProblem } from './request-problem.js';
import { isObj } from '../json-object.js';


/** The schema a `json_object` answer follows: an object with one free text field. */
export const JSON_OBJECT_SCHEMA = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] };

/**
 * The JSON schema the answer must follow, from `response_format` (OpenAI's shapes: `{type:
 * "text"}`, `{type: "json_object"}`, `{type: "json_schema", json_schema: {name, schema?,
 * strict?}}`); undefined for plain text. A json_schema without `schema` allows any JSON object.
 */
export function parseResponseFormat(body: Record<string, unknown>): { schema: unknown } | undefined | RequestProblem {
  const rf = body['response_format'];
  if (rf === undefined || rf === null) return undefined;
  if (!isObj(rf)) return badRequest('response_format must be an object {type: "text" | "json_object" | "json_schema"}', 'response_format');
  switch (rf['type']) {
    case 'text':
      return undefined;
    case 'json_object':
      return { schema: JSON_OBJECT_SCHEMA };
    case 'json_schema': {
      const js = rf['json_schema'];
      if (!isObj(js) || typeof js['name'] !== 'string') return badRequest('response_format.json_schema must be {name, schema?, strict?}', 'response_format');
      const schema = js['schema'];
      if (schema !== undefined && !isObj(schema)) return badRequest('response_format.json_schema.schema must be a JSON schema object', 'response_format');
      return { schema: schema ?? JSON_OBJECT_SCHEMA };
    }
    default:
      return badRequest(`response_format.type must be "text", "json_object" or "json_schema", got ${JSON.stringify(rf['type'])}`, 'response_format');
  }
}

/** `stop` of a request: a string or a list of strings (empty strings are dropped). */
export function parseStop(body: Record<string, unknown>): string[] | RequestProblem {
  const s = body['stop'];
  if (s === undefined || s === null) return [];
  if (typeof s === 'string') return s === '' ? [] : [s];
  if (Array.isArray(s) && s.every((x) => typeof x === 'string')) return (s as string[]).filter((x) => x !== '');
  return badRequest('stop must be a string or a list of strings', 'stop');
}

/**
 * Cut generated token pieces at the first stop string, as vLLM does: the token that completes
 * the stop string is generated (it counts), its text and everything after are not returned.
 * Undefined when no stop string occurs. A stop string is matched where its first character
 * falls, so the kept pieces end right before it.
 */
export function cutAtStop(pieces: readonly string[], stops: readonly string[]): { pieces: string[]; tokens: number } | undefined {
  if (stops.length === 0) return undefined;
  const text = pieces.join('');
  let at = -1;
  let end = 0;
  for (const s of stops) {
    const i = text.indexOf(s);
    if (i >= 0 && (at < 0 || i < at)) {
      at = i;
      end = i + s.length;
    }
  }
  if (at < 0) return undefined;
  const kept: string[] = [];
  let pos = 0;
  let tokens = 0;
  for (const p of pieces) {
    if (pos >= end) break;
    tokens++;
    kept.push(pos + p.length <= at ? p : p.slice(0, Math.max(0, at - pos)));
    pos += p.length;
  }
  return { pieces: kept, tokens };
}
