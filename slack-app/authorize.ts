import type { Authorize, AuthorizeResult, webApi } from '@slack/bolt';

/**
 * Bolt's authorization for one bot token, with the bot's identity (auth.test) asked once.
 *
 * Given `token` with `tokenVerificationEnabled: false`, Bolt calls auth.test again for every
 * incoming request, before any listener runs, so before ack(): a Web API round trip (and a
 * rate-limited method) on the path Slack times at 3 s. Here auth.test runs on the first request
 * (a Slack hiccup at start-up does not stop Rapport), its answer is kept, and a failed attempt
 * is forgotten so the next request asks again.
 */
export function botAuthorization(token: string, client: webApi.WebClient): Authorize<boolean> {
  let identity: Promise<Pick<AuthorizeResult, 'botId' | 'botUserId'>> | undefined;
  const ask = () =>
    client.auth.test({ token }).then(
      (res) => ({ botId: res.bot_id, botUserId: res.user_id }),
      (error: unknown) => {
        identity = undefined;
        throw error;
      },
    );
  return async () => {
    identity ??= ask();
    return { botToken: token, ...(await identity) };
  };
}
