// The send thread when Rapport runs from TypeScript sources: a worker thread does not inherit
// tsx's loader, so it registers it before loading send-thread.ts.
import { register } from 'tsx/esm/api';

register();
await import('./send-thread.ts');
