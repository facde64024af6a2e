/**
 * Sending a hostapd control command that carries a key (wpa_passphrase, wpa_psk, sae_password)
 * without putting the key on a command line, where every user of the host sees it in ps while
 * hostapd_cli runs: hostapd_cli reads commands from its standard input when given none (its
 * interactive mode), and its `raw` command sends the rest of the line to hostapd as one control
 * command, so `raw SET wpa_passphrase a b c` sets "a b c" (recorded: test/fixtures/linux/
 * wifi-hostapd-add). hostapd_cli runs without HOME: a build with a line editor that saves history
 * keeps each line in $HOME/.hostapd_cli_history (Debian's 2.10 kept none when recorded).
 *
 * hostapd_cli splits the line into words before `raw` joins them again with one space: runs of
 * spaces shrink to one and spaces at either end go, except inside a word that starts with a
 * double quote (it reaches to the line's last quote). A value that would not arrive as written
 * is refused before anything is sent (`cliLineKeeps`).
 */

/** hostapd_cli's common/cli.h max_args: the last word takes the rest of the line unsplit. */
const MAX_ARGS = 10;

/** The words hostapd_cli's tokenize_cmd makes of an input line (quotes are kept). */
export function cliWords(line: string): string[] {
  const words: string[] = [];
  let pos = 0;
  for (;;) {
    while (line[pos] === ' ') pos++;
    if (pos >= line.length) break;
    const start = pos;
    if (words.length + 1 === MAX_ARGS) {
      words.push(line.slice(start));
      break;
    }
    if (line[pos] === '"') {
      const last = line.lastIndexOf('"');
      if (last > pos) pos = last + 1;
    }
    while (pos < line.length && line[pos] !== ' ') pos++;
    words.push(line.slice(start, pos));
  }
  return words;
}

/** The control command `raw <command>` sends to hostapd, as hostapd_cli rebuilds it from the line's words. */
export function rawCommandSent(command: string): string {
  return cliWords(`raw ${command}`).slice(1).join(' ');
}

/** Whether `SET key value` reaches hostapd with `value` as written. */
export function cliLineKeeps(key: string, value: string): boolean {
  const line = `SET ${key} ${value}`;
  return !/[\r\n\0\t]/.test(value) && rawCommandSent(line) === line;
}

/**
 * hostapd's answers in what interactive mode printed: a banner, then "> " before each answer
 * (and one last prompt at the end of input). One answer per command sent, in order.
 */
export function interactiveAnswers(stdout: string): string[] {
  const i = stdout.indexOf('Interactive mode');
  const body = i < 0 ? stdout : stdout.slice(i + 'Interactive mode'.length);
  const parts = body.split('> ').slice(1);
  return parts.map((p) => p.trim()).filter((p, k) => k < parts.length - 1 || p !== '');
}
