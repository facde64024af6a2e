/**
 * What the alarm checks cost a simulated fleet gateway built on first use (issue 14): a check
 * builds no deferred area (TemperatureStatus would bring Ethernet, Wi-Fi and Cellular with it),
 * checks the area once a Controller's read has built it, and a gateway that raised nothing holds
 * no alarm state.
 */
import { afterEach, expect, it } from 'vitest';
import { BUILTIN_ALARM_TYPES } from '../../../../agent/faultmgmt/builtin-alarms.js';
import { ConditionWatch } from '../../../../agent/faultmgmt/condition-watch.js';
import { FaultMgmt } from '../../../../agent/faultmgmt/FaultMgmt.js';
import { silentLogger } from '../../../../datamodel/Logger.js';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { SharedSupportedModel } from '../../../../datamodel/tree/SupportedTree.js';
import { simulated, type SimFixture } from '../../platform/simulated/fixture.js';

const schema = Schema.load();
const running: SimFixture[] = [];
afterEach(() => {
  for (const gw of running.splice(0)) gw.stop();
});

it('a check builds no area of a deferred gateway, reads the temperature area once built, and keeps no alarm state', async () => {
  const share = new SharedSupportedModel();
  const gateways = [0, 1].map(() => {
    const model = new DataModel(schema, { share });
    const store = new DataStore();
    const gw = simulated(11, { model, store });
    model.seal();
    running.push(gw);
    return { gw, model, store };
  });
  const { model, store } = gateways[1];
  const before = model.pendingGroups();
  const fm = new FaultMgmt(BUILTIN_ALARM_TYPES, store, { rowCreated: () => {}, rowDeleted: () => {}, rowChanged: () => {} }, 'x');
  const watch = new ConditionWatch(model, fm, { log: silentLogger });
  await watch.check();
  expect(before).toContain('simulated TemperatureStatus');
  expect(model.pendingGroups()).toEqual(before);
  expect(fm.log.active).toEqual([]);
  expect(fm.log.events('HistoryEvent')).toEqual([]);
  // A Controller's read builds the area; from then on the checks read it: a threshold below the reading raises.
  await gateways[1].gw.values('Device.DeviceInfo.TemperatureStatus.TemperatureSensor.1.');
  expect(model.pendingGroups()).not.toContain('simulated TemperatureStatus');
  store.setRow('Device.DeviceInfo.TemperatureStatus.TemperatureSensor.1.', { Enable: true, LowAlarmValue: -274, HighAlarmValue: -50, PollingInterval: 0 });
  gateways[1].gw.advance(10_000);
  await watch.check();
  expect(fm.log.active.map((a) => a.raise.probableCause)).toContain('Temperature Unacceptable');
});
