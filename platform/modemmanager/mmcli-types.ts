/**
 * The parts of `mmcli -J` output this platform reads (ModemManager cli/mmcli-output.c: the
 * dotted key table, nested into JSON objects). Every value is a string or a list of strings;
 * "--" means unknown, and mmcli also prints "--" for "none"/"unknown" values.
 */

/** `mmcli -L -J` */
export interface MmcliList {
  'modem-list'?: string[];
}

/** `mmcli -m <n> -J` */
export interface MmcliModem {
  modem?: {
    'dbus-path'?: string;
    generic?: {
      'access-technologies'?: string[];
      bearers?: string[];
      'current-capabilities'?: string[];
      'current-modes'?: string;
      device?: string;
      'device-identifier'?: string;
      manufacturer?: string;
      model?: string;
      'own-numbers'?: string[];
      ports?: string[];
      'power-state'?: string;
      'primary-port'?: string;
      revision?: string;
      sim?: string;
      state?: string;
      'unlock-required'?: string;
    };
    '3gpp'?: {
      'enabled-locks'?: string[];
      imei?: string;
      'operator-code'?: string;
      'operator-name'?: string;
      'registration-state'?: string;
    };
  };
}

/** One technology block of `mmcli -m <n> --signal-get -J` (rssi, rsrq, rsrp, snr, ...). */
export type MmcliSignalBlock = Partial<Record<'rssi' | 'rsrq' | 'rsrp' | 'snr' | 'rscp' | 'ecio' | 'sinr' | 'io', string>>;

export interface MmcliSignal {
  modem?: {
    signal?: {
      refresh?: { rate?: string };
      gsm?: MmcliSignalBlock;
      umts?: MmcliSignalBlock;
      lte?: MmcliSignalBlock;
      '5g'?: MmcliSignalBlock;
      cdma1x?: MmcliSignalBlock;
      evdo?: MmcliSignalBlock;
    };
  };
}

/** `mmcli -b <n> -J` */
export interface MmcliBearer {
  bearer?: {
    'dbus-path'?: string;
    type?: string;
    properties?: {
      apn?: string;
      'apn-type'?: string;
      'ip-type'?: string;
      user?: string;
      password?: string;
      /** "allowed" or "forbidden" (the bearer's allow-roaming); not printed for the initial EPS bearer. */
      roaming?: string;
    };
    status?: { connected?: string; interface?: string };
  };
}

/** `mmcli -i <n> -J` */
export interface MmcliSim {
  sim?: {
    'dbus-path'?: string;
    properties?: {
      active?: string;
      iccid?: string;
      imsi?: string;
      'operator-code'?: string;
      'operator-name'?: string;
    };
  };
}

/** A value mmcli knows: undefined for absent, "", and "--". */
export function known(s: string | undefined): string | undefined {
  const v = s?.trim();
  return v === undefined || v === '' || v === '--' ? undefined : v;
}

/** The object index at the end of a D-Bus path: ".../Modem/3" → "3"; undefined for "--". */
export function pathIndex(dbusPath: string | undefined): string | undefined {
  const m = /\/(\d+)$/.exec(known(dbusPath) ?? '');
  return m ? m[1] : undefined;
}
