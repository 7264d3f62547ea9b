import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InputError } from '../../workloads/input-error.js';
import { scenarioJsonSchemaText } from '../scenario/json-schema.js';

/** `agentbench schema [--out FILE]`: the scenario JSON Schema, for editors and other tools. */
export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('print the scenario JSON Schema (editors: `# yaml-language-server: $schema=<path>` in a scenario)')
    .option('--out <file>', 'write it to a file instead of stdout')
    .action((o: { out?: string }) => {
      const text = scenarioJsonSchemaText();
      if (o.out === undefined) {
        process.stdout.write(text);
        return;
      }
      try {
        writeFileSync(o.out, text);
      } catch (e) {
        throw new InputError([`--out: cannot write ${o.out}: ${(e as Error).message}`]);
      }
    });
}
