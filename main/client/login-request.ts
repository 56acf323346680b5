import type { MessageInitShape } from '@bufbuild/protobuf';
import { pb } from '../../protocol';
import type { LoginAuth } from '../../preload/api';

export type LoginInit = MessageInitShape<typeof pb.LoginSchema>;

/** The LOGIN body for an auth choice. The user id is the voipAccount for a password login. */
export function loginRequest(
  appId: string,
  auth: LoginAuth,
  options: { device?: pb.DeviceKind; mode?: 'auto' | 'force'; deviceId: string },
): LoginInit {
  const common = {
    appId,
    user: auth.user,
    device: options.device ?? pb.DeviceKind.DESKTOP,
    mode: options.mode === 'force' ? pb.LoginMode.FORCE : pb.LoginMode.AUTO,
    deviceId: options.deviceId,
  };
  switch (auth.type) {
    case 'password':
      return { ...common, auth: pb.AuthType.PASSWORD, secret: auth.password };
    case 'appToken':
      return { ...common, auth: pb.AuthType.APP_TOKEN, secret: auth.token };
    case 'signed':
      return {
        ...common,
        auth: pb.AuthType.SIGNED,
        secret: auth.signature,
        timestamp: auth.timestamp,
        signatureAlgorithm: auth.algorithm === 'md5' ? pb.SignatureAlgorithm.MD5 : pb.SignatureAlgorithm.HMAC_SHA256,
      };
    default: {
      const unreachable: never = auth;
      throw new Error(`unknown auth ${String(unreachable)}`);
    }
  }
}
