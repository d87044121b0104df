import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheDir, cachedCliPath, findInstalledCli } from '../../../../workflows/temporal/cli-locator.js';

function fakeCli(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'temporal');
  writeFileSync(path, '#!/bin/sh\necho temporal\n');
  chmodSync(path, 0o755);
  return path;
}

describe('finding the Temporal CLI', () => {
  const root = mkdtempSync(join(tmpdir(), 'rapport-cli-'));

  it('keeps the cache outside the checkout, under XDG_CACHE_HOME or ~/.cache', () => {
    expect(cacheDir({ XDG_CACHE_HOME: '/var/cache/x' })).toBe('/var/cache/x/rapport');
    expect(cacheDir({})).toMatch(/\.cache\/rapport$/);
  });

  it('looks in TEMPORAL_CLI_PATH first, then PATH, then the cache', () => {
    const explicit = fakeCli(join(root, 'explicit'));
    const onPath = fakeCli(join(root, 'path-bin'));
    const env = { PATH: join(root, 'path-bin'), XDG_CACHE_HOME: join(root, 'cache') };
    fakeCli(join(root, 'cache', 'rapport', 'bin'));

    expect(findInstalledCli(env, explicit)).toEqual({ path: explicit, source: 'TEMPORAL_CLI_PATH' });
    expect(findInstalledCli(env)).toEqual({ path: onPath, source: 'PATH' });
    expect(findInstalledCli({ ...env, PATH: '/nonexistent' })).toEqual({ path: cachedCliPath(env), source: 'cache' });
  });

  it('finds nothing on a bare machine, so the SDK download and go install come next', () => {
    expect(findInstalledCli({ PATH: '/nonexistent', XDG_CACHE_HOME: join(root, 'empty') })).toBeUndefined();
  });

  it('says clearly when TEMPORAL_CLI_PATH points at nothing', () => {
    expect(() => findInstalledCli({}, join(root, 'missing'))).toThrow(/TEMPORAL_CLI_PATH=.*not an executable/);
  });
});
