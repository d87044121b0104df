import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { DomainError } from '../../domain/errors.js';
import { parseAlertSubmission, readAlertMetadata } from '../blocks/alert-request-modal.js';
import { problemMessage } from '../blocks/messages.js';
import type { SlackDeps } from '../deps.js';
import { handOff, tellUser, userEmail } from '../helpers.js';

/**
 * The alert modal was submitted: check it (errors beside the fields), close it, then hand it to
 * the same intake as POST /api/alerts (requester = the Slack user's verified email). The
 * requester's preview with the audience summary follows once the audience is resolved.
 * The same view submitted twice is one alert.
 */
export function alertSubmitted(deps: SlackDeps) {
  const submitted = new Map<string, number>();
  return async ({ ack, body, view, client }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => {
    const parsed = parseAlertSubmission(view.state?.values);
    if (!parsed.ok) {
      await ack({ response_action: 'errors', errors: parsed.errors });
      return;
    }
    await ack();
    if (submitted.has(view.id)) return;
    if (submitted.size > 1000) submitted.clear();
    submitted.set(view.id, Date.now());
    const alerts = deps.alerts;
    const face = deps.alertFace;
    if (!alerts || !face) return;
    const target = { userId: body.user.id, channelId: readAlertMetadata(view.private_metadata).channelId };
    handOff(deps, 'alert submission', async () => {
      try {
        const requester = await userEmail(client, body.user.id);
        if (!requester) {
          await tellUser(
            client,
            deps.logger,
            target,
            problemMessage(
              'Your alert was not requested: Rapport cannot see your email address in Slack.',
              'Ask an admin to give the app the users:read.email scope.',
            ),
          );
          return;
        }
        const alert = await alerts.intake.submit({ ...parsed.draft, requester: requester.toLowerCase() });
        await face.follow(alert.id, { slackUser: body.user.id, email: alert.requester, version: alert.version });
      } catch (error) {
        submitted.delete(view.id);
        if (!(error instanceof DomainError)) throw error;
        await tellUser(client, deps.logger, target, problemMessage(`Your alert was not requested: ${error.message}`));
      }
    });
  };
}
