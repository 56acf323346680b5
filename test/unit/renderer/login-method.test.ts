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

describe('the sign-in form after a plain sign-out and a restart', () => {
  it('holds the remembered account (servers, app, user, CA file) and the method of the settings, never a secret', async () => {
    const api = createFakeApi({
      'app.info': () => ({ name: 'Magpie', version: '0.1.0', shell: 'web' }),
      'settings.get': () => ({ notifications: true, preview: 'full', language: 'en', theme: 'light', servers: ['127.0.0.1:8866'], signInMethod: { type: 'appToken' } }),
      'session.restore': () => null,
      'session.remembered': () => ({ servers: ['127.0.0.1:8899'], appId: 'app1', userId: 'u1', caFile: '/tmp/ca.pem' }),
    });
    const pinia: Pinia = createPinia();
    useBackend(pinia).attach(api);
    const session = useSession(pinia);
    await session.start();
    expect(session.phase).toBe('signedOut');
    const wrapper = mount(LoginView, { global: { plugins: [pinia, createMagpieI18n('en')] } });
    await flushPromises();
    const value = (testId: string) => (wrapper.get(`[data-testid="${testId}"]`).element as HTMLInputElement).value;
    expect(value('login-servers')).toBe('127.0.0.1:8899');
    expect(value('login-app-id')).toBe('app1');
    expect(value('login-user')).toBe('u1');
    expect(value('login-ca-file')).toBe('/tmp/ca.pem');
    expect(value('login-secret')).toBe('');
    expect((wrapper.get('[data-testid="login-auth-appToken"]').element as HTMLInputElement).checked).toBe(true);
    wrapper.unmount();
  });

  it('holds only the settings (servers, method) when no account is remembered', async () => {
    const api = createFakeApi({
      'app.info': () => ({ name: 'Magpie', version: '0.1.0', shell: 'web' }),
      'settings.get': () => ({ notifications: true, preview: 'full', language: 'en', theme: 'light', servers: ['127.0.0.1:8877'], signInMethod: { type: 'appToken' } }),
      'session.restore': () => null,
      'session.remembered': () => null,
    });
    const pinia: Pinia = createPinia();
    useBackend(pinia).attach(api);
    await useSession(pinia).start();
    const wrapper = mount(LoginView, { global: { plugins: [pinia, createMagpieI18n('en')] } });
    await flushPromises();
    const value = (testId: string) => (wrapper.get(`[data-testid="${testId}"]`).element as HTMLInputElement).value;
    expect(value('login-servers')).toBe('127.0.0.1:8877');
    expect(value('login-app-id')).toBe('');
    expect(value('login-user')).toBe('');
    expect((wrapper.get('[data-testid="login-auth-appToken"]').element as HTMLInputElement).checked).toBe(true);
    wrapper.unmount();
  });
});
