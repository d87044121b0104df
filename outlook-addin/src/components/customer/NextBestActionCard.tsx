import { Caption1, Card, CardHeader, Subtitle2, Text } from '@fluentui/react-components';
import type { CustomerContextView } from '../../types.js';
import { useCustomerStyles } from './styles.js';

/** The suggested next step and the reason behind it, worded for the rep to reuse. */
export function NextBestActionCard({ action }: { action: NonNullable<CustomerContextView['nextBestAction']> }) {
  const styles = useCustomerStyles();
  return (
    <Card data-testid="next-best-action" appearance="filled-alternative">
      <CardHeader header={<Subtitle2>Next best action</Subtitle2>} />
      <Text weight="semibold">{action.action}</Text>
      <Caption1 className={styles.muted}>Why — in words you can use:</Caption1>
      <Text className={styles.reason}>{action.reason}</Text>
    </Card>
  );
}
