/**
 * The Parameter Request List (DHCP option 55, RFC 2132 9.8) a busybox udhcpc sends for a
 * Device.DHCPv4.Client.{i}. (TR-181 DHCPv4Client:1), in ReqOption.{i}.Order.
 *
 * udhcpc builds its own option 55 from a bitmap, so its `-O` tags go out in ascending tag
 * order whatever their order on the command line. With `-o` (none of its default requests) and
 * no `-O` at all it sends no option 55 of its own, and a raw `-x 0x37:HEX` goes out as given, in
 * every DHCPDISCOVER and DHCPREQUEST, renewals included (test/integration/
 * udhcpc-request-list-order.test.ts catches it on the wire). That raw option is how Order reaches
 * the wire on Linux and OpenWrt. Any `-O` beside it would add a second option 55 before it.
 *
 * The list is the enabled ReqOption rows in Order, then what the client relied on before and
 * the rows do not name (ascending): udhcpc's default requests and what the platform needs.
 */

/** DHCP option 55, Parameter Request List: a SentOption cannot carry it (OWN_OPTIONS). */
export const PARAMETER_REQUEST_LIST = 55;

/**
 * What busybox udhcpc requests unless given `-o` (its options flagged "request" in
 * networking/udhcp/common.c; busybox 1.35 asks for these on the wire): subnet mask, router,
 * DNS servers, host name, domain name, broadcast address, NTP servers.
 */
export const UDHCPC_DEFAULT_REQUESTS: readonly number[] = [1, 3, 6, 12, 15, 28, 42];

/** A request list holds each tag once and at most 255 of them (one option's length byte). */
const MAX_TAGS = 255;

/** `ordered` (the enabled rows' tags in Order, each once), then the tags of `needed` not among them, ascending. */
export function requestList(ordered: readonly number[], needed: readonly number[]): number[] {
  const list = [...new Set(ordered)];
  const tail = [...new Set(needed)].filter((t) => !list.includes(t)).sort((a, b) => a - b);
  return [...list, ...tail].slice(0, MAX_TAGS);
}

/** The raw option udhcpc sends as option 55: `0x37:HEX` (for `-x`, or an item of netifd's `sendopts`). */
export function requestListOption(list: readonly number[]): string {
  return `0x37:${Buffer.from(list).toString('hex')}`;
}

/** The tags of a raw option 55 item (`0x37:HEX`, `55:HEX`), or undefined when `item` is none. */
export function parseRequestListOption(item: string): number[] | undefined {
  const m = /^(?:0x37|55):((?:[0-9a-f]{2})+)$/i.exec(item);
  return m ? [...Buffer.from(m[1]!, 'hex')] : undefined;
}
