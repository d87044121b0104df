import { validateMessage, validateView } from './validate.js';
import { fail } from './web-api.js';

/** Slack's refusal of a view it would not show (view_too_large, invalid_arguments), if any. */
export function checkView(view: unknown): Record<string, unknown> | undefined {
  const { problems, tooLarge } = validateView(view);
  if (tooLarge) return fail('view_too_large');
  if (problems.length) return fail('invalid_arguments', problems);
  return undefined;
}

/** Slack's refusal of a message it would not post (no_text, msg_too_long, invalid_blocks), if any. */
export function checkMessage(args: Record<string, unknown>, maxText: number) {
  if (args.text === undefined && args.blocks === undefined && args.attachments === undefined) return fail('no_text');
  const { problems, textTooLong } = validateMessage(args, maxText);
  if (textTooLong) return fail('msg_too_long');
  if (problems.length) return fail('invalid_blocks', problems);
  return undefined;
}
