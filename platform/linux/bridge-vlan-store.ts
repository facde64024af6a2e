/**
 * What a Controller set in the kernel's bridge VLAN table, kept in the agent's store so a reboot
 * (which leaves every port with the kernel's default, VLAN 1 PVID untagged) does not lose it:
 * per port device, its whole membership list as it was after the last write.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { MAX_VID, MIN_VID, type BridgeVlanTool, type VlanMembership, type VlanTable } from './bridge-vlan-tool.js';
import type { LinuxContext } from './LinuxContext.js';

/** The store row and key: "lan1=10:pu,20:;lan2=..." (p: PVID, u: untagged). */
const ROW = 'Device.Bridging.';
const KEY = '$vlanMemberships';
/** Beside it: "br-lan=1,br-usp1=0", the vlan_filtering a Controller set per bridge (Standard). */
const FILTERING_KEY = '$vlanFiltering';
/** Ports (and bridges) kept at most (a bound on the row). */
const MAX_PORTS = 256;

const encode = (list: readonly VlanMembership[]): string => list.map((m) => `${m.vid}:${m.pvid ? 'p' : ''}${m.untagged ? 'u' : ''}`).join(',');

/** The kept memberships per port device. */
export function memberships(store: DataStore): Map<string, VlanMembership[]> {
  const text = store.row(ROW)?.[KEY];
  const out = new Map<string, VlanMembership[]>();
  if (typeof text !== 'string' || text === '') return out;
  for (const item of text.split(';')) {
    const at = item.indexOf('=');
    if (at <= 0) continue;
    const list: VlanMembership[] = [];
    for (const v of item.slice(at + 1).split(',')) {
      const m = /^(\d+):(p?)(u?)$/.exec(v);
      const vid = Number(m?.[1]);
      if (m && vid >= MIN_VID && vid <= MAX_VID) list.push({ vid, pvid: m[2] === 'p', untagged: m[3] === 'u' });
    }
    out.set(item.slice(0, at), list);
  }
  return out;
}

/** Keeps the memberships `devs` have now (from `table`, read after the write). */
export function saveMemberships(store: DataStore, devs: readonly string[], table: VlanTable | undefined): void {
  if (!table) return;
  const kept = memberships(store);
  for (const d of devs) {
    const now = table.get(d);
    if (now) kept.set(d, [...now]);
  }
  const text = [...kept.entries()]
    .slice(-MAX_PORTS)
    .map(([d, list]) => `${d}=${encode(list)}`)
    .join(';');
  store.setRow(ROW, { ...(store.row(ROW) ?? {}), [KEY]: text });
}

/**
 * Makes the kernel hold the kept memberships again on the ports `managed` allows that are bridge
 * ports now: adds what is missing or differs, removes what the Controller had removed. A port
 * that fails is logged and the others go on.
 */
export async function restoreMemberships(store: DataStore, tool: BridgeVlanTool, managed: (dev: string) => boolean, isBridge: (dev: string) => Promise<boolean>, log?: Logger): Promise<void> {
  const now = await tool.show().catch(() => undefined);
  if (!now) return;
  for (const [dev, want] of memberships(store)) {
    const have = now.get(dev);
    if (!have || !managed(dev)) continue;
    // The bridge device itself is listed under its own name: its writes need `self`.
    const self = await isBridge(dev);
    try {
      for (const w of want) {
        const h = have.find((x) => x.vid === w.vid);
        if (!h || h.pvid !== w.pvid || h.untagged !== w.untagged) await tool.add(dev, w.vid, w, self);
      }
      for (const h of have) if (!want.some((w) => w.vid === h.vid)) await tool.del(dev, h.vid, self);
    } catch (e) {
      log?.warn('bridge VLAN memberships not restored', { port: dev, why: e instanceof Error ? e.message : String(e) });
    }
  }
}

/** Keeps the vlan_filtering (`'0'` or `'1'`) a Controller set on `bridge`. */
export function keepFiltering(store: DataStore, bridge: string, filtering: '0' | '1'): void {
  const kept = filterings(store);
  kept.delete(bridge);
  kept.set(bridge, filtering);
  const text = [...kept.entries()]
    .slice(-MAX_PORTS)
    .map(([b, f]) => `${b}=${f}`)
    .join(',');
  store.setRow(ROW, { ...(store.row(ROW) ?? {}), [FILTERING_KEY]: text });
}

function filterings(store: DataStore): Map<string, '0' | '1'> {
  const text = store.row(ROW)?.[FILTERING_KEY];
  const out = new Map<string, '0' | '1'>();
  if (typeof text !== 'string') return out;
  for (const item of text.split(',')) {
    const m = /^(.+)=([01])$/.exec(item);
    if (m) out.set(m[1]!, m[2] as '0' | '1');
  }
  return out;
}

/** Sets vlan_filtering back where a managed bridge that exists has another value (a reboot, or its creator, reset it). */
export async function restoreFiltering(ctx: LinuxContext, store: DataStore, current: (bridge: string) => Promise<string | undefined>): Promise<void> {
  for (const [bridge, want] of filterings(store)) {
    const now = await current(bridge);
    if (now === undefined || now === want || !ctx.ip.managed.has(bridge)) continue;
    await ctx.ip.run(['link', 'set', 'dev', bridge, 'type', 'bridge', 'vlan_filtering', want]).catch((e: unknown) => {
      ctx.log?.warn('bridge VLAN filtering not restored', { bridge, why: e instanceof Error ? e.message : String(e) });
    });
  }
}
