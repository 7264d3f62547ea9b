import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parseDocument } from 'yaml';

// What VS Code (yaml-language-server) does with a shipped scenario: read the `$schema` its first
// line names and validate the YAML against it. Every scenario under scenarios/ and examples/ must
// name the committed schema and pass it, so an editor never flags a scenario the tool accepts.
const ROOT = join(import.meta.dirname, '../..');
const SCHEMA_FILE = join(ROOT, 'schema/scenario.schema.json');
const MODELINE = /^# yaml-language-server: \$schema=(\S+)$/;

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return n === 'node_modules' ? [] : yamlFiles(p);
    return /\.ya?ml$/.test(n) ? [p] : [];
  });
}

// A scenario is a YAML mapping with `workloads` and `policies`, not a Kubernetes manifest or a workflow.
function isScenario(data: unknown): boolean {
  return data !== null && typeof data === 'object' && 'workloads' in data && 'policies' in data && !('apiVersion' in data) && !('jobs' in data);
}

const shipped = [...yamlFiles(join(ROOT, 'scenarios')), ...yamlFiles(join(ROOT, 'examples'))]
  .map((file) => ({ file, rel: relative(ROOT, file), text: readFileSync(file, 'utf8') }))
  .map((f) => ({ ...f, data: parseDocument(f.text, { merge: true }).toJS({ maxAliasCount: -1 }) as unknown }))
  .filter((f) => isScenario(f.data));

const ajv = new Ajv2020({ allErrors: true, strict: false });
const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object);

describe('shipped scenarios against schema/scenario.schema.json (as an editor validates them)', () => {
  it('finds the shipped scenarios', () => {
    expect(shipped.map((f) => f.rel)).toContain('scenarios/quickstart.yaml');
    expect(shipped.map((f) => f.rel)).toContain('examples/custom-policy/gate.yaml');
    expect(shipped.length).toBeGreaterThanOrEqual(14);
  });

  for (const f of shipped) {
    it(`${f.rel}: its first line names the committed schema, and it validates`, () => {
      const m = MODELINE.exec(f.text.split('\n')[0]!);
      expect(m, `${f.rel}: the first line must be '# yaml-language-server: $schema=<path to schema/scenario.schema.json>'`).not.toBeNull();
      // In a user's repository (examples/custom-policy) the schema comes from the installed package.
      const target = m![1]!.replace(/^(\.\/)?node_modules\/@agentbench\/cli\//, `${relative(dirname(f.file), ROOT)}/`);
      expect(resolve(dirname(f.file), target)).toBe(SCHEMA_FILE);
      const ok = validate(f.data);
      expect(ok ? [] : validate.errors!.map((e) => `${e.instancePath} ${e.message}`)).toEqual([]);
    });
  }

  it('the schema rejects what the tool rejects (an unknown key, a wrong type), so the check can fail', () => {
    const quick = shipped.find((f) => f.rel === 'scenarios/quickstart.yaml')!.data as Record<string, unknown>;
    expect(validate({ ...quick, clustr: {} })).toBe(false);
    expect(validate({ ...quick, seeds: 'one' })).toBe(false);
    expect(validate({ ...quick, policies: [{ routing: { module: './x.js', kvWeight: 2 } }] })).toBe(true);
  });
});
