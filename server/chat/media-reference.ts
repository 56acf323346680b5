import type { pb } from '../../protocol';
import type { Caller } from '../handler-types';

/**
 * What SEND asks of the file service about a voice, image or file message. Implemented by
 * server/files; absent in a chat service built without one (then media passes as given).
 */
export interface MediaReferences {
  /**
   * The media to store: the sender's own completed upload named by file_id, with the facts the
   * server measured (size, type, sha256, image sides, thumbnail). Refuses anything else.
   */
  resolve(appId: string, sender: string, type: pb.MessageType, media: pb.Media): pb.Media;
  /** Records, inside the SEND's transaction, that the stored message names the file. */
  record(appId: string, fileId: string, msgId: number, timeMs: number): void;
}

/**
 * The hook SEND calls after validating the content: media messages must name a real upload.
 * True when it replaced the media part with what the server measured (the content then needs
 * encoding again).
 */
export function checkMediaReference(refs: MediaReferences | undefined, caller: Caller, content: pb.Message): boolean {
  if (refs === undefined || content.media === undefined) return false;
  content.media = refs.resolve(caller.appId, caller.userId, content.type, content.media);
  return true;
}

/** The hook SEND calls once the message has its id. */
export function recordMediaReference(refs: MediaReferences | undefined, appId: string, content: pb.Message, msgId: number, timeMs: number): void {
  if (refs === undefined || content.media === undefined) return;
  refs.record(appId, content.media.fileId, msgId, timeMs);
}
