/** A problem with user input (scenario, flags, files): printed as is, exit code 2. */
export class InputError extends Error {
  readonly exitCode = 2;
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'InputError';
  }
}
