/**
 * Which gateway numbers one fleet process runs. `--count N --first K` names the whole fleet
 * (numbers K…K+N-1); `--shard-index I --shard-count M` (or Kubernetes' JOB_COMPLETION_INDEX for
 * I, in an Indexed Job) picks the I-th of M contiguous ranges. The remainder of N / M is spread
 * one each over the first shards, so shard sizes differ by at most one and every number is run
 * by exactly one shard.
 */

/** A usage error of the fleet's options: the CLI prints it and exits 2. */
export class FleetUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FleetUsageError';
  }
}

/** The numbers one process runs: `first`…`first + count - 1`. */
export interface GatewayRange {
  first: number;
  count: number;
}

export interface ShardChoice {
  /** Gateways in the whole fleet (all shards). */
  count: number;
  /** Number of the fleet's first gateway (default 1). */
  first: number;
  /** This shard, 0-based; undefined with `shardCount` undefined runs the whole fleet. */
  shardIndex?: number;
  shardCount?: number;
}

/** Whole number check with the option named in the message. */
function wholeNumber(option: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) throw new FleetUsageError(`${option} ${value}: must be a whole number >= ${min}`);
  return value;
}

/**
 * The range of gateway numbers of one shard. Throws FleetUsageError for a count below 1, a
 * negative first number, an index without a count (or the reverse) and an index >= the count.
 */
export function shardRange(c: ShardChoice): GatewayRange {
  const count = wholeNumber('--count', c.count, 1);
  const first = wholeNumber('--first', c.first, 0);
  if (c.shardIndex === undefined && c.shardCount === undefined) return { first, count };
  if (c.shardCount === undefined) throw new FleetUsageError('--shard-index needs --shard-count');
  const shards = wholeNumber('--shard-count', c.shardCount, 1);
  if (c.shardIndex === undefined) throw new FleetUsageError('--shard-count needs --shard-index (or JOB_COMPLETION_INDEX)');
  const index = wholeNumber('--shard-index', c.shardIndex, 0);
  if (index >= shards) throw new FleetUsageError(`--shard-index ${index}: must be below --shard-count ${shards} (shards are numbered from 0)`);
  if (shards > count) throw new FleetUsageError(`--shard-count ${shards}: more shards than gateways (--count ${count})`);
  const base = Math.floor(count / shards);
  const extra = count % shards;
  // The first `extra` shards run one gateway more.
  const start = index * base + Math.min(index, extra);
  return { first: first + start, count: base + (index < extra ? 1 : 0) };
}

/**
 * The shard index from the options or, when `--shard-index` is absent, from Kubernetes'
 * JOB_COMPLETION_INDEX (set in every pod of an Indexed Job). A variable that is not a whole
 * number is a usage error, not a silent shard 0.
 */
export function shardIndexFrom(option: number | undefined, env: NodeJS.ProcessEnv): number | undefined {
  if (option !== undefined) return option;
  const text = env.JOB_COMPLETION_INDEX;
  if (text === undefined || text === '') return undefined;
  if (!/^\d+$/.test(text)) throw new FleetUsageError(`JOB_COMPLETION_INDEX ${JSON.stringify(text)}: not a whole number`);
  return Number(text);
}
