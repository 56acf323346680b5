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

/** Every migration, in order. Append new ones at the end; never reorder or edit applied ones. */
export const migrations: readonly Migration[] = [
  migration0001Identity,
  migration0002Messages,
  migration0003Groups,
  migration0004PasswordVerifiers,
  migration0005AccessRevocations,
  migration0006Files,
  migration0007RestPush,
  migration0008ConversationMutes,
  migration0009GroupTimelines,
];
