import { readdir } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ApiError, apiClient } from './api-client.js';
import { UsageError, type Command, type Options } from './command.js';
import { apiConfig, DEFAULT_URL } from './config.js';

export interface Io {
  env: Record<string, string | undefined>;
  cwd: string;
  stdout(text: string): void;
  stderr(text: string): void;
  fetch?: typeof fetch;
}

const processIo: Io = {
  env: process.env,
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
};

const COMMANDS = new URL('./commands/', import.meta.url);

/** Every command under cli/commands/ (each file exports `commands`), so a new one is one new file. */
export async function loadCommands(): Promise<Command[]> {
  const files = (await readdir(COMMANDS)).filter((f) => /\.[cm]?[jt]s$/.test(f) && !f.endsWith('.d.ts')).sort();
  const modules = await Promise.all(
    files.map((f) => import(new URL(f, COMMANDS).href) as Promise<{ commands?: Command[] }>),
  );
  return modules.flatMap((m) => m.commands ?? []);
}

const line = (c: Command) => `rapport ${[...c.name, c.usage].join(' ').trim()}`;

function usage(commands: readonly Command[]): string {
  return [
    'Usage: rapport <command> [--json]',
    '',
    ...commands.map((c) => `  ${line(c)}\n      ${c.summary}`),
    '',
    '--json prints the API answer as it came. RAPPORT_URL is the server (default',
    `${DEFAULT_URL}); RAPPORT_TOKEN the API token (default: the one in .data/api-token).`,
    'Exit codes: 0 done, 1 the API refused (its message is shown), 2 wrong usage.',
  ].join('\n');
}

function parse(command: Command, argv: string[]): { values: Options; positionals: string[] } {
  try {
    return parseArgs({
      args: argv,
      options: { ...command.options, json: { type: 'boolean' }, help: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Runs one command line; answers the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const commands = await loadCommands();
  const command = commands.find((c) => c.name.every((word, i) => argv[i] === word));
  try {
    if (!command) {
      if (argv[0] === '--help' || argv[0] === 'help') {
        io.stdout(usage(commands));
        return 0;
      }
      throw new UsageError(argv.length ? `unknown command: ${argv.join(' ')}` : 'which command?');
    }
    const { values, positionals } = parse(command, argv.slice(command.name.length));
    if (values.help) {
      io.stdout(`${line(command)}\n  ${command.summary}`);
      return 0;
    }
    const names = command.args ?? [];
    if (positionals.length !== names.length) {
      throw new UsageError(`expected ${names.length ? names.map((n) => `<${n}>`).join(' ') : 'no arguments'}`);
    }
    const missing = (command.required ?? []).filter((name) => values[name] === undefined);
    if (missing.length) throw new UsageError(`${missing.map((m) => `--${m}`).join(', ')} is required`);

    const api = apiClient({ ...apiConfig(io.env, io.cwd), fetch: io.fetch });
    const args = Object.fromEntries(names.map((name, i) => [name, positionals[i]!]));
    const output = await command.run({ args, options: values, api });
    io.stdout(values.json ? JSON.stringify(output.json, null, 2) : output.text);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`rapport: ${error.message}\n\n${command ? `Usage: ${line(command)}` : usage(commands)}`);
      return 2;
    }
    if (error instanceof ApiError) {
      const detail = [error.status || null, error.code, error.field && `field ${error.field}`].filter(Boolean);
      io.stderr(`rapport: ${error.message}${detail.length ? ` (${detail.join(', ')})` : ''}`);
      return 1;
    }
    throw error;
  }
}
