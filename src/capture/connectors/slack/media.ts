import type { SlackConfig } from '../../../config/capture.js';
import type { MediaSource } from '../connector.js';

export function slackMedia(_config: SlackConfig): MediaSource {
  return {
    connector: 'slack',
    refs: () => [],
    fetch: async () => {
      throw new Error('Slack media fetching is not built yet');
    },
  };
}
