import { nsExec, nsExecSync, nsTry } from './exec';
import type { NetHost } from './hosts';

/** The iptables chain every fault's rules go in, inside the hosts' namespaces; found and removed by this name. */
export const NETFAULT_CHAIN = 'GVSIM-CHAOS';
/** The root qdisc (htb) slow faults put on a host's link; `6776` is 'gv'. */
export const NETFAULT_QDISC = '6776:';
export const NETFAULT_KINDS = ['partition', 'slow', 'reset'] as const;
export type NetFaultKind = (typeof NETFAULT_KINDS)[number];

/** What a fault asks for between two hosts; `rate` for slow (tc's form: 64kbit, 1mbit), `window` for reset. */
export interface NetFaultRequest {
  kind: NetFaultKind;
  rate?: string;
  /** reset: also refuse (TCP reset) new connections between them until the fault ends. */
  window?: boolean;
}

/** How to undo what one side of a fault put in place. */
type Undo = () => Promise<unknown>;

// One change at a time per namespace: two faults on one host must not race on its chain or its qdisc.
const queues = new Map<string, Promise<unknown>>();
function serial<T>(netns: string, fn: () => Promise<T>): Promise<T> {
  const next = (queues.get(netns) ?? Promise.resolve()).then(fn, fn);
  queues.set(
    netns,
    next.catch(() => undefined),
  );
  return next;
}

const REJECT_WITH_RESET = ['-j', 'REJECT', '--reject-with', 'tcp-reset'];
/** The process that owns a fault: its rules' comments and its classes' numbers carry it. */
const OWNER = process.pid;
const tag = (id: number) => ['-m', 'comment', '--comment', `gvsim-fault-${OWNER}-${id}`];
/** A fault's number on a link, its class minor (hex) and filter prio: its owner's pid % 250 in the high byte. */
const slotFor = (owner: number, id: number) => 0x100 + (((owner % 250) << 8) | (id & 0xff));
const slot = (id: number) => slotFor(OWNER, id);
/** A rule that never matches (nothing comes from that address): it marks a slow fault's owner in the chain. */
const OWNER_MARK = [['-s', '127.255.255.255']];

/** The chain exists and INPUT and OUTPUT jump to it first. */
async function ensureChain(netns: string): Promise<void> {
  await nsTry(netns, 'iptables', ['-N', NETFAULT_CHAIN]);
  for (const hook of ['INPUT', 'OUTPUT']) {
    if (!(await nsTry(netns, 'iptables', ['-C', hook, '-j', NETFAULT_CHAIN]))) {
      await nsExec(netns, 'iptables', ['-I', hook, '1', '-j', NETFAULT_CHAIN]);
    }
  }
}

/** Adds rules to the chain (each tagged with the fault's id); the undo deletes exactly those. */
async function addRules(self: NetHost, id: number, matches: string[][], target: string[]): Promise<Undo> {
  const rules = matches.map((m) => [...m, ...tag(id), ...target]);
  await ensureChain(self.netns);
  for (const r of rules) await nsExec(self.netns, 'iptables', ['-A', NETFAULT_CHAIN, ...r]);
  return () =>
    serial(self.netns, async () => {
      for (const r of rules) await nsTry(self.netns, 'iptables', ['-D', NETFAULT_CHAIN, ...r]);
      // The last fault's rules gone, the chain and its jumps go too: the namespace is as it was.
      const left = await nsExec(self.netns, 'iptables', ['-S', NETFAULT_CHAIN]).catch(() => '');
      if (!left.includes('-A ')) await removeChain(self.netns);
    });
}

/** The link a host reaches its peer through (its veth, whatever the stack named it). */
async function linkToward(self: NetHost, peerIp: string): Promise<string> {
  const route = await nsExec(self.netns, 'ip', ['-o', 'route', 'get', peerIp]);
  const dev = / dev (\S+)/.exec(route)?.[1];
  if (!dev) throw new Error(`${self.netns}: no route to ${peerIp}`);
  return dev;
}

/**
 * Limits what `self` sends to `peer` to `rate`: an htb class for that destination only (a u32 filter), so the
 * host's other traffic is untouched. The kernel has no netem, so this is a throughput limit, not a fixed delay.
 */
async function addSlow(self: NetHost, peerIp: string, id: number, rate: string): Promise<Undo> {
  const dev = await linkToward(self, peerIp);
  const tc = (args: string[]) => nsExec(self.netns, 'tc', args);
  if (!(await tc(['qdisc', 'show', 'dev', dev])).includes(`htb ${NETFAULT_QDISC}`)) {
    // Traffic no filter claims goes to a class that does not exist, which htb sends on unshaped.
    await tc(['qdisc', 'add', 'dev', dev, 'root', 'handle', NETFAULT_QDISC, 'htb', 'default', '1', 'r2q', '1']);
  }
  const classid = `${NETFAULT_QDISC}${slot(id).toString(16)}`;
  const prio = String(slot(id));
  await tc([
    'class',
    'add',
    'dev',
    dev,
    'parent',
    NETFAULT_QDISC,
    'classid',
    classid,
    'htb',
    'rate',
    rate,
    'ceil',
    rate,
  ]);
  const match = ['u32', 'match', 'ip', 'dst', `${peerIp}/32`, 'flowid', classid];
  await tc(['filter', 'add', 'dev', dev, 'parent', NETFAULT_QDISC, 'protocol', 'ip', 'prio', prio, ...match]);
  return () =>
    serial(self.netns, async () => {
      await nsTry(self.netns, 'tc', ['filter', 'del', 'dev', dev, 'parent', NETFAULT_QDISC, 'prio', prio]);
      await nsTry(self.netns, 'tc', ['class', 'del', 'dev', dev, 'classid', classid]);
      const left = await nsExec(self.netns, 'tc', ['class', 'show', 'dev', dev]).catch(() => '');
      if (!left.includes(`htb ${NETFAULT_QDISC}`)) await nsTry(self.netns, 'tc', ['qdisc', 'del', 'dev', dev, 'root']);
    });
}

/** Cuts every open TCP connection between the host and its peer (the kernel aborts them and sends a reset). */
export function cutConnections(self: NetHost, peerIp: string): Promise<boolean> {
  return nsTry(self.netns, 'ss', ['-K', 'dst', peerIp]);
}

/** Puts one side of a fault in place in `self`'s namespace; returns how to undo it. */
export function applySide(self: NetHost, peer: NetHost, id: number, req: NetFaultRequest): Promise<Undo> {
  return serial(self.netns, async (): Promise<Undo> => {
    const from = ['-s', peer.ip];
    if (req.kind === 'partition') return addRules(self, id, [from, ['-d', peer.ip]], ['-j', 'DROP']);
    if (req.kind === 'slow') {
      const mark = await addRules(self, id, OWNER_MARK, ['-j', 'RETURN']);
      const shaped = await addSlow(self, peer.ip, id, req.rate ?? '64kbit');
      return async () => (await shaped(), await mark());
    }
    const undo = req.window
      ? // What arrives from the peer is answered with a reset, but not the peer's own resets: both sides have this
        // rule, and each must let the other's reset through (in OUTPUT a reset would never reach the local socket).
        await addRules(self, id, [[...from, '-p', 'tcp', '!', '--tcp-flags', 'RST', 'RST']], REJECT_WITH_RESET)
      : async () => undefined;
    await cutConnections(self, peer.ip);
    return undo;
  });
}

/** The jumps to the chain, its rules and the chain itself, where there are any. */
async function removeChain(netns: string): Promise<void> {
  for (const hook of ['INPUT', 'OUTPUT']) {
    for (let i = 0; i < 10 && (await nsTry(netns, 'iptables', ['-D', hook, '-j', NETFAULT_CHAIN])); i++) {
      // each pass removes one jump
    }
  }
  if (await nsTry(netns, 'iptables', ['-F', NETFAULT_CHAIN])) await nsTry(netns, 'iptables', ['-X', NETFAULT_CHAIN]);
}

/** Devices with our qdisc, from `tc qdisc show`: `qdisc htb 6776: dev eth0 root …`. */
const ourQdiscDevs = (qdiscs: string) =>
  qdiscs
    .split('\n')
    .filter((l) => l.startsWith(`qdisc htb ${NETFAULT_QDISC} dev `))
    .map((l) => l.split(' ')[4]);

type Command = [string, string[]];
/** What a namespace has of ours: the chain's rules (`-S` lines) and, per device with our qdisc, its classes. */
export interface Owned {
  rules: string;
  classes: Record<string, string>;
}

/**
 * The commands that remove what dead owners left in a namespace: their rules and classes, then the chain (with its
 * jumps) and the qdisc once nothing of anyone's is left in them. Faults of a live process stay.
 */
export function removalCommands(owned: Owned, dead: (pid: number) => boolean): Command[] {
  const rules = owned.rules.split('\n').filter((l) => l.startsWith(`-A ${NETFAULT_CHAIN} `));
  const ownerOf = (line: string) => Number(/gvsim-fault-(\d+)-/.exec(line)?.[1] ?? 0);
  const gone = rules.filter((l) => dead(ownerOf(l)));
  // A live fault's class is the slot of its owner and id (its rules carry both), so two owners whose pids share a
  // byte still have classes of their own.
  const slotOf = (line: string) => {
    const [, pid, id] = /gvsim-fault-(\d+)-(\d+)/.exec(line) ?? [];
    return pid ? slotFor(Number(pid), Number(id)) : -1;
  };
  const liveSlots = new Set(rules.filter((l) => !dead(ownerOf(l))).map(slotOf));
  const cmds: Command[] = gone.map((l) => ['iptables', ['-D', ...l.split(' ').slice(1)]]);
  if (owned.rules.includes(`-N ${NETFAULT_CHAIN}`) && gone.length === rules.length) {
    cmds.push(...['INPUT', 'OUTPUT'].map((h): Command => ['iptables', ['-D', h, '-j', NETFAULT_CHAIN]]));
    cmds.push(['iptables', ['-X', NETFAULT_CHAIN]]);
  }
  for (const [dev, text] of Object.entries(owned.classes)) {
    const minors = [...text.matchAll(new RegExp(`class htb ${NETFAULT_QDISC}([0-9a-f]+)`, 'g'))].map((m) => m[1]);
    const stale = minors.filter((m) => !liveSlots.has(parseInt(m, 16)));
    for (const m of stale) {
      cmds.push(['tc', ['filter', 'del', 'dev', dev, 'parent', NETFAULT_QDISC, 'prio', String(parseInt(m, 16))]]);
      cmds.push(['tc', ['class', 'del', 'dev', dev, 'classid', `${NETFAULT_QDISC}${m}`]]);
    }
    if (stale.length === minors.length) cmds.push(['tc', ['qdisc', 'del', 'dev', dev, 'root']]);
  }
  return cmds;
}

/** Reads what a namespace has of ours, with the given runner (async in a run, sync as the process exits). */
async function readOwned(
  netns: string,
  run: (cmd: string, args: string[]) => string | Promise<string>,
): Promise<Owned> {
  const rules = await run('iptables', ['-S', NETFAULT_CHAIN]);
  const classes: Record<string, string> = {};
  for (const dev of ourQdiscDevs(await run('tc', ['qdisc', 'show'])))
    classes[dev] = await run('tc', ['class', 'show', 'dev', dev]);
  return { rules, classes };
}

const isDead = (pid: number) => {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
};

/** Removes what runs that are gone (killed before they cleaned up) left in a namespace; a live run's faults stay. */
export function clearNamespace(netns: string): Promise<void> {
  return serial(netns, async () => {
    const owned = await readOwned(netns, (cmd, args) => nsExec(netns, cmd, args).catch(() => ''));
    for (const [cmd, args] of removalCommands(owned, isDead)) await nsTry(netns, cmd, args);
  });
}

/** Removes this process's faults from a namespace, synchronously: the last chance as the process exits. */
export function clearOwnSync(netns: string): void {
  const owned = { rules: nsExecSync(netns, 'iptables', ['-S', NETFAULT_CHAIN]), classes: {} as Record<string, string> };
  for (const dev of ourQdiscDevs(nsExecSync(netns, 'tc', ['qdisc', 'show']))) {
    owned.classes[dev] = nsExecSync(netns, 'tc', ['class', 'show', 'dev', dev]);
  }
  for (const [cmd, args] of removalCommands(owned, (pid) => pid === OWNER)) nsExecSync(netns, cmd, args);
}

/** What of ours is left in a namespace: chain rules and qdiscs, as lines (empty when clean). */
export async function leftovers(netns: string): Promise<string[]> {
  const rules = await nsExec(netns, 'iptables', ['-S']).catch(() => '');
  const qdiscs = await nsExec(netns, 'tc', ['qdisc', 'show']).catch(() => '');
  return [
    ...rules.split('\n').filter((l) => l.includes(NETFAULT_CHAIN)),
    ...qdiscs.split('\n').filter((l) => l.includes(`htb ${NETFAULT_QDISC}`)),
  ];
}
