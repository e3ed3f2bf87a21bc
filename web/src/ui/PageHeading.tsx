import { type ReactNode, useEffect, useRef } from 'react';

/**
 * A screen's <h1>. It names the window and takes focus when the screen opens, so a screen reader
 * announces where a link led and the keyboard starts from the top of the new screen.
 */
export function PageHeading({ title, children }: { title: string; children?: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Steno`;
  }, [title]);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children ?? title}
    </h1>
  );
}
