import { expect, it } from 'vitest';
import { bodyFrame } from '../../../../protocol';
import { clusterToUsersSince } from '../../../../server/cluster/cluster-delivery';
import type { ClusterNode } from '../../../../server/cluster/cluster-node';
import type { RemoteSession } from '../../../../server/cluster/presence-mirror';
import type { RoutedItem } from '../../../../server/cluster/route-codec';

it('routes a large group’s frames once per node that holds members, and names the members below the minor on any node', () => {
  const remote: RemoteSession[] = [
    { node: 'n2', sessionId: 's1', appId: 'app', userId: 'bob', device: 1, minor: 1, deviceId: '' },
    { node: 'n2', sessionId: 's2', appId: 'app', userId: 'bob', device: 2, minor: 1, deviceId: '' },
    { node: 'n3', sessionId: 's3', appId: 'app', userId: 'carol', device: 1, minor: 0, deviceId: '' },
  ];
  const routed: [string, RoutedItem][] = [];
  // only the two methods clusterToUsersSince calls; the rest of a node is not needed here
  const cluster = {
    remoteSessionsOf: (appId: string, userId: string) => remote.filter((s) => s.appId === appId && s.userId === userId),
    route: (node: string, push: RoutedItem) => routed.push([node, push]),
  } as unknown as ClusterNode;
  const frames = [bodyFrame('TYPING', { from: 'a', to: 'g' })];
  const toUsers = clusterToUsersSince(() => ({ sessions: 1, below: ['dan'] }), cluster);
  expect(toUsers('app', ['alice', 'bob', 'carol'], 1, frames)).toEqual({ sessions: 3, below: ['dan', 'carol'] });
  // one item per node, naming its members once, with the frames themselves (encoded there once)
  expect(routed).toEqual([['n2', { appId: 'app', userIds: ['bob'], minMinor: 1, frames }]]);
  expect((routed[0]![1] as { frames: readonly unknown[] }).frames[0]).toBe(frames[0]);
});
