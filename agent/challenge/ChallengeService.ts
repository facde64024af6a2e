/**
 * Challenge:1 (TR-181 ControllerTrust.RequestChallenge(), ChallengeResponse() and
 * ControllerTrust.Challenge.{i}; TR-369 "Challenge Strings and Images"): a
 * controller asks for a challenge, a third party gives it the passphrase, and a correct response
 * replaces UntrustedRole in the controller's AssignedRole with the Challenge's Role (appending
 * the Roles not already there).
 *
 * - At most one outstanding request per controller: another ChallengeRef is refused (7002) until
 *   the outstanding one is answered or expires; the same ChallengeRef replaces it.
 * - Unknown, expired or another controller's ChallengeID → 7004 (TR-181 lets the agent answer
 *   7004 for values it does not recognise); a wrong Value → 7004 and one failed attempt.
 * - Failed attempts count per Challenge row, whoever makes them: after max(Retries, 1) of them the
 *   row is locked for LockoutPeriod seconds, during which both commands on it fail with 7002
 *   (TR-181 LockoutPeriod); the count resets on success or when the lockout ends.
 * - The Value is compared in constant time. All of this lives in memory only (R-SEC.21).
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { parsePath } from '../../datamodel/path/parse-path.js';
import type { RequestContext } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import { PathResolver } from '../../datamodel/tree/resolve-path.js';
import { Transaction } from '../../datamodel/tree/Transaction.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { Change, ChangeObserver } from '../../datamodel/tree/ChangeFeed.js';

export const CHALLENGE_PATH = 'Device.LocalAgent.ControllerTrust.Challenge.{i}.';
const TRUST_PATH = 'Device.LocalAgent.ControllerTrust.';
const CONTROLLER_PATH = 'Device.LocalAgent.Controller.{i}.';
/** Outstanding challenge requests across all controllers; more are refused with 7005. */
export const MAX_PENDING_CHALLENGES = 256;

interface Pending {
  controllerId: string;
  challenge: number;
  expiresAt: number;
}
interface Attempts {
  failures: number;
  lockedUntil: number;
}

export class ChallengeService implements ChangeObserver {
  private get pending(): Map<string, Pending> {
    return (this.pendingOf ??= new Map());
  }
  /** Made at first use: most gateways of a fleet never touch it, and an empty Map costs ~180 bytes. */
  private pendingOf?: Map<string, Pending>;
  private get attempts(): Map<number, Attempts> {
    return (this.attemptsOf ??= new Map());
  }
  /** Made at first use: most gateways of a fleet never touch it, and an empty Map costs ~180 bytes. */
  private attemptsOf?: Map<number, Attempts>;
  private readonly challengeNode: ModelNode;

  constructor(
    private readonly model: DataModel,
    private readonly now: () => number = Date.now,
  ) {
    this.challengeNode = model.requireNode(CHALLENGE_PATH);
    model.changes.observe(this);
  }

  /** The change feed's observer method (ChangeFeed.observe: no closure per gateway). */
  modelChanged(c: Change): void {
    if (c.kind === 'deleted' && c.inst.node === this.challengeNode) this.forgetChallenge(c.inst.keys[0]);
  }

  /** RequestChallenge(ChallengeRef, RequestExpiration): 0 s never expires. */
  async request(ctx: RequestContext, challengeRef: string, expirationS: number): Promise<Record<string, Value>> {
    const controllerId = callerOf(ctx);
    const n = await this.resolveRef(challengeRef);
    const row = n === undefined ? undefined : await this.row(n);
    if (n === undefined || !row || row.Enable !== true) {
      throw new UspError(ErrorCode.InvalidValue, `ChallengeRef ${JSON.stringify(challengeRef)} is not an enabled Challenge`);
    }
    if (String(row.Value ?? '') === '') throw new UspError(ErrorCode.CommandFailure, `${this.pathOf(n)} has no Value to answer`);
    this.checkLockout(n);
    this.dropExpired();
    for (const [id, p] of this.pending) {
      if (p.controllerId !== controllerId) continue;
      if (p.challenge !== n) throw new UspError(ErrorCode.RequestDenied, `a request for ${this.pathOf(p.challenge)} is outstanding`);
      this.pending.delete(id);
    }
    if (this.pending.size >= MAX_PENDING_CHALLENGES) throw new UspError(ErrorCode.ResourcesExceeded, 'too many outstanding challenge requests');
    const id = randomUUID();
    this.pending.set(id, { controllerId, challenge: n, expiresAt: expirationS > 0 ? this.now() + expirationS * 1000 : Number.POSITIVE_INFINITY });
    return { Instruction: row.Instruction ?? '', InstructionType: row.InstructionType ?? '', ValueType: row.ValueType ?? '', ChallengeID: id };
  }

  /** ChallengeResponse(ChallengeID, Value); resolves when the Challenge's Role is assigned. */
  async respond(ctx: RequestContext, challengeId: string, value: string): Promise<void> {
    const controllerId = callerOf(ctx);
    const p = this.pending.get(challengeId);
    if (!p || p.controllerId !== controllerId) throw new UspError(ErrorCode.InvalidArguments, 'unknown ChallengeID');
    if (p.expiresAt <= this.now()) {
      this.pending.delete(challengeId);
      throw new UspError(ErrorCode.InvalidArguments, 'ChallengeID has expired');
    }
    const n = p.challenge;
    const row = await this.row(n);
    if (!row || row.Enable !== true) {
      this.pending.delete(challengeId);
      throw new UspError(ErrorCode.CommandFailure, `${this.pathOf(n)} no longer exists or is disabled`);
    }
    this.checkLockout(n);
    if (!sameSecret(String(row.Value ?? ''), value)) throw this.failedAttempt(n, row);
    this.pending.delete(challengeId);
    this.attempts.delete(n);
    await this.grant(ctx, String(row.Role ?? ''));
  }

  /** Counts a wrong Value; the error to answer with (and starts the lockout when due). */
  private failedAttempt(n: number, row: Record<string, Value>): UspError {
    const a = this.attempts.get(n) ?? { failures: 0, lockedUntil: 0 };
    a.failures++;
    this.attempts.set(n, a);
    const allowed = Math.max(Number(row.Retries ?? 0), 1);
    const lockoutS = Number(row.LockoutPeriod ?? 30);
    if (a.failures >= allowed && lockoutS > 0) {
      a.lockedUntil = this.now() + lockoutS * 1000;
      return new UspError(ErrorCode.InvalidArguments, `wrong challenge Value; ${this.pathOf(n)} is locked for ${lockoutS} s`);
    }
    return new UspError(ErrorCode.InvalidArguments, `wrong challenge Value (${a.failures} of ${allowed} attempts used)`);
  }

  private checkLockout(n: number): void {
    const a = this.attempts.get(n);
    if (!a || a.lockedUntil === 0) return;
    const left = a.lockedUntil - this.now();
    if (left <= 0) {
      this.attempts.delete(n);
      return;
    }
    throw new UspError(ErrorCode.RequestDenied, `${this.pathOf(n)} is locked for another ${Math.ceil(left / 1000)} s after failed attempts`);
  }

  /** AssignedRole of the caller: UntrustedRole removed, the Challenge's Roles appended. */
  private async grant(ctx: RequestContext, roles: string): Promise<void> {
    const m = /^Device\.LocalAgent\.Controller\.(\d+)$/.exec(ctx.controllerPath ?? '');
    if (!m) throw new UspError(ErrorCode.CommandFailure, 'the calling controller has no Controller row to assign the Role to');
    const inst = { node: this.model.requireNode(CONTROLLER_PATH), keys: [Number(m[1])] };
    const trustNode = this.model.node(TRUST_PATH);
    const untrusted = trustNode && this.model.bindingOf(trustNode) ? String((await this.model.readValues({ node: trustNode, keys: [] }, {})).UntrustedRole ?? '') : '';
    await Transaction.run(this.model, {}, async (tx) => {
      const assigned = String((await this.model.readValues(inst, {})).AssignedRole ?? '');
      const next = raiseRoles(assigned, untrusted, roles);
      if (next !== assigned) await tx.set(inst, { AssignedRole: next });
    });
  }

  private async resolveRef(ref: string): Promise<number | undefined> {
    const text = ref.trim();
    if (text === '') return undefined;
    try {
      const matches = await new PathResolver(this.model, {}).resolve(parsePath(text.endsWith('.') ? text : `${text}.`));
      const rows = matches.filter((x) => !x.table && x.node === this.challengeNode);
      return rows.length === 1 ? rows[0].keys[0] : undefined;
    } catch (e) {
      if (e instanceof UspError) return undefined;
      throw e;
    }
  }

  private async row(n: number): Promise<Record<string, Value> | undefined> {
    const inst = { node: this.challengeNode, keys: [n] };
    return (await this.model.exists(inst, {})) ? this.model.readValues(inst, {}) : undefined;
  }

  private dropExpired(): void {
    const now = this.now();
    for (const [id, p] of this.pending) if (p.expiresAt <= now) this.pending.delete(id);
  }

  private forgetChallenge(n: number): void {
    this.attempts.delete(n);
    for (const [id, p] of this.pending) if (p.challenge === n) this.pending.delete(id);
  }

  private pathOf(n: number): string {
    return this.challengeNode.pathOf([n]).replace(/\.$/, '');
  }
}

function callerOf(ctx: RequestContext): string {
  if (ctx.controllerId === undefined) throw new UspError(ErrorCode.CommandFailure, 'only a controller can take a challenge');
  return ctx.controllerId;
}

/** Whether two base64 values hold the same bytes, in time independent of where they differ. */
export function sameSecret(expectedB64: string, givenB64: string): boolean {
  const digest = (b64: string): Buffer => createHash('sha256').update(Buffer.from(b64, 'base64')).digest();
  return expectedB64 !== '' && timingSafeEqual(digest(expectedB64), digest(givenB64));
}

/**
 * AssignedRole after a successful challenge: the UntrustedRole entries dropped (unless the
 * Challenge grants them too), then the granted Roles not yet present appended.
 */
export function raiseRoles(assigned: string, untrusted: string, granted: string): string {
  const items = (s: string): string[] =>
    s
      .split(',')
      .map((r) => r.trim().replace(/\.$/, ''))
      .filter(Boolean);
  const grant = items(granted);
  const drop = new Set(items(untrusted).filter((r) => !grant.includes(r)));
  const out = items(assigned).filter((r) => !drop.has(r));
  for (const r of grant) if (!out.includes(r)) out.push(r);
  return out.join(',');
}
