import type { Migration } from '../migrate';
import { migration0001 } from './0001-initial';
import { migration0002 } from './0002-outbox-send-order';
import { migration0003 } from './0003-search-merge-in-steps';
import { migration0004 } from './0004-unburned-index';
import { migration0006 } from './0006-timeline-cursors';

/** Every migration in order; a new one is a new numbered file added at the end, never an edit. */
export const clientStoreMigrations: readonly Migration[] = [
  migration0001,
  migration0002,
  migration0003,
  migration0004,
  // version 5 is another branch's (0005-*); this stand-in keeps the versions contiguous until the merge puts it in its place
  { version: 5, name: 'reserved-0005', up: () => undefined },
  migration0006,
];
