import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { birdRipConfText, isBirdDevice, type RipInterface } from '../../../../platform/linux/bird-rip-conf.js';

const row = (n: number, device: string, values: RipInterface['values'] = {}): RipInterface => ({ path: `Device.Routing.RIP.InterfaceSetting.${n}`, device, values });

/** bird's own parse of `text` (`bird -p`): its message, undefined when it takes it. */
function birdParse(text: string): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'usp-bird-parse-'));
  try {
    writeFileSync(join(dir, 'bird.conf'), text);
    execFileSync('/usr/sbin/bird', ['-p', '-c', join(dir, 'bird.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    return undefined;
  } catch (e) {
    return String((e as { stderr?: Buffer }).stderr ?? e);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('bird configuration from Device.Routing.RIP.', () => {
  it('writes nothing while RIP is off or no row has a usable device: bird does not run', () => {
    expect(birdRipConfText(false, [row(1, 'eth0')])).toBeUndefined();
    expect(birdRipConfText(true, [])).toBeUndefined();
    expect(birdRipConfText(true, [row(1, 'bad"name')])).toBeUndefined();
  });

  it('speaks RIPv2 only on each row’s device, passive where SendRA is false, importing only where AcceptRA is true', () => {
    const text = birdRipConfText(true, [row(1, 'eth0', { AcceptRA: true, SendRA: true }), row(2, 'br-lan', { AcceptRA: false, SendRA: false })])!;
    expect(text).toContain('interface "eth0" {\n    version 2;\n    version only on;\n    passive off;\n  };');
    expect(text).toContain('interface "br-lan" {\n    version 2;\n    version only on;\n    passive on;\n  };');
    expect(text).toContain('import where ifname = "eth0";');
    expect(text).toContain('export where source = RTS_DEVICE || source = RTS_RIP;');
    // Both rows' connected networks are announced; the kernel gets RIP routes only and gives bird none of its own.
    expect(text).toContain('interface "eth0", "br-lan";');
    expect(text).toMatch(/protocol kernel usp_kernel \{\n {2}learn off;\n {2}ipv4 \{ import none; export where source = RTS_RIP; \};/);
    expect(text).toContain('# Device.Routing.RIP.InterfaceSetting.1');
  });

  it('imports nothing when no row accepts, and writes shorter timers when given', () => {
    const text = birdRipConfText(true, [row(1, 'eth0', { AcceptRA: false })], { updateS: 5, timeoutS: 15 })!;
    expect(text).toContain('ipv4 { import none;');
    expect(text).toContain('update time 5;');
    expect(text).toContain('timeout time 15;');
  });

  it('takes only device names bird can be given in quotes', () => {
    expect(isBirdDevice('eth0.100')).toBe(true);
    expect(isBirdDevice('wwan0')).toBe(true);
    for (const bad of ['', 'a"b', 'a b', 'a\\b', 'a/b', 'sixteen-chars-xx']) expect(isBirdDevice(bad), bad).toBe(false);
  });

  it.skipIf(!existsSync('/usr/sbin/bird'))('makes files bird itself accepts (bird -p)', () => {
    for (const text of [
      birdRipConfText(true, [row(1, 'eth0'), row(2, 'br-lan', { AcceptRA: false, SendRA: false })], { updateS: 2, timeoutS: 6 })!,
      birdRipConfText(true, [row(1, 'wwan0', { AcceptRA: false })])!,
    ]) {
      expect(birdParse(text)).toBeUndefined();
    }
    expect(birdParse('protocol rip {\n')).toMatch(/syntax error/);
  });
});
