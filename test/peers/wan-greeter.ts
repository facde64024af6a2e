/**
 * The reachability probe the Linux access-control tests share: a real python3 TCP listener in
 * one namespace that greets each connection on port 7000, and a one-shot client in another
 * namespace that says whether the greeting arrived, i.e. whether the router's kernel let the
 * connection through.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';

const PORT = 7000;
const GREETING = 'hello';

const SERVER = [
  'import socket',
  's = socket.socket(socket.AF_INET, socket.SOCK_STREAM)',
  's.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
  `s.bind(('0.0.0.0', ${PORT}))`,
  's.listen(16)',
  "print('ready', flush=True)",
  'while True:',
  '    c, peer = s.accept()',
  `    c.sendall(b'${GREETING}')`,
  '    c.close()',
].join('\n');

const CLIENT = [
  'import socket, sys',
  's = socket.socket(socket.AF_INET, socket.SOCK_STREAM)',
  's.settimeout(1.5)',
  'try:',
  `    s.connect((sys.argv[1], ${PORT}))`,
  '    print(s.recv(64).decode())',
  'except Exception as e:',
  "    print('FAIL', type(e).__name__)",
].join('\n');

/** Starts the greeter in namespace `ns` and resolves once it listens; the caller kills it. */
export async function startGreeter(ns: string): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', ns, 'python3', '-c', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`greeter exited ${code}`)));
  });
  return child;
}

/** Whether a connection from namespace `fromNs` to the greeter at `host` gets its greeting now. */
export function greeterReachable(fromNs: string, host: string): boolean {
  const out = execFileSync('ip', ['netns', 'exec', fromNs, 'python3', '-c', CLIENT, host], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return out.trim() === GREETING;
}

/** The MAC address of `dev` in namespace `ns`, as `ip -j link` prints it (lower case). */
export function linkMac(ns: string, dev: string): string {
  const out = execFileSync('ip', ['-n', ns, '-j', 'link', 'show', dev], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return (JSON.parse(out) as Array<{ address: string }>)[0]!.address;
}
