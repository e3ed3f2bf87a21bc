import { useEffect, useRef } from 'react';

/**
 * A secret the server shows once (a one-time password, an API token). It takes focus so that it is
 * read out, and stays until dismissed.
 */
export function OneTimeSecret({
  title,
  secret,
  advice,
  onDismiss,
}: {
  title: string;
  secret: string;
  advice: string;
  onDismiss: () => void;
}) {
  const ref = useRef<HTMLElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <section className="one-time" ref={ref} tabIndex={-1} aria-label={title}>
      <p>
        <strong>{title}</strong>
      </p>
      <p>
        <code className="wrap" data-testid="one-time-secret">
          {secret}
        </code>
      </p>
      <p className="hint">{advice} It is shown only now.</p>
      <button type="button" onClick={onDismiss}>
        Done
      </button>
    </section>
  );
}
