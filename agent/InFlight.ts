/**
 * The requests being processed, keyed by controller and msg_id: duplicates of an in-flight
 * msg_id are recognised (R-MSG.4), and the count is bounded twice, per controller and across
 * controllers, so that one controller pipelining thousands of requests cannot take every slot
 * and make another controller's requests fail (TR-369 leaves the limits to the agent; more get
 * Error 7005 Resources exceeded).
 */

/** Requests being processed at once across all controllers. */
export const DEFAULT_MAX_IN_FLIGHT = 1024;

/**
 * Requests one controller may have in flight at once: half of the whole, so a controller that
 * pipelines as fast as it can always leaves the other half to the rest.
 */
export const DEFAULT_MAX_IN_FLIGHT_PER_CONTROLLER = 512;

/** Why a request was not admitted, or that it was. */
export type Admission = 'admitted' | 'duplicate' | 'controllerFull' | 'agentFull';

export class InFlight {
  private get byController(): Map<string, Set<string>> {
    return (this.byControllerOf ??= new Map());
  }
  /** Made at first use: most gateways of a fleet never touch it, and an empty Map costs ~180 bytes. */
  private byControllerOf?: Map<string, Set<string>>;
  private total = 0;

  constructor(
    readonly max = DEFAULT_MAX_IN_FLIGHT,
    readonly maxPerController = Math.min(DEFAULT_MAX_IN_FLIGHT_PER_CONTROLLER, max),
  ) {}

  /** Requests in flight across all controllers. */
  get size(): number {
    return this.total;
  }

  /** Requests in flight for one controller. */
  countFor(controllerId: string): number {
    return this.byController.get(controllerId)?.size ?? 0;
  }

  /** Admits the request when it is new and both bounds allow it; `release` must follow. */
  admit(controllerId: string, msgId: string): Admission {
    const mine = this.byController.get(controllerId);
    if (mine?.has(msgId)) return 'duplicate';
    if ((mine?.size ?? 0) >= this.maxPerController) return 'controllerFull';
    if (this.total >= this.max) return 'agentFull';
    if (mine) mine.add(msgId);
    else this.byController.set(controllerId, new Set<string>().add(msgId)); // not new Set([..]): the iterable path is slow
    this.total++;
    return 'admitted';
  }

  /** Ends an admitted request. */
  release(controllerId: string, msgId: string): void {
    const mine = this.byController.get(controllerId);
    if (!mine?.delete(msgId)) return;
    this.total--;
    // Controllers come and go (any from_id over MQTT): no entry outlives its last request.
    if (mine.size === 0) this.byController.delete(controllerId);
  }
}
