export * from './sha256-file';
export * from './sniffed-type';
