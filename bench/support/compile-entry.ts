import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { build } from 'esbuild';

/**
 * Compiles a TypeScript entry (and the project sources it imports) to one ES module, packages
 * left external: a process measured by a bench runs as deployed JavaScript, not through tsx's
 * loader, which alone costs ~40 MB of RSS. The SMTP send thread's entry is compiled beside it
 * (channels/email/threaded-sender.ts looks for send-thread.mjs next to the bundle). The output
 * stays inside the project so that Node resolves the external packages from its node_modules.
 */
export async function compileEntry(entry: string): Promise<string> {
  const cache = join(process.cwd(), 'node_modules', '.cache', 'rapport-bench');
  removeLeftovers(cache);
  const outdir = join(cache, String(process.pid));
  mkdirSync(outdir, { recursive: true });
  process.once('exit', () => rmSync(outdir, { recursive: true, force: true }));
  await build({
    entryPoints: [entry, join(process.cwd(), 'channels', 'email', 'send-thread.ts')],
    outdir,
    entryNames: '[name]',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    packages: 'external',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return join(outdir, `${basename(entry).replace(/\.ts$/, '')}.mjs`);
}

/** Folders of processes that are gone (killed before their exit handler ran). */
function removeLeftovers(cache: string): void {
  let names: string[];
  try {
    names = readdirSync(cache);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid || alive(pid)) continue;
    rmSync(join(cache, name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is just not ours.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
