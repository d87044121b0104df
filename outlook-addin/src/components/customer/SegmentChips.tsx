import { Caption1, Text } from '@fluentui/react-components';
import type { CustomerContextView } from '../../types.js';
import { segmentsText } from '../format.js';
import { useCustomerStyles } from './styles.js';

/** Value tier, last purchase and relationship length, one chip each. */
export function SegmentChips({ segments }: { segments: CustomerContextView['segments'] }) {
  const styles = useCustomerStyles();
  const words = segmentsText(segments);
  const chips = [
    { label: 'Value', value: words.tier, title: segments.valueTier.reason },
    { label: 'Last purchase', value: words.lastPurchase },
    { label: 'Relationship', value: words.relationship },
  ];
  return (
    <div className={styles.chips} data-testid="segments">
      {chips.map(({ label, value, title }) => (
        <div key={label} className={styles.chip} title={title}>
          <Caption1 className={styles.muted}>{label}</Caption1>
          <Text weight="semibold">{value}</Text>
        </div>
      ))}
    </div>
  );
}
