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
} as const;

/** Members a group of each type may hold, the owner included. */
export const CAPACITY_BY_TYPE: Readonly<Record<pb.GroupType, number>> = {
  [pb.GroupType.TEMPORARY]: 100,
  [pb.GroupType.NORMAL]: 300,
  [pb.GroupType.SENIOR]: 500,
  [pb.GroupType.ADVANCED]: 1000,
  [pb.GroupType.SUPER]: 2000,
};
