/**
 * An error in what the user gave us (a file, a flag, a config key). Its message is one line that
 * names the file and line, or the key, so the CLI can print it as is and exit with code 2.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
}

export function isInputError(e: unknown): e is InputError {
  return e instanceof InputError;
}
