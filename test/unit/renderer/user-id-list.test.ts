// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import CreateGroupForm from '../../../renderer/src/components/groups/CreateGroupForm.vue';
import { splitUserIds } from '../../../renderer/src/identity/user-id';
import { createMagpieI18n } from '../../../renderer/src/i18n';
import { useBackend } from '../../../renderer/src/stores/backend';
import { createFakeApi } from './fake-api';

/** The id lists the fields call "comma separated" (create group's Members, the invite dialog's ids). */
describe('a typed list of user ids', () => {
  it('splits on commas only, ASCII and Chinese, trimming each part and dropping empty ones and repeats', () => {
    expect(splitUserIds('bob, cat，dan、eve ,, bob')).toEqual(['bob', 'cat', 'dan', 'eve']);
    expect(splitUserIds('  ')).toEqual([]);
    // a space or a semicolon inside a part keeps it one id, which the rules then refuse whole
    expect(splitUserIds('bad id!, cat')).toEqual(['bad id!', 'cat']);
    expect(splitUserIds('bob;cat')).toEqual(['bob;cat']);
  });

  it('names an id with a space in it whole in the create-group form, in English and Chinese', async () => {
    for (const [locale, error] of [
      ['en', '"bad id!" may contain only ASCII letters (a-z, A-Z), digits, _ and -'],
      ['zh-CN', '“bad id!”只能包含英文字母（a-z、A-Z）、数字、_ 和 -'],
    ] as const) {
      const pinia = createPinia();
      const api = createFakeApi();
      useBackend(pinia).attach(api);
      const wrapper = mount(CreateGroupForm, { global: { plugins: [pinia, createMagpieI18n(locale)] } });
      await wrapper.get('[data-testid="create-group-name"]').setValue('Lunch');
      await wrapper.get('[data-testid="create-group-members"]').setValue('bad id!');
      expect(wrapper.get('[data-testid="create-group-members-error"]').text()).toBe(error);
      await wrapper.get('form').trigger('submit');
      expect(api.callsOf('groups.create')).toEqual([]);
      wrapper.unmount();
    }
  });

  it('creates the group with the ids between commas', async () => {
    const pinia = createPinia();
    const api = createFakeApi();
    useBackend(pinia).attach(api);
    const wrapper = mount(CreateGroupForm, { global: { plugins: [pinia, createMagpieI18n('en')] } });
    await wrapper.get('[data-testid="create-group-name"]').setValue('Lunch');
    await wrapper.get('[data-testid="create-group-members"]').setValue(' bob ，cat、dan ');
    expect(wrapper.get('[data-testid="create-group-members-error"]').text()).toBe('');
    await wrapper.get('form').trigger('submit');
    expect(api.callsOf('groups.create').map((c) => c.members)).toEqual([['bob', 'cat', 'dan']]);
    wrapper.unmount();
  });
});
