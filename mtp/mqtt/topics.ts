/**
 * MQTT topic rules of the USP MQTT binding (TR-369 §MQTT): the 3.1.1 "reply to" suffix
 * (R-MQTT.24/25), topic filter matching, and the SUBSCRIBE set an agent sends after CONNACK
 * (R-MQTT.15) with the "reply to" topic it announces (R-MQTT.21).
 */

/** R-MQTT.24: separates the destination from the sender's "reply to" topic in MQTT 3.1.1. */
export const REPLY_TO_MARK = '/reply-to=';

export type MqttQoS = 0 | 1 | 2;

export interface TopicSubscription {
  topic: string;
  qos: MqttQoS;
}

/** `topic` + "/reply-to=" + `replyTo` with every "/" written as "%2F" (R-MQTT.24). */
export function withReplyTo(topic: string, replyTo: string): string {
  return `${topic}${REPLY_TO_MARK}${replyTo.replaceAll('/', '%2F')}`;
}

/** The "reply to" topic after the last "/reply-to=", with "%2F" turned back into "/" (R-MQTT.25). */
export function replyToOf(topicName: string): string | undefined {
  const at = topicName.lastIndexOf(REPLY_TO_MARK);
  if (at < 0) return undefined;
  const raw = topicName.slice(at + REPLY_TO_MARK.length);
  return raw === '' ? undefined : raw.replace(/%2F/gi, '/');
}

export function hasWildcard(filter: string): boolean {
  return filter.includes('+') || filter.includes('#');
}

/**
 * Whether every topic that `inner` matches is also matched by `outer` (both topic filters; an
 * exact topic is a filter without wildcards). "a/#" covers "a", "a/b" and "a/+/c"; "a/+" does not
 * cover "a/#".
 */
export function filterCovers(outer: string, inner: string): boolean {
  const o = outer.split('/');
  const i = inner.split('/');
  for (let n = 0; n < o.length; n++) {
    if (o[n] === '#') return true;
    if (n >= i.length) return false;
    if (i[n] === '#') return false;
    if (o[n] === '+') continue;
    if (o[n] !== i[n]) return false;
  }
  return o.length === i.length;
}

/** Whether a received topic name matches a subscription filter ("$" topics are not wildcard-matched). */
export function topicMatches(filter: string, topic: string): boolean {
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  return filterCovers(filter, topic);
}

export interface SubscriptionInputs {
  v5: boolean;
  /** Enabled Device.MQTT.Client.{i}.Subscription.{i} rows. */
  configured: readonly TopicSubscription[];
  /** CONNACK User Properties "subscribe-topic" (MQTT 5). */
  subscribeTopics: readonly string[];
  /** CONNACK Response Information (MQTT 5). */
  responseInformation?: string;
  /** Device.LocalAgent.MTP.{i}.MQTT.ResponseTopicConfigured. */
  responseTopicConfigured: string;
  /** QoS for filters that come without one (subscribe-topic, reply-to). */
  qos: MqttQoS;
}

export interface SubscriptionPlan {
  /** What to SUBSCRIBE to; no filter is covered by another (no duplicate deliveries). */
  filters: TopicSubscription[];
  /**
   * The agent's "reply to" topic (ResponseTopicDiscovered): Response Information, else
   * ResponseTopicConfigured, else the first exact subscribed topic; undefined when there is none.
   */
  replyTo?: string;
}

/**
 * R-MQTT.15: configured filters, CONNACK subscribe-topics, and the "reply to" topic unless one of
 * those already covers it. In 3.1.1 peers append "/reply-to=..." to the agent's topic, so the
 * "reply to" topic is subscribed in its "T/#" form, which also matches T itself.
 */
export function planSubscriptions(inp: SubscriptionInputs): SubscriptionPlan {
  const base: TopicSubscription[] = [...inp.configured.filter((s) => s.topic !== ''), ...inp.subscribeTopics.filter((t) => t !== '').map((topic) => ({ topic, qos: inp.qos }))];
  const replyTo = inp.responseInformation || inp.responseTopicConfigured || base.find((s) => !hasWildcard(s.topic))?.topic || undefined;
  const all = [...base];
  if (replyTo) {
    const needed = inp.v5 ? replyTo : `${replyTo.replace(/\/+$/, '')}/#`;
    if (!base.some((s) => filterCovers(s.topic, needed))) all.push({ topic: needed, qos: inp.qos });
  }
  return { filters: withoutCovered(all), replyTo };
}

/** Drops filters another one covers (keeping the higher QoS) so the broker delivers each PUBLISH once. */
function withoutCovered(subs: readonly TopicSubscription[]): TopicSubscription[] {
  const out: TopicSubscription[] = [];
  for (const sub of subs) {
    const cover = out.find((o) => filterCovers(o.topic, sub.topic));
    if (cover) {
      cover.qos = Math.max(cover.qos, sub.qos) as MqttQoS;
      continue;
    }
    const s = { ...sub };
    for (let n = out.length - 1; n >= 0; n--) {
      if (filterCovers(s.topic, out[n].topic)) {
        s.qos = Math.max(s.qos, out[n].qos) as MqttQoS;
        out.splice(n, 1);
      }
    }
    out.push(s);
  }
  return out;
}
