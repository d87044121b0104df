/**
 * What a text sent back to the alert number means. The opt-out and opt-in words are those the
 * carriers and Twilio act on (the whole message, any case); the provider answers them itself, so
 * Rapport only records an opt-out, as an unsubscribe. Anything else is a reply for the owner.
 */
export type SmsReplyKind = 'unsubscribe' | 'opt-in' | 'help' | 'reply';

const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT']);
const OPT_IN = new Set(['START', 'YES', 'UNSTOP']);
const HELP = new Set(['HELP', 'INFO']);

export function smsReplyKind(body: string): SmsReplyKind {
  const word = body
    .trim()
    .replace(/[.!]+$/, '')
    .toUpperCase();
  if (OPT_OUT.has(word)) return 'unsubscribe';
  if (OPT_IN.has(word)) return 'opt-in';
  if (HELP.has(word)) return 'help';
  return 'reply';
}
