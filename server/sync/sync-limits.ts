/** Sync page sizes. A page must fit one frame (256 KiB) even uncompressed. */
export const SYNC_LIMITS = {
  defaultPageEntries: 100,
  maxPageEntries: 200,
  /** Estimated bytes of entries per page; the largest message (a 16 KiB custom payload) still fits many times. */
  maxPageBytes: 192 * 1024,
} as const;
