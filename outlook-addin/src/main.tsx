import { createRoot } from 'react-dom/client';
import { approvalOperations, createApi } from './api.js';
import { createTokenSource } from './auth.js';
import { App } from './components/App.js';
import { officeReady } from './office.js';
import type { AddinClientConfig } from './types.js';

/** Task pane entry: wait for Office, read the server's add-in config, render. */
async function main() {
  const root = createRoot(document.getElementById('root')!);
  try {
    const [host, config] = await Promise.all([
      officeReady(),
      fetch('config.json', { cache: 'no-store' }).then((r) => {
        if (!r.ok) throw new Error(`Rapport answered ${r.status}`);
        return r.json() as Promise<AddinClientConfig>;
      }),
    ]);
    const api = createApi({ tokens: createTokenSource(config) });
    root.render(<App host={host} api={api} config={config} approvals={approvalOperations(api)} />);
  } catch (error) {
    const p = document.createElement('p');
    p.className = 'startup-error';
    p.textContent = `Rapport could not start: ${(error as Error).message}`;
    document.getElementById('root')!.replaceChildren(p);
  }
}

void main();
