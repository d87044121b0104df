/**
 * The bound the cluster tests hold unconfirmed rows to: sends in flight at once per dispatch
 * batch (measured on the real dispatch code) times the batches a workflow runs in parallel. Since
 * a row is claimed only once its email is on an SMTP connection the real count stays well under it.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { buildAlertEmail } from '../../../channels/email/alert-email.js';
import type { EmailSender } from '../../../channels/email/sender.js';
import { loadEnv } from '../../../config/env.js';
import type { CrmPort } from '../../../crm/port.js';
import { alertRequestSchema } from '../../../domain/broadcast/alert-request.js';
import { createBroadcastServices } from '../../../services/broadcast-services.js';
import { createAlertStore } from '../../../store/alerts.js';
import { createBroadcastActivities } from '../../../workflows/broadcast/activities.js';
import type { BroadcastInput } from '../../../workflows/broadcast/shared.js';
import { testDb } from '../../../testkit/db.js';
import { emailDelivery } from '../broadcast/support.js';

/**
 * Sends in flight at once within one dispatch batch of `batchSize` rows, measured on the real
 * dispatchBatch activity (as createBroadcastActivities builds it from this environment) with a
 * stand-in mail sender that holds every send for a moment and counts how many overlap. Each
 * send is one row claimed ('sending'), so this is the most rows one batch can leave 'sending'.
 */
export async function measureSendLanes(envVars: Record<string, string>, batchSize: number): Promise<number> {
  const env = loadEnv(envVars);
  const db = await testDb();
  let inFlight = 0;
  let most = 0;
  const sender = { from: env.MAIL_FROM, replyDomain: env.REPLY_DOMAIN, publicUrl: 'https://rapport.bank.example' };
  const mail = {
    target: 'lane counter',
    compose: (input) => buildAlertEmail({ ...input, sender }),
    async send(message) {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 25));
      inFlight -= 1;
      return { accepted: true, messageId: String(message.messageId), response: '250 ok', permanent: false };
    },
    verify: async () => true as const,
    close: () => undefined,
  } satisfies EmailSender;
  try {
    const services = createBroadcastServices(env, {
      db,
      crm: {} as CrmPort, // dispatch never calls the CRM
      smtpUrl: 'smtp://127.0.0.1:9',
      secret: env.RAPPORT_SECRET ?? 'lane-counter-secret-0123456789abcdef',
      publicUrl: sender.publicUrl,
    });
    services.mail.close();
    const activities = createBroadcastActivities({ ...services, mail });
    const alert = await createAlertStore(db).insert('alr_01jlanecounter000000000000', {
      ...alertRequestSchema.parse({ requester: 'a@bank.example', title: 'T', body: 'B', topic: 'rates', lists: ['1'] }),
      channels: ['email' as const],
    });
    await services.deliveries.replaceAudience(
      alert.id,
      Array.from({ length: batchSize }, (_, i) =>
        emailDelivery(String(1000 + i), `lane${i}@customer.example`, `lanetoken${String(i).padStart(6, '0')}`),
      ),
      [],
    );
    await new MockActivityEnvironment().run(activities.dispatchBatch, alert.id, 0, batchSize);
    return most;
  } finally {
    await db.close();
  }
}

/** The dispatch settings the broadcast workflow really runs with: its start input, read back from Temporal. */
export async function workflowInput(client: Client, workflowId: string): Promise<BroadcastInput> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!payload) throw new Error(`no start input in the history of ${workflowId}`);
  return defaultPayloadConverter.fromPayload<BroadcastInput>(payload);
}
