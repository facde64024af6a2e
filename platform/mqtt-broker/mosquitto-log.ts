/**
 * What the agent reads from the log of a Mosquitto it runs (its `notice` level and up, on
 * stderr): connection errors (Stats.ConnectionErrors) and the progress of its bridges
 * (Bridge.{i}.Status and ServerConnection, with the `$SYS/.../state` topic). In a file of its
 * own, without MQTT.js: the platform reads log lines before any $SYS client exists.
 */

/**
 * Mosquitto's log lines that are a failed or broken connection (its `notice` level): a client
 * refused (bad credentials, not authorised), a protocol error or malformed packet, a socket
 * error, a keep-alive timeout.
 */
const CONNECTION_ERROR_RE =
  /disconnected, not authori[sz]ed|disconnected due to (protocol error|malformed packet)|Socket error on client|exceeded timeout, disconnecting|Client connection from .* denied access/;

/** Whether a Mosquitto log line is a connection error (Stats.ConnectionErrors). */
export function connectionErrorLine(line: string): boolean {
  return CONNECTION_ERROR_RE.test(line);
}

/** `Connecting bridge (step N) NAME (HOST:PORT)`: a bridge's attempt on one of its addresses. */
const BRIDGE_CONNECTING_RE = /Connecting bridge \(step (\d)\) (\S+) \((.+):(\d+)\)$/;
/** The bridge's local side went away: the remote refused it or the connection broke. Its client id is `local.<remote client id>`, which ends in the connection name. */
const BRIDGE_CLOSED_RE = /(?:Client|Socket error on client) local\.(?:\S*\.)?([^\s.,]+)(?: closed its connection|, disconnecting)/;
/** The socket to the remote could not be made; Mosquitto names no bridge, but says it right after that bridge's step 2. */
const BRIDGE_NOT_CREATED_RE = /Error creating bridge/;

const BROKER_STARTING_RE = /mosquitto version \S+ starting/;

/** What the log says about the bridges: each one's last attempt and whether it failed. */
export class BridgeLog {
  private readonly attempts = new Map<string, { host: string; port: number; failed: boolean }>();
  private step2?: string;

  /** Takes one log line. */
  line(line: string): void {
    // A (re)started broker: its bridges start again.
    if (BROKER_STARTING_RE.test(line)) return this.reset();
    const c = BRIDGE_CONNECTING_RE.exec(line);
    if (c) {
      const name = c[2]!;
      if (c[1] === '2') this.step2 = name;
      // A new attempt means the one before failed, whatever it logged (a name that does not resolve logs nothing then).
      else this.attempts.set(name, { host: c[3]!, port: Number(c[4]), failed: this.attempts.has(name) });
      return;
    }
    const closed = BRIDGE_CLOSED_RE.exec(line);
    if (closed) return this.fail(closed[1]!);
    if (BRIDGE_NOT_CREATED_RE.test(line) && this.step2 !== undefined) this.fail(this.step2);
  }

  private fail(name: string): void {
    const a = this.attempts.get(name);
    if (a) a.failed = true;
  }

  /** Bridge `name`'s Status, given what its `$SYS/.../state` topic said (undefined: nothing yet). */
  status(name: string, connected: boolean | undefined): 'Connecting' | 'Connected' | 'Error_BrokerUnreachable' {
    const a = this.attempts.get(name);
    // Connected only with an attempt this broker run logged: after a restart the $SYS client may
    // still hold the old broker's state for a moment, and Connected without an address would
    // read ServerConnection "".
    if (connected === true && a) {
      a.failed = false;
      return 'Connected';
    }
    return a?.failed === true ? 'Error_BrokerUnreachable' : 'Connecting';
  }

  /** The address of bridge `name`'s last attempt. */
  server(name: string): { host: string; port: number } | undefined {
    const a = this.attempts.get(name);
    return a ? { host: a.host, port: a.port } : undefined;
  }

  /** The broker (re)started: its bridges start again. */
  reset(): void {
    this.attempts.clear();
    this.step2 = undefined;
  }
}
