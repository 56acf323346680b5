/** Files are named NNNN-name.ts and listed, in order, in migrations/index.ts. */
export type { Migration } from '../../platform/sqlite';
