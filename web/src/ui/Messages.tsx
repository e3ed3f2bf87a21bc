import type { ReactNode } from 'react';
import { messageOf } from '../api/client';

/** An error the reader must see: announced at once by screen readers. */
export function ErrorMessage({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  return (
    <p className="error" role="alert">
      {messageOf(error)}
    </p>
  );
}

/** Progress and outcomes, announced politely; the region stays in the page so changes are read out. */
export function StatusLine({ children }: { children?: ReactNode }) {
  return (
    <p className="status" role="status">
      {children}
    </p>
  );
}
