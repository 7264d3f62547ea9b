import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// Every command block the docs mark runnable — an HTML comment `<!-- runnable -->` on the line
// before a ```sh fence — runs here, so the README and docs/ cannot promise a command that fails.
// `npx agentbench` is the built CLI (dist/); commands run in a temporary folder holding copies of
// scenarios/, examples/ and schema/ (outputs land there), with @agentbench/cli resolvable for the
// custom-policy example. Each block has 30 s; the marked blocks together take a few seconds.
const ROOT = join(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/harness/cli/main.js');
const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** The runnable blocks of a Markdown text: their first line number and text. */
function runnableBlocks(markdown: string): { line: number; text: string }[] {
  const lines = markdown.split('\n');
  const out: { line: number; text: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '<!-- runnable -->') continue;
    if (!/^```(sh|bash)\s*$/.test(lines[i + 1] ?? '')) throw new Error(`line ${i + 1}: <!-- runnable --> must be followed by a \`\`\`sh block`);
    const end = lines.findIndex((l, k) => k > i + 1 && l.startsWith('```'));
    out.push({ line: i + 3, text: lines.slice(i + 2, end).join('\n') });
    i = end;
  }
  return out;
}

const work = mkdtempSync(join(tmpdir(), 'ab-docs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
for (const d of ['scenarios', 'examples', 'schema']) cpSync(join(ROOT, d), join(work, d), { recursive: true });
mkdirSync(join(work, 'node_modules/@agentbench'), { recursive: true });
symlinkSync(ROOT, join(work, 'node_modules/@agentbench/cli'), 'dir');

const blocks = DOCS.flatMap((doc) => runnableBlocks(readFileSync(join(ROOT, doc), 'utf8')).map((b) => ({ doc, ...b })));

describe('runnable command blocks of README.md and docs/', () => {
  it('the README and at least five places in docs/ mark commands runnable', () => {
    expect(blocks.filter((b) => b.doc === 'README.md').length).toBeGreaterThan(0);
    expect(blocks.length).toBeGreaterThanOrEqual(6);
  });

  it('a marker without a sh block is refused (the parser cannot skip a block silently)', () => {
    expect(() => runnableBlocks('<!-- runnable -->\n```yaml\na: 1\n```\n')).toThrow(/must be followed by a ```sh block/);
    expect(runnableBlocks('text\n<!-- runnable -->\n```sh\nnpx agentbench --version\n```\n```sh\nnot marked\n```\n')).toEqual([{ line: 4, text: 'npx agentbench --version' }]);
  });

  for (const b of blocks) {
    it(`${b.doc}:${b.line}`, () => {
      expect(b.text, 'a runnable block runs agentbench').toMatch(/npx agentbench /);
      const script = b.text.replace(/\bnpx agentbench\b/g, `node ${JSON.stringify(CLI)}`);
      try {
        execFileSync('bash', ['-e', '-o', 'pipefail', '-c', script], { cwd: work, encoding: 'utf8', timeout: 30_000, stdio: 'pipe' });
      } catch (e) {
        const err = e as { status?: number; stderr?: string; stdout?: string };
        throw new Error(`${b.doc}:${b.line}: exit ${String(err.status)}\n${b.text}\n--- stderr:\n${err.stderr ?? ''}${err.stdout ? `--- stdout:\n${err.stdout.slice(-2000)}` : ''}`);
      }
    });
  }
});
