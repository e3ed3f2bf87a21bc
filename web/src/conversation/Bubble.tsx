/**
 * One message as a chat bubble, with its edits and its deletion shown on it. Kept cheap (no state, no
 * effects, memoised on its records) because a conversation may hold thousands.
 */
import { memo } from 'react';
import type { Attachment, ConversationMessage } from '../api/types';
import { orderHref } from '../app/router';
import { describeOrder, orderSpans } from '../orders/describe';
import { formatSize, formatTime } from '../ui/format';
import { markSpans } from '../ui/highlight';
import { PartyName } from '../ui/PartyName';
import { type BubbleModel, fromFirm } from './thread';

interface Props {
  bubble: BubbleModel;
  /** The message a link pointed at (`#/conversations/<id>?at=N`). */
  isTarget: boolean;
}

export const Bubble = memo(BubbleView, sameBubble);

/** Bubbles are rebuilt when a page of earlier messages arrives; the records in them are not. */
function sameBubble(a: Props, b: Props): boolean {
  const x = a.bubble;
  const y = b.bubble;
  return (
    a.isTarget === b.isTarget &&
    x.message === y.message &&
    x.removal === y.removal &&
    x.edits.length === y.edits.length &&
    x.edits.every((edit, i) => edit === y.edits[i])
  );
}

function BubbleView({ bubble, isTarget }: Props) {
  const { message, edits, removal } = bubble;
  const side = message.kind === 'system' ? 'system' : fromFirm(message) ? 'firm' : 'other';
  const orphan = message.kind === 'edit' || message.kind === 'delete' || message.kind === 'recall';
  return (
    <li
      id={`m-${message.leafIndex}`}
      tabIndex={isTarget ? -1 : undefined}
      className={`bubble-row bubble-row--${side}${isTarget ? ' bubble-row--target' : ''}`}
    >
      <div className={`bubble${removal === null ? '' : ' bubble--removed'}`}>
        <div className="bubble-head">
          <PartyName party={message.resolved.sender} handle={message.sender} senderName={message.content?.senderName} />
          {edits.length > 0 && <span className="tag">edited</span>}
          {removal !== null && (
            <span className="tag tag--warn">{removal.kind === 'recall' ? 'recalled' : 'deleted'}</span>
          )}
          {orphan && <span className="tag tag--warn">{message.kind} of a message not shown</span>}
        </div>
        <MessageBody message={message} />
        {edits.map((edit) => (
          <div key={edit.leafIndex} id={`m-${edit.leafIndex}`} className="revision">
            <div className="revision-head">
              Edited <time dateTime={edit.sentAt}>{formatTime(edit.sentAt)}</time> <ProofLink index={edit.leafIndex} />
            </div>
            <MessageBody message={edit} />
          </div>
        ))}
        {removal !== null && (
          <p id={`m-${removal.leafIndex}`} className="revision revision-head">
            {removal.kind === 'recall' ? 'Recalled' : 'Deleted'} by the sender{' '}
            <time dateTime={removal.sentAt}>{formatTime(removal.sentAt)}</time>; the archive keeps the text.{' '}
            <ProofLink index={removal.leafIndex} />
          </p>
        )}
        <div className="bubble-foot">
          <time dateTime={message.sentAt}>{formatTime(message.sentAt)}</time> <ProofLink index={message.leafIndex} />
        </div>
      </div>
    </li>
  );
}

/** The text with the spans its orders were read from, the attachments, and the orders, each linking to its trail. */
function MessageBody({ message }: { message: ConversationMessage }) {
  const text = message.content?.text;
  const { orders } = message;
  // Sent with the message, or fetched from the platform afterwards (served the same way).
  const attachments = [
    ...(message.content?.attachments ?? []),
    ...message.media.flatMap((m) => (m.attachment === null ? [] : [m.attachment])),
  ];
  const failedMedia = message.media.filter((m) => m.outcome === 'failed');
  return (
    <>
      {text !== undefined && text !== '' && (
        <p className="bubble-text">
          {orders.length === 0 ? text : markSpans(text, orders.flatMap(orderSpans), 'order-span')}
        </p>
      )}
      {message.content === null && <p className="muted">(the content is not available)</p>}
      {attachments.length > 0 && (
        <ul className="attachments">
          {attachments.map((a) => (
            <li key={a.sha256}>
              <AttachmentView attachment={a} leafIndex={message.leafIndex} />
            </li>
          ))}
        </ul>
      )}
      {failedMedia.map((m) => (
        <p key={m.leafIndex} className="muted">
          Media could not be fetched from the platform{m.error === null ? '' : `: ${m.error}`} (record #{m.leafIndex})
        </p>
      ))}
      {orders.length > 0 && (
        <ul className="orders" aria-label="Orders read from this message">
          {orders.map((o) => (
            <li key={o.id}>
              <a href={orderHref(o.id)}>{describeOrder(o)}</a>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** The image types the server sends inline; anything else (SVG included: it can hold script) is a download. */
const PREVIEWED = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

function AttachmentView({ attachment, leafIndex }: { attachment: Attachment; leafIndex: number }) {
  const url = `/api/v1/messages/${leafIndex}/attachments/${encodeURIComponent(attachment.sha256)}`;
  const label = `${attachment.filename} (${formatSize(attachment.size)})`;
  if (PREVIEWED.has(attachment.contentType.toLowerCase())) {
    return (
      <a href={url} target="_blank" rel="noopener noreferrer">
        <img src={url} alt={attachment.filename} loading="lazy" className="attachment-image" />
        <span className="attachment-name">{label}</span>
      </a>
    );
  }
  return (
    <a href={url} download={attachment.filename}>
      {label}
    </a>
  );
}

/** The record's ledger index, linking to its inclusion proof against the latest signed checkpoint. */
function ProofLink({ index }: { index: number }) {
  return (
    <a
      className="proof"
      href={`/api/v1/proof/inclusion?index=${index}`}
      target="_blank"
      rel="noopener noreferrer"
      title="Inclusion proof of this record"
    >
      ledger #{index}
    </a>
  );
}
