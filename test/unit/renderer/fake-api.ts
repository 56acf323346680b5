/**
 * A stand-in for the core behind the contract: the renderer's tests answer calls with handlers
 * and push events by hand. The real core is outside the renderer, so a fake is fair here.
 */
import type { ConversationView, EventName, EventPayloads, MagpieApi, MessageView, MethodArgs, MethodName, MethodResult, NoticeView, Result } from '../../../preload/api';

export type Handlers = { [M in MethodName]?: (args: MethodArgs<M>) => MethodResult<M> | Promise<MethodResult<M>> | Result<MethodResult<M>> };

export interface FakeApi extends MagpieApi {
  calls: Array<{ method: MethodName; args: unknown }>;
  callsOf<M extends MethodName>(method: M): Array<MethodArgs<M>>;
  emit<E extends EventName>(event: E, payload: EventPayloads[E]): void;
}

function isResult(value: unknown): value is Result<unknown> {
  return typeof value === 'object' && value !== null && 'ok' in value && typeof (value as { ok: unknown }).ok === 'boolean';
}

export function createFakeApi(handlers: Handlers = {}): FakeApi {
  const calls: Array<{ method: MethodName; args: unknown }> = [];
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  return {
    calls,
    callsOf<M extends MethodName>(method: M) {
      return calls.filter((c) => c.method === method).map((c) => c.args as MethodArgs<M>);
    },
    async invoke(method, args) {
      calls.push({ method, args });
      const handler = handlers[method] as ((a: unknown) => unknown) | undefined;
      const value: unknown = handler ? await handler(args) : null;
      return (isResult(value) ? value : { ok: true, value }) as never;
    },
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener as (payload: unknown) => void);
      return () => set.delete(listener as (payload: unknown) => void);
    },
    emit(event, payload) {
      for (const l of listeners.get(event) ?? []) l(payload);
    },
  };
}

export function conversation(id: string, change: Partial<ConversationView> = {}): ConversationView {
  return {
    id, kind: id.startsWith('g') ? 'group' : 'user', title: id, unread: 0, mentioned: false,
    lastPreview: '', lastTimeMs: 0, draft: '', pinned: false, muted: false, ...change,
  };
}

export function message(key: string, timeMs: number, change: Partial<MessageView> = {}): MessageView {
  return {
    key, msgId: timeMs, conversation: 'alice', conversationKind: 'user', from: 'alice', to: 'me', outgoing: false,
    kind: 'text', text: `text ${key}`, mentions: [], mentionAll: false, timeMs, state: 'received',
    revoked: false, burnAfterReading: false, burned: false, ...change,
  };
}

/** A group notice as the core hands it to the page: a message of kind notice. */
export function noticeMessage(notice: NoticeView): MessageView {
  return {
    key: `n-${notice.kind}`, conversation: notice.groupId, conversationKind: 'group', from: notice.actor, to: notice.groupId,
    outgoing: false, kind: 'notice', text: '', mentions: [], mentionAll: false, notice, timeMs: 1, state: 'received',
    revoked: false, burnAfterReading: false, burned: false,
  };
}
