import { create } from '@bufbuild/protobuf';
import { ErrorCode, MagpieError, pb } from '../../protocol';
import type { MediaReferences } from '../chat/media-reference';
import type { Tuning } from '../tuning';
import { THUMBNAIL_SUFFIX } from './downloads';
import { checkStillWithinLimit } from './media-limits';
import type { UploadRecords } from './upload-records';

/**
 * SEND's check of a media message against the uploads: the file must be the sender's own,
 * finished, of the message's kind, with the size and type it really has. The stored media takes
 * the server's measurements (sha256, image sides, thumbnail), whatever the client said of them.
 */
export function createMediaReferences(records: UploadRecords, tuning: Tuning): MediaReferences {
  return {
    resolve(appId, sender, type, media) {
      const upload = records.get(media.fileId);
      if (upload === undefined || upload.appId !== appId || upload.owner !== sender || upload.completedMs === null) {
        throw new MagpieError(ErrorCode.UPLOAD_NOT_FOUND, `${media.fileId} is no finished upload of yours`);
      }
      if (upload.kind !== (type as number)) mismatch('the upload was made for another kind of message');
      checkStillWithinLimit(upload.kind, upload.declaredSize, tuning);
      if (media.size !== BigInt(upload.declaredSize)) mismatch(`the upload has ${upload.declaredSize} bytes, not ${media.size}`);
      if (media.mime !== '' && media.mime !== upload.mime) mismatch(`the upload is ${upload.mime ?? '?'}, not ${media.mime}`);
      if (type === pb.MessageType.VOICE && media.durationMs > tuning.maxVoiceDurationMs) {
        mismatch(`a voice message lasts at most ${tuning.maxVoiceDurationMs} ms`);
      }
      return create(pb.MediaSchema, {
        fileId: upload.fileId,
        name: media.name !== '' ? media.name : upload.name,
        size: BigInt(upload.declaredSize),
        mime: upload.mime ?? '',
        durationMs: type === pb.MessageType.VOICE ? media.durationMs : 0,
        width: upload.width,
        height: upload.height,
        thumbnailId: upload.thumbnailSha256 !== null ? `${upload.fileId}${THUMBNAIL_SUFFIX}` : '',
        sha256: upload.sha256 ?? '',
      });
    },
    record: (appId, fileId, msgId, timeMs) => records.reference(appId, fileId, msgId, timeMs),
  };
}

function mismatch(message: string): never {
  throw new MagpieError(ErrorCode.UPLOAD_MISMATCH, message);
}
