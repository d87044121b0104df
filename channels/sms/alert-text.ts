import { greeting } from '../../domain/broadcast/greeting.js';
import { oneLine } from '../email/alert-email-input.js';

/**
 * 1,600 characters is the longest body a concatenated SMS carries at Twilio (10 segments of
 * 160 GSM-7 characters; non-GSM text such as emoji switches to UCS-2 and 67 per segment, which
 * costs more segments but is still accepted up to the same length). Carriers split and rejoin.
 */
export const SMS_MAX_CHARS = 1600;
/** A text is read on a lock screen: the title is the message, the page has the rest. */
const TITLE_MAX = 300;
export const SMS_OPT_OUT = 'Reply STOP to opt out';

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`);

/**
 * The text of one alert: its title, the link to the response page (the public URL with the
 * delivery's signed response token, like the email's action links) and the opt-out line the
 * carriers require. SMS is plain text, so nothing needs escaping; control characters and line
 * breaks in the title are flattened so it cannot push the link or the opt-out line around.
 */
export function buildAlertSms(input: {
  title: string;
  responseUrl: string;
  firstName?: string | null;
  /** The contact's preference centre; unset: the text carries no such link. */
  preferencesUrl?: string;
}): string {
  const prefs = input.preferencesUrl ? `\nPreferences: ${input.preferencesUrl}` : '';
  const tail = `\nAnswer: ${input.responseUrl}${prefs}\n${SMS_OPT_OUT}`;
  // The same greeting as the email and the DM, when the contact's name is known.
  const hello = greeting(input.firstName);
  const head = hello ? `${hello} ` : '';
  const room = Math.min(TITLE_MAX, SMS_MAX_CHARS - tail.length - head.length);
  const title = clip(oneLine(input.title) || 'New alert', Math.max(room, 1));
  return `${head}${title}${tail}`.slice(0, SMS_MAX_CHARS);
}
