/**
 * MQTT over TLS (TR-181 Device.MQTT.Client.{i}.TransportProtocol "TLS"; TR-369 R-MQTT.48, R-MTP.1):
 * the tls.connect options MQTT.js is given. TLS 1.2 is the minimum, the broker certificate must
 * chain to the trust anchors and name the broker (hostname or IP, checked by Node as for HTTPS),
 * and the agent presents its certificate when it has one, so a broker that requires client
 * certificates (mutual TLS) can authenticate it.
 */
import type { ConnectionOptions } from 'node:tls';
import type { IClientOptions } from 'mqtt';
import type { MqttTlsOptions } from './mqtt-options.js';

/** R-MQTT.48: TLS 1.2 or later; Node negotiates up to 1.3. */
export const MQTT_TLS_MIN_VERSION = 'TLSv1.2';

/** What the MQTT client passes to tls.connect for an mqtts connection. */
export type MqttTlsConnectOptions = Pick<IClientOptions, 'protocol' | 'ca' | 'cert' | 'key' | 'servername' | 'rejectUnauthorized'> & Pick<ConnectionOptions, 'minVersion'>;

/**
 * The mqtts options for `tls`. Without `ca`, the broker must chain to Node's built-in CA list
 * (a public broker); with it, only to those anchors. Certificate and key go together or not at all.
 */
export function mqttTlsConnectOptions(tls: MqttTlsOptions = {}): MqttTlsConnectOptions {
  if ((tls.cert === undefined) !== (tls.key === undefined)) throw new Error('MQTT TLS: a client certificate needs its key (and the other way round)');
  return {
    protocol: 'mqtts',
    minVersion: MQTT_TLS_MIN_VERSION,
    // Never turned off: an unverified broker could read and forge every Record.
    rejectUnauthorized: true,
    ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
    ...(tls.cert !== undefined ? { cert: tls.cert, key: tls.key } : {}),
    ...(tls.servername ? { servername: tls.servername } : {}),
  };
}

/** Node's TLS error codes that mean the broker's certificate was refused, for a clearer log line. */
const CERT_ERRORS = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** A short reason for a failed mqtts connection: the broker's certificate, or the broker refusing ours. */
export function describeTlsFailure(message: string, code: unknown): string | undefined {
  if (typeof code === 'string' && CERT_ERRORS.has(code)) return 'broker certificate refused';
  // OpenSSL alerts from the broker: it did not accept our certificate (or that we sent none).
  if (/alert (certificate required|bad certificate|unknown ca|certificate unknown|handshake failure)/i.test(message)) return 'broker refused the agent certificate';
  return undefined;
}
