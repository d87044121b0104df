import { describe, expect, it } from 'vitest';
import { toContact } from '../../../../crm/hubspot/mapping.js';
import { DEFAULT_PROPERTY_MAP, propertyTranslator, resolvePropertyMap } from '../../../../crm/hubspot/property-map.js';
import { CONTACT_PROPERTIES } from '../../../../crm/hubspot/schema.js';
import { propertyMapFromEnv } from '../../../../main/crm-schema.js';
import { envSchema } from '../../../../config/env.js';

const record = (properties: Record<string, string | null>) => ({
  id: '101',
  properties,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
});

describe('contact property mapping', () => {
  it("defaults to HubSpot's own properties where they exist, rapport_* where none does", () => {
    expect(DEFAULT_PROPERTY_MAP).toEqual({
      revenue: 'total_revenue',
      lastPurchase: 'recent_deal_close_date',
      customerSince: 'hs_lifecyclestage_customer_date',
      preferredChannel: 'rapport_preferred_channel',
      slackUserId: 'rapport_slack_user_id',
      timeZone: 'hs_timezone',
      emailOptOut: 'hs_email_optout',
      smsConsent: 'rapport_sms_consent',
    });
  });

  it('asks HubSpot for the configured names instead of the names Rapport reads', () => {
    const t = propertyTranslator(resolvePropertyMap({ revenue: 'lifetime_value', timeZone: '  ' }));
    const asked = t.readNames(CONTACT_PROPERTIES);
    expect(asked).toContain('lifetime_value');
    expect(asked).toContain('hs_timezone');
    expect(asked).toContain('recent_deal_close_date');
    expect(asked).not.toContain('rapport_total_revenue');
    expect(asked).not.toContain('rapport_last_purchase_date');
    expect(asked).toContain('email');
  });

  it("hands a mapped value on under Rapport's name, and ignores a stray value under Rapport's own name", () => {
    const t = propertyTranslator(resolvePropertyMap({ revenue: 'lifetime_value' }));
    const contact = toContact(
      record({
        email: 'a@example.com',
        lifetime_value: '120000',
        rapport_total_revenue: '5',
        recent_deal_close_date: '2026-11-30T00:00:00.000Z',
        hs_timezone: 'europe_slash_berlin',
      }),
      t,
    );
    expect(contact.properties.rapport_total_revenue).toBe('120000');
    expect(contact.properties.rapport_last_purchase_date).toBe('2026-11-30T00:00:00.000Z');
    expect(contact.properties.hs_timezone).toBe('europe_slash_berlin');
    expect(contact.email).toBe('a@example.com');
  });

  it('a fact the portal has no value for reads as absent, not as a stale default', () => {
    const contact = toContact(record({ email: 'a@example.com' }), propertyTranslator(DEFAULT_PROPERTY_MAP));
    expect(contact.properties.rapport_total_revenue).toBeUndefined();
  });

  it('writes under the configured names', () => {
    const t = propertyTranslator(resolvePropertyMap({ preferredChannel: 'contact_channel' }));
    expect(t.toHubSpot({ rapport_preferred_channel: 'sms', rapport_answer_x: 'yes' })).toEqual({
      contact_channel: 'sms',
      rapport_answer_x: 'yes',
    });
  });

  it('reads the map from the environment, refusing a name HubSpot could not have', () => {
    const env = envSchema.parse({ HUBSPOT_PROPERTY_REVENUE: 'amount_paid', HUBSPOT_PROPERTY_SLACK_USER_ID: '' });
    expect(propertyMapFromEnv(env)).toEqual({ ...DEFAULT_PROPERTY_MAP, revenue: 'amount_paid' });
    const bad = envSchema.safeParse({ HUBSPOT_PROPERTY_TIME_ZONE: 'Time Zone' });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toContain('HUBSPOT_PROPERTY_TIME_ZONE');
  });
});
