import type { Migration } from '../migration';
import { migration0001Identity } from './0001-identity';
import { migration0002Messages } from './0002-messages';
import { migration0003Groups } from './0003-groups';
import { migration0004PasswordVerifiers } from './0004-password-verifiers';
import { migration0005AccessRevocations } from './0005-access-revocations';
import { migration0006Files } from './0006-files';
import { migration0007RestPush } from './0007-rest-push';
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
  // version 8 is another branch's (0008-*); this stand-in keeps the versions contiguous until the merge puts it in its place
  { version: 8, name: 'reserved-0008', up: () => undefined },
  migration0009GroupTimelines,
];
