import { describe, expect, it } from 'vitest';
import { StateView } from '../../../../../outlook-addin/src/components/StateView.js';
import { render, text } from '../../markup.js';

describe('friendly states', () => {
  it.each([
    [{ kind: 'unknown', email: 'x@y.example', name: 'X Y' }, 'Not in the CRM yet'],
    [{ kind: 'internal', email: 'me@rapport.example' }, 'inside your organisation'],
    [{ kind: 'unavailable', detail: 'Rapport or the CRM is not answering.' }, 'unavailable right now'],
    [{ kind: 'signed-out', detail: 'could not sign in' }, 'Sign-in needed'],
    [{ kind: 'no-message' }, 'Select a message'],
  ] as const)('%o', (state, expected) => {
    expect(text(render(<StateView state={state} onRetry={() => {}} />))).toContain(expected);
  });
});
