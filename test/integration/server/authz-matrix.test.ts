import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, pb } from '../../../protocol';
import { openChatWorld, type ChatWorld, type Session } from './chat-fixture';

/**
 * Who may do what in a group: every group operation and sending, tried by a non-member, a
 * member, an admin and the owner of a fresh group each time. 'ok' means the server accepts it.
 */
type Role = 'nonMember' | 'member' | 'admin' | 'owner';
type Outcome = 'ok' | number;

interface Setup {
  readonly groupId: string;
  /** A request id or message id prepared for the case. */
  readonly ref: bigint;
}

interface Case {
  readonly name: string;
  readonly mode?: pb.GroupMode;
  prepare?(groupId: string): Promise<bigint>;
  run(as: Session, setup: Setup): Promise<unknown>;
  readonly outcomes: Record<Role, Outcome>;
}

const { NOT_GROUP_MEMBER: NGM, NOT_GROUP_ADMIN: NGA, NOT_GROUP_OWNER: NGO } = ErrorCode;
const managers = (nonMember: Outcome, member: Outcome): Record<Role, Outcome> => ({ nonMember, member, admin: 'ok', owner: 'ok' });
const anyMember: Record<Role, Outcome> = { nonMember: NGM, member: 'ok', admin: 'ok', owner: 'ok' };
const ownerOnly: Record<Role, Outcome> = { nonMember: NGM, member: NGO, admin: NGO, owner: 'ok' };

let world: ChatWorld;
const sessions = {} as Record<Role | 'target' | 'applicant', Session>;
let counter = 0;

const cases: Case[] = [
  { name: 'send a message', run: (s, g) => s.text(g.groupId, 'hello', ++counter), outcomes: anyMember },
  { name: 'read group info (private group)', run: (s, g) => s.group({ case: 'info', value: { groupId: g.groupId } }), outcomes: anyMember },
  { name: 'list members', run: (s, g) => s.group({ case: 'members', value: { groupId: g.groupId } }), outcomes: anyMember },
  { name: 'set do-not-disturb', run: (s, g) => s.group({ case: 'setDnd', value: { groupId: g.groupId, on: true } }), outcomes: anyMember },
  { name: 'modify the group', run: (s, g) => s.group({ case: 'modify', value: { groupId: g.groupId, name: 'new name' } }), outcomes: managers(NGM, NGA) },
  { name: 'dismiss the group', run: (s, g) => s.group({ case: 'dismiss', value: { groupId: g.groupId } }), outcomes: ownerOnly },
  {
    name: 'invite into a private group',
    run: (s, g) => s.group({ case: 'invite', value: { groupId: g.groupId, users: ['invitee01'] } }),
    outcomes: managers(NGM, NGA),
  },
  {
    name: 'invite into a public group',
    mode: pb.GroupMode.PUBLIC,
    run: (s, g) => s.group({ case: 'invite', value: { groupId: g.groupId, users: ['invitee01'] } }),
    outcomes: anyMember,
  },
  { name: 'kick a member', run: (s, g) => s.group({ case: 'kick', value: { groupId: g.groupId, users: ['target01'] } }), outcomes: managers(NGM, NGA) },
  { name: 'mute a member', run: (s, g) => s.group({ case: 'mute', value: { groupId: g.groupId, user: 'target01', seconds: 60 } }), outcomes: managers(NGM, NGA) },
  {
    name: 'set a member’s card',
    run: (s, g) => s.group({ case: 'setCard', value: { groupId: g.groupId, user: 'target01', card: 'new card' } }),
    outcomes: managers(NGM, NGA),
  },
  {
    name: 'make a member admin',
    run: (s, g) => s.group({ case: 'setRole', value: { groupId: g.groupId, user: 'target01', role: pb.GroupRole.ADMIN } }),
    outcomes: ownerOnly,
  },
  { name: 'transfer ownership', run: (s, g) => s.group({ case: 'transfer', value: { groupId: g.groupId, user: 'target01' } }), outcomes: ownerOnly },
  {
    name: 'quit',
    run: (s, g) => s.group({ case: 'quit', value: { groupId: g.groupId } }),
    outcomes: { nonMember: NGM, member: 'ok', admin: 'ok', owner: ErrorCode.OWNER_CANNOT_QUIT },
  },
  ...(['approve', 'reject'] as const).map(
    (decision): Case => ({
      name: `${decision} an application`,
      mode: pb.GroupMode.APPROVAL,
      prepare: async (groupId) => {
        const result = await sessions.applicant.group({ case: 'apply', value: { groupId } });
        return (result.value as pb.Pending).requestId;
      },
      run: (s, g) => s.group({ case: decision, value: { groupId: g.groupId, requestId: g.ref } }),
      outcomes: managers(NGM, NGA),
    }),
  ),
  {
    name: 'join a public group',
    mode: pb.GroupMode.PUBLIC,
    run: (s, g) => s.group({ case: 'join', value: { groupId: g.groupId } }),
    outcomes: { nonMember: 'ok', member: ErrorCode.ALREADY_IN_GROUP, admin: ErrorCode.ALREADY_IN_GROUP, owner: ErrorCode.ALREADY_IN_GROUP },
  },
  {
    name: 'apply to an approval group',
    mode: pb.GroupMode.APPROVAL,
    run: (s, g) => s.group({ case: 'apply', value: { groupId: g.groupId } }),
    outcomes: { nonMember: 'ok', member: ErrorCode.ALREADY_IN_GROUP, admin: ErrorCode.ALREADY_IN_GROUP, owner: ErrorCode.ALREADY_IN_GROUP },
  },
  {
    name: 'revoke another member’s message',
    prepare: async (groupId) => (await sessions.target.text(groupId, 'to revoke', ++counter)).msgId,
    run: (s, g) => s.client.ask('REVOKE', { msgId: g.ref }, 'OK'),
    outcomes: managers(ErrorCode.NOT_ALLOWED, ErrorCode.NOT_ALLOWED),
  },
  {
    // as a kick: an admin acts on plain members only
    name: 'revoke another admin’s message',
    prepare: async (groupId) => {
      await sessions.owner.group({ case: 'setRole', value: { groupId, user: 'target01', role: pb.GroupRole.ADMIN } });
      return (await sessions.target.text(groupId, 'an admin’s word', ++counter)).msgId;
    },
    run: (s, g) => s.client.ask('REVOKE', { msgId: g.ref }, 'OK'),
    outcomes: { nonMember: ErrorCode.NOT_ALLOWED, member: ErrorCode.NOT_ALLOWED, admin: NGO, owner: 'ok' },
  },
  {
    name: 'revoke the owner’s message',
    prepare: async (groupId) => (await sessions.owner.text(groupId, 'the owner’s word', ++counter)).msgId,
    run: (s, g) => s.client.ask('REVOKE', { msgId: g.ref }, 'OK'),
    outcomes: { nonMember: ErrorCode.NOT_ALLOWED, member: ErrorCode.NOT_ALLOWED, admin: NGO, owner: 'ok' },
  },
  {
    name: 'revoke the message of a member since kicked',
    prepare: async (groupId) => {
      const sent = await sessions.target.text(groupId, 'before the kick', ++counter);
      await sessions.owner.group({ case: 'kick', value: { groupId, users: ['target01'] } });
      return sent.msgId;
    },
    run: (s, g) => s.client.ask('REVOKE', { msgId: g.ref }, 'OK'),
    outcomes: managers(ErrorCode.NOT_ALLOWED, ErrorCode.NOT_ALLOWED),
  },
  {
    name: 'ask who read another member’s message',
    prepare: async (groupId) => (await sessions.target.text(groupId, 'who read me', ++counter)).msgId,
    run: (s, g) => s.client.ask('READERS_QUERY', { msgId: g.ref }, 'READERS'),
    outcomes: managers(NGM, NGA),
  },
  {
    name: 'accept an invite meant for someone else',
    prepare: async (groupId) => {
      await sessions.owner.group({ case: 'modify', value: { groupId, inviteConfirm: true } });
      const result = await sessions.owner.group({ case: 'invite', value: { groupId, users: ['invitee01'] } });
      return (result.value as pb.Pending).requestId;
    },
    run: (s, g) => s.group({ case: 'acceptInvite', value: { groupId: g.groupId, requestId: g.ref } }),
    outcomes: { nonMember: ErrorCode.REQUEST_NOT_FOUND, member: ErrorCode.REQUEST_NOT_FOUND, admin: ErrorCode.REQUEST_NOT_FOUND, owner: ErrorCode.REQUEST_NOT_FOUND },
  },
  {
    name: 'search groups',
    run: (s) => s.group({ case: 'search', value: { keyword: 'matrix' } }),
    outcomes: { nonMember: 'ok', member: 'ok', admin: 'ok', owner: 'ok' },
  },
  {
    name: 'create a group',
    run: (s) => s.group({ case: 'create', value: { name: 'another' } }),
    outcomes: { nonMember: 'ok', member: 'ok', admin: 'ok', owner: 'ok' },
  },
];

async function freshGroup(mode: pb.GroupMode): Promise<string> {
  const created = await sessions.owner.group({
    case: 'create',
    value: { name: 'matrix', mode, members: ['admin01', 'member01', 'target01'] },
  });
  const groupId = (created.value as pb.GroupInfo).groupId;
  await sessions.owner.group({ case: 'setRole', value: { groupId, user: 'admin01', role: pb.GroupRole.ADMIN } });
  return groupId;
}

beforeAll(async () => {
  world = await openChatWorld({ tuning: { requestsPerSecond: 100_000, requestBurst: 100_000 } });
  sessions.owner = await world.login('owner01');
  sessions.admin = await world.login('admin01');
  sessions.member = await world.login('member01');
  sessions.nonMember = await world.login('outsider01');
  sessions.target = await world.login('target01');
  sessions.applicant = await world.login('applicant01');
});
afterAll(async () => {
  await world.close();
});

const rows = cases.flatMap((c) => (Object.keys(c.outcomes) as Role[]).map((role) => ({ c, role, outcome: c.outcomes[role] })));

describe('authorization matrix', () => {
  it.each(rows.map((r) => [r.c.name, r.role, r.outcome === 'ok' ? 'ok' : `refused ${r.outcome}`, r] as const))(
    '%s as %s: %s',
    async (_name, _role, _label, { c, role, outcome }) => {
      const groupId = await freshGroup(c.mode ?? pb.GroupMode.PRIVATE);
      const ref = c.prepare === undefined ? 0n : await c.prepare(groupId);
      const attempt = c.run(sessions[role], { groupId, ref });
      if (outcome === 'ok') await expect(attempt).resolves.toBeDefined();
      else await expect(attempt).rejects.toMatchObject({ code: outcome });
    },
  );
});
