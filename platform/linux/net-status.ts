/**
 * RFC 2863 operational status, as Linux reports it (sysfs `operstate`, `ip` "operstate"), to
 * the TR-181 interface Status enumeration (TR-181 "Interface" component: Up, Down, Unknown,
 * Dormant, NotPresent, LowerLayerDown, Error).
 */

/** IFF_UP: the administrative state ("ip link set up"). */
export const IFF_UP = 0x1;
/** IFF_LOOPBACK. */
export const IFF_LOOPBACK = 0x8;
/** IFF_NOARP: set by ifb, dummy and similar pseudo-devices, never by an Ethernet port. */
export const IFF_NOARP = 0x80;

/**
 * `operstate` is case-insensitive here (sysfs says "up", ip says "UP"). Drivers that do not
 * track it report "unknown" (loopback, tun, some DSA ports): then the carrier decides.
 * `upperLayer` is true for an object stacked on the port (IP.Interface, Ethernet.Link), where a
 * device that is administratively up but has no carrier is LowerLayerDown rather than Down.
 */
export function interfaceStatus(operstate: string | undefined, adminUp: boolean | undefined, carrier: boolean | undefined, upperLayer = false): string {
  if (adminUp === false) return 'Down';
  switch (operstate?.toLowerCase()) {
    case 'up':
      return 'Up';
    case 'dormant':
      return 'Dormant';
    case 'notpresent':
      return 'NotPresent';
    case 'lowerlayerdown':
      return 'LowerLayerDown';
    case 'down':
      return upperLayer && adminUp ? 'LowerLayerDown' : 'Down';
    case 'testing':
      return 'Unknown';
    default:
      if (carrier === true && adminUp) return 'Up';
      if (carrier === false) return upperLayer ? 'LowerLayerDown' : 'Down';
      return 'Unknown';
  }
}

/** TR-106 dateTime of a wall-clock instant (datamodel's one formatter). */
export { dateTimeOf as dateTime } from '../../datamodel/value/Value.js';

/** TR-106 "infinite" dateTime, e.g. an address lifetime that never ends (datamodel's one constant). */
export { INFINITE_TIME } from '../../datamodel/value/Value.js';
