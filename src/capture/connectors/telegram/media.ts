import type { TelegramBotConfig } from '../../../config/capture.js';
import type { MediaSource } from '../connector.js';

export function telegramMedia(_config: Record<string, TelegramBotConfig>): MediaSource {
  return {
    connector: 'telegram',
    refs: () => [],
    fetch: async () => {
      throw new Error('Telegram media fetching is not built yet');
    },
  };
}
