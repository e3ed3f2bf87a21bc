/**
 * The one way the console talks to the server: same-origin fetch with the session cookie, the session's
 * CSRF token on every request that changes something, and errors as ApiError with the server's message.
 */
import type { ApiProblem } from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: readonly ApiProblem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | null = null;
let onSessionLost: () => void = () => {};

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when a request outside the sign-in endpoints answers 401: the session ended or expired. */
export function whenSessionLost(listener: () => void): void {
  onSessionLost = listener;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export async function api<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const response = await request(method, path, body, 'application/json');
  if (response.status === 204) return undefined as T;
  const type = response.headers.get('Content-Type') ?? '';
  return (type.includes('json') ? await response.json() : await response.text()) as T;
}

/**
 * A file the server builds in answer to a POST (an evidence package): its bytes, and the name the
 * server gives it. A link cannot send the CSRF token, so the file is fetched and saved from memory.
 */
export async function download(path: string, body: unknown): Promise<{ blob: Blob; filename: string | null }> {
  const response = await request('POST', path, body, '*/*');
  return { blob: await response.blob(), filename: filenameOf(response.headers.get('Content-Disposition')) };
}

async function request(method: Method, path: string, body: unknown, accept: string): Promise<Response> {
  const headers: Record<string, string> = { Accept: accept };
  // Fastify refuses an empty body declared as JSON, so the header goes only with a body.
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== null) headers['X-CSRF-Token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', 'The server did not answer. Check the connection and try again.');
  }
  if (!response.ok) {
    const error = await errorOf(response);
    if (response.status === 401 && !path.startsWith('/api/v1/session')) onSessionLost();
    throw error;
  }
  return response;
}

/** The file name of a Content-Disposition header: the UTF-8 `filename*` when given, else `filename`. */
function filenameOf(header: string | null): string | null {
  if (header === null) return null;
  const extended = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
  if (extended !== null) {
    try {
      return decodeURIComponent(extended[1]!.trim());
    } catch {
      // A malformed encoding: fall back to the plain name.
    }
  }
  return /filename\s*=\s*"([^"]*)"/i.exec(header)?.[1] ?? /filename\s*=\s*([^;\s]+)/i.exec(header)?.[1] ?? null;
}

async function errorOf(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string; problems?: ApiProblem[] } };
    if (body.error?.message !== undefined) {
      return new ApiError(response.status, body.error.code ?? 'unknown', body.error.message, body.error.problems);
    }
  } catch {
    // Not JSON (a proxy's error page): fall through to the status line.
  }
  return new ApiError(response.status, 'unknown', `The server answered ${response.status} ${response.statusText}`);
}

/** A query string from the filters that are set (empty strings and false are left out). */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '' || value === false) continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/** The message of any error, as the console shows it. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) {
    // Problems add what the message does not say already (which of several fields, and why).
    const more = error.problems.filter((p) => !error.message.includes(p.message));
    if (more.length === 0) return error.message;
    return `${error.message} (${more.map((p) => `${p.where}: ${p.message}`).join('; ')})`;
  }
  return error instanceof Error ? error.message : String(error);
}
