/**
 * What every platform serves from the agent itself, because nothing on the device holds it
 * (TR-181 Baseline:4, Location:1, and the Alias of every table):
 *
 * - `Alias` of a table whose source has none (datamodel/store/stored-alias.ts);
 * - `Device.DeviceInfo.ProvisioningCode`, a Controller's label for the device ("Identifier of the
 *   primary service provider and other provisioning information"), and `FriendlyName`, kept in
 *   the agent's store;
 * - `Device.DNS.SupportedRecordTypes`, the record types the platform's resolver answers;
 * - `Device.DeviceInfo.Location.{i}.`, the Controller's External location
 *   (platform/location-table.ts).
 *
 * A platform or plugin that serves one of them keeps its own.
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { pruneQueuedAliases, storedAliases } from '../../datamodel/store/stored-alias.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { withExtraParams } from '../../datamodel/tree/extra-params.js';
import { LOCATION_TABLE, registerLocationTable } from '../../platform/location-table.js';

const DEVICE_INFO = 'Device.DeviceInfo.';
/**
 * DeviceInfo parameters a Controller sets and nothing on the device holds: ProvisioningCode, and
 * FriendlyName (TR-181: "the friendly name of the device", what a USP endpoint advertises), both
 * readWrite, default "".
 */
const HELD_DEVICE_INFO = ['ProvisioningCode', 'FriendlyName'] as const;
const DNS = 'Device.DNS.';

/**
 * `Device.DNS.SupportedRecordTypes` by platform: OpenWrt (dnsmasq and musl) and generic Linux
 * (the C library's resolver) answer a query of any type, so every type TR-181 lists; with no
 * platform (and a plugin's, unless it serves the parameter) only what the agent resolves itself,
 * host names through getaddrinfo: A and AAAA.
 */
const RECORD_TYPES: Readonly<Record<string, string>> = { openwrt: 'A,AAAA,SRV,PTR', linux: 'A,AAAA,SRV,PTR' };
const AGENT_RECORD_TYPES = 'A,AAAA';

export interface AgentHeld {
  /** After the platform and the plugins: serves what nothing registered (`platform`: the one started). */
  serveUnbound(platform: string): void;
}

/**
 * Call right after the model and store are made, before anything registers: from then on every
 * binding registered gets what the agent holds beside it.
 */
export function holdAgentParams(model: DataModel, store: DataStore): AgentHeld {
  let recordTypes = AGENT_RECORD_TYPES;
  model.decorateBindings(storedAliases(store));
  // The stale Aliases reads found go at a commit, never in the read (stored-alias.ts).
  model.onCommit(async () => pruneQueuedAliases(store));
  model.decorateBindings((node, binding) => {
    if (binding.params === undefined) return binding;
    const missing = node.supportedPath === DEVICE_INFO ? HELD_DEVICE_INFO.filter((n) => !binding.params?.includes(n)) : [];
    if (missing.length > 0) {
      return withExtraParams(binding, {
        names: missing,
        read: () => {
          const row = store.row(DEVICE_INFO);
          return Object.fromEntries(missing.map((n) => [n, row?.[n] ?? '']));
        },
        write: (_keys, changes) => store.setRow(DEVICE_INFO, { ...(store.row(DEVICE_INFO) ?? {}), ...changes }),
      });
    }
    if (node.supportedPath === DNS && !binding.params.includes('SupportedRecordTypes')) {
      return withExtraParams(binding, { names: ['SupportedRecordTypes'], read: () => ({ SupportedRecordTypes: recordTypes }) });
    }
    return binding;
  });
  return {
    serveUnbound(platform) {
      recordTypes = RECORD_TYPES[platform] ?? AGENT_RECORD_TYPES;
      // Registered bare: the decorators above add the agent's parameters.
      // isBound, not bindingAt: a platform's deferred group serving it stays unbuilt (DataModel.registerDeferred).
      for (const path of [DEVICE_INFO, DNS]) if (!model.isBound(model.requireNode(path))) model.register(path, { params: [], get: () => ({}), changesOnlyThroughAgent: true });
      if (!model.isBound(model.requireNode(LOCATION_TABLE))) registerLocationTable(model, store, { now: Date.now });
    },
  };
}
