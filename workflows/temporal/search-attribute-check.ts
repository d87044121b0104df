import type { Client } from '@temporalio/client';
import { ALERT_SEARCH_ATTRIBUTES } from '../search-attributes.js';

/**
 * Which of Rapport's search attributes the server lacks in the namespace ([] : all there). A start
 * with an unregistered attribute is refused by the server, so alerts start tagged only when this
 * is empty. Throws when the server does not say (an API key without operator rights, an outage).
 */
export async function missingSearchAttributes(client: Client, namespace: string): Promise<string[]> {
  const { customAttributes } = await client.connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(customAttributes ?? {}));
  return ALERT_SEARCH_ATTRIBUTES.map((a) => a.name).filter((name) => !known.has(name));
}
