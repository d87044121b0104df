import { z } from 'zod';

/** Channels an alert can go out on, in the order used when nothing else is configured. */
export const CHANNELS = ['email', 'slack', 'sms'] as const;
export const channelSchema = z.enum(CHANNELS, { message: `channel must be one of ${CHANNELS.join(', ')}` });
export type Channel = z.infer<typeof channelSchema>;

export const CHANNEL_LABELS: Readonly<Record<Channel, string>> = { email: 'Email', slack: 'Slack', sms: 'SMS' };

const channels: ReadonlySet<string> = new Set(CHANNELS);
/** For values from outside the type system: CRM properties, form fields. */
export const isChannel = (value: string): value is Channel => channels.has(value);
