import { createRecord } from '../records.js';
import type { CrmRecord, SandboxState } from '../state.js';
import type { Clock } from './clock.js';
import type { Random } from './prng.js';
import { CALL_TITLES, EMAIL_SUBJECTS, MEETING_TITLES, NOTE_TEMPLATES } from './vocabulary.js';

/** A past engagement on the contact's timeline, associated with the contact and its company. */
export function seedEngagement(
  state: SandboxState,
  rng: Random,
  clock: Clock,
  contact: CrmRecord,
  kind: 'notes' | 'calls' | 'emails' | 'meetings',
  daysAgo: number,
) {
  const timestamp = clock.at(daysAgo, rng.int(8 * 60, 17 * 60));
  const owner = contact.properties.hubspot_owner_id!;
  const text = rng.pick(NOTE_TEMPLATES);
  const props: Record<string, Record<string, string>> = {
    notes: { hs_note_body: text },
    calls: {
      hs_call_title: rng.pick(CALL_TITLES),
      hs_call_body: text,
      hs_call_direction: 'OUTBOUND',
      hs_call_status: 'COMPLETED',
      hs_call_duration: String(rng.int(3, 40) * 60_000),
    },
    emails: {
      hs_email_subject: rng.pick(EMAIL_SUBJECTS),
      hs_email_text: text,
      hs_email_direction: 'EMAIL',
      hs_email_status: 'SENT',
    },
    meetings: {
      hs_meeting_title: rng.pick(MEETING_TITLES),
      hs_meeting_body: text,
      hs_meeting_start_time: timestamp,
      hs_meeting_end_time: new Date(Date.parse(timestamp) + 3_600_000).toISOString(),
      hs_meeting_outcome: 'COMPLETED',
    },
  };
  const toContact = { notes: 202, calls: 194, emails: 198, meetings: 200 }[kind];
  const toCompany = { notes: 190, calls: 182, emails: 186, meetings: 188 }[kind];
  const associations: { toType: 'contacts' | 'companies'; toId: string; typeIds: number[] }[] = [
    { toType: 'contacts', toId: contact.id, typeIds: [toContact] },
  ];
  const companyId = contact.properties.associatedcompanyid;
  if (companyId) associations.push({ toType: 'companies', toId: companyId, typeIds: [toCompany] });
  createRecord(
    state,
    kind,
    { ...props[kind], hs_timestamp: timestamp, hubspot_owner_id: owner, hs_createdate: timestamp },
    associations,
    timestamp,
  );
}

/** An open to-do for the contact's owner, due in a week. */
export function seedTask(state: SandboxState, clock: Clock, contact: CrmRecord, subject: string) {
  createRecord(
    state,
    'tasks',
    {
      hs_task_subject: subject,
      hs_task_body: `Follow up with ${contact.properties.firstname}.`,
      hs_task_status: 'NOT_STARTED',
      hs_task_priority: 'MEDIUM',
      hs_task_type: 'TODO',
      hs_timestamp: clock.at(-7),
      hubspot_owner_id: contact.properties.hubspot_owner_id!,
      hs_createdate: clock.at(1),
    },
    [{ toType: 'contacts', toId: contact.id, typeIds: [204] }],
    clock.at(1),
  );
}
