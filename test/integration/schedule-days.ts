/** TR-181 Day values relative to today, for the tests that open and close Schedule windows. */

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** The TR-181 Day `offset` days from today, in this process's local time zone (the agent's and nft's). */
export function dayFromToday(offset: number): string {
  return DAYS[(new Date().getDay() + offset) % 7]!;
}
