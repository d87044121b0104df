import type { ParseArgsConfig } from 'node:util';
import type { ApiClient } from './api-client.js';

/** What a command prints: the API's JSON for --json, else words for a person. */
export interface Output {
  json: unknown;
  text: string;
}

/**
 * One `rapport <words...>` command. A file under cli/commands/ exporting `commands` is all a new
 * one needs: main.ts finds it there.
 */
export interface Command {
  /** The words that name it, e.g. ['alerts', 'list']. */
  name: readonly string[];
  /** Its arguments and options, as the usage line shows them. */
  usage: string;
  summary: string;
  /** The positional arguments it takes, by name, all required. */
  args?: readonly string[];
  options?: NonNullable<ParseArgsConfig['options']>;
  /** Options it cannot run without. */
  required?: readonly string[];
  run(input: { args: Record<string, string>; options: Options; api: ApiClient }): Promise<Output>;
}

/** Option values as node:util parseArgs gives them. */
export type Options = Record<string, string | boolean | undefined>;

/** Wrong words on the command line: exit code 2, with the usage. */
export class UsageError extends Error {
  override name = 'UsageError';
}
