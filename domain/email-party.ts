/** One side of an email, as a CRM timeline names it. */
export interface EmailParty {
  email: string;
  firstName?: string | null;
  lastName?: string | null;
}

/** `Name <address>` (as MAIL_FROM is written) or a bare address; the display name split at its first space. */
export function partyFrom(mailbox: string): EmailParty {
  const m = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(mailbox);
  if (!m) return { email: mailbox.trim() };
  const [firstName, ...rest] = m[1]!.trim().split(/\s+/);
  return {
    email: m[2]!.trim(),
    ...(firstName ? { firstName } : {}),
    ...(rest.length ? { lastName: rest.join(' ') } : {}),
  };
}
