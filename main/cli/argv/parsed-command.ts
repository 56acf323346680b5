import type { GroupModeName, LoginAuth } from '../../../preload/api';

/** What every command needs to reach its store and, unless offline, the server. */
export interface GlobalOptions {
  readonly servers: string[];
  readonly appId: string;
  /** The user whose store the command reads (the voipAccount for a password login). */
  readonly user: string;
  /**
   * How to log in; undefined for a local command (isLocalCommand), which never connects and so
   * neither needs nor reads a secret.
   */
  readonly auth: LoginAuth | undefined;
  /** Undefined: the default profile folder. */
  readonly profileDir: string | undefined;
  /** 0 waits for ever. */
  readonly timeoutMs: number;
  /** A CA certificate (PEM) trusted besides the system's, for a self-signed server. */
  readonly caFile: string | undefined;
  /** Bare remote addresses go plain TCP instead of TLS. */
  readonly insecurePlain: boolean;
  /** Log in with force: this login replaces the user's other sessions of the same kind (bot). */
  readonly force: boolean;
}

export type GroupCommand =
  | { op: 'create'; name: string; mode: GroupModeName; members: string[]; capacity?: number }
  | { op: 'join' | 'quit' | 'dismiss'; groupId: string }
  | { op: 'apply'; groupId: string; reason: string }
  | { op: 'approve'; groupId: string; requestId: number }
  | { op: 'reject'; groupId: string; requestId: number; reason: string }
  | { op: 'invite' | 'kick'; groupId: string; users: string[] }
  | { op: 'members'; groupId: string; limit: number }
  | { op: 'list' | 'requests' }
  | { op: 'mute'; groupId: string; user: string; seconds: number }
  | { op: 'role'; groupId: string; user: string; role: 'admin' | 'member' }
  | { op: 'transfer'; groupId: string; user: string }
  | { op: 'dnd'; groupId: string; on: boolean }
  /** user: another member's alias (owner or admin); absent: my own. An empty card clears it. */
  | { op: 'card'; groupId: string; user?: string; card: string }
  | { op: 'mute-all'; groupId: string; on: boolean }
  | { op: 'modify'; groupId: string; name?: string; announcement?: string; mode?: GroupModeName };

export type Command =
  | { kind: 'help'; topic: string }
  | { kind: 'send'; to: string; text: string | undefined; stdin: boolean; custom?: CustomSend; burn?: boolean; mentions?: string[]; mentionAll?: true }
  | { kind: 'send-file'; to: string; path: string; mediaKind: 'voice' | 'image' | 'file'; durationMs: number | undefined }
  | { kind: 'download'; msgId: number; outDir: string }
  | { kind: 'revoke'; msgId: number }
  | { kind: 'read'; conversation: string }
  | { kind: 'burn'; msgId: number }
  | { kind: 'listen'; count: number | undefined }
  | { kind: 'history'; conversation: string; limit: number; offline: boolean }
  /** list (offline), flush (connects and sends), discard (offline: drops failed items, all or the one named) */
  | { kind: 'outbox'; flush: boolean; discard?: { id: string | undefined } }
  | { kind: 'search'; query: string; limit: number }
  | { kind: 'group'; group: GroupCommand }
  | { kind: 'profile'; nickname: string | undefined; avatar: string | undefined };

/** The command of one kind, as the code that runs it takes it. */
export type CommandOf<K extends Command['kind']> = Extract<Command, { kind: K }>;

/** A custom message (command + JSON payload), as `send --custom CMD --payload JSON [--transient]`. */
export interface CustomSend {
  readonly command: string;
  readonly payload: string;
  readonly transient: boolean;
}

export interface ParsedCli {
  readonly command: Command;
  /** Undefined for help. */
  readonly global: GlobalOptions | undefined;
}
