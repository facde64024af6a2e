/**
 * Bounds of Device.PeriodicStatistics. (TR-181 PeriodicStatsBase:1, PeriodicStatsAdv:2): every
 * list and table the Controller can grow has one, so a Controller cannot make the agent hold an
 * unbounded amount of samples.
 */

/** Device.PeriodicStatistics.MinSampleInterval (s): one sample per second at most. */
export const MIN_SAMPLE_INTERVAL = 1;

/**
 * Device.PeriodicStatistics.MaxReportSamples: the most values each list keeps (a day at one
 * sample per 15 minutes). ReportSamples above it is refused (7004).
 */
export const MAX_REPORT_SAMPLES = 96;

/** SampleSet rows a gateway holds at most (an Add beyond answers 7005). */
export const MAX_SAMPLE_SETS = 16;

/** Parameter rows per SampleSet at most (an Add beyond answers 7005). */
export const MAX_PARAMETERS_PER_SET = 64;

/**
 * Internal samples per sample interval for Minimum/Maximum/Average (TR-181 SampleInterval: "an
 * internal sampling rate ... faster than the SampleInterval"), never more than one per second.
 */
export const INTERNAL_SAMPLES = 10;

/** One stored value of a Values list is cut to this many characters (a string parameter may be 64 KiB). */
export const MAX_VALUE_CHARS = 256;
