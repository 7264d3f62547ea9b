import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';

/**
 * The architecture as a rule: top-level folders are layers, and a file may import only from
 * its own layer or a lower one (docs/architecture.md). `policies/` is the bottom: the seam
 * types and the pure policies, shared by both worlds. `harness/` is the top.
 */
export const LAYERS = ['policies', 'workloads', 'sim', 'reports', 'harness'] as const;
export type Layer = (typeof LAYERS)[number];

/** Calls a pure policy must not make: time and randomness come from Clock and Rng. */
const IMPURE = [/\bDate\.now\(/, /\bMath\.random\(/, /\bperformance\.now\(/, /\bprocess\.hrtime/, /\bsetTimeout\(/, /\bsetInterval\(/];

/** One import (or call) that breaks the layering. */
export interface LayerViolation {
  readonly file: string;
  readonly line: number;
  readonly target: string;
  readonly why: string;
}

const IMPORT_RE = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)'([^']+)'/g;

/** The layer a repository-relative path belongs to, or null outside every layer. */
export function layerOf(path: string): Layer | null {
  const top = path.split(/[\\/]/)[0];
  return (LAYERS as readonly string[]).includes(top ?? '') ? (top as Layer) : null;
}

/** Violations in one file's source (`file` relative to the repository root). */
export function checkSource(file: string, source: string): LayerViolation[] {
  const from = layerOf(file);
  if (from === null) return [];
  const out: LayerViolation[] = [];
  const lines = source.split('\n');
  lines.forEach((text, i) => {
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = m[1]!;
      const why = importProblem(file, from, spec);
      if (why) out.push({ file, line: i + 1, target: spec, why });
    }
    if (from === 'policies' && !file.endsWith('.test.ts') && !text.trimStart().startsWith('//') && !text.trimStart().startsWith('*')) {
      for (const re of IMPURE) {
        if (re.test(text)) out.push({ file, line: i + 1, target: re.source.replace(/\\/g, ''), why: 'policies are pure: take time from Clock and randomness from Rng' });
      }
    }
  });
  return out;
}

function importProblem(file: string, from: Layer, spec: string): string | null {
  if (spec.startsWith('node:') && from === 'policies') return 'policies do no I/O: no node: modules';
  if (!spec.startsWith('.')) return null;
  const target = normalize(join(dirname(file), spec));
  const to = layerOf(target);
  if (target.startsWith('..')) return 'imports from outside the repository';
  if (to === null) return null;
  if (LAYERS.indexOf(to) > LAYERS.indexOf(from)) return `${from}/ may not import ${to}/ (layers, bottom up: ${LAYERS.join(' < ')})`;
  return null;
}

/** Every TypeScript file under the layer folders of `root`, relative to it. */
export function layerFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
      const rel = dir ? `${dir}${sep}${e.name}` : e.name;
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.ts')) out.push(rel);
    }
  };
  for (const layer of LAYERS) walk(layer);
  return out;
}

/** Violations across the repository at `root`. */
export function checkLayering(root: string): LayerViolation[] {
  return layerFiles(root).flatMap((f) => checkSource(f, readFileSync(join(root, f), 'utf8')));
}
