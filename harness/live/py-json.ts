/**
 * JSON as Python's `json.dumps` writes it (what a Jinja chat template's `tojson` renders): `", "`
 * and `": "` separators when compact, `","` and `": "` with `indent`. Chat templates render tool
 * schemas and tool-call arguments this way, so the emulated prompt has the real template's bytes.
 */
export function pyJson(value: unknown, indent?: number): string {
  return write(value, indent, '');
}

function write(v: unknown, indent: number | undefined, pad: string): string {
  if (v === null || v === undefined || typeof v === 'function' || typeof v === 'symbol') return 'null';
  if (typeof v !== 'object') return typeof v === 'number' && !Number.isFinite(v) ? (Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity') : JSON.stringify(v);
  const inner = indent === undefined ? '' : pad + ' '.repeat(indent);
  const open = indent === undefined ? '' : `\n${inner}`;
  const sep = indent === undefined ? ', ' : `,\n${inner}`;
  const close = indent === undefined ? '' : `\n${pad}`;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[${open}${v.map((x) => write(x, indent, inner)).join(sep)}${close}]`;
  }
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  if (entries.length === 0) return '{}';
  return `{${open}${entries.map(([k, x]) => `${JSON.stringify(k)}: ${write(x, indent, inner)}`).join(sep)}${close}}`;
}
