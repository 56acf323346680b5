import type { Migration } from '../migrate';
import { migration0001 } from './0001-initial';

/** Every migration in order; a new one is a new numbered file added at the end, never an edit. */
export const clientStoreMigrations: readonly Migration[] = [migration0001];
