import type { Migration } from '../migration';
import { migration0001Identity } from './0001-identity';
import { migration0002Messages } from './0002-messages';
import { migration0003Groups } from './0003-groups';
import { migration0004RestPush } from './0004-rest-push';

/** Every migration, in order. Append new ones at the end; never reorder or edit applied ones. */
export const migrations: readonly Migration[] = [migration0001Identity, migration0002Messages, migration0003Groups, migration0004RestPush];
