import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** Markdown links `[text](target)` outside code spans and fenced blocks. */
function links(text: string): string[] {
  const out: string[] = [];
  let fenced = false;
  for (const line of text.split('\n')) {
    if (line.trimStart().startsWith('```')) fenced = !fenced;
    if (fenced) continue;
    for (const m of line.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)\)/g)) out.push(m[1]!);
  }
  return out;
}

describe('README and docs/ links', () => {
  it('README links nothing outside the repository', () => {
    const external = links(readFileSync(join(ROOT, 'README.md'), 'utf8')).filter((l) => /^[a-z]+:/i.test(l) || l.startsWith('../'));
    expect(external).toEqual([]);
  });

  it('every relative link of README and docs/ names a file that exists', () => {
    const broken: string[] = [];
    for (const doc of DOCS) {
      for (const l of links(readFileSync(join(ROOT, doc), 'utf8'))) {
        if (/^[a-z]+:/i.test(l) || l.startsWith('#')) continue;
        const target = normalize(join(dirname(join(ROOT, doc)), l.split('#')[0]!));
        if (!target.startsWith(ROOT) || !existsSync(target)) broken.push(`${doc}: ${l}`);
      }
    }
    expect(DOCS.length).toBeGreaterThan(10);
    expect(broken).toEqual([]);
  });

  it('README stays an entry point (at most 250 lines)', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').length).toBeLessThanOrEqual(250);
  });
});
