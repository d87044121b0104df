import { openDb } from '../../store/db.js';
import { createDeliveryStore } from '../../store/deliveries.js';

/** Where the send thread's own ledger connection goes: the worker's PostgreSQL database and schema. */
export interface SendThreadLedgerOptions {
  url: string;
  schema?: string;
}

/** The ledger writes the SMTP send thread makes itself (see LedgerRow in channels/adapter.ts). */
export interface SendThreadLedger {
  /** The send gate's claim (pending -> sending) of a message waiting at its end on a connection. */
  claim(alertId: string, contactId: string): Promise<boolean>;
  /** The claimed row's outcome when the server accepted the message: written with the next claim. */
  recordSent(alertId: string, contactId: string, messageId: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the send thread's connection to the delivery ledger. The statements are the store's own
 * (store/deliveries.ts: claimToSend and recordOutcome, group-committed): the same rows change the
 * same way as when the composing thread writes them, one round trip per claim group, each
 * connection's previous outcome riding with its next claim. Two connections at most: one
 * statement is in flight at a time, the second is there for a reconnect.
 */
export async function openSendThreadLedger(options: SendThreadLedgerOptions): Promise<SendThreadLedger> {
  const db = await openDb({ databaseUrl: options.url, schema: options.schema, maxConnections: 2 });
  const deliveries = createDeliveryStore(db);
  return {
    claim: (alertId, contactId) => deliveries.claimToSend(alertId, contactId),
    recordSent: (alertId, contactId, messageId) =>
      deliveries.recordOutcome(alertId, { contactId, status: 'sent', channel: 'email', messageId }),
    close: () => db.close(),
  };
}
