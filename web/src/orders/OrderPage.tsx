/**
 * One chat order's trail: the message with the words each field was read from marked, the order and
 * its warnings, the firm order it was entered as (changes, fills, how long entry took), what
 * reconciliation found, and the confirmation to send the client. An order outside the reader's desks
 * answers 404 like one that does not exist.
 */
import { useId, useState } from 'react';
import { ApiError } from '../api/client';
import type { FirmOrder, OrderField, OrderTrail, OrderView, ReconcileException } from '../api/types';
import { conversationHref, orderHref } from '../app/router';
import { formatDuration, formatNumber, formatTime, words } from '../ui/format';
import { markSpans } from '../ui/highlight';
import { useAction, useLoad } from '../ui/hooks';
import { ErrorMessage, StatusLine } from '../ui/Messages';
import { PageHeading } from '../ui/PageHeading';
import { describeOrder, exceptionDetails, orderSpans } from './describe';

const FIELDS: Record<OrderField, string> = {
  action: 'action',
  side: 'side',
  symbol: 'symbol',
  quantity: 'quantity',
  orderType: 'order type',
  limitPrice: 'limit price',
  timeInForce: 'time in force',
};

export function OrderPage({ orderId }: { orderId: string }) {
  const trail = useLoad<OrderTrail>(`/api/v1/orders/${encodeURIComponent(orderId)}/trail`);
  if (trail.error instanceof ApiError && trail.error.status === 404) {
    return (
      <>
        <PageHeading title="Order not found" />
        <p>There is no order with this id that you may see.</p>
      </>
    );
  }
  const data = trail.data;
  return (
    <>
      <PageHeading title={data === undefined ? 'Order' : `Order: ${describeOrder(data.order)}`} />
      <StatusLine>{trail.loading ? 'Loading the order…' : ''}</StatusLine>
      <ErrorMessage error={trail.error} />
      {data !== undefined && <Trail trail={data} />}
    </>
  );
}

function Trail({ trail }: { trail: OrderTrail }) {
  const { order } = trail;
  const spans = orderSpans(order).map((s) => ({ ...s, label: FIELDS[s.label as OrderField] ?? s.label }));
  const messageId = useId();
  return (
    <>
      <p className="conversation-meta">
        <span className="tag">{order.platform}</span> Sent{' '}
        <time dateTime={order.sentAt}>{formatTime(order.sentAt)}</time> by{' '}
        <span className="handle">{order.sender}</span> ·{' '}
        <a href={conversationHref(order.conversationId, order.messageIndex)}>Open the conversation at this message</a>
      </p>
      <section aria-labelledby={messageId}>
        <h2 id={messageId}>The message</h2>
        {trail.text === null ? (
          <p className="muted">(the message has no text)</p>
        ) : (
          <p className="order-text">{markSpans(trail.text, spans, 'order-span', { announce: true })}</p>
        )}
      </section>
      <div className="order-columns">
        <OrderFields order={order} text={trail.text} />
        <FirmOrderView firmOrder={trail.firmOrder} delayMs={trail.delayMs} />
      </div>
      <Exceptions exceptions={trail.exceptions} />
      <Acknowledgement acknowledgement={trail.acknowledgement} />
    </>
  );
}

function OrderFields({ order, text }: { order: OrderView; text: string | null }) {
  const headingId = useId();
  const readFrom = (field: OrderField) => {
    const span = order.spans[field];
    return span === undefined || text === null ? '' : `“${text.slice(span[0], span[1])}”`;
  };
  const rows: [OrderField, string][] = [
    ['action', order.action],
    ['side', order.side ?? ''],
    ['symbol', order.symbol],
    ['quantity', order.quantity === null ? '' : formatNumber(order.quantity)],
    ['orderType', order.orderType ?? ''],
    ['limitPrice', order.limitPrice === null ? '' : String(order.limitPrice)],
    ['timeInForce', order.timeInForce ?? ''],
  ];
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>The order as read</h2>
      <table className="data">
        <caption className="visually-hidden">Each field of the order and the words it was read from</caption>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Value</th>
            <th scope="col">Read from</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([field, value]) => (
            <tr key={field}>
              <th scope="row">{FIELDS[field]}</th>
              <td>{value === '' ? <span className="muted">not given</span> : value}</td>
              <td>{readFrom(field)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <dl className="facts">
        <dt>Client</dt>
        <dd>{order.clientId ?? 'not in the directory'}</dd>
        <dt>Staff</dt>
        <dd>{order.staffId ?? 'not in the directory'}</dd>
        <dt>Confidence</dt>
        <dd>{Math.round(order.confidence * 100)}%</dd>
        {order.changesOrderId !== null && (
          <>
            <dt>Changes</dt>
            <dd>
              <a href={orderHref(order.changesOrderId)}>order {order.changesOrderId}</a>
            </dd>
          </>
        )}
        {order.revisedByOrderId !== null && (
          <>
            <dt>Edited later</dt>
            <dd>
              the edited text gives <a href={orderHref(order.revisedByOrderId)}>order {order.revisedByOrderId}</a>
            </dd>
          </>
        )}
        <dt>Warnings</dt>
        <dd>
          {order.warnings.length === 0 ? (
            'none'
          ) : (
            <ul className="plain-list">
              {order.warnings.map((w) => (
                <li key={w.code + w.message}>{w.message}</li>
              ))}
            </ul>
          )}
        </dd>
      </dl>
    </section>
  );
}

function FirmOrderView({ firmOrder, delayMs }: { firmOrder: FirmOrder | null; delayMs: number | null }) {
  const headingId = useId();
  if (firmOrder === null) {
    return (
      <section aria-labelledby={headingId}>
        <h2 id={headingId}>Firm order</h2>
        <p>No firm order was matched with it.</p>
      </section>
    );
  }
  const entered = firmOrder.entered;
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>Firm order {firmOrder.orderId}</h2>
      <dl className="facts">
        <dt>Entered</dt>
        <dd>
          <time dateTime={firmOrder.enteredAt}>{formatTime(firmOrder.enteredAt)}</time>
          {delayMs !== null && <>, {formatDuration(delayMs)} after the message</>}
        </dd>
        <dt>Terms entered</dt>
        <dd>
          {entered === null
            ? 'not known (only later states are on record)'
            : terms(firmOrder.side, entered.quantity, firmOrder.symbol, entered.orderType, entered.limitPrice)}
        </dd>
        <dt>Account</dt>
        <dd>{firmOrder.account ?? ''}</dd>
        <dt>Channel</dt>
        <dd>{firmOrder.channel ?? ''}</dd>
        <dt>Status</dt>
        <dd>{firmOrder.status ?? ''}</dd>
        {firmOrder.cancelledAt !== null && (
          <>
            <dt>Cancelled</dt>
            <dd>
              <time dateTime={firmOrder.cancelledAt}>{formatTime(firmOrder.cancelledAt)}</time>
            </dd>
          </>
        )}
      </dl>
      {firmOrder.changes.length > 0 && (
        <table className="data">
          <caption>Changes</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Quantity</th>
              <th scope="col">Type</th>
              <th scope="col">Limit price</th>
            </tr>
          </thead>
          <tbody>
            {firmOrder.changes.map((c, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: changes have no id; they stay in the order made
              <tr key={i}>
                <td>{c.at === null ? 'unknown' : formatTime(c.at)}</td>
                <td>{c.quantity === null ? '' : formatNumber(c.quantity)}</td>
                <td>{c.orderType ?? ''}</td>
                <td>{c.limitPrice ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {firmOrder.fills.length === 0 ? (
        <p className="muted">No fills.</p>
      ) : (
        <table className="data">
          <caption>Fills</caption>
          <thead>
            <tr>
              <th scope="col">Execution</th>
              <th scope="col">Quantity</th>
              <th scope="col">Price</th>
              <th scope="col">When</th>
            </tr>
          </thead>
          <tbody>
            {firmOrder.fills.map((f) => (
              <tr key={f.execId}>
                <th scope="row">{f.execId}</th>
                <td>{formatNumber(f.quantity)}</td>
                <td>{f.price}</td>
                <td>{f.at === null ? 'unknown' : formatTime(f.at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function terms(
  side: string | null,
  quantity: number | null,
  symbol: string,
  orderType: string | null,
  limitPrice: number | null,
): string {
  const parts = [side?.toUpperCase(), quantity === null ? undefined : formatNumber(quantity), symbol];
  if (orderType === 'market') parts.push('at market');
  else if (limitPrice !== null) parts.push(`limit ${limitPrice}`);
  return parts.filter((p) => p !== undefined).join(' ');
}

function Exceptions({ exceptions }: { exceptions: ReconcileException[] }) {
  const headingId = useId();
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>Reconciliation</h2>
      {exceptions.length === 0 ? (
        <p>No exceptions.</p>
      ) : (
        <ul className="plain-list">
          {exceptions.map((e, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: one order may have two exceptions of a type
            <li key={i}>
              <strong>{words(e.type)}</strong> {exceptionDetails(e.details)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Acknowledgement({ acknowledgement }: { acknowledgement: OrderTrail['acknowledgement'] }) {
  const headingId = useId();
  const [copied, setCopied] = useState('');
  const copy = useAction();
  // The clipboard exists only on secure pages (HTTPS or localhost); elsewhere the text is selected by hand.
  const canCopy = typeof navigator.clipboard?.writeText === 'function';
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>Confirmation to send the client</h2>
      {acknowledgement === null ? (
        <p className="muted">There is no confirmation text for this order.</p>
      ) : (
        <>
          <blockquote className="acknowledgement" lang={acknowledgement.language}>
            {acknowledgement.text}
          </blockquote>
          {canCopy && (
            <button
              type="button"
              disabled={copy.busy}
              onClick={() =>
                void copy.run(async () => {
                  await navigator.clipboard.writeText(acknowledgement.text);
                  setCopied('Copied.');
                })
              }
            >
              Copy the text
            </button>
          )}
          <StatusLine>{copied}</StatusLine>
          <ErrorMessage error={copy.error} />
        </>
      )}
    </section>
  );
}
