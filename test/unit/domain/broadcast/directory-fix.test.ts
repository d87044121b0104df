import { describe, expect, it } from 'vitest';
import { assignmentNote, directoryFixAssignee, parseCrmTeamQueue } from '../../../../domain/broadcast/directory-fix.js';

describe('who fixes a bounced contact’s address', () => {
  it('is the account owner when the contact has one', () => {
    expect(directoryFixAssignee({ contactOwnerId: '7', queueOwnerId: '9', requesterOwnerId: '3' })).toEqual({
      ownerId: '7',
      via: 'owner',
    });
  });

  it('is the CRM team queue for a contact without an owner, else the requester', () => {
    expect(directoryFixAssignee({ contactOwnerId: null, queueOwnerId: '9', requesterOwnerId: '3' })).toEqual({
      ownerId: '9',
      via: 'crm-team',
    });
    expect(directoryFixAssignee({ contactOwnerId: null, queueOwnerId: null, requesterOwnerId: '3' })).toEqual({
      ownerId: '3',
      via: 'requester',
    });
  });

  it('is nobody only when none of them exists', () => {
    expect(directoryFixAssignee({ contactOwnerId: null, queueOwnerId: null, requesterOwnerId: null })).toBeNull();
  });

  it('says in the task why it went to someone other than the owner', () => {
    expect(assignmentNote('owner')).toBe('');
    expect(assignmentNote('crm-team')).toContain('no account owner');
    expect(assignmentNote('requester')).toContain('requester');
  });
});

describe('CRM_TEAM_QUEUE_OWNER', () => {
  it('takes an owner id or an owner email', () => {
    expect(parseCrmTeamQueue(undefined)).toBeUndefined();
    expect(parseCrmTeamQueue('  ')).toBeUndefined();
    expect(parseCrmTeamQueue('61000003')).toEqual({ ownerId: '61000003' });
    expect(parseCrmTeamQueue(' CRM-Team@Bank.example ')).toEqual({ email: 'crm-team@bank.example' });
  });

  it('refuses anything else', () => {
    expect(() => parseCrmTeamQueue('crm team')).toThrow(/owner id/);
  });
});
