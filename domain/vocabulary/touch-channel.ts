import { z } from 'zod';

/** How a relationship manager was in touch with a customer. */
export const TOUCH_CHANNELS = ['call', 'email', 'meeting', 'chat', 'visit', 'other'] as const;
export const touchChannelSchema = z.enum(TOUCH_CHANNELS, {
  message: `channel must be one of ${TOUCH_CHANNELS.join(', ')}`,
});
export type TouchChannel = z.infer<typeof touchChannelSchema>;

export const TOUCH_CHANNEL_LABELS: Readonly<Record<TouchChannel, string>> = {
  call: 'Call',
  email: 'Email',
  meeting: 'Meeting',
  chat: 'Chat',
  visit: 'Visit',
  other: 'Other',
};

const touchChannels: ReadonlySet<string> = new Set(TOUCH_CHANNELS);
/** For values from outside the type system: form fields, view state. */
export const isTouchChannel = (value: string): value is TouchChannel => touchChannels.has(value);
