import type { Migration } from '../migrate';
import { migration0001 } from './0001-initial';
import { migration0002 } from './0002-outbox-send-order';
import { migration0003 } from './0003-search-merge-in-steps';
import { migration0004 } from './0004-unburned-index';
import { migration0005 } from './0005-outbox-uploads';
import { migration0006 } from './0006-timeline-cursors';
import { migration0007 } from './0007-notice-changes';
import { migration0008 } from './0008-unsent-reads';
import { migration0009 } from './0009-group-mute-all';
import { migration0010 } from './0010-message-timeline-seq';
import { migration0011 } from './0011-listen-cursor';
import { migration0012 } from './0012-pending-creates-and-size-refusals';
import { migration0013 } from './0013-search-fold-greek-cyrillic';

/** Every migration in order; a new one is a new numbered file added at the end, never an edit. */
export const clientStoreMigrations: readonly Migration[] = [migration0001, migration0002, migration0003, migration0004, migration0005, migration0006, migration0007, migration0008, migration0009, migration0010, migration0011, migration0012, migration0013];
