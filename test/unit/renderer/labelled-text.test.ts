// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import type { ApiError, MemberView } from '../../../preload/api';
import LoginView from '../../../renderer/src/components/login/LoginView.vue';
import MemberRow from '../../../renderer/src/components/groups/MemberRow.vue';
import { createMagpieI18n, type Locale } from '../../../renderer/src/i18n';
import { useBackend } from '../../../renderer/src/stores/backend';
import { createFakeApi } from './fake-api';

/** The sign-in form's error line after a refused sign-in, in a language. */
async function loginError(locale: Locale, error: ApiError, servers = '127.0.0.1:1'): Promise<string> {
  const pinia = createPinia();
  useBackend(pinia).attach(createFakeApi({ 'session.login': () => ({ ok: false, error }) }));
  const wrapper = mount(LoginView, { global: { plugins: [pinia, createMagpieI18n(locale)] } });
  await wrapper.get('[data-testid="login-servers"]').setValue(servers);
  await wrapper.get('[data-testid="login-app-id"]').setValue('app1');
  await wrapper.get('[data-testid="login-user"]').setValue('u1');
  await wrapper.get('[data-testid="login-secret"]').setValue('pw');
  await wrapper.get('[data-testid="login-form"]').trigger('submit');
  await flushPromises();
  const text = wrapper.get('[data-testid="login-error"]').text();
  wrapper.unmount();
  return text;
}

function memberActionsLabel(locale: Locale): string {
  const member: MemberView = { userId: 'bob', nickname: 'Bob', role: 'member', card: '', muteUntilMs: 0 };
  const wrapper = mount(MemberRow, { props: { member, myRole: 'owner', isMe: false }, global: { plugins: [createPinia(), createMagpieI18n(locale)] } });
  const label = wrapper.get('[data-testid="member-actions"]').attributes('aria-label')!;
  wrapper.unmount();
  return label;
}

describe('a label and what it says, in each language', () => {
  it('takes the full-width colon with no space in Chinese: the sign-in error and the member actions', async () => {
    expect(await loginError('zh-CN', { code: 171003, message: 'closed' })).toBe('无法连接 127.0.0.1:1：连接已关闭（错误码 171003）');
    expect(await loginError('zh-CN', { code: 171012, message: 'bad', address: '127.0.0.1:99999' }, '127.0.0.1:99999')).toMatch(/）："127\.0\.0\.1:99999"$/);
    expect(memberActionsLabel('zh-CN')).toBe('更多操作：Bob');
  });

  it('keeps ": " in English', async () => {
    expect(await loginError('en', { code: 171003, message: 'closed' })).toBe('Could not reach 127.0.0.1:1: The connection was closed (code 171003)');
    expect(memberActionsLabel('en')).toBe('More actions: Bob');
  });
});
