// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { afterEach, describe, expect, it } from 'vitest';
import { GROUP_LIMITS, type GroupView } from '../../../preload/api';
import { methodSchemas } from '../../../preload/api-schemas';
import GroupSearch from '../../../renderer/src/components/groups/GroupSearch.vue';
import { cutReason, reasonChars } from '../../../renderer/src/components/groups/group-input';
import { createMagpieI18n } from '../../../renderer/src/i18n';
import { useBackend } from '../../../renderer/src/stores/backend';
import { createFakeApi } from './fake-api';

const group: GroupView = {
  groupId: 'gclub', name: 'Club', owner: 'olga', mode: 'approval', capacity: 500, memberCount: 3, announcement: '',
  myRole: 'none', dnd: false, inviteConfirm: false, dismissed: false, myMuteUntilMs: 0, muteAll: false,
};

const byTestId = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`);

async function click(id: string): Promise<void> {
  byTestId(id)!.click();
  await flushPromises();
}

/** The apply dialog of an approval group found by search. */
async function openApply() {
  const pinia = createPinia();
  const api = createFakeApi({ 'groups.search': () => [group], 'group.apply': () => ({ requestId: 1 }) });
  useBackend(pinia).attach(api);
  const wrapper = mount(GroupSearch, { global: { plugins: [pinia, createMagpieI18n('en')] }, attachTo: document.body });
  const keyword = byTestId('group-search-input') as HTMLInputElement;
  keyword.value = 'Book';
  keyword.dispatchEvent(new Event('input'));
  await click('group-search-submit');
  await click('group-apply');
  return { wrapper, api };
}

async function typeReason(value: string): Promise<HTMLTextAreaElement> {
  const field = byTestId('apply-message') as HTMLTextAreaElement;
  field.value = value;
  field.dispatchEvent(new Event('input'));
  await flushPromises();
  return field;
}

describe('the message of an application to join a group', () => {
  afterEach(() => {
    document.body.innerHTML = '';
  });

  it('counts characters as the server does: an emoji is one, so the whole limit of emoji goes out', async () => {
    const { api } = await openApply();
    const field = await typeReason('🐦'.repeat(200));
    // a maxlength counts UTF-16 units: it would stop an emoji text at half the server's limit
    expect(field.hasAttribute('maxlength')).toBe(false);
    expect(byTestId('apply-counter')!.textContent!.trim()).toBe(`200/${GROUP_LIMITS.maxReasonChars}`);

    const full = '🐦'.repeat(GROUP_LIMITS.maxReasonChars);
    await typeReason(full);
    expect(byTestId('apply-counter')!.textContent!.trim()).toBe(`${GROUP_LIMITS.maxReasonChars}/${GROUP_LIMITS.maxReasonChars}`);
    await click('apply-send');
    expect(api.callsOf('group.apply')).toEqual([{ groupId: 'gclub', reason: full }]);
    expect(methodSchemas['group.apply'].args.safeParse({ groupId: 'gclub', reason: full }).success).toBe(true);
  });

  it('stops at the limit in characters, never inside an emoji', async () => {
    await openApply();
    const field = await typeReason(`a${'🐦'.repeat(GROUP_LIMITS.maxReasonChars)}`);
    expect(field.value).toBe(`a${'🐦'.repeat(GROUP_LIMITS.maxReasonChars - 1)}`);
    expect(byTestId('apply-counter')!.textContent!.trim()).toBe(`${GROUP_LIMITS.maxReasonChars}/${GROUP_LIMITS.maxReasonChars}`);
    expect(cutReason('x'.repeat(300))).toBe('x'.repeat(GROUP_LIMITS.maxReasonChars));
    expect(reasonChars('鹊🐦')).toBe(2);
  });
});
