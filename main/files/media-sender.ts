import type { MediaView, MessageView } from '../../preload/api';
import type { ChatService } from '../chat/chat-service';
import type { MediaAccess } from './media-access';
import { uploadFile, type MediaKindName } from './uploader';

export interface SendFileRequest {
  readonly to: string;
  readonly path: string;
  readonly kind: MediaKindName;
  readonly name?: string;
  /** Voice only: its length. */
  readonly durationMs?: number;
  readonly onProgress?: (sentBytes: number, totalBytes: number) => void;
  readonly signal?: AbortSignal;
}

/** Uploads a file, then sends the message that names it, with what the server measured. */
export async function sendFile(chat: ChatService, access: MediaAccess, request: SendFileRequest): Promise<MessageView> {
  const first = await access.grant();
  let token = first.token;
  const uploaded = await uploadFile({
    baseUrl: first.baseUrl,
    token: () => token,
    path: request.path,
    kind: request.kind,
    ...(request.name ? { name: request.name } : {}),
    ...(request.onProgress ? { onProgress: request.onProgress } : {}),
    ...(request.signal ? { signal: request.signal } : {}),
    onUrl: () => {
      // a long upload keeps a fresh token for its later requests
      void access.grant().then((g) => (token = g.token), () => undefined);
    },
  });
  const media: MediaView = {
    fileId: uploaded.fileId,
    name: request.name ?? request.path.split(/[\\/]/).at(-1) ?? '',
    size: uploaded.size,
    mime: uploaded.mime,
    ...(request.durationMs ? { durationMs: request.durationMs } : {}),
    // the sender's own bubble is sized as the recipient's is, from what the server measured
    ...(uploaded.width > 0 && uploaded.height > 0 ? { width: uploaded.width, height: uploaded.height } : {}),
  };
  return chat.send(request.to, { kind: 'media', type: request.kind, media });
}
