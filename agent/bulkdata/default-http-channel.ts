/**
 * The HTTP(S) report channel the running agent gives every HTTP Profile: the channel of
 * http-channel.ts with the download policy (a Profile must not POST into the device's own
 * services on a live platform) and TR-369 R-BULK.1's oui/pc/sn from Device.DeviceInfo. Those
 * never change while the agent runs, so they are read once, before the first report is due.
 */
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { DownloadPolicy } from '../transfer/download-policy.js';
import type { HttpChannelFactory } from './channels.js';
import { createHttpReportChannel } from './http-channel.js';
import type { ReportIdentity } from './report-url.js';

export function defaultHttpReportChannel(model: DataModel, opts: { policy?: DownloadPolicy }): HttpChannelFactory {
  let identity: ReportIdentity | undefined;
  let reading: Promise<void> | undefined;
  const readIdentity = (): void => {
    const node = model.node('Device.DeviceInfo.');
    if (!node?.binding) return; // --platform none: the query carries only the RequestURIParameters
    reading ??= Promise.resolve(model.readValues({ node, keys: [] }, {})).then((v) => {
      identity = { oui: String(v.ManufacturerOUI ?? ''), productClass: String(v.ProductClass ?? ''), serialNumber: String(v.SerialNumber ?? '') };
    }, () => { reading = undefined; }); // read again for the next Profile
  };
  return (o) => {
    readIdentity();
    return createHttpReportChannel({ ...o, policy: opts.policy, identity: () => identity });
  };
}
