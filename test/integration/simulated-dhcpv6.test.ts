/**
 * Device.DHCPv6 of the simulated gateway (TR-181 DHCPv6Server:1, DHCPv6ServerAdv:1,
 * DHCPv6Client:1), written by a Controller over a real WebSocket: br-lan's pool leases addresses
 * to the LAN devices, a pool the Controller adds by DUID takes one device, the WAN client it adds
 * receives the delegated /56 and the options it asks for; the rows survive a restart; bad
 * input (an Interface that is no LAN IP.Interface, br-lan without IPv6, a Value that is not
 * hexBinary, a duplicate Order or Tag) is refused and leaves nothing applied.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { add, del, get, operate, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';

const POOL = 'Device.DHCPv6.Server.Pool.';
const CLIENT = 'Device.DHCPv6.Client.';
const LAN = 'Device.IP.Interface.1';
const WAN = 'Device.IP.Interface.2';

describe('simulated gateway: DHCPv6 server and client', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'usp-agent-dhcpv6-'));
  let f: AgentFixture;
  afterAll(async () => {
    await f?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const leased = async (pool: string): Promise<string[]> =>
    Object.values(await getObjects(f.controller, [`${pool}Client.*.Option.1.Value`]))
      .map((v) => v.Value!)
      .sort();

  it('serves br-lan, takes a device by DUID, and gives the WAN client its delegated prefix; the rows survive a restart', { timeout: 90_000 }, async () => {
    f = await startAgent({ dataDir });
    expect((await getObjects(f.controller, [`${POOL}1.`]))[`${POOL}1.`]).toMatchObject({ Enable: 'true', Status: 'Enabled', Interface: LAN, IANAEnable: 'true' });
    // The simulated devices join over the first seconds.
    await expect.poll(async () => (await leased(`${POOL}1.`)).length, { timeout: 60_000, interval: 250 }).toBeGreaterThanOrEqual(2);
    const [duid] = await leased(`${POOL}1.`);

    await set(f.controller, `${POOL}1.`, { Order: '5' });
    const byDuid = await add(f.controller, POOL, { Enable: 'true', Interface: LAN, IANAEnable: 'true', DUID: duid!, Order: '1' });
    expect(await leased(byDuid)).toEqual([duid]);
    expect(await leased(`${POOL}1.`)).not.toContain(duid);
    const opt = await add(f.controller, `${byDuid}Option.`, { Enable: 'true', Tag: '23', Value: '20010DB8000000000000000000000001' });

    const client = await add(f.controller, CLIENT, { Enable: 'true', Interface: WAN, RequestPrefixes: 'true', RequestedOptions: '23' });
    await add(f.controller, `${client}SentOption.`, { Enable: 'true', Tag: '15', Value: '0004' });
    const received = async () => Object.values(await getObjects(f.controller, [`${client}ReceivedOption.*.`])).map((o) => o.Tag);
    await expect.poll(received, { timeout: 30_000, interval: 250 }).toEqual(['1', '2', '3', '25', '23']);
    expect(await get(f.controller, `${client}ServerNumberOfEntries`)).toBe('1');
    expect((await operate(f.controller, `${client}Renew()`)).ok).toBe(true);
    await set(f.controller, client, { RequestAddresses: 'false', RapidCommit: 'true' });
    expect(await received()).toEqual(['1', '2', '25', '14', '23']);

    // Restart: the Controller's rows are back.
    await f.close();
    f = await startAgent({ dataDir, port: f.port });
    expect((await getObjects(f.controller, [byDuid]))[byDuid]).toMatchObject({ DUID: duid, Order: '1', Enable: 'true' });
    expect(await get(f.controller, `${opt}Value`)).toBe('20010DB8000000000000000000000001');
    expect((await getObjects(f.controller, [client]))[client]).toMatchObject({
      Interface: WAN,
      RequestPrefixes: 'true',
      RequestAddresses: 'false',
      RapidCommit: 'true',
      SentOptionNumberOfEntries: '1',
    });
    await expect.poll(async () => leased(byDuid), { timeout: 60_000, interval: 250 }).toEqual([duid]);
    await del(f.controller, byDuid);
    await expect.poll(async () => leased(`${POOL}1.`), { timeout: 30_000, interval: 250 }).toContain(duid);
  });

  it('refuses bad input with nothing applied', { timeout: 30_000 }, async () => {
    const code = (r: { ok: boolean; errCode?: number; paramErrCode?: number }) => (r.ok ? 0 : (r.paramErrCode ?? r.errCode));
    // No LAN IP.Interface: the WAN, one that does not exist.
    for (const Interface of [WAN, 'Device.IP.Interface.9']) expect(code(await tryAdd(f.controller, POOL, { Enable: 'true', Interface }))).toBe(7012);
    // A duplicate Order (the pools' unique key).
    expect(code(await tryAdd(f.controller, POOL, { Enable: 'true', Interface: LAN, Order: '5' }))).toBe(7025);
    // Not hexBinary; a Tag the protocol sets itself; a duplicate Tag.
    const client = `${CLIENT}1.`;
    expect(code(await tryAdd(f.controller, `${client}SentOption.`, { Tag: '16', Value: 'XYZ' }))).toBe(7011);
    expect(code(await tryAdd(f.controller, `${client}SentOption.`, { Tag: '1', Value: '00' }))).toBe(7012);
    expect(code(await tryAdd(f.controller, `${client}SentOption.`, { Tag: '15', Value: '00' }))).toBe(7025);
    expect(code(await trySet(f.controller, client, { Interface: LAN }))).toBe(7012);
    expect(await get(f.controller, `${client}SentOptionNumberOfEntries`)).toBe('1');
    // br-lan detached from IPv6: its pool is misconfigured and no pool can be put on it.
    await set(f.controller, `${LAN}.`, { IPv6Enable: 'false' });
    expect(await get(f.controller, `${POOL}1.Status`)).toBe('Error_Misconfigured');
    expect(code(await tryAdd(f.controller, POOL, { Enable: 'true', Interface: LAN }))).toBe(7012);
    expect(await get(f.controller, 'Device.DHCPv6.Server.PoolNumberOfEntries')).toBe('1');
    await set(f.controller, `${LAN}.`, { IPv6Enable: 'true' });
  });
});
