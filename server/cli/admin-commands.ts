import type { AccessControl } from '../access/access-control';
import type { Identity } from '../identity/identity';
import type { Command } from './args';

type AdminCommand = Exclude<Command, { kind: 'help' } | { kind: 'start' }>;

/** Runs one admin command against the identity and returns what to print as JSON. */
export function runAdminCommand(identity: Identity, access: AccessControl, command: AdminCommand): unknown {
  switch (command.kind) {
    case 'account-create':
      return identity.createAccount();
    case 'account-rotate-token':
      return identity.rotateAuthToken(command.accountSid);
    case 'app-create':
      return identity.createApp(command.accountSid, command.name);
    case 'app-state':
      return access.setAppState(command.appId, command.state);
    case 'app-list':
      return { apps: identity.listApps(command.accountSid) };
    case 'user-create': {
      const { subAccountSid, subToken, voipAccount, voipPwd, dateCreated, friendlyName, appId } = identity.createSubAccount(
        command.appId,
        command.name,
      );
      return { subAccountSid, subToken, voipAccount, voipPwd, dateCreated, friendlyName, appId };
    }
    case 'user-list':
      return { users: identity.listSubAccounts(command.appId) };
    case 'user-close':
      return access.closeSubAccount(command.subAccountSid);
    case 'user-reopen':
      // nothing to revoke: a reopened sub-account simply may log in again (as REST's reopen)
      return identity.reopenSubAccount(command.subAccountSid);
    default: {
      const unreachable: never = command;
      throw new Error(`unhandled command ${JSON.stringify(unreachable)}`);
    }
  }
}
