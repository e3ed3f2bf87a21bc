import type { Party } from '../api/types';

/**
 * Who sent a message: the directory's name for them when it was sent, else the name the platform gave
 * (which anyone can set, so it is marked as unverified), and always the handle.
 */
export function PartyName({
  party,
  handle,
  senderName,
}: {
  party: Party | null;
  handle: string;
  senderName?: string | undefined;
}) {
  if (party !== null) {
    return (
      <>
        <strong>{party.name}</strong>{' '}
        <span className={`tag tag--${party.kind}`}>
          {party.kind} {party.id}
        </span>{' '}
        <span className="handle">{handle}</span>
      </>
    );
  }
  return (
    <>
      {senderName !== undefined && <strong>{senderName}</strong>}{' '}
      <span className="tag tag--unknown" title="This handle is not in the directory">
        not in directory
      </span>{' '}
      <span className="handle">{handle}</span>
    </>
  );
}
