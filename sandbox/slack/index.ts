/**
 * A local stand-in for Slack's Web API (and response_url), for demos and tests. It answers with
 * Slack's shapes ({ok:true,...} or {ok:false,error}), refuses what Slack would refuse (invalid
 * blocks, over-long text, expired or reused trigger_ids, stale view hashes), and records every call.
 * app.ts dispatches /api/<method> to the method families in routes/; state.ts holds the workspace.
 */
export { startSlackStandIn, type SlackStandIn, type SlackStandInOptions } from './start.js';
export type { RecordedCall, RecordedResponse, SlackStandInUser } from './state.js';
export type { SlackFault } from './faults.js';
