/** Formatting shared by every screen; the formatters are built once, since a conversation may show thousands of times. */

const dateTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  timeZoneName: 'short',
});
const numbers = new Intl.NumberFormat();

/** A timestamp in the reader's time zone, or the text as given when it does not parse. */
export function formatTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '';
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : dateTime.format(ms);
}

export function formatNumber(value: number): string {
  return numbers.format(value);
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** `in_review` → `in review`, for identifiers the server sends. */
export function words(identifier: string): string {
  return identifier.replaceAll('_', ' ');
}
