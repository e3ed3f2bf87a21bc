/**
 * Downloads for media fetchers: bounded in size and time, with errors that say what failed (status,
 * host) and never carry the URL's query or the token that was sent.
 */
export interface Downloaded {
  bytes: Buffer;
  contentType: string | null;
}

export async function download(
  url: string,
  options: { headers?: Record<string, string>; maxBytes: number; signal: AbortSignal },
): Promise<Downloaded> {
  const where = describeUrl(url);
  let response: Response;
  try {
    response = await fetch(url, { headers: options.headers, signal: options.signal, redirect: 'follow' });
  } catch (error) {
    throw new Error(`${where}: ${(error as Error).name === 'AbortError' ? 'timed out' : 'unreachable'}`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`${where}: HTTP ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > options.maxBytes) {
    await response.body?.cancel();
    throw new Error(`${where}: ${declared} bytes is over the attachment limit of ${options.maxBytes}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  if (response.body !== null) {
    for await (const chunk of response.body) {
      size += chunk.byteLength;
      if (size > options.maxBytes) {
        throw new Error(`${where}: over the attachment limit of ${options.maxBytes} bytes`);
      }
      chunks.push(Buffer.from(chunk));
    }
  }
  return { bytes: Buffer.concat(chunks, size), contentType: response.headers.get('content-type') };
}

/** JSON from a platform API (a media URL lookup, getFile), bounded like a download. */
export async function downloadJson(
  url: string,
  options: { headers?: Record<string, string>; signal: AbortSignal },
): Promise<unknown> {
  const { bytes } = await download(url, { ...options, maxBytes: 1024 * 1024 });
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new Error(`${describeUrl(url)}: the answer is not JSON`);
  }
}

/** Scheme, host and path only: a token can travel in a query (or, for Telegram, in the path's bot segment). */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/bot[^/]+\//, '/bot…/')}`;
  } catch {
    return '(an unreadable URL)';
  }
}
