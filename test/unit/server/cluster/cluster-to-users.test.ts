import { expect, it } from 'vitest';
import { bodyFrame } from '../../../../protocol';
import { clusterToUsersSince } from '../../../../server/cluster/cluster-delivery';
import type { ClusterNode } from '../../../../server/cluster/cluster-node';
import type { RemoteSession } from '../../../../server/cluster/presence-mirror';
import type { RoutedPush } from '../../../../server/cluster/route-codec';

it('routes a large group’s frames to the nodes that hold its members, and names the members below the minor', () => {
  const remote: RemoteSession[] = [
    { node: 'n2', sessionId: 's1', appId: 'app', userId: 'bob', device: 1, minor: 1, deviceId: '' },
    { node: 'n2', sessionId: 's2', appId: 'app', userId: 'bob', device: 2, minor: 1, deviceId: '' },
    { node: 'n3', sessionId: 's3', appId: 'app', userId: 'carol', device: 1, minor: 0, deviceId: '' },
  ];
  const routed: [string, RoutedPush][] = [];
  // only the two methods clusterToUsersSince calls; the rest of a node is not needed here
  const cluster = {
    remoteSessionsOf: (appId: string, userId: string) => remote.filter((s) => s.appId === appId && s.userId === userId),
    route: (node: string, push: RoutedPush) => routed.push([node, push]),
  } as unknown as ClusterNode;
  const frames = [bodyFrame('TYPING', { from: 'a', to: 'g' })];
  const toUsers = clusterToUsersSince(() => ({ sessions: 1, below: ['dan'] }), cluster);
  expect(toUsers('app', ['alice', 'bob', 'carol'], 1, frames)).toEqual({ sessions: 3, below: ['dan', 'carol'] });
  expect(routed.map(([node, push]) => [node, push.userId, push.frame === frames[0]])).toEqual([['n2', 'bob', true]]);
});
