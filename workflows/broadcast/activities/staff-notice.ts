import { log } from '@temporalio/activity';
import type { EmailSender } from '../../../channels/email/sender.js';
import type { Notice } from '../notices.js';

/** The domain of the notices' message ids: the From address's. */
export const noticeDomain = (mailFrom: string) => mailFrom.match(/@([^>\s]+)/)?.[1] ?? 'rapport.local';

/**
 * A notice to a member of staff (approval request, answer to route, summary). Refused for good
 * (an approver's address mistyped in APPROVER_GROUPS, a rep who left): logged and skipped, so one
 * bad address neither stops the others' mail nor retries for ever. A temporary refusal throws.
 */
export async function sendStaffNotice(mail: EmailSender, from: string, n: Notice): Promise<boolean> {
  const result = await mail.send({
    from,
    to: n.to,
    subject: n.subject,
    html: n.html,
    text: n.text,
    messageId: n.messageId,
    headers: n.headers,
  });
  if (result.accepted) return true;
  if (!result.permanent) throw new Error(`notice to ${n.to} refused for now: ${result.response}`);
  log.warn('notice refused for good; skipped', { to: n.to, subject: n.subject, response: result.response });
  return false;
}
