import type { AlertEmailInput } from '../../../../channels/email/index.js';

export const SENDER = {
  from: 'Rapport Alerts <alerts@bank.example>',
  replyDomain: 'reply.bank.example',
  publicUrl: 'https://rapport.bank.example/',
};

export function alertInput(
  overrides: {
    alert?: Partial<AlertEmailInput['alert']>;
    recipient?: Partial<AlertEmailInput['recipient']>;
    tokens?: Partial<AlertEmailInput['tokens']>;
  } = {},
): AlertEmailInput {
  return {
    sender: SENDER,
    alert: {
      id: '01JALERT0000000000000000AA',
      title: 'Rate alert: 10y yields up 20bp',
      body: 'Yields moved **today**.',
      ...overrides.alert,
    },
    recipient: { contactId: '90210', email: 'joe.smith@customer.example', name: 'Joe Smith', ...overrides.recipient },
    tokens: {
      response: 'resp-token.sig1',
      unsubscribe: 'unsub-token.sig2',
      reply: 'reply-token.sig3',
      ...overrides.tokens,
    },
  };
}
