import type { WhatsAppConfig } from '../../../config/capture.js';
import type { MediaSource } from '../connector.js';

export function whatsappMedia(_config: WhatsAppConfig): MediaSource {
  return {
    connector: 'whatsapp',
    refs: () => [],
    fetch: async () => {
      throw new Error('WhatsApp media fetching is not built yet');
    },
  };
}
