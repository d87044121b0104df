import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function start(env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('npm start with bad configuration', () => {
  it('stops before starting anything, naming each wrong variable and what it expects', () => {
    const run = start({ PORT: 'eighty', TEMPORAL_ADDRESS: 'http://temporal', HUBSPOT_ACCESS_TOKEN: 'abc' });
    expect(run.status).toBe(78);
    expect(run.stderr).toContain('PORT');
    expect(run.stderr).toContain('TEMPORAL_ADDRESS: expected host:port');
    expect(run.stderr).toContain('HUBSPOT_ACCESS_TOKEN');
    // The value of a secret is never echoed back.
    expect(run.stderr).not.toMatch(/HUBSPOT_ACCESS_TOKEN.*abc/);
    expect(run.stdout).not.toContain('Rapport is running');
  });
});
