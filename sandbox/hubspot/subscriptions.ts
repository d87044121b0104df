/**
 * The sandbox's communication preferences (HubSpot's email subscriptions): subscription type
 * definitions, each address's status per type, and "opted out of all email". Kept by address, as
 * HubSpot keeps them, whether or not a contact has the address.
 */

export interface SubscriptionDefinition {
  id: string;
  name: string;
  description: string;
  purpose: string;
  communicationMethod: string;
  isActive: boolean;
  isDefault: boolean;
  isInternal: boolean;
  businessUnitId: number;
  createdAt: string;
  updatedAt: string;
}

export type TypeStatus = 'SUBSCRIBED' | 'UNSUBSCRIBED';

export interface StatusEntry {
  status: TypeStatus;
  source: string;
  legalBasis: string | null;
  legalBasisExplanation: string | null;
  timestamp: string;
}

export interface SerializedSubscriptions {
  definitions: SubscriptionDefinition[];
  statuses: [string, [string, StatusEntry][]][];
  optedOutOfAll: [string, string][];
}

/** A portal's usual types; ids in HubSpot's style (numbers, sent as strings by v3, numbers by v4). */
function defaultDefinitions(at: string): SubscriptionDefinition[] {
  const def = (id: string, name: string, description: string, purpose: string, isDefault = false) => ({
    id,
    name,
    description,
    purpose,
    communicationMethod: 'Email',
    isActive: true,
    isDefault,
    isInternal: false,
    businessUnitId: 0,
    createdAt: at,
    updatedAt: at,
  });
  return [
    def('1001', 'Marketing Information', 'Marketing offers and updates.', 'Marketing', true),
    def('1002', 'Customer Service Communication', 'Feedback requests and service updates.', 'Customer Service'),
    def('1003', 'One to One', 'One to one emails from the sales team.', 'Sales'),
    def('1004', 'Account Alerts', 'Alerts about rates, products and your account.', 'Customer Service'),
  ];
}

export class SubscriptionBook {
  definitions: SubscriptionDefinition[];
  /** Lower-case address -> subscription id -> its explicit status (absent: NOT_SPECIFIED). */
  statuses = new Map<string, Map<string, StatusEntry>>();
  /** Lower-case address -> when it opted out of all email. */
  optedOutOfAll = new Map<string, string>();
  /**
   * Whether the token may use the v4 batch endpoints (Marketing Hub Enterprise's
   * communication_preferences.statuses.batch.read/write). A switch tests set; not persisted.
   */
  batchApi = true;

  constructor(at = new Date().toISOString()) {
    this.definitions = defaultDefinitions(at);
  }

  definition(id: string | number): SubscriptionDefinition | undefined {
    return this.definitions.find((d) => d.id === String(id));
  }

  entries(email: string): Map<string, StatusEntry> {
    const key = email.toLowerCase();
    let m = this.statuses.get(key);
    if (!m) this.statuses.set(key, (m = new Map()));
    return m;
  }

  toJSON(): SerializedSubscriptions {
    return {
      definitions: this.definitions,
      statuses: [...this.statuses].map(([email, m]) => [email, [...m]]),
      optedOutOfAll: [...this.optedOutOfAll],
    };
  }

  static fromJSON(data: SerializedSubscriptions | undefined): SubscriptionBook {
    const book = new SubscriptionBook();
    if (!data) return book;
    book.definitions = data.definitions;
    book.statuses = new Map(data.statuses.map(([email, entries]) => [email, new Map(entries)]));
    book.optedOutOfAll = new Map(data.optedOutOfAll);
    return book;
  }
}
