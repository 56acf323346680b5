import { pb } from '../../protocol';
import type { GroupStore } from './group-store';

/** A member's new card (alias) in a group, as a transient CARD notice tells it. */
export interface MemberCardChange {
  readonly groupId: string;
  readonly userId: string;
  /** '' when the member cleared it. */
  readonly card: string;
}

/**
 * A transient entry (seq 0) that is a CARD notice: the member's card goes into the cached member
 * list, and the change is returned for the page; anything else is left alone (undefined). Nothing
 * is stored as a notice: a new alias is no line in the chat.
 */
export function applyCardNotice(groups: GroupStore, entry: pb.Entry): MemberCardChange | undefined {
  if (entry.item.case !== 'notice' || entry.item.value.kind !== pb.NoticeKind.CARD) return undefined;
  const { groupId, targets, text } = entry.item.value;
  const userId = targets[0];
  if (groupId === '' || userId === undefined || userId === '') return undefined;
  if (groups.getMember(groupId, userId)) groups.patchMember(groupId, userId, { card: text });
  return { groupId, userId, card: text };
}
