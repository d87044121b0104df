import { ApplicationFailure } from '@temporalio/activity';
import type { AlertRow, AlertStore } from '../../../store/alerts.js';

/** The alert an activity works on; one gone from the store is gone for good, so no retry. */
export function alertLoader(alerts: Pick<AlertStore, 'get'>) {
  return async function loadAlert(alertId: string): Promise<AlertRow> {
    const alert = await alerts.get(alertId);
    if (!alert) throw ApplicationFailure.nonRetryable(`alert ${alertId} is not in the store`, 'ALERT_MISSING');
    return alert;
  };
}
