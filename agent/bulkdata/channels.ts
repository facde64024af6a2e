/**
 * The one seam between a Profile and its way out (TR-181 Profile.{i}.Protocol): USPEventNotif and
 * MQTT are built here; HTTP comes from the factory the composition root passes in (the HTTP(S)
 * channel lives in its own module), so a build without it still runs the other two and an HTTP
 * Profile then stays unusable, with a reason.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { mqttReportChannel, type MqttReportPublisher } from './mqtt-channel.js';
import type { ProfileConfig } from './profile-config.js';
import { pushEventChannel } from './push-event-channel.js';
import type { HttpTarget, ReportChannel, ReportEncoder } from './report-contract.js';

/** What the HTTP(S) channel is given (agent/bulkdata/http-channel.ts createHttpReportChannel). */
export interface HttpChannelOptions {
  /** Read when a report is due: refreshed before every delivery (ChannelChoice.prepare). */
  target: () => HttpTarget;
  encode: ReportEncoder;
  dataDir?: string;
  /** Stable key of the Profile (its path), e.g. for the retained reports' file. */
  profileKey: string;
  log: Logger;
}

export type HttpChannelFactory = (opts: HttpChannelOptions) => ReportChannel;

export interface ChannelDeps {
  model: DataModel;
  log: Logger;
  dataDir?: string;
  httpChannel?: HttpChannelFactory;
  /** The running MQTT client of a Device.MQTT.Client.{i}. row. */
  mqttClientFor: (clientRow: string) => MqttReportPublisher | undefined;
  /** The Profile's HTTP. settings now (http-target.ts). */
  readHttpTarget: (n: number) => Promise<HttpTarget>;
}

export interface ChannelChoice {
  readonly channel: ReportChannel;
  /** Runs before each delivery: settings that need the data model are read here. */
  readonly prepare?: () => Promise<void>;
}

/**
 * The channel for the Profile's Protocol, or why there is none. `current` gives the Profile's
 * configuration when a report is due, so a changed setting needs no new channel.
 */
export function channelFor(deps: ChannelDeps, cfg: ProfileConfig, current: () => ProfileConfig, encode: ReportEncoder): ChannelChoice | string {
  switch (cfg.protocol) {
    case 'USPEventNotif':
      return { channel: pushEventChannel(deps.model, cfg.n, encode) };
    case 'MQTT':
      return {
        channel: mqttReportChannel({
          target: () => {
            const c = current();
            return { ...c.mqtt, numberOfRetainedFailedReports: c.numberOfRetainedFailedReports, encodingType: c.encodingType };
          },
          encode,
          // Called on deps: its methods may need it as `this`.
          clientFor: (row) => deps.mqttClientFor(row),
          log: deps.log,
        }),
      };
    case 'HTTP': {
      const factory = deps.httpChannel;
      if (!factory) return 'Protocol HTTP is not available in this build (no HTTP report channel was given to the agent)';
      let target: HttpTarget | undefined;
      const channel = factory({
        target: () => {
          if (!target) throw new Error('HTTP target read before prepare()');
          return target;
        },
        encode,
        dataDir: deps.dataDir,
        profileKey: cfg.path,
        log: deps.log,
      });
      return {
        channel,
        prepare: async () => {
          target = await deps.readHttpTarget(cfg.n);
        },
      };
    }
    default:
      return cfg.protocol === '' ? 'Protocol is not set' : `Protocol ${cfg.protocol} is not supported`;
  }
}
