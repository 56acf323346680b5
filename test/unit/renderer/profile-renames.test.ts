import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../../../renderer/src/stores/backend';
import { useConversations } from '../../../renderer/src/stores/conversations';
import { wireEvents } from '../../../renderer/src/stores/event-wiring';
import { useGroups } from '../../../renderer/src/stores/groups';
import { useProfiles } from '../../../renderer/src/stores/profiles';
import { conversation, createFakeApi } from './fake-api';

describe('a renamed user, as the core learns it', () => {
  it('renames their chat in the list and header, their member rows and their bubbles at once, with no chat opened', () => {
    setActivePinia(createPinia());
    const api = createFakeApi({ 'profiles.get': () => [] });
    useBackend().attach(api);
    const unwire = wireEvents();
    const conversations = useConversations();
    conversations.upsert(conversation('bob', { title: 'Bob' }));
    const groups = useGroups();
    groups.members = { gteam: [{ userId: 'bob', nickname: 'Bob', role: 'member', card: '', muteUntilMs: 0 }] };
    useProfiles().remember([{ userId: 'bob', nickname: 'Bob', avatar: '' }]);

    api.emit('profiles.updated', { profiles: [{ userId: 'bob', nickname: 'Robert', avatar: '' }] });
    expect(conversations.byId['bob']?.title).toBe('Robert');
    expect(groups.members['gteam']?.[0]?.nickname).toBe('Robert');
    expect(useProfiles().name('bob')).toBe('Robert');
    unwire();
  });
});
