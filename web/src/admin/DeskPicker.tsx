import { type KeyboardEvent, useId, useState } from 'react';

/**
 * Desks as checkboxes: the directory's desks and those already chosen, and a field to add one the
 * directory does not list yet.
 */
export function DeskPicker({
  known,
  value,
  onChange,
}: {
  known: readonly string[];
  value: readonly string[];
  onChange: (desks: string[]) => void;
}) {
  const [draft, setDraft] = useState('');
  const id = useId();
  const all = [...new Set([...known, ...value])].sort((a, b) => a.localeCompare(b));
  const toggle = (desk: string, on: boolean) => onChange(on ? [...value, desk] : value.filter((d) => d !== desk));
  const add = () => {
    const desk = draft.trim();
    if (desk !== '' && !value.includes(desk)) onChange([...value, desk]);
    setDraft('');
  };
  const onDraftKey = (event: KeyboardEvent) => {
    // Enter adds the desk instead of submitting the form around it.
    if (event.key === 'Enter') {
      event.preventDefault();
      add();
    }
  };
  return (
    <fieldset className="desks">
      <legend>Desks</legend>
      {all.length === 0 && <p className="hint">The staff directory lists no desks yet.</p>}
      {all.map((desk, i) => (
        <div className="field field--check" key={desk}>
          <input
            id={`${id}-${i}`}
            type="checkbox"
            checked={value.includes(desk)}
            onChange={(event) => toggle(desk, event.target.checked)}
          />
          <label htmlFor={`${id}-${i}`}>{desk}</label>
        </div>
      ))}
      <div className="field field--inline">
        <label htmlFor={`${id}-other`}>Another desk</label>
        <input id={`${id}-other`} value={draft} onChange={(e) => setDraft(e.target.value)} onKeyDown={onDraftKey} />
        <button type="button" onClick={add} disabled={draft.trim() === ''}>
          Add desk
        </button>
      </div>
    </fieldset>
  );
}
