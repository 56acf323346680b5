/**
 * Group fan-out: a 2,000-member group (the largest group type) with every member logged in on its
 * own socket; the owner sends one message at a time and we time until every member has it.
 * Reports, over several messages, the median and p99 of that "all members have it" time, and the
 * median and p99 of single deliveries. The server runs in a child process; the 1,999 receiving
 * sockets live in this process (so their decoding cost is in the figures too).
 *
 *   npm run bench -- group-fanout [--smoke]     (--smoke: 100 members, 3 messages)
 *
 * No peer: ejabberd and prosody groups (MUC) need a room protocol the 1:1 drivers do not speak;
 * the figure stands against its target only.
 */
import { raiseOpenFileLimit } from './support/fd-limit';
import { forkMagpieServer } from './support/magpie-server';
import { pushedText, WireClient } from './support/magpie-wire-client';
import { nowMs, sleep, summarize } from './support/stats';
import { fmt, fmtMs, isSmoke, printTable } from './support/table';

const smoke = isSmoke();
const WANTED_MEMBERS = smoke ? 100 : 2_000;
const MESSAGES = smoke ? 3 : 30;
const LOGINS_AT_ONCE = 50;
const INVITES_PER_REQUEST = 200;
const GROUP_TYPE_SUPER = 4;

async function main(): Promise<void> {
  const notes: string[] = [];
  // each member is one socket here and one in the server: room for both plus slack
  const limit = raiseOpenFileLimit(2 * WANTED_MEMBERS + 512);
  let members = WANTED_MEMBERS;
  if (limit < 2 * WANTED_MEMBERS + 256) {
    members = Math.max(10, Math.floor((limit - 256) / 2));
    notes.push(`open-file limit ${limit} (could not raise it): ran with ${members} members instead of ${WANTED_MEMBERS}; raise it with ulimit -n or prlimit`);
  }
  const server = await forkMagpieServer();
  const clients: WireClient[] = [];
  try {
    const owner = await WireClient.login(server.port, server.appId, server.appToken, 'owner');
    clients.push(owner);
    const ids = Array.from({ length: members - 1 }, (_, i) => `member${i}`);
    const created = await owner.ask('GROUP', { op: { case: 'create', value: { name: 'fan-out', type: GROUP_TYPE_SUPER, members: ids.slice(0, INVITES_PER_REQUEST) } } });
    if (created.name !== 'GROUP_RESULT' || created.body.result.case !== 'group') throw new Error('group creation failed');
    const groupId = created.body.result.value.groupId;
    for (let i = INVITES_PER_REQUEST; i < ids.length; i += INVITES_PER_REQUEST) {
      await owner.ask('GROUP', { op: { case: 'invite', value: { groupId, users: ids.slice(i, i + INVITES_PER_REQUEST) } } });
    }

    const loginStarted = nowMs();
    for (let i = 0; i < ids.length; i += LOGINS_AT_ONCE) {
      const batch = await Promise.all(ids.slice(i, i + LOGINS_AT_ONCE).map((id) => WireClient.login(server.port, server.appId, server.appToken, id, { confirmDelayMs: 200 })));
      clients.push(...batch);
    }
    const loginSeconds = (nowMs() - loginStarted) / 1000;
    const receivers = clients.slice(1);

    const completions: number[] = [];
    const deliveries: number[] = [];
    /** Server CPU (ms) from the send until every member had the message. */
    const serverCpu: number[] = [];
    for (let m = -2; m < MESSAGES; m++) {
      // two warm-up messages first, then the measured ones
      const text = `fan:${m}`;
      let remaining = receivers.length;
      let sentAt = 0;
      const allHave = new Promise<number>((resolve) => {
        for (const client of receivers) {
          client.onPush = (frame) => {
            if (pushedText(frame) !== text) return;
            const latency = nowMs() - sentAt;
            if (m >= 0) deliveries.push(latency);
            if (--remaining === 0) resolve(latency);
          };
        }
      });
      const cpuBefore = (await server.stats()).cpuMicros;
      sentAt = nowMs();
      owner.sendText(groupId, text);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<number>((resolve) => (timer = setTimeout(() => resolve(Number.NaN), 30_000)));
      const completion = await Promise.race([allHave, timeout]);
      clearTimeout(timer);
      if (Number.isNaN(completion)) notes.push(`message ${m}: ${remaining} members did not get it within 30 s`);
      else if (m >= 0) {
        completions.push(completion);
        serverCpu.push(((await server.stats()).cpuMicros - cpuBefore) / 1000);
      }
      // members confirm 200 ms after the push (as the desktop client does): let those 1,999
      // CONFIRMs drain before the next message, so each figure is one message into a quiet server
      await sleep(smoke ? 300 : 1_500);
      await new Promise<void>((resolve) => owner.ping(resolve));
    }
    const stats = await server.stats();
    const all = summarize(completions);
    const single = summarize(deliveries);
    printTable(`Group fan-out, ${fmt(members)} members online, ${MESSAGES} messages${smoke ? ' [smoke]' : ''}`, [
      { measure: 'all members have it, median', magpie: fmtMs(all.medianMs), peer: 'no peer' },
      { measure: 'all members have it, p99', magpie: fmtMs(all.p99Ms), peer: 'no peer', target: '< 200 ms', met: all.p99Ms < 200 },
      { measure: 'server CPU per message, median', magpie: fmtMs(summarize(serverCpu).medianMs), peer: 'no peer' },
      { measure: 'one delivery, median', magpie: fmtMs(single.medianMs), peer: 'no peer' },
      { measure: 'one delivery, p99', magpie: fmtMs(single.p99Ms), peer: 'no peer' },
      { measure: 'logins per second (setup)', magpie: fmt(ids.length / loginSeconds), peer: 'no peer' },
      { measure: 'server RSS with all online', magpie: `${fmt(stats.rssBytes / 2 ** 20)} MiB`, peer: 'no peer' },
    ], [...notes, 'each message is stored once plus one inbox entry per member, in one transaction, before the pushes; members confirm 200 ms after a push, and the next message waits until those confirms are handled']);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await server.stop();
  }
}

await main();
