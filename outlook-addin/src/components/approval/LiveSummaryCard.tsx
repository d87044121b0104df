import { Caption1, Link, Text } from '@fluentui/react-components';
import type { LiveSummaryView } from '../../types.js';
import { useApprovalStyles } from './styles.js';

const percent = (rate: number | null) => (rate === null ? '–' : `${Math.round(rate * 100)}%`);

/**
 * The person's alerts in flight, above the approval request: waiting for a decision, sending (sent
 * of total), done today with the response rate; each alert and the whole linked to the dashboard.
 * Props in, markup out: the approval view loads it (GET /api/addin/summary) and refreshes it.
 */
export function LiveSummaryCard({ summary }: { summary: LiveSummaryView }) {
  const styles = useApprovalStyles();
  const { pendingApproval: pending, sending, doneToday: done } = summary;
  return (
    <div className={styles.section} data-testid="live-summary">
      <Text weight="semibold">Your alerts right now</Text>
      <Caption1 data-testid="live-summary-counts">
        {`${pending.count} pending approval${pending.forYou > 0 ? ` (${pending.forYou} for you)` : ''} · ` +
          `${sending.count} sending · ` +
          `${done.count} done today, ${done.sent} sent, ${percent(done.responseRate)} responded`}
      </Caption1>
      {sending.alerts.length > 0 && (
        <ul className={styles.list} data-testid="live-summary-sending">
          {sending.alerts.map((a) => (
            <li key={a.id}>
              <Caption1>
                <Link href={a.dashboardUrl} target="_blank" rel="noreferrer">
                  {a.title}
                </Link>
                {` — ${a.sent} of ${a.total} sent`}
              </Caption1>
            </li>
          ))}
        </ul>
      )}
      <Caption1>
        <Link href={summary.dashboardUrl} target="_blank" rel="noreferrer" data-testid="live-summary-dashboard">
          Open the dashboard
        </Link>
      </Caption1>
    </div>
  );
}
