import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { decodeFrame, ErrorCode, MagpieError, pb, type Frame } from '../../protocol';
import type { Caller, HandlerTable } from '../handler-types';

/** The REST API acts as a user through the same handlers a client's frames reach. */
export interface ServiceCalls {
  /** A SEND as `from`; answers the SENT receipt. */
  send(appId: string, from: string, body: MessageInitShape<typeof pb.SendSchema>): Promise<pb.Sent>;
  /** A GROUP operation as `operator`. */
  group(appId: string, operator: string, op: pb.GroupRequest['op']): Promise<pb.GroupResult>;
}

/** No client session sends these: a REST call's pushes reach every session of the user. */
const REST_SESSION_ID = 'rest';

export function createServiceCalls(deps: { handlers: HandlerTable; maxBodyBytes: number }): ServiceCalls {
  const { handlers } = deps;
  const caller = (appId: string, userId: string): Caller => ({
    sessionId: REST_SESSION_ID,
    appId,
    userId,
    device: pb.DeviceKind.BOT,
    deviceId: REST_SESSION_ID,
  });

  function bodyOf<T>(frame: Frame | undefined, expected: 'SENT' | 'GROUP_RESULT'): T {
    if (frame === undefined) throw new MagpieError(ErrorCode.INTERNAL, `no ${expected} answer`);
    const decoded = decodeFrame(frame, { maxBodyBytes: deps.maxBodyBytes });
    if (decoded.name !== expected) throw new MagpieError(ErrorCode.INTERNAL, `answered ${decoded.name}, not ${expected}`);
    return decoded.body as T;
  }

  return {
    async send(appId, from, body) {
      const handler = handlers.SEND;
      if (!handler) throw new MagpieError(ErrorCode.INTERNAL, 'no SEND handler');
      return bodyOf<pb.Sent>(await handler({ caller: caller(appId, from), body: create(pb.SendSchema, body) }), 'SENT');
    },
    async group(appId, operator, op) {
      const handler = handlers.GROUP;
      if (!handler) throw new MagpieError(ErrorCode.INTERNAL, 'no GROUP handler');
      const body = create(pb.GroupRequestSchema, { op });
      return bodyOf<pb.GroupResult>(await handler({ caller: caller(appId, operator), body }), 'GROUP_RESULT');
    },
  };
}
