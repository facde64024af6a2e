/** Reads a received capture back with the real `tcpdump -r`, as an operator would open it. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The lines `tcpdump -n -r FILE [filter]` prints for `pcap` (one per packet); throws when tcpdump cannot read it. */
export function tcpdumpRead(pcap: Buffer, filter?: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'usp-pcap-read-'));
  try {
    const file = join(dir, 'capture.pcap');
    writeFileSync(file, pcap);
    const out = execFileSync('tcpdump', ['-n', '-r', file, ...(filter ? ['--', filter] : [])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return out.split('\n').filter((l) => l.trim() !== '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
