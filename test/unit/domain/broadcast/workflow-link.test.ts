import { describe, expect, it } from 'vitest';
import { workflowUrl } from '../../../../domain/broadcast/workflow-link.js';

describe('workflowUrl (Temporal Web UI)', () => {
  it("is the UI's page of the workflow in its namespace", () => {
    expect(workflowUrl({ url: 'http://localhost:8233', namespace: 'default' }, 'alr_01abc')).toBe(
      'http://localhost:8233/namespaces/default/workflows/alr_01abc',
    );
  });

  it('takes a base URL with a trailing slash and encodes what needs it', () => {
    expect(workflowUrl({ url: 'https://cloud.temporal.io/', namespace: 'ns.a1b2c' }, 'a b/c')).toBe(
      'https://cloud.temporal.io/namespaces/ns.a1b2c/workflows/a%20b%2Fc',
    );
  });
});
