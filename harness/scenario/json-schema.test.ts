import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SCENARIO_SCHEMA_PATH, scenarioJsonSchema, scenarioJsonSchemaText } from './json-schema.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('scenario JSON Schema', () => {
  it('the committed schema is the one the zod schema generates (run `agentbench schema --out schema/scenario.schema.json` after a schema change)', () => {
    expect(readFileSync(`${ROOT}${SCENARIO_SCHEMA_PATH}`, 'utf8')).toBe(scenarioJsonSchemaText());
  });

  it('names every top-level key, refuses unknown ones, and shows defaults', () => {
    const s = scenarioJsonSchema() as { properties: Record<string, { default?: unknown; $ref?: string }>; required: string[]; additionalProperties: boolean; $defs: Record<string, { default?: unknown }> };
    const deref = (x: { default?: unknown; $ref?: string }) => (x.$ref ? s.$defs[x.$ref.replace('#/$defs/', '')]! : x);
    expect(Object.keys(s.properties).sort()).toEqual(['cluster', 'description', 'faults', 'gates', 'limits', 'live', 'mode', 'name', 'policies', 'report', 'router', 'seeds', 'slo', 'sweep', 'workloads']);
    expect(s.additionalProperties).toBe(false);
    expect(s.required).toEqual(expect.arrayContaining(['name', 'cluster', 'policies', 'workloads']));
    expect(deref(s.properties['mode']!).default).toBe('sim');
  });
});
