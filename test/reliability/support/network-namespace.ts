import { execFileSync, spawnSync } from 'node:child_process';

/**
 * A network namespace joined to this host by a veth pair, with loss and delay on both ends: a
 * client inside reaches a server on the host end through a lossy, slow link. Everything stays on
 * this machine (a private /30 on the veth ends only). Needs root and iproute2 (ip, tc); where the
 * kernel was built without netem, nftables drops the packets and tbf slows them instead.
 */
export interface LossyNamespace {
  readonly name: string;
  /** The host end's address: where the server listens. */
  readonly hostAddress: string;
  /** The namespace end's address. */
  readonly namespaceAddress: string;
  /** What was done to the link, for the report line. */
  readonly impairment: string;
  /** Packets the impairment dropped so far, both ways: proof that the link really lost some. */
  droppedPackets(): number;
  /** Removes the namespace, both veth ends and the host's loss table; safe to call twice. */
  remove(): void;
}

/** How packets are lost and slowed: netem where the kernel has it, else nftables and tbf. */
export type ImpairmentKind = 'netem' | 'nft-tbf';

export type NamespaceAvailability =
  | { readonly ok: true; readonly impairment: ImpairmentKind }
  | { readonly ok: false; readonly reason: string };

const NAME_PREFIX = 'magpie-rel-';

function commandExists(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

function run(args: readonly string[], input?: string): string {
  try {
    return execFileSync(args[0]!, args.slice(1), { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`\`${args.join(' ')}\` failed: ${stderr.trim() || String(error)}`, { cause: error });
  }
}

/**
 * Whether this machine can run the scenario at all: iproute2 installed, the right to create
 * namespaces, and a way to lose packets (netem, or nftables where the kernel was built without
 * netem). Anything that fails after this said yes is a real failure.
 */
export function namespaceAvailability(): NamespaceAvailability {
  if (!commandExists('ip') || !commandExists('tc')) {
    return { ok: false, reason: 'iproute2 is not installed (`command -v tc` finds nothing): .ci/run must apt-get install iproute2' };
  }
  if (process.getuid?.() !== 0) return { ok: false, reason: 'not running as root: creating a network namespace needs CAP_NET_ADMIN' };
  const probe = `${NAME_PREFIX}probe-${process.pid}`;
  const added = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (added.status !== 0) {
    const message = (added.stderr || '').trim();
    if (/not permitted|permission denied|read-only file system/i.test(message)) {
      return { ok: false, reason: `this sandbox does not allow network namespaces: ${message}` };
    }
    // the tools exist and we are root: any other refusal is unexpected, so the setup runs and fails on it
    return { ok: true, impairment: 'netem' };
  }
  try {
    const netem = spawnSync('ip', ['netns', 'exec', probe, 'tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'], { encoding: 'utf8' });
    if (netem.status === 0) return { ok: true, impairment: 'netem' };
    if (!/qdisc kind is unknown/i.test(netem.stderr || '')) return { ok: true, impairment: 'netem' };
    if (commandExists('nft')) return { ok: true, impairment: 'nft-tbf' };
    return {
      ok: false,
      reason: 'this kernel has no netem (CONFIG_NET_SCH_NETEM) and nftables is not installed: .ci/run must apt-get install nftables',
    };
  } finally {
    spawnSync('ip', ['netns', 'del', probe], { stdio: 'ignore' });
  }
}

/** Namespaces left by an earlier run that was killed before it could clean up. */
function removeStaleNamespaces(): void {
  for (const line of run(['ip', 'netns', 'list']).split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const pid = Number(/^magpie-rel-(?:probe-)?(\d+)/.exec(name)?.[1]);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (alive) continue;
    spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
    spawnSync('nft', ['delete', 'table', 'netdev', `magpie_loss_${pid}`], { stdio: 'ignore' });
  }
}

/** A private /30 (10.200.N.0) that no interface of this machine uses yet. */
function freeSubnet(): number {
  const used = run(['ip', '-4', '-o', 'addr', 'show']);
  for (let n = 0; n < 256; n++) if (!used.includes(` 10.200.${n}.`)) return n;
  throw new Error('no free 10.200.N.0/30 subnet for the test namespace');
}

/** nftables drops a share of the packets arriving on a device (ingress: real loss, not a local send error). */
function ingressLossRules(table: string, device: string, lossPercent: number): string {
  return `table netdev ${table} {
  chain ingress_loss {
    type filter hook ingress device "${device}" priority 0; policy accept;
    numgen random mod 100 < ${lossPercent} counter drop
  }
}
`;
}

export interface Impairment {
  readonly kind: ImpairmentKind;
  readonly lossPercent: number;
  /** netem: a fixed delay each way. */
  readonly delayMs: number;
  /** nft-tbf: the rate each way, whose queue is the only delay this kernel can add. */
  readonly rateKbit: number;
}

export function createLossyNamespace(impairment: Impairment): LossyNamespace {
  removeStaleNamespaces();
  const name = `${NAME_PREFIX}${process.pid}`;
  // interface names are at most 15 characters
  const hostEnd = `mgr${process.pid % 1_000_000}h`;
  const namespaceEnd = `mgr${process.pid % 1_000_000}n`;
  const hostLossTable = `magpie_loss_${process.pid}`;
  const subnet = freeSubnet();
  const hostAddress = `10.200.${subnet}.1`;
  const namespaceAddress = `10.200.${subnet}.2`;
  let removed = false;
  const remove = (): void => {
    if (removed) return;
    removed = true;
    // deleting the namespace deletes its veth end, and with it the host end; the rest are safety nets
    spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
    spawnSync('ip', ['link', 'del', hostEnd], { stdio: 'ignore' });
    if (impairment.kind === 'nft-tbf') spawnSync('nft', ['delete', 'table', 'netdev', hostLossTable], { stdio: 'ignore' });
  };
  const inside = (args: string[], input?: string) => run(['ip', 'netns', 'exec', name, ...args], input);
  let described: string;
  try {
    run(['ip', 'netns', 'add', name]);
    run(['ip', 'link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', namespaceEnd]);
    run(['ip', 'link', 'set', namespaceEnd, 'netns', name]);
    run(['ip', 'addr', 'add', `${hostAddress}/30`, 'dev', hostEnd]);
    run(['ip', 'link', 'set', hostEnd, 'up']);
    inside(['ip', 'addr', 'add', `${namespaceAddress}/30`, 'dev', namespaceEnd]);
    inside(['ip', 'link', 'set', namespaceEnd, 'up']);
    inside(['ip', 'link', 'set', 'lo', 'up']);
    // both directions suffer: server to client on the host end, client to server on the namespace end
    if (impairment.kind === 'netem') {
      const netem = ['netem', 'loss', `${impairment.lossPercent}%`, 'delay', `${impairment.delayMs}ms`];
      run(['tc', 'qdisc', 'add', 'dev', hostEnd, 'root', ...netem]);
      inside(['tc', 'qdisc', 'add', 'dev', namespaceEnd, 'root', ...netem]);
      described = `netem-loss-${impairment.lossPercent}%-delay-${impairment.delayMs}ms`;
    } else {
      const tbf = ['tbf', 'rate', `${impairment.rateKbit}kbit`, 'burst', '16kb', 'latency', '200ms'];
      run(['tc', 'qdisc', 'add', 'dev', hostEnd, 'root', ...tbf]);
      inside(['tc', 'qdisc', 'add', 'dev', namespaceEnd, 'root', ...tbf]);
      run(['nft', '-f', '-'], ingressLossRules(hostLossTable, hostEnd, impairment.lossPercent));
      inside(['nft', '-f', '-'], ingressLossRules('magpie_loss', namespaceEnd, impairment.lossPercent));
      described = `nft-loss-${impairment.lossPercent}%-tbf-${impairment.rateKbit}kbit`;
    }
  } catch (error) {
    remove();
    throw error;
  }
  const sumOf = (text: string, pattern: RegExp) => [...text.matchAll(pattern)].reduce((sum, match) => sum + Number(match[1]), 0);
  const droppedPackets = (): number => {
    if (impairment.kind === 'netem') {
      const pattern = /dropped (\d+)/g;
      return sumOf(run(['tc', '-s', 'qdisc', 'show', 'dev', hostEnd]), pattern) + sumOf(inside(['tc', '-s', 'qdisc', 'show', 'dev', namespaceEnd]), pattern);
    }
    const pattern = /counter packets (\d+)/g;
    return sumOf(run(['nft', 'list', 'table', 'netdev', hostLossTable]), pattern) + sumOf(inside(['nft', 'list', 'table', 'netdev', 'magpie_loss']), pattern);
  };
  return { name, hostAddress, namespaceAddress, impairment: described, droppedPackets, remove };
}
