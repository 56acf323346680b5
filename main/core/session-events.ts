import { isGroupId } from '../../protocol';
import type { IngestResult, StoredMessage } from '../store';
import { toGroupView } from '../views/conversation-view';
import { noticeAsMessageView, toMessageView } from '../views/message-view';
import { toConnectionInfo, type CoreDeps } from './handlers/deps';
import type { Session } from './session';

export interface SessionEventDeps extends CoreDeps {
  readonly notify: (session: Session, messages: readonly StoredMessage[]) => void;
}

/** Translates one session's engine events into the contract's events for the page. */
export function wireSessionEvents(session: Session, deps: SessionEventDeps): void {
  const { events, store } = session.client;
  events.on('status', (status) => {
    // online comes after the login that told the limits and the server's time: the page takes them from here on a restored session
    deps.emit('connection.state', toConnectionInfo(status, session.client.serverLimits, session.client.serverClock.reading()));
    if (status.state === 'kicked') deps.emit('session.ended', { reason: status.reason ?? 'kicked', code: status.code });
    // each time the session is up (requests work from then on, not yet at 'login'): offline mute
    // changes out, the list in
    if (status.state === 'online') {
      // names for the conversation list: the profiles of the people it shows (renamed while away)
      const ids = store.conversations.list(500).filter((c) => !isGroupId(c.id)).map((c) => c.id);
      void deps.fetchProfiles(session, [session.client.selfId, ...ids]);
      session.mutes
        .sync()
        .then((changed) => {
          for (const id of changed) deps.emitConversation(session, id);
        })
        .catch((error: unknown) => deps.log.warn({ err: error }, 'could not sync the muted conversations'));
    }
  });
  events.on('progress', (progress) => deps.emit('sync.progress', progress));
  events.on('outgoing', (message) => {
    deps.emit('message.upserted', { message: session.chat.view(message) });
    deps.emitConversation(session, message.conversation);
  });
  events.on('typing', (typing) => {
    deps.emit('typing', { conversation: typing.from, from: typing.from, stopped: typing.stopped });
  });
  events.on('ingested', (result) => onIngested(session, result, deps));
  events.on('memberCard', (change) => deps.emit('group.memberCard', { ...change }));
  events.on('mutes', (mutes) => {
    for (const id of session.mutes.apply(mutes.peers)) deps.emitConversation(session, id);
  });
}

function onIngested(session: Session, result: IngestResult, deps: SessionEventDeps): void {
  const emit = deps.emit;
  const changed = new Map<string, StoredMessage>();
  for (const list of [result.messages, result.ownMessagesConfirmed, result.revoked, result.burned]) {
    for (const message of list) changed.set(String(message.localId), message);
  }
  for (const conversation of new Set(result.readReceipts.map((r) => r.conversation))) {
    for (const message of session.client.store.messages.page(conversation, 50)) {
      if (message.outgoing && message.state === 'read') changed.set(String(message.localId), message);
    }
  }
  for (const message of changed.values()) emit('message.upserted', { message: toMessageView(message) });
  for (const notice of result.notices) emit('message.upserted', { message: noticeAsMessageView(notice) });
  // a notice changes the group it is about (members, roles, name, dismissal): the page's card follows
  for (const groupId of new Set(result.notices.map((n) => n.groupId))) {
    const group = session.client.store.groups.getGroup(groupId);
    if (group) emit('group.updated', { group: toGroupView(group) });
  }
  session.mutes.follow(result.conversations);
  for (const id of result.conversations) deps.emitConversation(session, id);
  // a first message from someone new is notified under their name, not their raw id; one from
  // someone not asked about for a while brings their new name, if they renamed themselves
  const people = [...result.messages.map((m) => m.from), ...result.conversations].filter((id) => !isGroupId(id));
  void deps.fetchProfiles(session, session.profiles.due(people)).then(() => {
    if (deps.current() === session) deps.notify(session, result.messages);
  });
}
