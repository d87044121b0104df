import type { Attempt, ChannelAdapter, ChannelAlert, ChannelRecipient, SendHooks, TokenSigner } from '../adapter.js';
import type { EmailSender } from './sender.js';

/**
 * Alert emails as a channel adapter: compose (deterministic Message-ID, one-click unsubscribe,
 * per-recipient Reply-To and VERP bounce address) and send through the pooled sender. The same
 * work per message as before adapters existed: the dispatch benchmark measures this path.
 * beforeSend runs when the pool hands the message to an SMTP connection (SendOptions.onConnection),
 * or the sender claims hooks.ledgerRow itself there (the send thread with its own ledger connection).
 */
export function createEmailChannel(mail: EmailSender): ChannelAdapter {
  return {
    channel: 'email',
    callsBeforeSend: true,
    async send(
      alert: ChannelAlert,
      recipient: ChannelRecipient,
      sign: TokenSigner,
      hooks?: SendHooks,
    ): Promise<Attempt> {
      const message = mail.compose({
        alert: { id: alert.id, title: alert.title, body: alert.body },
        recipient: {
          contactId: recipient.contactId,
          email: recipient.address,
          firstName: recipient.firstName,
          ...(recipient.preferencesUrl ? { preferencesUrl: recipient.preferencesUrl } : {}),
        },
        tokens: {
          response: sign('response'),
          unsubscribe: sign('unsubscribe'),
          reply: sign('reply'),
          bounce: sign('bounce'),
        },
      });
      // Throws EmailSendError when nothing certain happened (temporary, config, outcome unknown, withdrawn).
      const result = await mail.send(
        message,
        hooks && { onConnection: hooks.beforeSend, signal: hooks.signal, ledgerRow: hooks.ledgerRow },
      );
      if (result.accepted)
        return {
          status: 'sent',
          channel: 'email',
          messageId: message.messageId,
          ...(result.recorded ? { recorded: true } : {}),
        };
      return {
        status: result.permanent ? 'bounced' : 'failed',
        channel: 'email',
        messageId: message.messageId,
        error: result.response || 'rejected',
      };
    },
  };
}

const byMail = new WeakMap<EmailSender, ChannelAdapter>();

/** The email adapter of a sender, made once: for callers that hand dispatch a sender and no adapters. */
export function emailChannelOf(mail: EmailSender): ChannelAdapter {
  let adapter = byMail.get(mail);
  if (!adapter) byMail.set(mail, (adapter = createEmailChannel(mail)));
  return adapter;
}
