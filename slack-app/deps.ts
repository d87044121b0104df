import type { Logger } from 'pino';
import type { ContactDirectory } from '../crm/contact-directory.js';
import type { CrmPort } from '../crm/port.js';
import type { Question } from '../domain/questions.js';
import type { CustomerContext } from '../server/customer-context.js';
import type { TouchIntake } from '../server/touch-intake.js';
import type { RecentTouches } from './home-data.js';

/** What the Slack face needs from the rest of Rapport; the same things the HTTP API uses. */
export interface SlackDeps {
  intake: Pick<TouchIntake, 'submit'>;
  context: CustomerContext;
  contacts: Pick<ContactDirectory, 'byId' | 'byEmail'>;
  crm: Pick<CrmPort, 'searchContacts' | 'getContacts'>;
  questions: Question[];
  recentTouches: RecentTouches;
  /** Link to a contact in the CRM, when one can be built. */
  crmContactUrl: (contactId: string) => string | undefined;
  logger: Logger;
  /** How long the customer picker waits for CRM search before answering with no options. */
  searchTimeoutMs?: number;
}
