import {
  CAP_WINDOWS,
  DELIVERY_MODES,
  DELIVERY_MODE_LABELS,
  FORM_FIELDS,
  type PreferenceChange,
} from '../domain/preferences.js';
import { describeSchedule } from '../domain/topics.js';
import { CHANNEL_LABELS } from '../domain/vocabulary/index.js';
import type { PreferenceView } from '../services/preferences.js';
import { esc } from './pages.js';

/**
 * The preference centre's one style sheet: mobile first (one column, large touch targets), AA
 * contrast (text #1f2933 and #4b5563 on white, white on #1d4ed8), a visible focus ring. Its hash is
 * the only style the page's Content-Security-Policy allows (server/middleware/security-headers.ts).
 */
export const PREFERENCES_CSS = `*{box-sizing:border-box}body{font-family:Arial,Helvetica,sans-serif;margin:0;padding:16px;color:#1f2933;line-height:1.5;background:#fff}
main{max-width:640px;margin:0 auto}h1{font-size:24px;margin:8px 0 12px}h2{font-size:18px;margin:0}
fieldset{border:1px solid #9ca3af;border-radius:6px;padding:12px;margin:0 0 16px}legend{font-weight:bold;padding:0 4px}
fieldset fieldset{border:0;padding:0;margin:8px 0}fieldset fieldset legend{font-weight:normal;padding:0}
label{display:block;margin:8px 0 4px}.choice{display:inline-flex;align-items:center;gap:6px;margin:4px 16px 4px 0;min-height:44px}
select,input[type=time]{font-size:16px;padding:8px;min-height:44px;width:100%;max-width:100%;border:1px solid #6b7280;border-radius:4px;background:#fff;color:#1f2933}
input[type=radio],input[type=checkbox]{width:22px;height:22px;margin:0}
.pair{display:flex;gap:12px}.pair>div{flex:1}
button{font-size:16px;padding:12px 20px;min-height:44px;border-radius:6px;border:2px solid #1d4ed8;background:#1d4ed8;color:#fff;cursor:pointer;width:100%}
button.secondary{background:#fff;color:#1d4ed8}
:focus-visible{outline:3px solid #b45309;outline-offset:2px}
.muted{color:#4b5563;font-size:14px;margin:4px 0}.status{border-left:4px solid #15803d;background:#f0fdf4;padding:8px 12px;margin:0 0 16px}
.error{border-left:4px solid #b91c1c;background:#fef2f2;padding:8px 12px;margin:0 0 16px}
@media (min-width:600px){button{width:auto}}`;

export interface PreferencePageState {
  token: string;
  /** After a save: what changed (empty: nothing did). */
  saved?: { changes: PreferenceChange[]; notes: string[] };
  /** A refused form: the field and why. */
  error?: { field: string; message: string };
}

let zones: string[] | undefined;
/** Every IANA zone the runtime knows, once per process. */
function timeZones(): string[] {
  zones ??= Intl.supportedValuesOf('timeZone');
  return zones;
}

const option = (value: string, label: string, selected: boolean) =>
  `<option value="${esc(value)}"${selected ? ' selected' : ''}>${esc(label)}</option>`;

/** An id usable in `for` / `id` and fragment links: topic ids are already [a-z0-9_-]. */
const fieldId = (name: string) => `f-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;

function topicFieldset(view: PreferenceView, t: PreferenceView['topics'][number]): string {
  const id = t.topic.id;
  const enabled = FORM_FIELDS.topicEnabled(id);
  const channel = FORM_FIELDS.topicChannel(id);
  const delivery = FORM_FIELDS.topicDelivery(id);
  const channelOptions = [
    option('default', 'My usual channel', t.channel === null),
    ...view.channels.map((c) => option(c, CHANNEL_LABELS[c], t.channel === c)),
  ].join('');
  const deliveryOptions = DELIVERY_MODES.map((m) => option(m, DELIVERY_MODE_LABELS[m], t.delivery === m)).join('');
  const schedule = describeSchedule(t.topic.schedule);
  return `<fieldset>
<legend>${esc(t.topic.name)}</legend>
${t.topic.description ? `<p class="muted">${esc(t.topic.description)}</p>` : ''}<p class="muted">Sent ${esc(schedule)}.</p>
<fieldset><legend>Receive ${esc(t.topic.name)}?</legend>
<label class="choice"><input type="radio" id="${fieldId(`${enabled}-on`)}" name="${esc(enabled)}" value="on"${t.enabled ? ' checked' : ''}> Yes</label>
<label class="choice"><input type="radio" id="${fieldId(`${enabled}-off`)}" name="${esc(enabled)}" value="off"${t.enabled ? '' : ' checked'}> No</label>
</fieldset>
<label for="${fieldId(channel)}">Channel</label>
<select id="${fieldId(channel)}" name="${esc(channel)}">${channelOptions}</select>
<label for="${fieldId(delivery)}">Delivery</label>
<select id="${fieldId(delivery)}" name="${esc(delivery)}" aria-describedby="${fieldId(delivery)}-hint">${deliveryOptions}</select>
<p class="muted" id="${fieldId(delivery)}-hint">A digest lists every ${esc(t.topic.name)} alert since the last one, at the announced time.</p>
</fieldset>`;
}

/** The page's body: the form with the contact's current choices, every value escaped. */
export function preferencePageBody(view: PreferenceView, state: PreferencePageState): string {
  const p = view.preferences;
  const hello = view.firstName ? `Hello ${esc(view.firstName)}. ` : '';
  const status = state.saved
    ? `<div class="status" role="status"><h2>${state.saved.changes.length === 0 ? 'Nothing changed' : 'Saved'}</h2>${
        state.saved.changes.length > 0
          ? `<ul>${state.saved.changes.map((c) => `<li>${esc(c.text)}</li>`).join('')}</ul>`
          : '<p>Your preferences were already these.</p>'
      }${state.saved.notes.map((n) => `<p>${esc(n)}</p>`).join('')}</div>`
    : '';
  const error = state.error
    ? `<div class="error" role="alert"><h2>Please check one field</h2><p><a href="#${fieldId(state.error.field)}">${esc(state.error.field)}</a> ${esc(state.error.message)}.</p><p>Nothing was saved; the form shows your current choices.</p></div>`
    : '';
  const zoneOptions = [
    option('', `From our records (${view.crmTimeZone ?? 'not set'})`, p.timeZone === null),
    ...timeZones().map((z) => option(z, z, p.timeZone === z)),
  ].join('');
  const capOptions = [
    option('', 'No limit of my own', p.frequencyCap === null),
    ...[1, 2, 3, 4, 5, 7, 10, 15, 20].map((n) => option(String(n), String(n), p.frequencyCap?.maxPerWindow === n)),
  ].join('');
  const windowOptions = CAP_WINDOWS.map((w) =>
    option(String(w.hours), w.label, (p.frequencyCap?.windowHours ?? 168) === w.hours),
  ).join('');
  const token = `<input type="hidden" name="token" value="${esc(state.token)}">`;
  return `<main>
<h1>Your preferences</h1>
<p>${hello}Choose what we send you, how and when. Changes apply to the next alert.</p>
${status}${error}${view.emailOptedOut ? '<p class="muted">You opted out of all email with us, so we do not offer email.</p>' : ''}
<form method="post" action="/p">
${token}
${view.topics.map((t) => topicFieldset(view, t)).join('\n')}
<fieldset>
<legend>When</legend>
<label for="${fieldId(FORM_FIELDS.timeZone)}">Time zone</label>
<select id="${fieldId(FORM_FIELDS.timeZone)}" name="${FORM_FIELDS.timeZone}">${zoneOptions}</select>
<p class="muted" id="quiet-hint">Quiet hours: nothing reaches you between these times (ours apply too).</p>
<div class="pair"><div><label for="${fieldId(FORM_FIELDS.quietStart)}">Quiet from</label>
<input type="time" id="${fieldId(FORM_FIELDS.quietStart)}" name="${FORM_FIELDS.quietStart}" value="${esc(p.quietHours?.start ?? '')}" aria-describedby="quiet-hint"></div>
<div><label for="${fieldId(FORM_FIELDS.quietEnd)}">Quiet until</label>
<input type="time" id="${fieldId(FORM_FIELDS.quietEnd)}" name="${FORM_FIELDS.quietEnd}" value="${esc(p.quietHours?.end ?? '')}" aria-describedby="quiet-hint"></div></div>
</fieldset>
<fieldset>
<legend>How many</legend>
<div class="pair"><div><label for="${fieldId(FORM_FIELDS.capMax)}">At most this many alerts</label>
<select id="${fieldId(FORM_FIELDS.capMax)}" name="${FORM_FIELDS.capMax}">${capOptions}</select></div>
<div><label for="${fieldId(FORM_FIELDS.capWindow)}">Per</label>
<select id="${fieldId(FORM_FIELDS.capWindow)}" name="${FORM_FIELDS.capWindow}">${windowOptions}</select></div></div>
<p class="muted">Our own limit applies too: the stricter one wins.</p>
</fieldset>
<fieldset>
<legend>Everything</legend>
<label class="choice"><input type="checkbox" id="${fieldId(FORM_FIELDS.unsubscribeAll)}" name="${FORM_FIELDS.unsubscribeAll}" value="on"${p.unsubscribedAll ? ' checked' : ''}> Unsubscribe from everything</label>
</fieldset>
<button type="submit" name="action" value="save">Save my preferences</button>
</form>
<form method="post" action="/p">
${token}
<p class="muted">Forwarded this page by mistake? Stop every link to it; the next alert brings a new one.</p>
<button type="submit" class="secondary" name="action" value="revoke">Stop my preference links</button>
</form>
</main>`;
}

/** A whole page with the preference centre's own style sheet (no scripts, nothing third-party). */
export function preferencePage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${esc(title)}</title>
<style>${PREFERENCES_CSS}</style>
</head><body>
${body}
</body></html>`;
}

/** The page for a link that does not work, in the customer's words. */
export function preferenceLinkProblemPage(problem: 'forged' | 'expired' | 'revoked' | 'unknown-contact'): string {
  const text =
    problem === 'expired'
      ? 'This link has expired. The next alert we send you carries a fresh one.'
      : problem === 'revoked'
        ? 'This link was stopped. The next alert we send you carries a new one.'
        : 'This link is not valid or no longer works.';
  return preferencePage('Link not valid', `<main><h1>Link not valid</h1><p>${esc(text)}</p></main>`);
}
