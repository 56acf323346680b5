// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import MentionPicker from '../../../renderer/src/components/chat/MentionPicker.vue';
import { createMagpieI18n } from '../../../renderer/src/i18n';

const member = (userId: string, nickname = '', card = '') => ({ userId, nickname, card, role: 'member' as const, muteUntilMs: 0 });

describe('the @mention picker', () => {
  it('names a member once when the id is all there is, and adds the id under a nickname or card', () => {
    const wrapper = mount(MentionPicker, {
      props: { members: [member('bob'), member('carol', 'Carol'), member('dave', 'Dave', '戴夫')], selected: 0, showAll: false },
      global: { plugins: [createMagpieI18n('en')] },
    });
    expect(wrapper.findAll('[data-testid="mention-option"]').map((o) => o.text().replace(/\s+/g, ' '))).toEqual(['bob', 'Carol carol', '戴夫 dave']);
    wrapper.unmount();
  });

  it('brings the option the arrow keys select into sight', async () => {
    const scrolledTo: string[] = [];
    const original = HTMLElement.prototype.scrollIntoView;
    HTMLElement.prototype.scrollIntoView = function (this: HTMLElement) {
      scrolledTo.push(this.dataset['user'] ?? '');
    };
    try {
      const members = Array.from({ length: 8 }, (_, i) => member(`user${i}`));
      const wrapper = mount(MentionPicker, { props: { members, selected: 0, showAll: true }, global: { plugins: [createMagpieI18n('en')] } });
      // the .vue shim types no props: the picker's own are members, selected and showAll
      await wrapper.setProps({ selected: 8 } as never);
      expect(scrolledTo).toEqual(['user7']);
      wrapper.unmount();
    } finally {
      HTMLElement.prototype.scrollIntoView = original;
    }
  });
});
