/**
 * The HTTP(S) report channel the running agent gives every HTTP Profile: the channel of
 * http-channel.ts with the download policy (a Profile must not POST into the device's own
 * services on a live platform) and TR-369 R-BULK.1's oui/pc/sn from Device.DeviceInfo. Those
 * never change while the agent runs, so they are read once, before the first report is due.
 * HTTPS collectors are checked against Node's bundled CAs plus the operator's --ca: a collector
 * on a public CA keeps working, and one signed by the operator's own CA (TP-469 10.2) does too.
 */
import { rootCertificates } from 'node:tls';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { DownloadPolicy } from '../transfer/download-policy.js';
import type { HttpChannelFactory } from './channels.js';
import { createHttpReportChannel } from './http-channel.js';
import type { ReportIdentity } from './report-url.js';

/**
 * The agent's HttpChannelFactory (TR-369 Annex A HTTP; R-BULK.1). `caPem`: the PEM text of the
 * agent's --ca file, trusted for HTTPS collectors beside the bundled CAs.
 */
export function defaultHttpReportChannel(model: DataModel, opts: { policy?: DownloadPolicy; caPem?: string }): HttpChannelFactory {
  const ca = opts.caPem === undefined ? undefined : [...rootCertificates, opts.caPem];
  let identity: ReportIdentity | undefined;
  let reading: Promise<void> | undefined;
  const readIdentity = (): void => {
    const node = model.node('Device.DeviceInfo.');
    if (!node || !model.bindingOf(node)) return; // --platform none: the query carries only the RequestURIParameters
    reading ??= Promise.resolve(model.readValues({ node, keys: [] }, {})).then(
      (v) => {
        identity = { oui: String(v.ManufacturerOUI ?? ''), productClass: String(v.ProductClass ?? ''), serialNumber: String(v.SerialNumber ?? '') };
      },
      () => {
        reading = undefined;
      },
    ); // read again for the next Profile
  };
  return (o) => {
    readIdentity();
    return createHttpReportChannel({ ...o, policy: opts.policy, identity: () => identity, ...(ca ? { ca } : {}) });
  };
}
