/**
 * Trust on first use, the agent's half (TR-369 "Determine Role"; TR-181 ControllerTrust.TOFUAllowed):
 * the certificate a controller presented on a connection accepted on first use is stored in
 * Device.LocalAgent.Certificate and becomes that controller's Controller.{i}.Credential, in one
 * transaction. From then on PeerTrust requires exactly that certificate from the controller, so
 * another self-signed certificate claiming the same Endpoint ID is refused. The controller's
 * roles are not touched: an unknown controller keeps the UntrustedRole its row was made with.
 */
import type { X509Certificate } from 'node:crypto';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { Transaction } from '../../datamodel/tree/Transaction.js';
import { certificateRef, type CertificateTable } from './CertificateTable.js';
import { parseCertificatePem, sameCertificate } from './x509.js';

const CONTROLLER_PATH = 'Device.LocalAgent.Controller.{i}.';

/** Pins `cert` to Controller.{instance} when its Credential is still empty. */
export async function pinOnFirstUse(model: DataModel, table: CertificateTable, instance: number, cert: X509Certificate): Promise<void> {
  const inst = { node: model.requireNode(CONTROLLER_PATH), keys: [instance] };
  const pinIfEmpty = async (tx: Transaction, ref: string): Promise<void> => {
    if (String((await model.readValues(inst, {})).Credential ?? '') === '') await tx.set(inst, { Credential: ref });
  };
  // The same certificate may already be a row (added earlier by an operator): refer to it.
  const existing = table.instances().find((n) => {
    const c = table.certificate(n);
    return c !== undefined && sameCertificate(c, cert);
  });
  if (existing !== undefined) {
    await Transaction.run(model, {}, (tx) => pinIfEmpty(tx, certificateRef(existing)));
    return;
  }
  await table.add(parseCertificatePem(cert.toString()), '', pinIfEmpty);
}
