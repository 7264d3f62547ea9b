import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain .mjs build script (it runs before anything is built), without types
import { buildInputsDigest, FOLDERS } from './build-inputs.mjs';

const digest = buildInputsDigest as (root?: string) => string;

/** A checkout's build inputs in miniature. */
function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'agentbench-inputs-'));
  for (const d of ['sim/engine', 'policies', 'workloads', 'harness/dev', 'reports']) mkdirSync(join(root, d), { recursive: true });
  for (const f of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json']) writeFileSync(join(root, f), `{"${f}": 1}`);
  writeFileSync(join(root, 'sim/engine/a.ts'), 'export const a = 1;\n');
  writeFileSync(join(root, 'harness/dev/build-bundle.mjs'), '// bundler\n');
  return root;
}

// `prepare` skips `npm run build` while this digest equals the one the last build recorded
// (harness/dev/prepare.mjs): it must change with anything the build reads.
describe('the build-inputs digest (prepare skips a build of unchanged inputs)', () => {
  it('reads the folders tsc compiles (tsconfig.json\'s include), no fewer', () => {
    const tsconfig = JSON.parse(readFileSync(join(import.meta.dirname, '../../tsconfig.json'), 'utf8')) as { include: string[] };
    expect([...(FOLDERS as string[])].sort()).toEqual([...tsconfig.include].sort());
  });

  it('is the same for the same files, and changes when a source, the bundler script or the lock file changes', () => {
    const root = tree();
    const first = digest(root);
    expect(digest(root)).toBe(first);
    writeFileSync(join(root, 'sim/engine/a.ts'), 'export const a = 2;\n');
    const edited = digest(root);
    expect(edited).not.toBe(first);
    writeFileSync(join(root, 'harness/dev/build-bundle.mjs'), '// bundler, changed\n');
    const bundler = digest(root);
    expect(bundler).not.toBe(edited);
    writeFileSync(join(root, 'package-lock.json'), '{"lock": 2}');
    expect(digest(root)).not.toBe(bundler);
  });

  it('changes when a file is added or renamed, not only when one is edited', () => {
    const root = tree();
    const first = digest(root);
    writeFileSync(join(root, 'reports/new.ts'), '');
    const added = digest(root);
    expect(added).not.toBe(first);
    renameSync(join(root, 'reports/new.ts'), join(root, 'reports/renamed.ts'));
    expect(digest(root)).not.toBe(added);
  });

  it('leaves out an input that is not there (a partial copy still builds) and changes when it appears', () => {
    const root = tree();
    rmSync(join(root, 'package-lock.json'));
    rmSync(join(root, 'workloads'), { recursive: true });
    const partial = digest(root);
    writeFileSync(join(root, 'package-lock.json'), '{}');
    expect(digest(root)).not.toBe(partial);
  });

});
