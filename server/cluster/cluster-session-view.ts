import type { Session, SessionRegistry } from '../gateway/sessions';
import type { ClusterNode } from './cluster-node';
import type { RemoteSession } from './presence-mirror';

/**
 * The session registry as the REST API and the console read it on a cluster node: who is online
 * and on which devices counts every node's sessions. A session of another node can be read, not
 * reached through here: frames to it go through Delivery, and ending it through access control.
 */
export function createClusterSessionView(local: SessionRegistry, cluster: ClusterNode): SessionRegistry {
  const asSession = (remote: RemoteSession): Session => ({
    caller: {
      sessionId: remote.sessionId,
      appId: remote.appId,
      userId: remote.userId,
      device: remote.device,
      deviceId: remote.deviceId,
      protocolMinor: remote.minor,
    },
    address: `node ${remote.node}`,
    send: () => undefined,
    kick: () => undefined,
  });
  const view: SessionRegistry = Object.create(local) as SessionRegistry;
  return Object.assign(view, {
    sessionsOf: (appId: string, userId: string) => [...local.sessionsOf(appId, userId), ...cluster.remoteSessionsOf(appId, userId).map(asSession)],
    usersOnline: (appId: string) => {
      // the users online here, and those online only elsewhere
      const elsewhere = new Set<string>();
      for (const session of cluster.remoteSessions()) {
        if (session.appId === appId && !local.isOnline(appId, session.userId)) elsewhere.add(session.userId);
      }
      return local.usersOnline(appId) + elsewhere.size;
    },
  });
}
