/**
 * The routed set-up the Linux firewall tests share: the agent's router namespace joined by veth
 * pairs to a WAN namespace (wan0 ↔ wanp, the router's default route, so wan0 is its WAN side)
 * and a LAN namespace (lan0 ↔ lanp, default route through the router), forwarding on, no NAT:
 * the WAN host reaches the LAN by its route. Real python3 echo servers in the namespaces
 * answer what the kernel lets through.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { type NetNamespace, PeerNamespace } from './netns.js';

export interface RoutedWanLan {
  /** Namespace names. */
  wan: string;
  lan: string;
  routerWan: string;
  wanHost: string;
  routerLan: string;
  lanHost: string;
  /** The LAN subnet, as the WAN host's route names it (`192.168.61.0/24`). */
  lanNet: string;
  /** Whether the router gets a default route through the WAN host (its WAN side); default true. */
  routerDefaultRoute?: boolean;
}

function sh(...args: string[]): string {
  return execFileSync(args[0]!, args.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Wires the WAN and LAN namespaces beside `router`; the caller removes what it returns. */
export function joinWanAndLan(router: NetNamespace, n: RoutedWanLan): PeerNamespace[] {
  const peers = [
    PeerNamespace.beside(router, n.wan, { inside: 'wan0', outside: 'wanp', routerAddress: `${n.routerWan}/24`, address: `${n.wanHost}/24` }),
    PeerNamespace.beside(router, n.lan, { inside: 'lan0', outside: 'lanp', routerAddress: `${n.routerLan}/24`, address: `${n.lanHost}/24` }),
  ];
  // The router's default route leaves through wan0: that is its WAN interface.
  if (n.routerDefaultRoute !== false) router.ip('route', 'add', 'default', 'via', n.wanHost);
  sh('ip', '-n', n.lan, 'route', 'add', 'default', 'via', n.routerLan);
  sh('ip', '-n', n.wan, 'route', 'add', n.lanNet, 'via', n.routerWan);
  sh('ip', 'netns', 'exec', router.name, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
  return peers;
}

/** The nft table `table` (family inet) in `router`, as `nft list` prints it; '' when there is none. */
export function nftTable(router: NetNamespace, table: string): string {
  const r = spawnSync('ip', ['netns', 'exec', router.name, 'nft', 'list', 'table', 'inet', table], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : '';
}

/** Echoes each TCP line and each UDP datagram back, on every port given ("u7005": UDP). */
const ECHO_SERVER = [
  'import socket, sys, threading',
  'def serve(c):',
  '    for line in c.makefile("rb"):',
  '        c.sendall(line)',
  'def tcp(port):',
  '    s = socket.socket()',
  '    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
  "    s.bind(('0.0.0.0', port))",
  '    s.listen(16)',
  '    while True:',
  '        c, _ = s.accept()',
  '        threading.Thread(target=serve, args=(c,), daemon=True).start()',
  'def udp(port):',
  '    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
  "    s.bind(('0.0.0.0', port))",
  '    while True:',
  '        d, peer = s.recvfrom(512)',
  '        s.sendto(d, peer)',
  'for p in sys.argv[1:]:',
  "    f, n = (udp, int(p[1:])) if p.startswith('u') else (tcp, int(p))",
  '    threading.Thread(target=f, args=(n,), daemon=True).start()',
  "print('ready', flush=True)",
  'threading.Event().wait()',
].join('\n');

/** Starts an echo server in namespace `ns` on `ports` ("u7005": UDP) and waits until it listens; the caller kills what lands in `children`. */
export async function startEcho(children: ChildProcess[], ns: string, ...ports: Array<string | number>): Promise<void> {
  const child = spawn('ip', ['netns', 'exec', ns, 'python3', '-c', ECHO_SERVER, ...ports.map(String)], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`echo server exited ${code}`)));
  });
}
