/**
 * Device.Routing.Router.{i} and IP.Interface.Router on the fake Linux host (router-objects.ts):
 * the refusals and bounds, which `ip rule` commands a change runs, and what is kept in the
 * store. The host's `ip` is wrapped so rule and route writes are logged and `ip rule show`
 * answers from them; the reads replay the recorded host. The kernel's side:
 * test/integration/linux-ip-depth.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import type { ObjectBinding } from '../../../../datamodel/tree/binding.js';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { HELD_ROUTES_ROW } from '../../../../platform/linux/route-held.js';
import { MAX_ADDED_ROUTERS } from '../../../../platform/linux/routers.js';
import { linuxHost, type LinuxFixture } from './fake-host.js';
import { wrapIp } from './ip-write-log.js';
import { settledCode } from './refusal-code.js';

const ctx = {};
let f: LinuxFixture | undefined;
afterEach(() => {
  f?.cleanup();
  f = undefined;
});

/** The fake host with a store, `manage` managed; `ip rule`/`ip route` writes logged, `ip rule show` empty. */
async function host(manage: readonly string[] = ['*'], withStore = true) {
  const store = withStore ? new DataStore() : undefined;
  const fx = (f = linuxHost({ store, manageInterfaces: manage }));
  const writes = wrapIp(fx, 'writes.log', [
    'case "$2 $3 $4" in',
    '  "-json rule show") echo "[]"; exit 0;;',
    'esac',
    'case "$2 $3" in',
    '  "rule add"|"rule del"|"route add"|"route flush") echo "$*" >> $LOG; exit 0;;',
    'esac',
  ]);
  await fx.byPath();
  const binding = (p: string) => fx.model.bindingOf(fx.model.requireNode(p)) as Required<ObjectBinding>;
  return {
    routers: binding('Device.Routing.Router.{i}.'),
    ipIf: binding('Device.IP.Interface.{i}.'),
    writes,
    store,
  };
}

const code = settledCode;

describe('Routing.Router.{i} on Linux', () => {
  it('Router.1 is the main table: Enable false 7012, Delete 7024; a router that is not there 7016', async () => {
    const { routers } = await host();
    expect(await routers.get([1], ctx)).toEqual({ Enable: true, Status: 'Enabled' });
    expect(await code(routers.set([1], { Enable: false }, ctx))).toBe(ErrorCode.InvalidValue);
    expect(await code(routers.set([1], { Enable: true }, ctx))).toBe(0);
    expect(await code(routers.delete([1], ctx))).toBe(ErrorCode.DeleteFailure);
    expect(() => routers.get([5], ctx)).toThrow(expect.objectContaining({ code: ErrorCode.ObjectDoesNotExist }));
  });

  it(`adds at most ${MAX_ADDED_ROUTERS} routers beside Router.1 (7005), each disabled unless the Add says otherwise; numbers are not given twice`, async () => {
    const { routers, store } = await host();
    const added: number[] = [];
    for (let i = 0; i < MAX_ADDED_ROUTERS; i++) added.push(await routers.add([], i === 0 ? { Enable: true } : {}, ctx));
    expect(added).toEqual(Array.from({ length: MAX_ADDED_ROUTERS }, (_, i) => i + 2));
    expect(await code(routers.add([], {}, ctx))).toBe(ErrorCode.ResourcesExceeded);
    expect(await routers.get([2], ctx)).toEqual({ Enable: true, Status: 'Enabled' });
    expect(await routers.get([3], ctx)).toEqual({ Enable: false, Status: 'Disabled' });
    await routers.delete([MAX_ADDED_ROUTERS + 1], ctx);
    expect(await routers.add([], {}, ctx)).toBe(MAX_ADDED_ROUTERS + 2);
    expect(JSON.parse(String(store!.row(HELD_ROUTES_ROW)?.$routers)).next).toBe(MAX_ADDED_ROUTERS + 3);
  });

  it('IP.Interface.Router: a router that exists (7012 otherwise), a managed interface (7002); the rule follows Enable; Delete gives the interface back to Router.1', async () => {
    const { routers, ipIf, writes } = await host(['eth0']);
    const n = await routers.add([], { Enable: true }, ctx);
    const table = String(0x5200 + n);
    // IP.Interface.4 is eth0, 1 is lo (not managed).
    expect(await code(ipIf.set([4], { Router: 'Device.Routing.Router.9' }, ctx))).toBe(ErrorCode.InvalidValue);
    expect(await code(ipIf.set([4], { Router: 'Device.IP.Interface.1' }, ctx))).toBe(ErrorCode.InvalidValue);
    expect(await code(ipIf.set([1], { Router: `Device.Routing.Router.${n}` }, ctx))).toBe(ErrorCode.RequestDenied);
    await ipIf.set([4], { Router: `Device.Routing.Router.${n}` }, ctx);
    expect((await ipIf.get([4], ctx)).Router).toBe(`Device.Routing.Router.${n}`);
    expect((await ipIf.get([1], ctx)).Router).toBe('Device.Routing.Router.1');
    expect(writes()).toEqual([`-4 rule add iif eth0 lookup ${table} pref 20608`, `-6 rule add iif eth0 lookup ${table} pref 20608`]);
    await routers.delete([n], ctx);
    expect(writes().slice(2)).toEqual([`-4 route flush table ${table}`, `-6 route flush table ${table}`]);
    expect((await ipIf.get([4], ctx)).Router).toBe('Device.Routing.Router.1');
  });

  it('without a store there is Router.1 alone: no Add, and IP.Interface.Router is read-only', async () => {
    const { routers, ipIf } = await host(['*'], false);
    expect(routers.add).toBeUndefined();
    expect(await routers.list([], ctx)).toEqual([1]);
    expect(ipIf.writable).not.toContain('Router');
  });
});
