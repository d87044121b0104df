import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * ESLint config rules beyond the folder rules (eslint-rules/layers.js), each fed a violating sample. Samples are linted as if they were files
 * of the add-in project (type information included), so they take that file's name.
 */
// Under CI=true typescript-eslint infers a one-shot CLI run and builds each project's program once
// from the files on disk, so a sample linted under an existing file's name is type-checked as
// that file's disk text. These samples stand for an editor's unsaved buffer: keep the watch hosts.
const eslint = new ESLint({
  overrideConfig: { languageOptions: { parserOptions: { disallowAutomaticSingleRunInference: true } } },
});
const COMPONENT = 'outlook-addin/src/components/App.tsx';

async function ruleIds(code: string, filePath = COMPONENT): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

describe('add-in lint rules', { timeout: 120_000 }, () => {
  it('lets a well-formed component through', async () => {
    const ok = `import { useEffect, useState } from 'react';
import type { AlertView } from '../../../contracts/index.js';
export function Ok({ id, alert }: { id: string; alert: AlertView }) {
  const [seen, setSeen] = useState('');
  useEffect(() => {
    document.title = id + seen + String(alert);
  }, [id, seen, alert]);
  return <button onClick={() => setSeen(id)}>{seen}</button>;
}
`;
    expect(await ruleIds(ok)).toEqual([]);
  });

  it('applies the rules of hooks and exhaustive effect dependencies', async () => {
    const conditional = `import { useState } from 'react';
export function Bad({ on }: { on: boolean }) {
  if (on) {
    const [v] = useState(0);
    return <p>{v}</p>;
  }
  return null;
}
`;
    expect(await ruleIds(conditional)).toContain('react-hooks/rules-of-hooks');
    const missing = `import { useEffect } from 'react';
export function Bad({ id }: { id: string }) {
  useEffect(() => {
    document.title = id;
  }, []);
  return null;
}
`;
    expect(await ruleIds(missing)).toContain('react-hooks/exhaustive-deps');
  });

  it('checks TSX with type information from the add-in project', async () => {
    const floating = `export function Bad({ save }: { save: () => Promise<void> }) {
  return <button onClick={() => { save(); }}>Save</button>;
}
`;
    expect(await ruleIds(floating)).toContain('@typescript-eslint/no-floating-promises');
  });

  it('keeps server code and Node built-ins out of the pane, contracts as types only', async () => {
    // The folder rules live in eslint-rules/layers.js (tested there); here: they reach the pane's TSX.
    expect(await ruleIds(`export { httpError } from '../../../server/errors.js';\n`)).toContain('rapport/layers');
    expect(await ruleIds(`import { env } from 'node:process';\nexport const e = env;\n`)).toContain('rapport/layers');
    expect(
      await ruleIds(`import { AlertView } from '../../../contracts/index.js';\nexport const s = AlertView;\n`),
    ).toContain('rapport/layers');
  });

  it('leaves Office.js to src/office.ts', async () => {
    expect(await ruleIds(`export const user = () => Office.context.mailbox.userProfile;\n`)).toContain(
      'no-restricted-globals',
    );
  });
});

describe('workflow determinism rules', { timeout: 120_000 }, () => {
  // Workflow code is replayed by Temporal: lint keeps I/O and wall-clock timers out of it.
  const WORKFLOW = 'workflows/broadcast/workflows.ts';

  it('refuses Node built-ins and I/O libraries in workflow code', async () => {
    expect(
      await ruleIds(`import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n`, WORKFLOW),
    ).toContain('no-restricted-imports');
    expect(await ruleIds(`import pg from 'pg';\nexport const p = pg;\n`, WORKFLOW)).toContain('no-restricted-imports');
  });

  it('takes activities as types only', async () => {
    const value = `import { createBroadcastActivities } from './activities.js';\nexport const a = createBroadcastActivities;\n`;
    expect(await ruleIds(value, WORKFLOW)).toContain('no-restricted-imports');
    const typeOnly = `import type { BroadcastActivities } from './activities.js';\nexport type A = BroadcastActivities;\n`;
    expect(await ruleIds(typeOnly, WORKFLOW)).toEqual([]);
  });

  it('refuses setTimeout: workflows sleep through Temporal', async () => {
    expect(await ruleIds(`export const t = () => setTimeout(() => undefined, 10);\n`, WORKFLOW)).toContain(
      'no-restricted-globals',
    );
  });
});
