import { z } from 'zod';

/** One header line, one subject: CR, LF and every other control or line-separator character becomes a space. */
export function oneLine(value: string): string {
  return (
    value
      // eslint-disable-next-line no-control-regex -- removing control characters is the point
      .replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g, ' ')
      .replace(/\s{2,}/g, ' ')
      .trim()
  );
}

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
/** Printable ASCII without spaces: safe raw in a header, encodable into a Message-ID. */
const ID = /^[\x21-\x7e]{1,128}$/;
/** URL-safe (RFC 3986 unreserved) and a valid dot-atom, so it also works in an address local part. */
const TOKEN = /^[A-Za-z0-9_~-]+(?:\.[A-Za-z0-9_~-]+)*$/;
/** RFC 5321 caps a local part at 64 octets. */
const LOCAL_PART_MAX = 64;
export const REPLY_PREFIX = 'reply+';
export const UNSUBSCRIBE_PREFIX = 'unsubscribe+';
export const BOUNCE_PREFIX = 'bounce+';

const hostname = z
  .string()
  .trim()
  .toLowerCase()
  .regex(HOSTNAME, { message: 'expected a domain name such as reply.example.com' });
const id = z.string().regex(ID, { message: 'expected 1-128 printable ASCII characters without spaces' });
const token = (prefix: string) =>
  z
    .string()
    .regex(TOKEN, { message: 'expected a URL-safe token (letters, digits, - _ ~ and single dots)' })
    .max(LOCAL_PART_MAX - prefix.length, {
      message: `must be at most ${LOCAL_PART_MAX - prefix.length} characters so ${prefix}<token>@domain stays within RFC 5321's 64-character local part`,
    });
const responseToken = z
  .string()
  .regex(TOKEN, { message: 'expected a URL-safe token (letters, digits, - _ ~ and single dots)' })
  .max(256);
const displayName = z.string().max(200).transform(oneLine);
const address = z.email({ message: 'expected an email address' }).max(254);

/** `"Name" <addr>` or a bare address, or {name, address}: always handed to nodemailer as an object so it encodes the name. */
const mailbox = z.union([
  z.object({ name: displayName.optional(), address }),
  z
    .string()
    .transform(oneLine)
    .transform((value, ctx) => {
      const match = /^(?:"?([^"<>]*?)"?\s*<([^<>\s]+)>|([^<>\s]+))$/.exec(value);
      const parsed = address.safeParse(match?.[2] ?? match?.[3]);
      if (!parsed.success) {
        ctx.addIssue({ code: 'custom', message: 'expected "Name <address>" or an address' });
        return z.NEVER;
      }
      const name = match?.[1]?.trim();
      return name ? { name, address: parsed.data } : { address: parsed.data };
    }),
]);

const publicUrl = z
  .url({ protocol: /^https?$/, message: 'expected an http(s) URL' })
  .transform((value) => new URL(value))
  .refine((url) => !url.search && !url.hash && !url.username && !url.password, {
    message: 'expected a base URL without query, fragment or credentials',
  })
  .transform((url) => url.href.replace(/\/+$/, ''));

export const senderSettingsSchema = z.object({
  from: mailbox,
  /** Domain of the per-recipient reply (and unsubscribe, bounce) addresses; the inbound mail handler owns it. */
  replyDomain: hostname,
  /** Base of the response and unsubscribe links, e.g. https://rapport.example.com */
  publicUrl,
  /** Right-hand side of Message-IDs; defaults to the From address's domain (aligned with DKIM). */
  messageIdDomain: hostname.optional(),
});

export const alertEmailInputSchema = z.object({
  sender: senderSettingsSchema,
  alert: z.object({
    id,
    title: z
      .string()
      .transform(oneLine)
      .pipe(z.string().min(1, { message: 'the title is empty' }))
      .transform((title) => (title.length > 200 ? `${title.slice(0, 199)}…` : title)),
    body: z.string().max(20_000),
  }),
  recipient: z.object({
    contactId: id,
    email: address,
    name: displayName.optional(),
    /** Greets the recipient by name ("Hello Joe,"); unset or unusable: no greeting. */
    firstName: z.string().max(200).nullable().optional(),
    /** The contact's preference centre (signed per contact); unset: the footer has no such link. */
    preferencesUrl: z
      .url({ protocol: /^https?$/ })
      .max(500)
      .optional(),
  }),
  /** Signed elsewhere; used verbatim in links and addresses. */
  tokens: z.object({
    /** `{publicUrl}/r/{response}?a=...` action links. */
    response: responseToken,
    /** `{publicUrl}/u/{unsubscribe}` (RFC 8058 one-click) and `unsubscribe+{token}@{replyDomain}`. */
    unsubscribe: token(UNSUBSCRIBE_PREFIX),
    /** `Reply-To: reply+{reply}@{replyDomain}`. */
    reply: token(REPLY_PREFIX),
    /** Optional VERP return path `bounce+{bounce}@{replyDomain}`, so a bounce names its recipient. */
    bounce: token(BOUNCE_PREFIX).optional(),
  }),
});

export type SenderSettingsInput = z.input<typeof senderSettingsSchema>;
export type SenderSettings = z.output<typeof senderSettingsSchema>;
export type AlertEmailInput = z.input<typeof alertEmailInputSchema>;
export type ParsedAlertEmailInput = z.output<typeof alertEmailInputSchema>;
