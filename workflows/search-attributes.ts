import { defineSearchAttributeKey } from '@temporalio/common';

/**
 * Custom search attributes every alert workflow carries, so operators can filter in the Temporal
 * Web UI (`RapportStatus = "awaiting_approval"`, `RapportTopic = "rates"`). Registered on the dev
 * server at start (dev-server.ts), on a cluster by the cluster script and
 * deploy/temporal/create-namespace.sh; where they are not registered Rapport runs without them
 * (main/steps/temporal.ts checks at start and warns).
 */
export const ALERT_STATUS_ATTRIBUTE = defineSearchAttributeKey('RapportStatus', 'KEYWORD');
export const ALERT_TOPIC_ATTRIBUTE = defineSearchAttributeKey('RapportTopic', 'KEYWORD');
export const ALERT_REQUESTER_ATTRIBUTE = defineSearchAttributeKey('RapportRequester', 'KEYWORD');

/** Names and types as the `temporal` CLI takes them (`--search-attribute RapportStatus=Keyword`). */
export const ALERT_SEARCH_ATTRIBUTES = [ALERT_STATUS_ATTRIBUTE, ALERT_TOPIC_ATTRIBUTE, ALERT_REQUESTER_ATTRIBUTE].map(
  (key) => ({ name: key.name, cliType: 'Keyword' as const }),
);

/** The patch id the alert workflow upserts its status behind (old histories replay without it). */
export const SEARCH_ATTRIBUTES_PATCH = 'alert-search-attributes';
