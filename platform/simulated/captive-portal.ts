/**
 * Device.CaptivePortal. of the simulated gateway (CaptivePortal:1): Enable, AllowedList and URL
 * kept in the store and checked as on Linux (captive-portal-settings.ts: http:// URLs only,
 * AllowedList IP addresses, prefixes and host names, 7012 otherwise); Status follows them (Disabled,
 * Enabled, Error_URLEmpty). Shipped disabled with no URL. The simulation has no HTTP traffic to
 * redirect, so nothing else changes.
 *
 * Fleet cost: registered deferred, so an idle gateway holds nothing of it until the object is
 * first read; then one small binding over its store, its parameter list a frozen constant every
 * gateway shares.
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { CAPTIVE_PORTAL, captiveStatus, settingProblems } from '../captive-portal/captive-portal-settings.js';
import { invalidParams, type SimContext, WritableRows } from './SimContext.js';

const PARAMS: readonly string[] = Object.freeze(['Enable', 'Status', 'AllowedList', 'URL']);
const SHIPPED = Object.freeze({ Enable: false, AllowedList: '', URL: '' });

/** Registers Device.CaptivePortal. on the simulated gateway. */
export function registerCaptivePortalSim(ctx: SimContext): void {
  ctx.model.register(CAPTIVE_PORTAL, new CaptivePortalBinding(new WritableRows(ctx, CAPTIVE_PORTAL, SHIPPED)));
}

class CaptivePortalBinding implements ObjectBinding {
  readonly params = PARAMS;
  readonly changesOnlyThroughAgent = true;
  constructor(private readonly settings: WritableRows) {}

  get(): Record<string, Value> {
    const row = this.settings.row([]);
    return { ...row, Status: captiveStatus(row.Enable === true, String(row.URL ?? '')) };
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    const bad = settingProblems(changes);
    if (bad.length > 0) throw invalidParams(bad);
    this.settings.apply(keys, changes);
  }
}
