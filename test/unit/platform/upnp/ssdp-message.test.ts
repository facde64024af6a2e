import { describe, expect, it } from 'vitest';
import { encodeMSearch, MAX_LEASE_S, MAX_SSDP_PACKET, parseSsdp } from '../../../../platform/upnp/ssdp-message.js';

const UUID = '3f0a2c54-7d1e-4b6a-9c3e-5a8b1d2e4f60';
const IGD = 'urn:schemas-upnp-org:device:InternetGatewayDevice:2';
const WANIP = 'urn:schemas-upnp-org:service:WANIPConnection:2';

/** A NOTIFY as miniupnpd sends it (header order and spelling as on the wire). */
function notify(nt: string, usn: string, opts: { nts?: string; cache?: string | null; location?: string | null; extra?: string[] } = {}): Buffer {
  const lines = ['NOTIFY * HTTP/1.1', 'HOST: 239.255.255.250:1900'];
  if (opts.cache !== null) lines.push(`CACHE-CONTROL: ${opts.cache ?? 'max-age=120'}`);
  if (opts.location !== null) lines.push(`LOCATION: ${opts.location ?? 'http://192.168.1.20:5000/rootDesc.xml'}`);
  lines.push('SERVER: Debian/12 UPnP/1.1 MiniUPnPd/2.3.1', `NT: ${nt}`, `USN: ${usn}`, `NTS: ${opts.nts ?? 'ssdp:alive'}`, ...(opts.extra ?? []));
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

function response(st: string, usn: string): Buffer {
  return Buffer.from(
    `HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nST: ${st}\r\nUSN: ${usn}\r\nEXT:\r\nSERVER: Linux UPnP/1.0 Sonos/70.3\r\nLOCATION: http://192.168.1.30:1400/xml/device_description.xml\r\n\r\n`,
    'latin1',
  );
}

describe('parseSsdp: NOTIFY and M-SEARCH responses', () => {
  it('an alive of a device type: USN, UUID, max-age, LOCATION, SERVER', () => {
    expect(parseSsdp(notify(IGD, `uuid:${UUID}::${IGD}`))).toEqual({
      kind: 'alive',
      usn: `uuid:${UUID}::${IGD}`,
      uuid: UUID,
      target: { kind: 'device', urn: IGD },
      maxAge: 120,
      location: 'http://192.168.1.20:5000/rootDesc.xml',
      server: 'Debian/12 UPnP/1.1 MiniUPnPd/2.3.1',
    });
  });

  it('the root device, bare UUID and service forms; ssdp:update counts as alive', () => {
    expect(parseSsdp(notify('upnp:rootdevice', `uuid:${UUID}::upnp:rootdevice`))?.target).toEqual({ kind: 'rootdevice' });
    expect(parseSsdp(notify(`uuid:${UUID}`, `uuid:${UUID}`))?.target).toEqual({ kind: 'uuid' });
    expect(parseSsdp(notify(WANIP, `uuid:${UUID}::${WANIP}`, { nts: 'ssdp:update' }))).toMatchObject({ kind: 'alive', target: { kind: 'service', urn: WANIP } });
  });

  it('a byebye needs no CACHE-CONTROL or LOCATION', () => {
    expect(parseSsdp(notify('upnp:rootdevice', `uuid:${UUID}::upnp:rootdevice`, { nts: 'ssdp:byebye', cache: null, location: null }))).toMatchObject({ kind: 'byebye', maxAge: 0, uuid: UUID });
  });

  it('an M-SEARCH response reads ST as the NT; header names in any case, bare LF line ends', () => {
    expect(parseSsdp(response('upnp:rootdevice', `uuid:${UUID}::upnp:rootdevice`))).toMatchObject({ kind: 'alive', maxAge: 1800, server: 'Linux UPnP/1.0 Sonos/70.3' });
    const lf = Buffer.from(`HTTP/1.1 200 OK\ncache-control: max-age = 60, no-cache="Ext"\nst: upnp:rootdevice\nusn: uuid:${UUID}::upnp:rootdevice\nlocation: http://10.0.0.2/d.xml\n\n`);
    expect(parseSsdp(lf)).toMatchObject({ maxAge: 60, location: 'http://10.0.0.2/d.xml', server: '' });
  });

  it('a max-age over a day is held to a day', () => {
    expect(parseSsdp(notify(IGD, `uuid:${UUID}::${IGD}`, { cache: 'max-age=999999999' }))?.maxAge).toBe(MAX_LEASE_S);
  });

  it.each([
    ['an M-SEARCH (another control point)', encodeMSearch(2)],
    ['an empty packet', Buffer.alloc(0)],
    ['an oversized packet', Buffer.concat([notify(IGD, `uuid:${UUID}::${IGD}`), Buffer.alloc(MAX_SSDP_PACKET)])],
    ['an HTTP error status', Buffer.from(`HTTP/1.1 404 Not Found\r\nST: upnp:rootdevice\r\nUSN: uuid:${UUID}::upnp:rootdevice\r\n\r\n`)],
    ['an unknown NTS', notify(IGD, `uuid:${UUID}::${IGD}`, { nts: 'ssdp:propchange' })],
    ['a USN without uuid:', notify(IGD, `${UUID}::${IGD}`)],
    ['a UUID not of RFC 4122 form', notify(IGD, `uuid:RINCON_000E58A0B1C201400::${IGD}`)],
    ['a USN naming another type than NT', notify(IGD, `uuid:${UUID}::${WANIP}`)],
    ['a bare USN for a type NT', notify(IGD, `uuid:${UUID}`)],
    ['an NT that is no UPnP type', notify('urn:x:thing:y:1', `uuid:${UUID}::urn:x:thing:y:1`)],
    ['an alive without CACHE-CONTROL', notify(IGD, `uuid:${UUID}::${IGD}`, { cache: null })],
    ['an alive with max-age 0', notify(IGD, `uuid:${UUID}::${IGD}`, { cache: 'max-age=0' })],
    ['an alive with a non-number max-age', notify(IGD, `uuid:${UUID}::${IGD}`, { cache: 'max-age=soon' })],
    ['an alive without LOCATION', notify(IGD, `uuid:${UUID}::${IGD}`, { location: null })],
    ['a LOCATION that is not an http URL', notify(IGD, `uuid:${UUID}::${IGD}`, { location: 'file:///etc/passwd' })],
    ['a repeated header', notify(IGD, `uuid:${UUID}::${IGD}`, { extra: ['USN: uuid:x'] })],
    ['a header line without a colon', notify(IGD, `uuid:${UUID}::${IGD}`, { extra: ['garbage'] })],
    ['a control character in a value', notify(IGD, `uuid:${UUID}::${IGD}`, { extra: ['X-NAME: a\u0000b'] })],
    ['too many headers', notify(IGD, `uuid:${UUID}::${IGD}`, { extra: Array.from({ length: 50 }, (_, i) => `X-${i}: y`) })],
    ['a SERVER over 256 characters', notify(IGD, `uuid:${UUID}::${IGD}`, { extra: [] }).toString('latin1').replace('MiniUPnPd/2.3.1', 'x'.repeat(300))],
    ['binary noise', Buffer.from(Array.from({ length: 600 }, (_, i) => (i * 37) % 256))],
  ])('drops %s', (_what, packet) => {
    expect(parseSsdp(typeof packet === 'string' ? Buffer.from(packet, 'latin1') : packet)).toBeUndefined();
  });
});

describe('encodeMSearch', () => {
  it('asks for ssdp:all with MAN and MX (UDA 1.1 1.3.2)', () => {
    expect(encodeMSearch(2).toString()).toBe('M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 2\r\nST: ssdp:all\r\n\r\n');
  });
});
