import { randomBytes } from 'node:crypto';
import type { Clock } from '../time/clock.js';
import type { Logger } from '../observe/logger.js';
import type { CoreMetrics } from '../observe/metrics.js';
import type { Config } from '../config/schema.js';
import type { RuleSet } from '../rules/ruleset.js';
import type { Store } from '../store/types.js';
import { ChatChannel } from './channels/chat.js';
import { ChatRouter } from './channels/chat-router.js';
import { EmailChannel } from './channels/email.js';
import { SmsChannel } from './channels/sms.js';
import { AliyunSmsChannel } from './channels/phone/aliyun-sms.js';
import { PhoneRouter } from './channels/phone/phone-router.js';
import { VonageSmsChannel, VonageVoiceChannel } from './channels/phone/vonage.js';
import { VoiceChannel } from './channels/voice.js';
import { WebhookChannel } from './channels/webhook.js';
import { withLogMode } from './channels/log-mode.js';
import { Dispatcher } from './dispatcher.js';
import { createLinkSigner } from './link-signer.js';
import { NotificationPlanner } from './planner.js';
import type { Channel, ChannelName } from './types.js';

export interface Notifier {
  planner: NotificationPlanner;
  dispatcher: Dispatcher;
  channels: Map<ChannelName, Channel>;
  signer: ReturnType<typeof createLinkSigner>;
  publicUrl: string;
  /** Sends a message about an incident to its responders (a runbook's notify step). */
  message(incidentId: number, from: string, text: string, approvalRunId?: string): Promise<number>;
  close(): Promise<void>;
}

/** How people and other systems reach this Vigil: callbacks and links are built on it. */
export function publicUrlOf(config: Config): string {
  return (config.server.publicUrl ?? `http://localhost:${config.server.port}`).replace(/\/+$/, '');
}

/** The channels (live with credentials, log mode without), the planner and the dispatcher. */
export function createNotifier(
  config: Config,
  deps: { store: Store; clock: Clock; logger: Logger; metrics: CoreMetrics; rules: () => RuleSet },
): Notifier {
  const n = config.notify;
  const publicUrl = publicUrlOf(config);
  const logger = deps.logger.child({ component: 'notify' });
  const unwrapped: Channel[] = [
    new PhoneRouter(
      'voice',
      new Map([
        ['twilio', withLogMode(new VoiceChannel(n.twilio, publicUrl), logger)],
        ['vonage', withLogMode(new VonageVoiceChannel(n.vonage, publicUrl), logger)],
      ]),
      n.voice,
    ),
    new PhoneRouter(
      'sms',
      new Map([
        ['twilio', withLogMode(new SmsChannel(n.twilio), logger)],
        ['aliyun', withLogMode(new AliyunSmsChannel(n.aliyun), logger)],
        ['vonage', withLogMode(new VonageSmsChannel(n.vonage), logger)],
      ]),
      n.sms,
    ),
    new ChatRouter(withLogMode(new ChatChannel(n.slack, logger), logger), n.robots, (id) => deps.rules().people.get(id), logger, () => deps.clock.now()),
    new EmailChannel(n.smtp),
    new WebhookChannel(n.webhook, logger),
  ];
  // A channel without credentials only logs what it would have sent.
  const channels = new Map<ChannelName, Channel>(unwrapped.map((c) => [c.name, withLogMode(c, logger)]));
  // Without a configured secret, links are signed with a key that lives as long as the process.
  const signer = createLinkSigner(n.linkSecret ?? randomBytes(32), n.linkTtl, publicUrl, () => deps.clock.now());
  const dispatcher = new Dispatcher(deps.store, channels, deps.clock, logger, deps.metrics, {
    attempts: n.retry.attempts,
    initialDelayMs: n.retry.initialDelay,
    maxDelayMs: n.retry.maxDelay,
    slowIntervalMs: n.retry.slowInterval,
    links: (incidentId, person) => ({
      acknowledge: signer.link('acknowledge', incidentId, person),
      resolve: signer.link('resolve', incidentId, person),
    }),
    rules: deps.rules,
    locale: n.locale,
    timeZone: n.timeZone,
  });
  const planner = new NotificationPlanner(deps.rules, n.webhook.url);
  return {
    planner,
    dispatcher,
    async message(incidentId, from, text, approvalRunId) {
      const planned = await deps.store.write(async (tx) => {
        const incident = await tx.getIncident(incidentId);
        return incident ? planner.update(tx, incident, from, text, deps.clock.now(), approvalRunId) : 0;
      });
      if (planned > 0) dispatcher.wake();
      return planned;
    },
    channels,
    signer,
    publicUrl,
    async close() {
      await dispatcher.stop();
      for (const c of channels.values()) await c.close?.();
    },
  };
}

/** One line per channel for the startup log: which are live and which only log. */
export function channelModes(channels: Map<ChannelName, Channel>): Record<string, 'live' | 'log'> {
  return Object.fromEntries([...channels].map(([name, c]) => [name, c.live ? 'live' : 'log']));
}
