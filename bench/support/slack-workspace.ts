/** The bench's Slack app and workspace: what Rapport is configured with, and who sends the traffic. */
export const SIGNING_SECRET = 'bench-signing-secret-0123456789abcdef';
export const BOT_TOKEN = 'xoxb-bench-0000-rapport';

/** Twenty reps the Web API stand-in knows; requests go out in their names, in turn. */
export const USERS = Array.from({ length: 20 }, (_, i) => ({
  id: `U0BENCH${String(i).padStart(2, '0')}`,
  name: `rep${i}`,
  email: `rep${i}@rapport.example`,
}));
