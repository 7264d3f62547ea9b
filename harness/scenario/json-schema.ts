import { z } from 'zod';
import { scenarioSchema } from './schema.js';

/** Where the committed JSON Schema lives, relative to the package root (editors point at it). */
export const SCENARIO_SCHEMA_PATH = 'schema/scenario.schema.json';

/**
 * The scenario's JSON Schema (draft 2020-12), generated from the same zod schema that validates
 * scenarios, as the input side (defaults are optional keys; their values are shown as
 * `default`). Checks that JSON Schema cannot state (cross-key rules, catalog names) are left to
 * `agentbench validate`. yaml-language-server reads it from a modeline:
 * `# yaml-language-server: $schema=../schema/scenario.schema.json`.
 */
export function scenarioJsonSchema(): Record<string, unknown> {
  const s = z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any', reused: 'ref' }) as Record<string, unknown>;
  return { ...s, $id: 'https://agentbench.dev/schema/scenario.schema.json', title: 'agentbench scenario' };
}

/** The schema as the committed file holds it. */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
