// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import type { ConnectionInfo } from '../../../preload/api';
import ConnectionBanner from '../../../renderer/src/components/common/ConnectionBanner.vue';
import { createMagpieI18n } from '../../../renderer/src/i18n';
import { useBackend } from '../../../renderer/src/stores/backend';
import { useSession } from '../../../renderer/src/stores/session';
import { createFakeApi } from './fake-api';

function mountBanner(connection: ConnectionInfo, language: 'en' | 'zh-CN' = 'en') {
  const api = createFakeApi({ 'session.reconnect': () => ({ state: 'connecting' }), 'session.logout': () => null });
  const pinia = createPinia();
  const wrapper = mount(ConnectionBanner, { global: { plugins: [pinia, createMagpieI18n(language)] } });
  useBackend(pinia).attach(api);
  const session = useSession(pinia);
  session.phase = 'signedIn';
  session.connection = connection;
  return { api, wrapper, session };
}

describe('the connection banner', () => {
  it('over the form after a refused sign-in, says why and offers to retry, which it does with what is remembered', async () => {
    for (const [language, words, retrying] of [['en', 'The server refused to sign you in: This app is offline (code 520003)', 'Retrying…'], ['zh-CN', '服务器拒绝了登录：该应用已下线（错误码 520003）', '正在重试…']] as const) {
      const { api, wrapper, session } = mountBanner({ state: 'idle' }, language);
      session.phase = 'signedOut';
      session.ended = { reason: 'app offline', code: 520003, refused: true };
      await flushPromises();
      const banner = wrapper.get('[data-testid="connection-banner"]');
      expect(banner.attributes('data-state')).toBe('refused');
      expect(banner.text()).toContain(words);
      // the form below it is the sign-in: no second way to it in the banner
      expect(wrapper.find('[data-testid="banner-sign-in"]').exists()).toBe(false);
      session.retrying = true;
      await flushPromises();
      expect(wrapper.get('[data-testid="banner-retry"]').text()).toBe(retrying);
      session.retrying = false;
      await flushPromises();
      await wrapper.get('[data-testid="banner-retry"]').trigger('click');
      await flushPromises();
      expect(api.callsOf('session.reconnect')).toEqual([{}]);
      wrapper.unmount();
    }
  });

  it('names a refusal code it does not know in general words', async () => {
    const { wrapper, session } = mountBanner({ state: 'idle' });
    session.phase = 'signedOut';
    session.ended = { reason: 'something new', code: 529999, refused: true };
    await flushPromises();
    expect(wrapper.get('[data-testid="connection-banner"]').text()).toContain('the sign-in was not accepted (code 529999)');
    wrapper.unmount();
  });

  it('while reconnecting, offers to retry now; in Chinese too', async () => {
    const { api, wrapper } = mountBanner({ state: 'reconnecting' }, 'zh-CN');
    await flushPromises();
    expect(wrapper.find('[data-testid="banner-sign-in"]').exists()).toBe(false);
    const retry = wrapper.get('[data-testid="banner-retry"]');
    expect(retry.text()).toBe('立即重试');
    await retry.trigger('click');
    expect(api.callsOf('session.reconnect')).toHaveLength(1);
    wrapper.unmount();
  });
});
