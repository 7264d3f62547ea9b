/** A line that is not valid CSV (the caller adds where it is). */
export class CsvSyntaxError extends Error {}

/**
 * Split one CSV line into fields (RFC 4180 quoting: "a, b" and "" for a quote). Fields are
 * trimmed. A quoted field may not span lines; an unterminated quote is a CsvSyntaxError.
 */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (line[i] === '"') {
      let s = '';
      i++;
      for (;;) {
        if (i >= line.length) throw new CsvSyntaxError('unterminated quoted field');
        const c = line[i]!;
        if (c === '"') {
          if (line[i + 1] === '"') {
            s += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        s += c;
        i++;
      }
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (i < line.length && line[i] !== ',') throw new CsvSyntaxError('unexpected text after a quoted field');
      out.push(s);
    } else {
      const end = line.indexOf(',', i);
      out.push((end < 0 ? line.slice(i) : line.slice(i, end)).trim());
      i = end < 0 ? line.length : end;
    }
    if (i >= line.length) return out;
    i++; // the comma
  }
}
