import { afterEach, describe, expect, it } from 'vitest';
import { CREATE_ID_MEMORY_MS, createGroupCreateIds, MAX_REMEMBERED_CREATES } from '../../../../main/groups/group-create-ids';
import { openTempStore } from './inbox-entries';

let temp: ReturnType<typeof openTempStore>;
afterEach(() => temp.dispose());

describe('the request ids of group creates not answered yet', () => {
  it('are kept in the store file: a reopen gives the same id, for 10 minutes, at most 32, until answered', () => {
    temp = openTempStore('ann');
    let nowMs = 1_800_000_000_000;
    const first = createGroupCreateIds(temp.store.pendingCreates, () => nowMs).idFor('crew');
    // the app restarted: a new store on the same file, a new service
    const reopened = temp.reopen();
    const ids = createGroupCreateIds(reopened.pendingCreates, () => nowMs);
    expect(Buffer.from(ids.idFor('crew')).toString('hex')).toBe(Buffer.from(first).toString('hex'));
    nowMs += CREATE_ID_MEMORY_MS - 1;
    expect(Buffer.from(ids.idFor('crew')).equals(Buffer.from(first))).toBe(true);
    nowMs += 1;
    expect(Buffer.from(ids.idFor('crew')).equals(Buffer.from(first))).toBe(false);

    // answered: the same settings are a new create
    const kept = ids.idFor('crew');
    ids.answered('crew');
    expect(Buffer.from(ids.idFor('crew')).equals(Buffer.from(kept))).toBe(false);

    // the oldest goes first past the limit
    for (let i = 0; i < MAX_REMEMBERED_CREATES; i++) {
      nowMs += 1;
      ids.idFor(`group ${i}`);
    }
    expect(reopened.pendingCreates.get('crew')).toBeUndefined();
    expect(reopened.pendingCreates.get('group 0')).toBeDefined();
    expect(reopened.db.prepare('SELECT COUNT(*) FROM group_creates_pending').pluck().get()).toBe(MAX_REMEMBERED_CREATES);
  });
});
