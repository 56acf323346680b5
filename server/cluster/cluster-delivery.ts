import type { Frame } from '../../protocol';
import type { SessionRegistry } from '../gateway/sessions';
import type { Delivery } from '../handler-types';
import type { ClusterNode } from './cluster-node';
import type { RemoteSession } from './presence-mirror';

/**
 * Delivery for the whole cluster: this node's sessions get the frame at once, every other node
 * that holds the user gets it routed (once per node per turn, however many of its sessions want
 * it), and a user is online when any node holds a session of theirs.
 */
export function createClusterDelivery(local: SessionRegistry, cluster: ClusterNode): Omit<Delivery, 'offline'> {
  function routeTo(remote: readonly RemoteSession[], appId: string, userId: string, minMinor: number, frame: Frame, except: string | undefined): number {
    let sent = 0;
    const nodes = new Set<string>();
    for (const session of remote) {
      if (session.sessionId === except || session.minor < minMinor) continue;
      sent++;
      nodes.add(session.node);
    }
    for (const node of nodes) cluster.route(node, { appId, userId, minMinor, exceptSessionId: except ?? '', frame });
    return sent;
  }

  return {
    toUser(appId, userId, frame, except) {
      const sent = local.toUser(appId, userId, frame, except);
      return sent + routeTo(cluster.remoteSessionsOf(appId, userId), appId, userId, 0, frame, except);
    },
    toUserSince(appId, userId, minMinor, frame, except) {
      const sent = local.toUserSince(appId, userId, minMinor, frame, except);
      return sent + routeTo(cluster.remoteSessionsOf(appId, userId), appId, userId, minMinor, frame, except);
    },
    onlineBelow(appId, userId, minor) {
      return local.onlineBelow(appId, userId, minor) || cluster.remoteSessionsOf(appId, userId).some((session) => session.minor < minor);
    },
    isOnline(appId, userId) {
      return local.isOnline(appId, userId) || cluster.remoteIsOnline(appId, userId);
    },
    isOnlineBesides(appId, userId, except) {
      return local.isOnlineBesides(appId, userId, except) || cluster.remoteSessionsOf(appId, userId).some((session) => session.sessionId !== except);
    },
  };
}

/** Many users' pushes of the same frames (a large group's), this node's sessions first. */
export type ToUsersSince = (appId: string, userIds: readonly string[], minMinor: number, frames: readonly Frame[]) => { sessions: number; below: string[] };

/**
 * Delivery.toUsersSince for the whole cluster, around the local registry's: each other node that
 * holds some of the users gets the frames for them in its turn's one routing message, each frame
 * carried once however many users share it. `below` names the users with a session under
 * `minMinor` on any node (they get their copies through their inbox).
 */
export function clusterToUsersSince(local: ToUsersSince, cluster: ClusterNode): ToUsersSince {
  return (appId, userIds, minMinor, frames) => {
    const here = local(appId, userIds, minMinor, frames);
    let sessions = here.sessions;
    const below = new Set(here.below);
    for (const userId of userIds) {
      const remote = cluster.remoteSessionsOf(appId, userId);
      if (remote.length === 0) continue;
      const nodes = new Set<string>();
      for (const session of remote) {
        if (session.minor < minMinor) {
          below.add(userId);
          continue;
        }
        sessions++;
        nodes.add(session.node);
      }
      for (const node of nodes) for (const frame of frames) cluster.route(node, { appId, userId, minMinor, exceptSessionId: '', frame });
    }
    return { sessions, below: [...below] };
  };
}
