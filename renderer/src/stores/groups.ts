/** My groups, their members, the search for public groups and the requests inbox. */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { ApiErrorCode, type ApiError, type GroupModeName, type GroupView, type MemberView, type NoticeView } from '../../../preload/api';
import { useBackend } from './backend';
import { useConversations } from './conversations';
import { useToasts } from './toasts';

export const MEMBER_PAGE = 200;

/**
 * Answers to approve, reject, accept or decline saying the request no longer waits: another admin
 * answered it, the group was dismissed, its user is already in. The entry goes; the core has
 * dropped it from the inbox too.
 */
const STALE_REQUEST_CODES: readonly number[] = [
  ApiErrorCode.REQUEST_NOT_FOUND, ApiErrorCode.GROUP_DISMISSED, ApiErrorCode.GROUP_NOT_FOUND, ApiErrorCode.ALREADY_IN_GROUP,
];

/** Notices that may end a waiting request: answered by id, its user admitted, the group gone. */
const ENDS_REQUESTS: ReadonlySet<string> = new Set(['approve', 'reject', 'join', 'invite', 'decline', 'dismiss']);

/** True when a notice may add or end a waiting request, so the inbox (and its badge) is read again. */
export function touchesRequests(notice: NoticeView): boolean {
  return notice.requestId !== undefined || ENDS_REQUESTS.has(notice.kind);
}

/** Owners and admins manage members and answer requests. */
export function canManage(group: GroupView | undefined): boolean {
  return group?.myRole === 'owner' || group?.myRole === 'admin';
}

export const useGroups = defineStore('groups', () => {
  const backend = useBackend();
  const byId = ref<Record<string, GroupView>>({});
  const members = ref<Record<string, MemberView[]>>({});
  const requests = ref<NoticeView[]>([]);
  const searchResults = ref<GroupView[]>([]);
  const selectedId = ref<string | null>(null);
  /** Groups I applied to from this page whose answer has not come yet ("Request sent"). */
  const applied = ref<Set<string>>(new Set());

  const mine = computed(() =>
    Object.values(byId.value)
      .filter((g) => g.myRole !== 'none' && !g.dismissed)
      .sort((a, b) => a.name.localeCompare(b.name)),
  );

  /** Each group's members' aliases (cards), by user: a group chat's bubbles name a member by it, as the member list does. */
  const cards = computed(() => {
    const out: Record<string, Map<string, string>> = {};
    for (const [groupId, list] of Object.entries(members.value)) out[groupId] = new Map(list.filter((m) => m.card !== '').map((m) => [m.userId, m.card]));
    return out;
  });

  /** A member's alias in the group, '' when they set none or the member list has not come. */
  function cardOf(groupId: string, userId: string): string {
    return cards.value[groupId]?.get(userId) ?? '';
  }

  function upsert(group: GroupView): void {
    byId.value = { ...byId.value, [group.groupId]: group };
  }

  async function loadMine(): Promise<void> {
    const list = await backend.run('groups.mine', {});
    if (!list) return;
    const next: Record<string, GroupView> = {};
    for (const g of list) next[g.groupId] = g;
    byId.value = next;
  }

  /** A dismissed group has no members: its card says so and its member list is empty, not the last one seen. */
  function markDismissed(groupId: string): void {
    const g = byId.value[groupId];
    if (g && (!g.dismissed || g.memberCount !== 0)) upsert({ ...g, dismissed: true, memberCount: 0 });
    if (members.value[groupId]?.length !== 0) members.value = { ...members.value, [groupId]: [] };
  }

  /**
   * Asks the server for the group; quiet for background refreshes, where a failure is no news. A
   * dismissed group is no error either: the card and the chat say so themselves.
   */
  async function refresh(groupId: string, quiet = false): Promise<GroupView | undefined> {
    const result = await backend.call('group.info', { groupId });
    if (!result.ok) {
      if (result.error.code === ApiErrorCode.GROUP_DISMISSED) markDismissed(groupId);
      else if (!quiet) useToasts().error(result.error);
      return undefined;
    }
    upsert(result.value);
    if (result.value.dismissed) markDismissed(groupId);
    return result.value;
  }

  /**
   * The group's members, page by page. A group known to be dismissed is not asked about (the server
   * would only answer GROUP_DISMISSED), and that answer for one not yet known is news, not an error.
   */
  /**
   * No longer in the group (left it, or removed while the answer was on its way): its members are
   * not one's to see any more, so the list held from before (oneself still in it) goes.
   */
  function markLeft(groupId: string): void {
    const g = byId.value[groupId];
    if (g && g.myRole !== 'none') upsert({ ...g, myRole: 'none' });
    if (members.value[groupId]?.length !== 0) members.value = { ...members.value, [groupId]: [] };
  }

  async function loadMembers(groupId: string, quiet = false): Promise<void> {
    if (byId.value[groupId]?.dismissed) return markDismissed(groupId);
    const all: MemberView[] = [];
    for (let offset = 0; ; offset += MEMBER_PAGE) {
      const result = await backend.call('group.members', { groupId, offset, limit: MEMBER_PAGE });
      if (!result.ok && result.error.code === ApiErrorCode.GROUP_DISMISSED) return markDismissed(groupId);
      if (!result.ok && result.error.code === ApiErrorCode.NOT_GROUP_MEMBER) return markLeft(groupId);
      if (!result.ok && !quiet) useToasts().error(result.error);
      if (!result.ok) return;
      const page = result.value;
      all.push(...page.members);
      if (page.members.length < MEMBER_PAGE || all.length >= page.total) break;
    }
    members.value = { ...members.value, [groupId]: all };
  }

  /**
   * A group notice changed the group (name, mode, members, roles, dismissal): the card, the list
   * and the chat header follow at once from the server's answer. Quiet, since a dismissed group or
   * one I just left answers with an error that says nothing new.
   */
  async function onNotice(notice: NoticeView, me?: string): Promise<void> {
    const { groupId } = notice;
    if (notice.kind === 'dismiss') {
      markDismissed(groupId);
      return;
    }
    const [group] = await Promise.all([refresh(groupId, true), members.value[groupId] ? loadMembers(groupId, true) : Promise.resolve()]);
    // told after the refresh: a page reloaded since applying knows the group only from its answer
    tellApplicant(notice, me, group?.name);
    // the chat list and header carry the group's name too
    const conversations = useConversations();
    const c = conversations.byId[groupId];
    if (group && c && c.title !== group.name) conversations.upsert({ ...c, title: group.name });
  }

  /**
   * My application was answered: I am told, with the reason given
   * for a refusal; Find groups offers applying again after a refusal, and an approval lands me
   * in the group (its card and chat come with the notice).
   */
  function tellApplicant(notice: NoticeView, me: string | undefined, name: string | undefined): void {
    if (notice.kind !== 'reject' && notice.kind !== 'approve') return;
    if (!me || !notice.targets.includes(me) || notice.actor === me) return;
    const next = new Set(applied.value);
    next.delete(notice.groupId);
    applied.value = next;
    const group = name ?? byId.value[notice.groupId]?.name ?? searchResults.value.find((g) => g.groupId === notice.groupId)?.name ?? notice.groupId;
    const reason = notice.text.trim();
    if (notice.kind === 'approve') useToasts().say('groups.applicationApproved', { group });
    else if (reason) useToasts().say('groups.applicationDeclined', { group, reason });
    else useToasts().say('groups.applicationDeclinedNoReason', { group });
  }

  async function loadRequests(): Promise<void> {
    const list = await backend.run('group.requests', {});
    if (list) requests.value = list;
  }

  async function create(args: { name: string; mode: GroupModeName; capacity?: number; members?: string[]; announcement?: string }): Promise<GroupView | undefined> {
    const group = await backend.run('groups.create', args);
    if (group) upsert(group);
    return group;
  }

  async function search(keyword: string): Promise<void> {
    const list = await backend.run('groups.search', { keyword, limit: 50 });
    searchResults.value = list ?? [];
  }

  async function join(groupId: string): Promise<boolean> {
    const group = await backend.run('group.join', { groupId });
    if (group) upsert(group);
    return group !== undefined;
  }

  async function apply(groupId: string, reason?: string): Promise<boolean> {
    const sent = (await backend.run('group.apply', { groupId, reason })) !== undefined;
    if (sent) applied.value = new Set([...applied.value, groupId]);
    return sent;
  }

  function dropRequest(request: NoticeView): void {
    requests.value = requests.value.filter((r) => !(r.requestId === request.requestId && r.groupId === request.groupId));
  }

  /**
   * Answers a request: an apply to a group I manage, or an invitation to me. 'gone' when the
   * server says it no longer waits (answered by another admin, the group dismissed, its user
   * already in): the stale entry goes instead of staying to be clicked again.
   */
  async function answer(request: NoticeView, accept: boolean): Promise<'done' | 'gone' | 'failed'> {
    if (request.requestId === undefined) return 'failed';
    const args = { groupId: request.groupId, requestId: request.requestId };
    const isInvite = request.kind === 'invite_request' || request.kind === 'invite';
    const method = isInvite ? (accept ? 'group.acceptInvite' : 'group.declineInvite') : accept ? 'group.approve' : 'group.reject';
    const done = await backend.call(method, args);
    if (done.ok) {
      dropRequest(request);
      if (accept) await refresh(request.groupId);
      return 'done';
    }
    if (!STALE_REQUEST_CODES.includes(done.error.code)) {
      useToasts().error(done.error);
      return 'failed';
    }
    dropRequest(request);
    await loadRequests();
    return 'gone';
  }

  async function memberAction(groupId: string, action: () => Promise<unknown>): Promise<void> {
    if ((await action()) !== undefined) await Promise.all([loadMembers(groupId), refresh(groupId)]);
  }

  /** Invites; those named who were in already are said in a toast (the group's notice names only the new). */
  async function invite(groupId: string, users: string[]): Promise<void> {
    const outcome = await backend.run('group.invite', { groupId, users });
    if (outcome === undefined) return;
    if (outcome.alreadyMembers.length > 0) useToasts().say('groups.inviteAlreadyMembers', { users: outcome.alreadyMembers.join(', ') });
    await Promise.all([loadMembers(groupId), refresh(groupId)]);
  }
  const kick = (groupId: string, user: string) => memberAction(groupId, () => backend.run('group.kick', { groupId, users: [user] }));
  /** Mutes (0 lifts it); the refusal is returned, not toasted, so the mute dialog can say it beside its field. */
  async function mute(groupId: string, user: string, seconds: number): Promise<ApiError | undefined> {
    const result = await backend.call('group.mute', { groupId, user, seconds });
    if (!result.ok) return result.error;
    await Promise.all([loadMembers(groupId), refresh(groupId)]);
    return undefined;
  }
  const setRole = (groupId: string, user: string, role: 'admin' | 'member') =>
    memberAction(groupId, () => backend.run('group.setRole', { groupId, user, role }));
  const transfer = (groupId: string, user: string) => memberAction(groupId, () => backend.run('group.transfer', { groupId, user }));

  async function leave(groupId: string, how: 'quit' | 'dismiss'): Promise<boolean> {
    const done = await backend.run(how === 'quit' ? 'group.quit' : 'group.dismiss', { groupId });
    if (done === undefined) return false;
    const g = byId.value[groupId];
    if (how === 'dismiss') markDismissed(groupId);
    else if (g) markLeft(groupId);
    if (selectedId.value === groupId) selectedId.value = null;
    return true;
  }

  async function setDnd(groupId: string, on: boolean): Promise<void> {
    const g = byId.value[groupId];
    if (g) upsert({ ...g, dnd: on });
    await backend.run('group.setDnd', { groupId, on });
  }

  /** Turns the group's mute all on or off (owner or admin); a refusal is toasted and the switch shows the group as it is. */
  async function setMuteAll(groupId: string, on: boolean): Promise<void> {
    const result = await backend.call('group.modify', { groupId, muteAll: on });
    if (result.ok) upsert(result.value);
    else useToasts().error(result.error);
  }

  /** Changes the group; the refusal is returned, not toasted, so the edit dialog can stay open and say it. */
  async function modify(groupId: string, change: { name?: string; announcement?: string; mode?: GroupModeName }): Promise<ApiError | undefined> {
    const result = await backend.call('group.modify', { groupId, ...change });
    if (!result.ok) return result.error;
    upsert(result.value);
    return undefined;
  }

  /**
   * Sets (or, with '', clears) my alias in the group; the member list shows it at once. The
   * refusal is returned, not toasted, so the alias field can say it.
   */
  async function setCard(groupId: string, me: string, card: string): Promise<ApiError | undefined> {
    const result = await backend.call('group.setCard', { groupId, card });
    if (!result.ok) return result.error;
    applyCard(groupId, me, card);
    return undefined;
  }

  /** A member's alias changed (mine, or another's as the server told): the list and the bubbles show it at once. */
  function applyCard(groupId: string, userId: string, card: string): void {
    const list = members.value[groupId];
    if (!list?.some((m) => m.userId === userId && m.card !== card)) return;
    members.value = { ...members.value, [groupId]: list.map((m) => (m.userId === userId ? { ...m, card } : m)) };
  }

  /** A member's nickname changed: member lists show the new one. */
  function renameMember(userId: string, nickname: string): void {
    const next: Record<string, MemberView[]> = {};
    let changed = false;
    for (const [groupId, list] of Object.entries(members.value)) {
      next[groupId] = list.map((m) => (m.userId === userId && m.nickname !== nickname ? ((changed = true), { ...m, nickname }) : m));
    }
    if (changed) members.value = next;
  }

  function reset(): void {
    byId.value = {};
    members.value = {};
    requests.value = [];
    searchResults.value = [];
    selectedId.value = null;
    applied.value = new Set();
  }

  return {
    byId, members, requests, searchResults, selectedId, applied, mine, upsert, loadMine, refresh, loadMembers, loadRequests,
    create, search, join, apply, answer, invite, kick, mute, setRole, transfer, leave, setDnd, setMuteAll, modify, reset,
    onNotice, renameMember, setCard, applyCard, cardOf,
  };
});
