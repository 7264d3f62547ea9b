/** Whether a parsed JSON value is an object (not null, not an array): the check every request parser starts with. */
export const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
