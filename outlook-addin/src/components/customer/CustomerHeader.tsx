import { Caption1, MessageBar, MessageBarBody, Persona } from '@fluentui/react-components';
import type { CustomerContextView } from '../../types.js';
import { fullName } from '../format.js';
import { useCustomerStyles } from './styles.js';

/** Who wrote: the contact, their company and account owner, and a marketing opt-out. */
export function CustomerHeader({
  contact,
  company,
  owner,
}: Pick<CustomerContextView, 'contact' | 'company' | 'owner'>) {
  const styles = useCustomerStyles();
  const secondary = [contact.jobtitle, company?.name].filter(Boolean).join(' · ');
  return (
    <>
      <Persona
        name={fullName(contact)}
        secondaryText={secondary || undefined}
        tertiaryText={contact.email ?? undefined}
        size="large"
        avatar={{ color: 'colorful' }}
        data-testid="customer-name"
      />
      {owner && (
        <Caption1 className={styles.muted} data-testid="customer-owner">
          {`Account owner: ${fullName(owner)}`}
        </Caption1>
      )}
      {contact.hs_email_optout === 'true' && (
        <MessageBar intent="warning">
          <MessageBarBody>Opted out of marketing email.</MessageBarBody>
        </MessageBar>
      )}
    </>
  );
}
