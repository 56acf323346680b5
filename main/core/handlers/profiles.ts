import type { CoreDeps, HandlerSlice } from './deps';

/** One's own profile and other people's. */
export function createProfileHandlers(deps: CoreDeps): HandlerSlice<'profile.me' | 'profile.update' | 'profiles.get'> {
  return {
    'profile.me': () => deps.requireSession().profiles.me(),
    'profile.update': (args) => deps.requireSession().profiles.update(args),
    'profiles.get': (args) => deps.requireSession().profiles.get(args.userIds),
  };
}
