/** The media sources of the connectors that are configured. */
import type { CaptureConfig } from '../../config/capture.js';
import type { MediaSource } from '../connectors/connector.js';
import { matrixMedia } from '../connectors/matrix/media.js';
import { slackMedia } from '../connectors/slack/media.js';
import { telegramMedia } from '../connectors/telegram/media.js';
import { whatsappMedia } from '../connectors/whatsapp/media.js';

export function mediaSources(capture: CaptureConfig): MediaSource[] {
  const sources: MediaSource[] = [];
  if (capture.whatsapp !== null) sources.push(whatsappMedia(capture.whatsapp));
  if (capture.telegram !== null) sources.push(telegramMedia(capture.telegram));
  if (capture.slack !== null) sources.push(slackMedia(capture.slack));
  if (capture.matrix !== null) sources.push(matrixMedia(capture.matrix));
  return sources;
}
