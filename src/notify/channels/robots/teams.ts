import type { RobotConfig } from '../../../config/schema.js';
import type { RobotFormat, RobotMessage } from './robot.js';

type TeamsConfig = Extract<RobotConfig, { type: 'teams' }>;

const colour = { critical: 'Attention', warning: 'Warning', reminder: 'Accent', info: 'Default' } as const;

/** The Adaptive Card a Teams channel shows: title, the message's lines, and the signed links as buttons. */
export function adaptiveCard(m: RobotMessage) {
  return {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body: [
      { type: 'TextBlock', text: m.title, weight: 'Bolder', size: 'Medium', wrap: true, color: m.severity ? colour[m.severity] : 'Default' },
      ...m.lines.filter((l) => l !== '').map((l) => ({ type: 'TextBlock', text: l, wrap: true, spacing: 'Small' })),
    ],
    actions: m.actions
      ? [
          { type: 'Action.OpenUrl', title: m.labels.acknowledge, url: m.actions.acknowledge, style: 'positive' },
          { type: 'Action.OpenUrl', title: m.labels.resolve, url: m.actions.resolve },
        ]
      : [],
  };
}

/**
 * Microsoft Teams through a Workflows (Power Automate) "post to a channel when a webhook request is received" flow:
 * a message with one Adaptive Card attachment. The flow answers 202; its errors are HTTP statuses only.
 */
export function teams(config: TeamsConfig): RobotFormat {
  return {
    type: 'teams',
    request(m: RobotMessage) {
      if (!config.url) return null;
      return {
        url: config.url,
        body: { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: adaptiveCard(m) }] },
      };
    },
    refusal: () => null,
  };
}
