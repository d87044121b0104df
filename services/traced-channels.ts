import type { ChannelAdapter, ChannelAdapters } from '../channels/adapter.js';
import type { EmailSender } from '../channels/email/sender.js';
import type { Tracing } from '../lib/tracing.js';

/**
 * Client spans around what leaves for a channel: each SMTP send (`smtp.send`) and each Slack DM or
 * text (`slack.chat.postMessage` via the Slack adapter, `sms.send`), children of the dispatch
 * activity's span. Decorators over the ports, so the adapters stay as they are; off, the ports are
 * returned untouched. Attributes: channel and outcome, never an address or the message.
 */
export function traceEmailSender(mail: EmailSender, tracing: Tracing): EmailSender {
  if (!tracing.on) return mail;
  const traced: EmailSender = Object.create(mail) as EmailSender;
  return Object.assign(traced, {
    send: (message: Parameters<EmailSender['send']>[0], options?: Parameters<EmailSender['send']>[1]) =>
      tracing.span('smtp.send', { 'rapport.channel': 'email' }, async (annotate) => {
        const result = await mail.send(message, options);
        annotate({
          'rapport.send.accepted': result.accepted,
          'rapport.send.permanent': result.permanent,
          ...(result.responseCode !== undefined ? { 'rapport.smtp.response_code': result.responseCode } : {}),
        });
        return result;
      }),
    // The rest (target, and whatever a sender adds) is read through the prototype; these keep their own `this`.
    compose: (input: Parameters<EmailSender['compose']>[0]) => mail.compose(input),
    verify: () => mail.verify(),
    close: () => mail.close(),
  });
}

const SPAN_NAMES: Record<string, string> = { slack: 'slack.chat.postMessage', sms: 'sms.send', email: 'email.send' };

export function traceChannel(adapter: ChannelAdapter, tracing: Tracing): ChannelAdapter {
  if (!tracing.on) return adapter;
  return {
    channel: adapter.channel,
    ...(adapter.callsBeforeSend !== undefined ? { callsBeforeSend: adapter.callsBeforeSend } : {}),
    send: (alert, recipient, sign, hooks) =>
      tracing.span(
        SPAN_NAMES[adapter.channel] ?? `${adapter.channel}.send`,
        { 'rapport.channel': adapter.channel },
        async (annotate) => {
          const attempt = await adapter.send(alert, recipient, sign, hooks);
          annotate({ 'rapport.send.outcome': attempt.status });
          return attempt;
        },
      ),
  };
}

export function traceChannels<T extends Partial<ChannelAdapters>>(adapters: T, tracing: Tracing): T {
  if (!tracing.on) return adapters;
  const out: Partial<ChannelAdapters> = {};
  for (const [channel, adapter] of Object.entries(adapters) as [keyof ChannelAdapters, ChannelAdapter | undefined][])
    if (adapter) out[channel] = traceChannel(adapter, tracing);
  return out as T;
}
