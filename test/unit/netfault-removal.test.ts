import { removalCommands } from '../../src/stack/netfault/rules';

// What iptables -S and tc class show print for a namespace with faults of two runs: pid 1000 (gone) and 1001 (live).
const RULES = [
  '-N GVSIM-CHAOS',
  '-A GVSIM-CHAOS -s 10.0.0.2/32 -m comment --comment gvsim-fault-1000-1 -j DROP',
  '-A GVSIM-CHAOS -d 10.0.0.2/32 -m comment --comment gvsim-fault-1000-1 -j DROP',
  '-A GVSIM-CHAOS -s 127.255.255.255/32 -m comment --comment gvsim-fault-1001-2 -j RETURN',
].join('\n');
// Class minors: 0x100 + (pid % 250 << 8 | id): pid 1000 → byte 0, pid 1001 → byte 1.
const CLASSES = { eth0: 'class htb 6776:101 root rate 64Kbit\nclass htb 6776:202 root rate 64Kbit\n' };
const dead = (pid: number) => pid === 1000;

test('a gone run’s rules and classes are removed; a live run’s stay, and so do the chain and the qdisc', () => {
  expect(removalCommands({ rules: RULES, classes: CLASSES }, dead)).toEqual([
    [
      'iptables',
      ['-D', 'GVSIM-CHAOS', '-s', '10.0.0.2/32', '-m', 'comment', '--comment', 'gvsim-fault-1000-1', '-j', 'DROP'],
    ],
    [
      'iptables',
      ['-D', 'GVSIM-CHAOS', '-d', '10.0.0.2/32', '-m', 'comment', '--comment', 'gvsim-fault-1000-1', '-j', 'DROP'],
    ],
    ['tc', ['filter', 'del', 'dev', 'eth0', 'parent', '6776:', 'prio', String(0x101)]],
    ['tc', ['class', 'del', 'dev', 'eth0', 'classid', '6776:101']],
  ]);
});

test('with no live run left, the chain with its jumps and the qdisc go too', () => {
  const cmds = removalCommands({ rules: RULES, classes: CLASSES }, () => true);
  expect(cmds.slice(3, 6)).toEqual([
    ['iptables', ['-D', 'INPUT', '-j', 'GVSIM-CHAOS']],
    ['iptables', ['-D', 'OUTPUT', '-j', 'GVSIM-CHAOS']],
    ['iptables', ['-X', 'GVSIM-CHAOS']],
  ]);
  expect(cmds.at(-1)).toEqual(['tc', ['qdisc', 'del', 'dev', 'eth0', 'root']]);
  expect(removalCommands({ rules: '', classes: {} }, () => true)).toEqual([]);
});

test('a gone run whose pid shares a live run’s byte (1250 and 1000 → 0) loses its class; the live run keeps its own', () => {
  const rules = [
    '-N GVSIM-CHAOS',
    '-A GVSIM-CHAOS -s 127.255.255.255/32 -m comment --comment gvsim-fault-1000-2 -j RETURN',
    '-A GVSIM-CHAOS -s 127.255.255.255/32 -m comment --comment gvsim-fault-1250-5 -j RETURN',
  ].join('\n');
  // Both classes are in byte 0: 1000's fault 2 is 0x100 + 0x002, 1250's fault 5 is 0x100 + 0x005.
  const classes = { eth0: 'class htb 6776:102 root rate 64Kbit\nclass htb 6776:105 root rate 64Kbit\n' };
  const cmds = removalCommands({ rules, classes }, (pid) => pid === 1000);
  expect(cmds.filter(([cmd]) => cmd === 'tc')).toEqual([
    ['tc', ['filter', 'del', 'dev', 'eth0', 'parent', '6776:', 'prio', String(0x102)]],
    ['tc', ['class', 'del', 'dev', 'eth0', 'classid', '6776:102']],
  ]);
});
