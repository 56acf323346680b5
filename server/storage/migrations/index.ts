import type { Migration } from '../migration';
import { migration0001Identity } from './0001-identity';
import { migration0002Messages } from './0002-messages';
import { migration0003Groups } from './0003-groups';
import { migration0004PasswordVerifiers } from './0004-password-verifiers';
import { migration0005AccessRevocations } from './0005-access-revocations';
import { migration0006Files } from './0006-files';
import { migration0007RestPush } from './0007-rest-push';
import { migration0008ConversationMutes } from './0008-conversation-mutes';
import { migration0009GroupTimelines } from './0009-group-timelines';
import { migration0010ClusterClaims } from './0010-cluster-claims';
import { migration0011RestReplays } from './0011-rest-replays';
import { migration0012PushMentionKinds } from './0012-push-mention-kinds';
import { migration0013PushTimelineMentions } from './0013-push-timeline-mentions';
import { migration0014GroupMuteAll } from './0014-group-mute-all';
import { migration0015GroupCreates } from './0015-group-creates';
import { migration0016ServerKeyCheck } from './0016-server-key-check';
import { pgGroups, pgIdentity, pgMessages } from './postgres/0001-0003';
import { pgAccessRevocations, pgConversationMutes, pgFiles, pgGroupTimelines, pgRestPush } from './postgres/0005-0009';
import { pgGroupMuteAll } from './postgres/0014';
import { pgGroupCreates } from './postgres/0015';

/**
 * Every migration, in order, each with its PostgreSQL body (migrations/postgres/). Append new ones
 * at the end; never reorder or edit applied ones.
 */
export const migrations: readonly Migration[] = [
  { ...migration0001Identity, postgres: pgIdentity },
  { ...migration0002Messages, postgres: pgMessages },
  { ...migration0003Groups, postgres: pgGroups },
  { ...migration0004PasswordVerifiers, postgres: (db) => migration0004PasswordVerifiers.up(db) },
  { ...migration0005AccessRevocations, postgres: pgAccessRevocations },
  { ...migration0006Files, postgres: pgFiles },
  { ...migration0007RestPush, postgres: pgRestPush },
  { ...migration0008ConversationMutes, postgres: pgConversationMutes },
  { ...migration0009GroupTimelines, postgres: pgGroupTimelines },
  migration0010ClusterClaims,
  migration0011RestReplays,
  migration0012PushMentionKinds,
  migration0013PushTimelineMentions,
  { ...migration0014GroupMuteAll, postgres: pgGroupMuteAll },
  { ...migration0015GroupCreates, postgres: pgGroupCreates },
  migration0016ServerKeyCheck,
];
