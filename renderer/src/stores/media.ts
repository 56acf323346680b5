/**
 * Files in the page: sending what the user picked or pasted (the bytes go over the contract, the
 * page has no paths), fetching a message's file as a blob: URL to show or save, and the progress
 * the core reports for both.
 */
import { defineStore } from 'pinia';
import { reactive, ref, watch } from 'vue';
import type { ApiError, EventPayloads, MessageView, Result } from '../../../preload/api';
import { ApiErrorCode, MEDIA_LIMITS, newPageClientMsgId } from '../../../preload/api';
import { downloadNameOf, tabTypeOf } from '../media/open-in-tab';
import { useBackend } from './backend';
import { HANDOVER_KEY_PREFIX } from './message-list';
import { useMessages } from './messages';
import { useSession } from './session';
import { useToasts } from './toasts';

export type MediaKind = 'image' | 'file' | 'voice';
export type FileState = 'downloading' | 'failed' | 'saved';
/** Why a file (or thumbnail) is not shown: the server cannot be reached now, or it could not be had. */
export type Missing = 'offline' | 'failed';
/** A message's file itself, an image's thumbnail, or an image as the viewer shows it (scaled when very large). */
export type MediaVariant = 'file' | 'thumb' | 'view';

/** A file shown as its message while the page reads it and hands it over. */
interface Handover {
  readonly view: MessageView;
  readonly file: Blob;
  readonly kind: MediaKind;
  readonly name: string;
  readonly durationMs?: number;
  /** The file's blob: URL, once its bubble asked to show it. */
  href: string | undefined;
  /** An image's: whether the page may show it itself (fitsView), once its bubble asked to show it. */
  fits: Promise<boolean> | undefined;
  /** Hand-overs started: an answer to an earlier one (before a retry) is not taken. */
  attempt: number;
}

export type PreparedSend = { key: string } | { refused: { code: number; message: string } };

/**
 * A file's bytes as base64, encoded by the browser itself (FileReader), off the page's script: a
 * 15 MB file took 868 ms of one blocking task when encoded in script, 68 ms this way (longest
 * task 56 ms), so the page stays responsive while a large file is picked.
 */
function toBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = reader.result as string;
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error('the file could not be read'));
    reader.readAsDataURL(file);
  });
}

/**
 * Whether the page may decode a picture it holds itself: at most MEDIA_LIMITS.maxViewPixels. An
 * image element out of the document loads only as far as its sides (its pixels are decoded when
 * drawn), so this costs its header, not a gigabyte. One it cannot read fails where it is shown.
 */
function fitsView(href: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = new Image();
    probe.onload = () => resolve(probe.naturalWidth * probe.naturalHeight <= MEDIA_LIMITS.maxViewPixels);
    probe.onerror = () => resolve(true);
    probe.src = href;
  });
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export const useMedia = defineStore('media', () => {
  const backend = useBackend();
  /** Progress of a message's upload or download, by its key, 0..1; gone once the last byte is in. */
  const progress = reactive(new Map<string, number>());
  const urls = new Map<string, Promise<string | null>>();
  /** The blob behind each URL url() made: the page's CSP lets it fetch no blob: URL back. */
  const blobs = new Map<string, Blob>();
  /**
   * What became of a file card's last open or save on this page, by message key: fetching it, it
   * could not be had, or saved. Gone for a file never opened or saved here.
   */
  const fileStates = reactive(new Map<string, FileState>());
  /** Files (or thumbnails) the last fetch could not have, by id, and why; gone once asked again. */
  const missing = reactive(new Map<string, Missing>());
  /** The refusal behind each of those, for the user's own open, save or play to report. */
  const refusals = new Map<string, ApiError>();
  /** The original's sides of each image the core scaled down for the viewer, by id. */
  const scaled = reactive(new Map<string, { width: number; height: number }>());
  /** Counts the connection's returns: what could not be had offline is asked for again then. */
  const reconnects = ref(0);

  function onProgress(p: EventPayloads['media.progress']): void {
    // a finished transfer leaves no bar behind (a sent file card would show a full "download")
    if (p.total > 0 && p.loaded >= p.total) progress.delete(p.ref);
    else progress.set(p.ref, p.total > 0 ? p.loaded / p.total : 0);
  }

  /**
   * Files shown as their message before the core has them, by the key of that bubble: the page
   * reads the bytes and hands them over (media.send) under a client id it made itself, and the core's
   * message takes that id, so it replaces the bubble where it stands. Gone once the core's message is
   * here or the bubble was removed; a failed hand-over stays, for "Retry".
   */
  const handovers = new Map<string, Handover>();
  /** The time of the last bubble shown this way: files picked at once keep their order. */
  let lastShownMs = 0;

  /**
   * The largest file of a kind the page hands over: the contract's limit, or the server's for that
   * kind (image, voice message, file) as its login told it when lower, so what it would refuse is
   * never stored to fail at its upload.
   */
  function sendLimitBytes(kind: MediaKind): number {
    return Math.min(MEDIA_LIMITS.maxSendBytes, useSession().limits.mediaBytes[kind]);
  }

  /**
   * Shows a file as its message (sending, 0 %) at once, before its bytes are read; the refusal
   * (code and words) instead when it cannot be sent at all (too large, empty), shown by the composer.
   */
  function prepare(conversation: string, file: Blob, name: string, kind: MediaKind, from: string, durationMs?: number): PreparedSend {
    if (file.size === 0) return { refused: { code: ApiErrorCode.FILE_EMPTY, message: `${name}: empty` } };
    const maxBytes = sendLimitBytes(kind);
    if (file.size > maxBytes) return { refused: { code: ApiErrorCode.FILE_TOO_LARGE, message: `${name}: over ${maxBytes} bytes` } };
    // the server's time as reckoned, as the core's own for a text: the core keeps it (never later than its own)
    const timeMs = (lastShownMs = Math.max(useSession().serverNow(), lastShownMs + 1));
    const clientMsgId = newPageClientMsgId(timeMs);
    const key = `${HANDOVER_KEY_PREFIX}${clientMsgId}`;
    const view: MessageView = {
      key,
      clientMsgId,
      conversation,
      conversationKind: conversation.startsWith('g') ? 'group' : 'user',
      from,
      to: conversation,
      outgoing: true,
      kind,
      text: '',
      mentions: [],
      mentionAll: false,
      media: { fileId: '', name, size: file.size, mime: file.type, ...(durationMs ? { durationMs } : {}) },
      timeMs,
      state: 'sending',
      revoked: false,
      burnAfterReading: false,
      burned: false,
    };
    handovers.set(key, { view, file, kind, name, ...(durationMs ? { durationMs } : {}), href: undefined, fits: undefined, attempt: 0 });
    progress.set(key, 0);
    useMessages().upsert(view);
    return { key };
  }

  /**
   * Reads a shown file's bytes and hands them to the core. The core's message (its own key, the
   * same client id) takes the bubble's place; a failure, reading or on the way, marks the bubble
   * failed with its reason ("Retry" hands it over again, "Cancel sending" removes it).
   */
  async function handOver(key: string): Promise<void> {
    const pending = handovers.get(key);
    if (!pending) return;
    const attempt = ++pending.attempt;
    const { view } = pending;
    let result: Result<MessageView>;
    try {
      const bytes = await toBase64(pending.file);
      if (handovers.get(key) !== pending || pending.attempt !== attempt) return;
      result = await backend.call('media.send', {
        conversation: view.conversation,
        kind: pending.kind,
        name: pending.name,
        bytes,
        clientMsgId: view.clientMsgId ?? '',
        ...(pending.durationMs ? { durationMs: pending.durationMs } : {}),
      });
    } catch (error) {
      const reading = error instanceof DOMException || error instanceof Error ? error.message : String(error);
      result = { ok: false, error: { code: ApiErrorCode.FILE_UNREADABLE, message: `${pending.name}: ${reading}` } };
    }
    const messages = useMessages();
    if (handovers.get(key) !== pending) {
      // removed while its bytes crossed: the message the core made of them is withdrawn as well
      if (result.ok) await messages.cancel(result.value.conversation, result.value.key);
      return;
    }
    if (pending.attempt !== attempt) return;
    if (!result.ok) {
      progress.delete(key);
      messages.upsert({ ...view, state: 'failed', errorCode: result.error.code, errorMessage: result.error.message });
      return;
    }
    handovers.delete(key);
    progress.delete(key);
    const message = result.value;
    // the page's copy of the bytes shows the core's message too: no second trip over the bridge
    if (pending.href && !message.media?.fileId) {
      urls.set(`local-${message.key}`, Promise.resolve(pending.href));
      // a picture too large to decode here gets its thumbnail from the core, scaled
      if (await (pending.fits ?? true)) urls.set(`local-${message.key}.thumb`, Promise.resolve(pending.href));
    }
    if (message.state === 'sending' && !progress.has(message.key)) progress.set(message.key, 0);
    messages.upsert(message);
  }

  /** "Retry" on a bubble whose hand-over failed: shown as sending again, then handed over. */
  function retryHandover(key: string): Promise<void> {
    const pending = handovers.get(key);
    if (!pending) return Promise.resolve();
    progress.set(key, 0);
    useMessages().upsert(pending.view);
    return handOver(key);
  }

  /** Removes a bubble whose bytes the core does not have (yet): one still crossing is withdrawn once there. */
  function dropHandover(key: string): void {
    const pending = handovers.get(key);
    if (!pending) return;
    handovers.delete(key);
    progress.delete(key);
    if (pending.href) {
      URL.revokeObjectURL(pending.href);
      blobs.delete(pending.href);
    }
    useMessages().remove(pending.view.conversation, key);
  }

  const idOf = (message: MessageView, variant: MediaVariant) => `${message.media?.fileId || `local-${message.key}`}${variant === 'file' ? '' : `.${variant}`}`;

  /** A failure that only the connection's return can mend: the server was not reached. */
  const offline = (error: ApiError) =>
    error.code === ApiErrorCode.NOT_CONNECTED || error.code === ApiErrorCode.CONNECTION_CLOSED || useSession().connection.state !== 'online';

  /**
   * A blob: URL of a message's file (or its variant), fetched once per page; null when it could not be
   * had, with the reason in unavailable(). The sender's own file not uploaded yet comes from the
   * core's local copy, under its key. It never reports a failure itself: a fetch the user did not
   * ask for (a thumbnail, a voice message's audio ahead of its play) says nothing, and the user's
   * own open, save or play reports it (report()).
   */
  function url(message: MessageView, variant: MediaVariant = 'file'): Promise<string | null> {
    const pending = handovers.get(message.key);
    if (pending) {
      // not the core's yet: the picked file itself
      if (!pending.href) {
        pending.href = URL.createObjectURL(pending.file);
        blobs.set(pending.href, pending.file);
      }
      const href = pending.href;
      if (variant === 'file' || pending.kind !== 'image') return Promise.resolve(href);
      // until the core has it, a picture too large to decode in the page shows its name only
      pending.fits ??= fitsView(href);
      return pending.fits.then((fits) => (fits ? href : null));
    }
    const id = idOf(message, variant);
    let known = urls.get(id);
    if (!known) {
      const failed = (error: ApiError) => {
        urls.delete(id);
        refusals.set(id, error);
        missing.set(id, offline(error) ? 'offline' : 'failed');
        return null;
      };
      missing.delete(id);
      refusals.delete(id);
      const args = variant === 'thumb' ? { thumb: true } : variant === 'view' ? { view: true } : {};
      known = backend.call('media.fetch', { key: message.key, ...args }).then((got) => {
        progress.delete(message.key);
        if (!got.ok) return failed(got.error);
        if (got.value.scaledFrom) scaled.set(id, got.value.scaledFrom);
        const blob = new Blob([fromBase64(got.value.bytes)], { type: got.value.mime });
        const href = URL.createObjectURL(blob);
        blobs.set(href, blob);
        return href;
      }, (error: unknown) => {
        // the bridge failed (the app's link, say): the next ask fetches again
        progress.delete(message.key);
        return failed({ code: ApiErrorCode.NOT_CONNECTED, message: error instanceof Error ? error.message : String(error) });
      });
      urls.set(id, known);
    }
    return known;
  }

  /** Why the last fetch of a message's file (or thumbnail) had nothing; undefined when it did or runs. */
  function unavailable(message: MessageView, variant: MediaVariant = 'file'): Missing | undefined {
    return missing.get(idOf(message, variant));
  }

  /** The original's sides when the viewer's image is a scaled copy (media.fetch's view); else undefined. */
  function scaledFrom(message: MessageView): { width: number; height: number } | undefined {
    return scaled.get(idOf(message, 'view'));
  }

  /**
   * The user's own open, save or play failed: a toast, in the offline words when the server was not
   * reached (the bare "not connected" code says nothing of when the file can be had).
   */
  function report(message: MessageView, error: ApiError): void {
    if (!offline(error)) {
      useToasts().error(error);
      return;
    }
    const name = message.media?.name ?? '';
    useToasts().push({ kind: 'error', code: error.code, message: error.message, words: { key: 'mediaUi.offlineAction', values: { name } } });
  }

  /** The user asked for the file itself and it could not be had: said once, as report() says it. */
  function reportMissing(message: MessageView): void {
    const error = refusals.get(idOf(message, 'file'));
    if (error) report(message, error);
  }

  /**
   * The Electron shell opens and saves through the system (the contract's media.open / media.save),
   * but not a file the core does not have yet: the page's copy is opened and saved as in the web shell.
   */
  const desktop = (message: MessageView) => useSession().appInfo?.shell === 'electron' && !handovers.has(message.key);

  /** Saves a message's file: the system's save dialog in Electron, the browser's download in the web shell. */
  async function save(message: MessageView): Promise<void> {
    fileStates.set(message.key, 'downloading');
    try {
      await saveNow(message);
    } finally {
      settle(message.key);
    }
  }

  /** A call that threw (the bridge gone, say) leaves "failed", never a "Downloading…" that stays. */
  function settle(key: string): void {
    if (fileStates.get(key) === 'downloading') fileStates.set(key, 'failed');
  }

  async function saveNow(message: MessageView): Promise<void> {
    if (desktop(message)) {
      const result = await backend.call('media.save', { key: message.key });
      // a save dialog closed without saving leaves the card as it was
      if (!result.ok) {
        fileStates.set(message.key, 'failed');
        report(message, result.error);
      } else if (result.value.saved) fileStates.set(message.key, 'saved');
      else fileStates.delete(message.key);
      return;
    }
    const href = await url(message);
    if (!href) {
      fileStates.set(message.key, 'failed');
      reportMissing(message);
      return;
    }
    download(href, message.media?.name ?? '');
    fileStates.set(message.key, 'saved');
  }

  function download(href: string, name: string): void {
    const link = document.createElement('a');
    link.href = href;
    link.download = downloadNameOf(name);
    link.click();
  }

  /**
   * Opens a message's file: with the system's app in Electron; in the web shell in a new tab when
   * the browser can show its type safely (media/open-in-tab.ts), else downloaded under its name.
   */
  async function open(message: MessageView): Promise<void> {
    const before = fileStates.get(message.key);
    fileStates.set(message.key, 'downloading');
    try {
      await openNow(message, before);
    } finally {
      settle(message.key);
    }
  }

  async function openNow(message: MessageView, before: FileState | undefined): Promise<void> {
    const fetched = (ok: boolean) => {
      if (!ok) fileStates.set(message.key, 'failed');
      else if (before === 'saved') fileStates.set(message.key, before);
      else fileStates.delete(message.key);
    };
    if (desktop(message)) {
      const result = await backend.call('media.open', { key: message.key });
      fetched(result.ok);
      if (!result.ok) report(message, result.error);
      return;
    }
    const href = await url(message);
    const blob = href ? blobs.get(href) : undefined;
    fetched(!!href && !!blob);
    if (!href) reportMissing(message);
    if (!href || !blob) return;
    const name = message.media?.name ?? '';
    const type = tabTypeOf(blob.type, name);
    if (!type) {
      download(href, name);
      return;
    }
    const shown = type === blob.type ? href : URL.createObjectURL(blob.slice(0, blob.size, type));
    window.open(shown, '_blank', 'noopener');
    // the tab has loaded it by then; the typed copy is not kept
    if (shown !== href) setTimeout(() => URL.revokeObjectURL(shown), 60_000);
  }

  /** Signed out (or another account signed in): no file's state or copy of the last one stays. */
  function reset(): void {
    handovers.clear();
    fileStates.clear();
    progress.clear();
    urls.clear();
    missing.clear();
    refusals.clear();
    scaled.clear();
    for (const href of blobs.keys()) URL.revokeObjectURL(href);
    blobs.clear();
  }

  // the session store does not call reset (it would import this store, which imports it): the
  // media store watches for the sign-out itself
  watch(
    () => useSession().phase,
    (phase) => {
      if (phase === 'signedOut') reset();
    },
  );

  // the connection is back: what could not be had offline is fetched again by those showing it
  watch(
    () => useSession().connection.state,
    (state, before) => {
      if (state !== 'online' || before === 'online') return;
      for (const [id, why] of missing) {
        if (why !== 'offline') continue;
        missing.delete(id);
        refusals.delete(id);
      }
      reconnects.value++;
    },
  );

  return { progress, fileStates, reconnects, onProgress, sendLimitBytes, prepare, handOver, retryHandover, dropHandover, url, unavailable, scaledFrom, report, reportMissing, save, open, reset };
});
