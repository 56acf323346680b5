/** Sync page sizes. A page must fit one frame (256 KiB) even uncompressed. */
export const SYNC_LIMITS = {
  defaultPageEntries: 100,
  maxPageEntries: 200,
  /**
   * Encoded bytes of entries per page, counted as an upper bound: below the 256 KiB frame even
   * uncompressed, and below the 1 MiB body every client accepts; the largest stored message
   * (48 KiB) fits four times over.
   */
  maxPageBytes: 192 * 1024,
} as const;
