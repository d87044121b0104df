/**
 * Every id Slack echoes back to us: slash commands, callback_id, action_id, block_id.
 * Listeners, view builders, the manifest test and the tests all import them from here,
 * so renaming one cannot silently disconnect a button from its listener. The answer buttons
 * on an alert DM'd to a customer are the Slack channel's: channels/slack/customer-response-ids.ts.
 */

export const COMMANDS = {
  touch: '/touch',
  customer: '/customer',
  /** Opens the alert request modal. */
  alert: '/alert',
} as const;

/** callback_id of shortcuts (manifest `features.shortcuts`). */
export const SHORTCUTS = {
  logMessageAsTouch: 'log_message_as_touch',
  logTouch: 'log_touch',
} as const;

/** callback_id of modals. */
export const VIEWS = {
  logTouch: 'touch_log',
  /** The alert request modal and the reason modal of Reject / Request changes. */
  requestAlert: 'alert_request',
  rejectAlert: 'alert_reject',
  /** The requester's revision after "Request changes": title and message prefilled. */
  reviseAlert: 'alert_revise',
} as const;

/** block_id of inputs in the log-a-touch modal; answers use `${questionPrefix}${questionId}`. */
export const TOUCH_BLOCKS = {
  customer: 'touch_customer',
  channel: 'touch_channel',
  when: 'touch_when',
  summary: 'touch_summary',
  outcome: 'touch_outcome',
  questionPrefix: 'touch_q_',
  questionsHint: 'touch_questions_hint',
  source: 'touch_source',
} as const;

export const ACTIONS = {
  /** external_select of the customer picker (options load by this action_id). */
  customerSelect: 'touch_customer_select',
  channelSelect: 'touch_channel_select',
  whenPicker: 'touch_when_picker',
  summaryInput: 'touch_summary_input',
  outcomeInput: 'touch_outcome_input',
  answerInput: 'touch_answer_input',
  /** Buttons on the context card and App Home. */
  openLogTouch: 'open_log_touch',
  openCrmContact: 'open_crm_contact',
  /** App Home's link button to the dashboard: acknowledged, nothing else (Slack opens the URL). */
  openDashboard: 'home_open_dashboard',
  homeRefresh: 'home_refresh',
  homeSeeMoreTouches: 'home_see_more_touches',
  /** Approval DM buttons, alert progress. */
  approveAlert: 'alert_approve',
  /** "Approve, send now": offered when the alert's topic allows urgent alerts. */
  approveAlertUrgent: 'alert_approve_urgent',
  rejectAlert: 'alert_reject',
  requestChanges: 'alert_request_changes',
  viewAlert: 'alert_view',
  /** On the requester's alert message: Revise (changes requested) and Cancel (with a confirm dialog). */
  reviseAlert: 'alert_revise_open',
  cancelAlert: 'alert_cancel',
  /** multi_external_select of CRM lists in the alert modal (options load by this action_id). */
  alertLists: 'alert_lists_select',
  /** On a customer-response DM: opens the log-a-touch modal prefilled. */
  logFollowUp: 'alert_log_follow_up',
} as const;

/** block_id of inputs in the alert request modal and the reason modal. */
export const ALERT_BLOCKS = {
  title: 'alert_title',
  message: 'alert_message',
  topic: 'alert_topic',
  lists: 'alert_lists',
  channels: 'alert_channels',
  replyTo: 'alert_reply_to',
  notBefore: 'alert_not_before',
  notAfter: 'alert_not_after',
  reason: 'alert_reason',
  decision: 'alert_decision',
  /** The requester's note to the approvers in the revision modal. */
  revisionComment: 'alert_revision_comment',
} as const;

export const HOME_BLOCKS = {
  summary: 'home_summary',
  approvals: 'home_approvals',
  alerts: 'home_alerts',
  touches: 'home_touches',
} as const;
