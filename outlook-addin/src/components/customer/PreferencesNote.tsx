import { Caption1, Text } from '@fluentui/react-components';
import { useCustomerStyles } from './styles.js';

/** What the customer set in the preference centre, so the rep does not offer what they turned off. */
export function PreferencesNote({ lines }: { lines: string[] }) {
  const styles = useCustomerStyles();
  return (
    <div data-testid="customer-preferences">
      <Caption1 className={styles.muted}>Their preferences</Caption1>
      <ul style={{ margin: 0, paddingLeft: 16 }}>
        {lines.map((line) => (
          <li key={line}>
            <Text size={200}>{line}</Text>
          </li>
        ))}
      </ul>
    </div>
  );
}
