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
  it('after a refused sign-in, says so instead of promising delivery, and offers to sign in again or retry', async () => {
    const { api, wrapper, session } = mountBanner({ state: 'offline', code: 520005, reason: 'wrong password' });
    await flushPromises();
    const banner = wrapper.get('[data-testid="connection-banner"]');
    expect(banner.text()).toContain('refused to sign you in');
    expect(banner.text()).toContain('520005');
    expect(banner.text()).not.toContain('will be sent');
    await wrapper.get('[data-testid="banner-retry"]').trigger('click');
    await flushPromises();
    expect(api.callsOf('session.reconnect')).toEqual([{}]);
    expect(session.connection.state).toBe('connecting');
    wrapper.unmount();
  });

  it('offers sign-in again after a refusal, and names a code it does not know in general words', async () => {
    const { api, wrapper } = mountBanner({ state: 'offline', code: 529999, reason: 'something new' });
    await flushPromises();
    expect(wrapper.get('[data-testid="connection-banner"]').text()).toContain('the sign-in was not accepted (code 529999)');
    await wrapper.get('[data-testid="banner-sign-in"]').trigger('click');
    await flushPromises();
    expect(api.callsOf('session.logout')).toEqual([{ forget: false }]);
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
