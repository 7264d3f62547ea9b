import { CommanderError, type Command } from 'commander';
import { buildProgram } from '../cli/main.js';

/**
 * Whether the real `agentbench` program accepts `argv` (a subcommand path, its options and
 * operands), without running anything: commander parses the options with the same argument
 * parsers `agentbench` uses (so `--port=abc` or `--jobs 0` fail as they would), unknown options
 * and missing or extra operands are problems. Used by the static checks of the Kubernetes,
 * Docker and GitHub Actions files, which cannot run here. Returns the problems (none: accepted).
 */
export async function cliArgProblems(argv: readonly string[]): Promise<string[]> {
  const program = await buildProgram(argv);
  let cmd: Command = program;
  let rest = [...argv];
  while (rest.length > 0) {
    const sub = cmd.commands.find((c) => c.name() === rest[0] || c.aliases().includes(rest[0]!));
    if (!sub) break;
    cmd = sub;
    rest = rest.slice(1);
  }
  if (cmd === program) return [`unknown agentbench command '${argv[0] ?? ''}'`];
  if (cmd.commands.length > 0) return [`'${argv.join(' ')}': expected a subcommand of ${cmd.name()}: ${cmd.commands.map((c) => c.name()).join(', ')}`];
  const problems: string[] = [];
  cmd.exitOverride().configureOutput({ writeErr: (s) => problems.push(s.trim()), writeOut: () => {} });
  try {
    const { operands, unknown } = cmd.parseOptions(rest);
    if (unknown.length > 0) problems.push(`unknown option(s) ${unknown.filter((u) => u.startsWith('-')).join(' ') || unknown.join(' ')} for '${cmd.name()}'`);
    const args = cmd.registeredArguments;
    const required = args.filter((a) => a.required).length;
    const variadic = args.some((a) => a.variadic);
    if (operands.length < required) problems.push(`'${cmd.name()}' expects ${required} argument(s) (${args.map((a) => a.name()).join(', ')}), found ${operands.length}`);
    if (!variadic && operands.length > args.length) problems.push(`'${cmd.name()}' takes ${args.length} argument(s), found ${operands.length}: ${operands.join(' ')}`);
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    if (problems.length === 0) problems.push(e.message);
  }
  return [...new Set(problems)];
}
