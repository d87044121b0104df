import { describe } from 'vitest';
import { contractSuite } from './contract-suite.js';
import { CONTRACT_BASE_URL, CONTRACT_TOKEN, portalTarget, sandboxTarget } from './target.js';

describe('HubSpot contract: the sandbox', () => contractSuite(sandboxTarget));

if (!CONTRACT_TOKEN) {
  console.log(
    '[contract] HUBSPOT_CONTRACT_TOKEN is not set: the real-portal run of the HubSpot contract suite is SKIPPED ' +
      '(set it to a developer test portal private-app token; see docs/HUBSPOT.md, "Contract tests").',
  );
} else {
  console.log(`[contract] running the HubSpot contract suite against the real portal at ${CONTRACT_BASE_URL}`);
}
describe.skipIf(!CONTRACT_TOKEN)('HubSpot contract: a real portal (HUBSPOT_CONTRACT_TOKEN)', () =>
  contractSuite(portalTarget),
);
