import { pb } from '../../protocol';

/** Limits of the group service; docs/server.md "Groups" lists them. */
export const GROUP_LIMITS = {
  maxNameChars: 64,
  maxAnnouncementChars: 1_024,
  maxReasonChars: 256,
  maxCardChars: 64,
  /** Users one invite, kick or create may name. */
  maxUsersPerRequest: 200,
  maxMuteSeconds: 30 * 24 * 3600,
  defaultMembersPage: 50,
  maxMembersPage: 200,
  maxKeywordChars: 64,
  defaultSearchPage: 20,
  maxSearchPage: 100,
  /**
   * Encoded bytes of the groups in one SEARCH or LIST_MINE answer: a group of the longest name and
   * announcement is about 4.5 KB, so 100 of them would pass the 256 KiB frame a client accepts
   * (compression helps little with varied Chinese text). Below the frame even uncompressed, as a
   * SYNC page (SYNC_LIMITS.maxPageBytes).
   */
  maxListPageBytes: 192 * 1024,
  /**
   * Groups one user may be a member of (owned ones included): bounds the groups one user can make
   * and the groups others can put a user in without asking (create and invite add members at once
   * where the group does not ask invitees to confirm). Past it: TOO_MANY_GROUPS.
   */
  maxGroupsPerUser: 500,
  /**
   * A create's request id is remembered this long after the group was made (by time, not by count):
   * a repeat within it answers that group. A day outlasts any client's retries and a person's
   * second press of Create after an apparent failure by far.
   */
  createRequestMemoryMs: 24 * 3_600_000,
  /** Request ids older than the memory are deleted at most this often (at a create, by whichever node makes it). */
  createRequestSweepMs: 10 * 60_000,
  /** A create's request id: empty (none), or as many bytes as a SEND's client_msg_id may have. */
  minCreateRequestIdBytes: 8,
  maxCreateRequestIdBytes: 64,
} as const;

/** Members a group of each type may hold, the owner included. */
export const CAPACITY_BY_TYPE: Readonly<Record<pb.GroupType, number>> = {
  [pb.GroupType.TEMPORARY]: 100,
  [pb.GroupType.NORMAL]: 300,
  [pb.GroupType.SENIOR]: 500,
  [pb.GroupType.ADVANCED]: 1000,
  [pb.GroupType.SUPER]: 2000,
};
