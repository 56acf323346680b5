export * from './migrations';
export * from './wal-checkpoint-worker';
