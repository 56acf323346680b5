// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, type Pinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import type { SessionView, SignInMethod } from '../../../preload/api';
import LoginView from '../../../renderer/src/components/login/LoginView.vue';
import { createMagpieI18n } from '../../../renderer/src/i18n';
import { useBackend } from '../../../renderer/src/stores/backend';
import { useSession } from '../../../renderer/src/stores/session';
import { createFakeApi } from './fake-api';

/** A session signed in with method, then signed out (the account kept): the form as it comes back. */
async function formAfterSignOut(signedInWith: SignInMethod | undefined) {
  const view: SessionView = { userId: 'u1', appId: 'app1', nickname: 'Me', servers: ['127.0.0.1:8883'], ...(signedInWith ? { signedInWith } : {}) };
  const api = createFakeApi({
    'app.info': () => ({ name: 'Magpie', version: '0.1.0', shell: 'web' }),
    'session.restore': () => view,
    'session.logout': () => null,
    'session.connection': () => ({ state: 'online' }),
    'conversations.list': () => [],
    'groups.mine': () => [],
    'group.requests': () => [],
  });
  const pinia: Pinia = createPinia();
  useBackend(pinia).attach(api);
  const session = useSession(pinia);
  await session.start();
  await session.logout(false);
  const wrapper = mount(LoginView, { global: { plugins: [pinia, createMagpieI18n('en')] } });
  await flushPromises();
  const checked = (type: string) => (wrapper.get(`[data-testid="login-auth-${type}"]`).element as HTMLInputElement).checked;
  const value = (testId: string) => (wrapper.get(`[data-testid="${testId}"]`).element as HTMLInputElement).value;
  return { wrapper, checked, value };
}

describe('the sign-in form after a sign-out', () => {
  it('comes back set to the app token when the session signed in with one, the user kept and the token not', async () => {
    const { wrapper, checked, value } = await formAfterSignOut({ type: 'appToken' });
    expect(checked('appToken')).toBe(true);
    expect(checked('password')).toBe(false);
    expect(value('login-user')).toBe('u1');
    expect(value('login-app-id')).toBe('app1');
    expect(value('login-secret')).toBe('');
    wrapper.unmount();
  });

  it('comes back set to the signed token with its algorithm; the signature and its timestamp are asked again', async () => {
    const { wrapper, checked, value } = await formAfterSignOut({ type: 'signed', algorithm: 'md5' });
    expect(checked('signed')).toBe(true);
    expect(value('login-algorithm')).toBe('md5');
    expect(value('login-timestamp')).toBe('');
    expect(value('login-secret')).toBe('');
    expect(value('login-user')).toBe('u1');
    wrapper.unmount();
  });

  it('stays on the password after a password session (or a core that does not say)', async () => {
    for (const method of [{ type: 'password' } as const, undefined]) {
      const { wrapper, checked, value } = await formAfterSignOut(method);
      expect(checked('password')).toBe(true);
      expect(value('login-user')).toBe('u1');
      wrapper.unmount();
    }
  });
});
