/**
 * A Bulk Data HTTP channel waiting to retry never keeps the agent's process alive: its timers are
 * unref'd, so a process whose only work left is a retry wait exits. Runs the built channel
 * (dist/, `npm run build` first) in a real Node process.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO } from '../../../peers/agent-process.js';
import { startHttpCollector } from '../../../peers/http-collector.js';

describe('http-channel timers', () => {
  it('a retry wait does not hold the process open', async () => {
    const collector = await startHttpCollector();
    collector.plan({ status: 500 });
    try {
      const channelUrl = pathToFileURL(join(REPO, 'dist/agent/bulkdata/http-channel.js')).href;
      const loggerUrl = pathToFileURL(join(REPO, 'dist/datamodel/Logger.js')).href;
      const script = `
        const { createHttpReportChannel } = await import(${JSON.stringify(channelUrl)});
        const { silentLogger } = await import(${JSON.stringify(loggerUrl)});
        const c = createHttpReportChannel({
          target: () => ({ url: ${JSON.stringify(collector.url('/exit'))}, username: '', password: '', method: 'POST', compression: 'None',
            useDateHeader: false, uriParameters: [], retryEnable: true, retryMinimumWaitInterval: 3600, retryIntervalMultiplier: 2000,
            numberOfRetainedFailedReports: 1, persistAcrossReboot: false }),
          encode: () => ({ body: '{}', contentType: 'application/json; charset=UTF-8', reportFormat: 'NameValuePair' }),
          profileKey: 'exit', log: silentLogger,
        });
        void c.deliver({ collectedAt: new Date(), entries: [] }).then(() => console.log('settled'));
        process.on('exit', () => console.log('exit'));
      `;
      const out = await new Promise<string>((resolve, reject) => {
        execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
      });
      expect(out.trim()).toBe('exit'); // exited during the hour-long retry wait, the delivery still pending
      expect(collector.requests).toHaveLength(1);
    } finally {
      await collector.close();
    }
  });
});
