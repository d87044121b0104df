export * from './types.js';
export { dedupeAudience, normalizeEmail, compareCrmIds } from './dedupe.js';
export {
  addressFor,
  isValidEmail,
  isSlackUserId,
  toE164,
  isOptedOutOfEmail,
  isUnsubscribedFromAll,
  hasSmsConsent,
  type AddressProblem,
  type ChannelAddress,
} from './addresses.js';
export { chooseChannel, candidateChannels, preferredChannel, type ChannelChoice } from './channel-choice.js';
export {
  capSchema,
  frequencyCapSchema,
  recentSendSchema,
  inFlightAlertSchema,
  contactHistorySchema,
  checkFrequencyCap,
  overCapAtSend,
  normalizeTopic,
  type Cap,
  type FrequencyCap,
  type RecentSend,
  type InFlightAlert,
  type ContactHistory,
  type CapVerdict,
  type CountedAtSend,
} from './frequency-cap.js';
export { quietHoursDeferrals, quietHoursEnd, quietHoursSchema, type QuietHours } from './quiet-hours.js';
export { canonicalTimeZone, parseContactTimeZone, zonedTimeToInstant, type WallTime } from './time-zone.js';
export {
  contactPolicySchema,
  policyContextSchema,
  applyContactPolicy,
  type ContactPolicy,
  type ContactPolicyInput,
  type PolicyContext,
  type PolicyContextInput,
} from './policy.js';
export { summarizeAudience, unconfiguredNote, withSuppressedAtSend, type AudienceSummary } from './summary.js';
export { parseAudienceInput } from './parse.js';
export {
  parseSubscriptionMap,
  subscriptionForTopic,
  subscriptionRefusal,
  type SubscriptionTarget,
  type EmailSubscriptionStatus,
  type SubscriptionMap,
} from './subscriptions.js';
