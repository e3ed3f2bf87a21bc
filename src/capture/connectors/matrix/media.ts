import type { MatrixConfig } from '../../../config/capture.js';
import type { MediaSource } from '../connector.js';

export function matrixMedia(_config: MatrixConfig): MediaSource {
  return {
    connector: 'matrix',
    refs: () => [],
    fetch: async () => {
      throw new Error('Matrix media fetching is not built yet');
    },
  };
}
