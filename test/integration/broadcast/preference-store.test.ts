/**
 * The preference centre's cache (migration 17) on the store the run uses: PGlite, or PostgreSQL
 * with DATABASE_URL. What the audience and the digests read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_PREFERENCES, type ContactPreferences } from '../../../domain/preferences.js';
import type { Db } from '../../../store/db.js';
import { createPreferenceStore } from '../../../store/preferences.js';
import { testDb } from '../../../testkit/db.js';

let db: Db;
beforeAll(async () => {
  db = await testDb();
});
afterAll(async () => {
  await db?.close();
});

const prefs = (over: Partial<ContactPreferences>): ContactPreferences => ({ ...EMPTY_PREFERENCES, ...over });

describe('the preference store', () => {
  it('saves, reads back, and says whether a save changed anything', async () => {
    const store = createPreferenceStore(db);
    const p = prefs({
      topics: { rates: { enabled: true, channel: 'sms', delivery: 'daily' } },
      quietHours: { start: '22:00', end: '07:00' },
    });
    expect(await store.save('101', p)).toEqual({ changed: true });
    expect(await store.save('101', p)).toEqual({ changed: false });
    expect((await store.get('101'))?.preferences).toEqual(p);
    expect(await store.get('999')).toBeNull();
  });

  it('reads many contacts at once (only those with terms) and answers delivery modes per topic for digests', async () => {
    const store = createPreferenceStore(db);
    await store.save('201', prefs({ topics: { rates: { enabled: true, channel: null, delivery: 'daily' } } }));
    await store.save('202', prefs({ topics: { rates: { enabled: true, channel: null, delivery: 'weekly' } } }));
    await store.save('203', prefs({ topics: { rates: { enabled: false, channel: null, delivery: 'daily' } } }));
    await store.save(
      '204',
      prefs({ unsubscribedAll: true, topics: { rates: { enabled: true, channel: null, delivery: 'daily' } } }),
    );
    const many = await store.forContacts(['201', '202', '203', '205']);
    expect([...many.keys()].sort()).toEqual(['201', '202', '203']);
    expect(Object.fromEntries(await store.deliveryModes('Rates', ['201', '202', '203', '205']))).toEqual({
      '201': 'daily',
      '202': 'weekly',
      '203': 'immediate',
      '205': 'immediate',
    });
    // 101 (the first test) is daily for rates too; 203 turned it off, 204 unsubscribed from everything.
    expect(await store.contactsInMode('rates', 'daily')).toEqual(['101', '201']);
    expect(await store.contactsInMode('rates', 'weekly')).toEqual(['202']);
  });

  it('revokes links: only ever later, and a contact without terms gets a row with none', async () => {
    const store = createPreferenceStore(db);
    const later = new Date('2026-12-02T00:00:00Z');
    await store.revokeLinks('301', later);
    await store.revokeLinks('301', new Date('2026-12-01T00:00:00Z'));
    const row = await store.get('301');
    expect(row?.linksRevokedBefore).toBe(later.toISOString());
    expect(row?.preferences).toEqual(EMPTY_PREFERENCES);
    // Saving terms keeps the revocation.
    await store.save('301', prefs({ timeZone: 'Europe/Paris' }));
    expect((await store.get('301'))?.linksRevokedBefore).toBe(later.toISOString());
  });
});
