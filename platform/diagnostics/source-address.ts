/**
 * The local address the kernel sends from towards a destination (TR-181 IPAddressUsed of the
 * IP diagnostics): a UDP socket "connected" to it picks the route and source address without
 * sending anything.
 */
import dgram from 'node:dgram';
import { isIP } from 'node:net';

/** The source address for `destination` (an IP address), or '' when there is no route. */
export function sourceAddressFor(destination: string): Promise<string> {
  const family = isIP(destination.replace(/%.*$/, ''));
  if (family === 0) return Promise.resolve('');
  return new Promise((resolve) => {
    const sock = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
    const done = (address: string): void => {
      sock.close();
      resolve(address);
    };
    sock.on('error', () => done(''));
    sock.connect(9, destination, () => {
      try {
        done(sock.address().address);
      } catch {
        done('');
      }
    });
  });
}
