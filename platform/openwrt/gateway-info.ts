/**
 * Device.GatewayInfo. on OpenWrt (TR-181 GatewayInfo:1), parsed as on Linux (platform/gateway-info.ts)
 * from DHCPv4 option 125 of the lease. netifd runs busybox udhcpc for each `proto 'dhcp'`
 * interface, and its dhcp.script hands netifd only a fixed set of options (address, routes, DNS,
 * a few `data` fields), so option 125 never shows in `ubus call network.interface.<name> status`.
 * The package's udhcpc hook (/etc/udhcpc.user.d/usp-agent, openwrt/files/usp-agent.udhcpc-user)
 * writes udhcpc's `opt125` (hex) to OPT125_STATE_DIR/<interface> on each bound/renew and removes
 * it on deconfig. udhcpc asks for the option only when the interface requests it: `list reqopts
 * '125'`, or a Device.DHCPv4.Client.{i}.ReqOption row with Tag 125 (in the agent's request list).
 *
 * The values are those of the first interface, in netifd's order, that is up with `proto 'dhcp'`
 * and whose recorded option carries the Broadband Forum's sub-options; else empty.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { gatewayIdentity, registerGatewayInfo } from '../gateway-info.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import type { InterfaceDump } from './ubus-types.js';

/** Where the package's udhcpc hook keeps each interface's option 125 (its USP_AGENT_OPT125_STATE default). */
export const OPT125_STATE_DIR = '/var/run/usp-agent-opt125';
/** Bytes read of a state file: option 125 holds at most 255 bytes, 510 hex digits and a newline. */
const MAX_STATE_BYTES = 1024;
/** netifd interface names (UCI section names); anything else is not looked up as a file. */
const INTERFACE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

async function readHead(file: string): Promise<string> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(file, 'r');
    const buf = Buffer.alloc(MAX_STATE_BYTES);
    const { bytesRead } = await handle.read(buf, 0, MAX_STATE_BYTES, 0);
    return buf.subarray(0, bytesRead).toString('latin1').trim();
  } catch {
    return '';
  } finally {
    await handle?.close();
  }
}

/** The option 125 (hex) of the first bound DHCP interface whose server announced its identity. */
export async function boundOption125(dump: InterfaceDump, stateDir: string): Promise<string | undefined> {
  for (const i of dump.interface ?? []) {
    if (i.proto !== 'dhcp' || i.up !== true || !INTERFACE_NAME.test(i.interface)) continue;
    const hex = await readHead(path.join(stateDir, i.interface));
    const id = gatewayIdentity(hex);
    if (id.ManufacturerOUI !== '' || id.ProductClass !== '' || id.SerialNumber !== '') return hex;
  }
  return undefined;
}

/** Serves Device.GatewayInfo. from netifd's interfaces and the hook's state files. */
export function registerOpenWrtGatewayInfo(ctx: OpenWrtContext, stateDir = OPT125_STATE_DIR): void {
  registerGatewayInfo(ctx.model, async () => {
    // Without netifd's dump no lease is known to be bound: no gateway (empty values), as on Linux.
    const dump = await ctx.ubus<InterfaceDump>('network.interface', 'dump').catch(() => undefined);
    return dump ? boundOption125(dump, stateDir) : undefined;
  });
}
