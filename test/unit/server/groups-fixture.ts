import type { MessageInitShape } from '@bufbuild/protobuf';
import { type pb } from '../../../protocol';
import { bodyOf, syncAll, type ChatFixture } from './chat-fixture';

export type GroupOpInit = MessageInitShape<typeof pb.GroupRequestSchema>['op'];

/** Runs one GROUP operation as `user` and returns its result. */
export async function group(f: ChatFixture, user: string, op: GroupOpInit): Promise<pb.GroupResult['result']> {
  return bodyOf(await f.call(user, 'GROUP', { op }), 'GROUP_RESULT').result;
}

/** The notices in a user's inbox, oldest first. */
export async function notices(f: ChatFixture, user: string): Promise<pb.Notice[]> {
  return (await syncAll(f, user)).filter((e) => e.item.case === 'notice').map((e) => e.item.value as pb.Notice);
}

export async function memberIds(f: ChatFixture, user: string, groupId: string): Promise<string[]> {
  const result = await group(f, user, { case: 'members', value: { groupId, limit: 200 } });
  if (result.case !== 'members') throw new Error('no member page');
  return result.value.members.map((m) => m.userId);
}
