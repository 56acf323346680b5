export * from './sha256-file';
