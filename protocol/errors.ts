/**
 * Magpie's error codes: one table for the wire, the server, the client core and the CLI.
 * Codes are six digits in ranges per layer. Where the seed platform has a code for the same
 * condition it is used as is (175004, 520016, 560072, 590017). docs/protocol.md lists them all,
 * and a test keeps that table and this one equal.
 */
export const ErrorCode = {
  // 170xxx: framing and protocol
  MALFORMED_FRAME: 170001,
  FRAME_TOO_LARGE: 170002,
  UNSUPPORTED_VERSION: 170003,
  UNKNOWN_FRAME_TYPE: 170004,
  BAD_BODY: 170005,
  RATE_LIMITED: 170006,
  LOGIN_TIMEOUT: 170007,
  NOT_LOGGED_IN: 170008,
  DECOMPRESSION_FAILED: 170009,
  BODY_TOO_LARGE: 170010,
  RESERVED_FLAG: 170011,
  HELLO_REQUIRED: 170012,
  UNEXPECTED_FRAME: 170013,
  IDLE_TIMEOUT: 170014,
  SERVER_SHUTTING_DOWN: 170015,
  ALREADY_LOGGED_IN: 170016,
  TOO_MANY_PENDING_CONNECTIONS: 170017,
  // a plain client on the server's TLS port (answered in plain, then closed)
  TLS_REQUIRED: 170018,
  // 175xxx: sessions
  KICKED_OFF: 175004,
  TOO_MANY_SESSIONS_FOR_USER: 175010,
  TOO_MANY_SESSIONS_FROM_ADDRESS: 175011,
  TOO_MANY_SESSIONS_FOR_APP: 175012,
  // 171xxx: the client core (never on the wire from a server)
  NOT_CONNECTED: 171001,
  REQUEST_TIMEOUT: 171002,
  CONNECTION_CLOSED: 171003,
  CANCELLED: 171004,
  CERTIFICATE_REJECTED: 171005,
  LOCAL_SERVER_UNVERIFIED: 171006,
  LOCAL_STORE_CORRUPT: 171007,
  // the UI contract (preload/api.ts): a call the page made that the core cannot take
  UNKNOWN_METHOD: 171008,
  BAD_ARGUMENT: 171009,
  METHOD_UNAVAILABLE: 171010,
  UNKNOWN_SENDER: 171011,
  // the sign-in form: a "Server addresses" entry that is not an address (or has no valid port)
  SERVER_ADDRESS_INVALID: 171012,
  // a tls:// address whose port does not speak TLS (a plain Magpie port closes on a TLS hello)
  TLS_UNAVAILABLE: 171013,
  // the local demo server already runs on this data folder, on other ports than those asked for
  LOCAL_SERVER_ELSEWHERE: 171014,
  // the address answered HTTP: the server's HTTP port (REST, console), not its client port
  NOT_MAGPIE_PORT: 171015,
  // the CLI: another `magpie listen` already prints this user's messages from this profile
  LISTEN_RUNNING: 171215,
  // a picked file of 0 bytes: there is nothing to send, and sending again cannot change that
  FILE_EMPTY: 171075,
  // the page could not read a picked file's bytes to hand them over (moved, changed or removed since)
  FILE_UNREADABLE: 171090,
  // the local SQLite store cannot be written (or read): its disk is full, it is read-only, the disk failed
  LOCAL_STORE_UNAVAILABLE: 171225,
  // 520xxx: identity and login
  ACCOUNT_NOT_FOUND: 520001,
  APP_NOT_FOUND: 520002,
  APP_OFFLINE: 520003,
  SUB_ACCOUNT_CLOSED: 520004,
  INVALID_USER_ID: 520005,
  WRONG_PASSWORD: 520006,
  SIGNATURE_EXPIRED: 520007,
  TOO_MANY_LOGIN_ATTEMPTS: 520008,
  USER_NOT_FOUND: 520009,
  NAME_TAKEN: 520010,
  TOKEN_AUTH_FAILED: 520016,
  SERVER_PROOF_FAILED: 520017,
  // 580xxx: messages
  INVALID_MESSAGE: 580001,
  TEXT_TOO_LONG: 580002,
  RECIPIENT_NOT_FOUND: 580003,
  MESSAGE_NOT_FOUND: 580004,
  REVOKE_WINDOW_PASSED: 580005,
  NOT_ALLOWED: 580006,
  SELF_MUTED: 580007,
  INVALID_CLIENT_MSG_ID: 580008,
  PAYLOAD_TOO_LARGE: 580009,
  CONTENT_BUDGET_EXCEEDED: 580010,
  NOT_IN_CONVERSATION: 580011,
  // a SEND to a group whose mute all is on, from a member who is neither its owner nor an admin
  GROUP_MUTED_ALL: 580012,
  // 581xxx: the file service (HTTP answers carry them too)
  MEDIA_TOKEN_INVALID: 581001,
  UPLOAD_NOT_FOUND: 581002,
  UPLOAD_MISMATCH: 581003,
  FILE_TOO_LARGE: 581004,
  FILE_TYPE_REFUSED: 581005,
  FILE_FORBIDDEN: 581006,
  /** Client side: the file a media message waits to upload is gone or changed since it was picked. */
  FILE_SOURCE_MISSING: 581007,
  /** A new upload over the user's limits (unfinished at once, bytes per window); HTTP 429 with Retry-After. */
  UPLOAD_QUOTA_EXCEEDED: 581008,
  // 560xxx / 590xxx: groups
  GROUP_NOT_FOUND: 560001,
  GROUP_DISMISSED: 560002,
  GROUP_FULL: 560003,
  NOT_GROUP_OWNER: 560004,
  NOT_GROUP_ADMIN: 560005,
  GROUP_PRIVATE: 560006,
  GROUP_NEEDS_APPROVAL: 560007,
  REQUEST_NOT_FOUND: 560008,
  OWNER_CANNOT_QUIT: 560009,
  INVALID_GROUP_ARGUMENT: 560010,
  /** A user is in as many groups as the server allows (GROUP_LIMITS.maxGroupsPerUser): quit one first. */
  TOO_MANY_GROUPS: 560011,
  NOT_GROUP_MEMBER: 560072,
  ALREADY_IN_GROUP: 590017,
  // 530xxx: the REST API of app servers (HTTP)
  REST_BAD_REQUEST: 530001,
  REST_AUTH_FAILED: 530002,
  REST_SIGNATURE_EXPIRED: 530003,
  REST_REPLAYED: 530004,
  REST_RATE_LIMITED: 530005,
  REST_FORBIDDEN: 530006,
  REST_NOT_FOUND: 530007,
  MEDIA_UNAVAILABLE: 530008,
  PUSH_URL_INVALID: 530009,
  REST_UNSUPPORTED_MEDIA_TYPE: 530010,
  AUTH_TOKEN_UNAVAILABLE: 530011,
  // 500xxx: the server itself
  INTERNAL: 500000,
  STORAGE_UNAVAILABLE: 500001,
  // an admin command on a folder (or --db database) no server has started on: a mistyped --data
  NO_MAGPIE_DATA: 500002,
  // the data folder's server.key did not seal the database's secrets: a node given another folder
  SERVER_KEY_MISMATCH: 500004,
  // start on a folder a server has used whose database (SQLite file, PostgreSQL schema) is gone or empty: it would start empty
  DATABASE_MISSING: 500005,
} as const;

export type ErrorCodeName = keyof typeof ErrorCode;
export type ErrorCodeValue = (typeof ErrorCode)[ErrorCodeName];

const namesByCode = new Map<number, ErrorCodeName>(
  (Object.keys(ErrorCode) as ErrorCodeName[]).map((name) => [ErrorCode[name], name]),
);

/** The stable name of a code, or undefined for a code Magpie does not define. */
export function errorCodeName(code: number): ErrorCodeName | undefined {
  return namesByCode.get(code);
}

/**
 * A refusal for size as data (FILE_TOO_LARGE): the file's size and the limit it broke, in bytes,
 * so an app says both without reading them out of the message's words.
 */
export interface SizeRefusal {
  readonly sizeBytes: number;
  readonly limitBytes: number;
}

/** A size refusal as an ERROR frame's fields carry it (0 and 0 when there is none). */
export function sizeRefusalToWire(tooLarge: SizeRefusal | undefined): { sizeBytes: bigint; limitBytes: bigint } {
  return { sizeBytes: BigInt(tooLarge?.sizeBytes ?? 0), limitBytes: BigInt(tooLarge?.limitBytes ?? 0) };
}

/** An ERROR frame's size and limit, when it tells both (an older server tells neither). */
export function sizeRefusalFromWire(body: { readonly sizeBytes: bigint; readonly limitBytes: bigint }): SizeRefusal | undefined {
  const max = BigInt(Number.MAX_SAFE_INTEGER);
  if (body.sizeBytes <= 0n || body.limitBytes <= 0n || body.sizeBytes > max || body.limitBytes > max) return undefined;
  return { sizeBytes: Number(body.sizeBytes), limitBytes: Number(body.limitBytes) };
}

/** The one error type of Magpie: a stable numeric code and a message for people. */
export class MagpieError extends Error {
  readonly code: number;
  /**
   * The server address the error is about, as the user wrote it (host:port, or the Server addresses
   * entry that is no address), so a UI can point at it without reading the message.
   */
  readonly address?: string;
  /** FILE_TOO_LARGE: the size and the limit, when the refusal knows both. */
  readonly tooLarge?: SizeRefusal;

  constructor(code: number, message: string, options?: { cause?: unknown; address?: string; tooLarge?: SizeRefusal }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MagpieError';
    this.code = code;
    if (options?.address !== undefined) this.address = options.address;
    if (options?.tooLarge !== undefined) this.tooLarge = options.tooLarge;
  }
}

export function isMagpieError(value: unknown): value is MagpieError {
  return value instanceof MagpieError;
}
