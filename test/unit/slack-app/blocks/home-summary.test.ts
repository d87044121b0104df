import { describe, expect, it } from 'vitest';
import { liveSummary, SUMMARY_BASE } from '../../../fixtures/live-summary.js';
import { validateView } from '../../../../sandbox/slack/validate.js';
import { homeView } from '../../../../slack-app/blocks/home.js';
import { homeSummaryBlocks } from '../../../../slack-app/blocks/home-summary.js';
import { ACTIONS, HOME_BLOCKS } from '../../../../slack-app/ids.js';

const BASE = SUMMARY_BASE;
const summary = liveSummary;

const texts = (blocks: unknown) => JSON.stringify(blocks);

describe("App Home's live summary (slack-app/blocks/home-summary.ts)", () => {
  it('says what waits, what sends (sent of total) and what was done today with its response rate', () => {
    const blocks = homeSummaryBlocks(summary());
    const all = texts(blocks);
    expect(all).toContain('*2* pending approval (1 for you)');
    expect(all).toContain('*1* sending');
    expect(all).toContain('*3* done today · 1500 sent · 75 responses · 5% response rate');
    expect(all).toContain('412 of 2000 sent');
    expect(all).toContain('from bob@bank.example, waiting for you');
    expect(all).toContain('Branch closing');
    expect(all).toContain('waiting for an approver');
  });

  it('links each alert to its dashboard page and the button to the dashboard', () => {
    const blocks = homeSummaryBlocks(summary());
    const all = texts(blocks);
    expect(all).toContain(`<${BASE}/dashboard/alerts/alr_3|New app>`);
    expect(all).toContain(`<${BASE}/dashboard/alerts/alr_1|Rates rise Monday>`);
    const section = blocks.find((b) => b.type === 'section' && 'accessory' in b && b.accessory) as {
      accessory: { url: string; action_id: string };
    };
    expect(section.accessory).toMatchObject({ url: `${BASE}/dashboard`, action_id: ACTIONS.openDashboard });
  });

  it('shows a dash, not 0%, when nothing was sent today, and lists nothing when nothing is in flight', () => {
    const quiet = summary({
      pendingApproval: { count: 0, forYou: 0, alerts: [] },
      sending: { count: 0, alerts: [] },
      doneToday: { count: 0, sent: 0, responded: 0, responseRate: null },
    });
    const blocks = homeSummaryBlocks(quiet);
    expect(texts(blocks)).toContain('– response rate');
    expect(blocks).toHaveLength(2);
  });

  it('sits at the top of the Home, before the lists, and the Home stays a valid view', () => {
    const view = homeView({
      email: 'ana@bank.example',
      summary: summary(),
      touches: [],
      touchesTotal: 0,
      touchLimit: 5,
    });
    const ids = view.blocks.map((b) => b.block_id).filter(Boolean);
    expect(ids.indexOf(HOME_BLOCKS.summary)).toBeLessThan(ids.indexOf(HOME_BLOCKS.approvals));
    expect(validateView(view)).toEqual({ problems: [], tooLarge: false });
    // Without a summary (alerts off) the Home is as it was.
    const plain = homeView({ email: 'ana@bank.example', touches: [], touchesTotal: 0, touchLimit: 5 });
    expect(plain.blocks.some((b) => b.block_id === HOME_BLOCKS.summary)).toBe(false);
  });
});
