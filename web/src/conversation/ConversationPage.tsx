/**
 * A conversation as a chat: oldest first, the firm's side on the right, paging backwards through the
 * ledger with "Earlier messages". A conversation outside the reader's desks answers 404 like one that
 * does not exist, and the page says only that it was not found.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { ApiError, api, query } from '../api/client';
import type { Conversation, ConversationMessage } from '../api/types';
import { formatNumber } from '../ui/format';
import { useAction } from '../ui/hooks';
import { ErrorMessage, StatusLine } from '../ui/Messages';
import { PageHeading } from '../ui/PageHeading';
import { Bubble } from './Bubble';
import { bubblesOf } from './thread';

/** Records per request: the server's most, so that a conversation of 5,000 arrives whole (`npm run bench` times it). */
const PAGE_SIZE = 5000;

interface Loaded {
  conversation: Omit<Conversation, 'messages'>;
  messages: ConversationMessage[];
  more: boolean;
}

export function ConversationPage({ conversationId, at }: { conversationId: string; at: number | null }) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const first = useAction();
  const earlier = useAction();
  /** Distance from the bottom of the page before earlier messages were put above, to keep the view still. */
  const keepFromBottom = useRef<number | null>(null);

  const path = `/api/v1/conversations/${encodeURIComponent(conversationId)}`;
  const { run } = first;
  useEffect(() => {
    let current = true;
    void run(async () => {
      const answer = await api<Conversation>('GET', `${path}${query({ limit: PAGE_SIZE })}`);
      if (!current) return;
      const { messages, ...conversation } = answer;
      setLoaded({ conversation, messages, more: answer.more });
    });
    return () => {
      current = false;
    };
  }, [path, run]);

  const loadEarlier = () =>
    void earlier.run(async () => {
      const oldest = loaded?.messages[0];
      if (loaded === null || oldest === undefined) return;
      const answer = await api<Conversation>('GET', `${path}${query({ limit: PAGE_SIZE, before: oldest.leafIndex })}`);
      keepFromBottom.current = document.documentElement.scrollHeight - window.scrollY;
      setLoaded({ ...loaded, messages: [...answer.messages, ...loaded.messages], more: answer.more });
    });

  useLayoutEffect(() => {
    if (loaded === null || keepFromBottom.current === null) return;
    window.scrollTo({ top: document.documentElement.scrollHeight - keepFromBottom.current });
    keepFromBottom.current = null;
  }, [loaded]);

  const messages = loaded?.messages;
  const bubbles = useMemo(() => (messages === undefined ? [] : bubblesOf(messages)), [messages]);
  const target =
    at === null
      ? undefined
      : bubbles.find(
          (b) => b.message.leafIndex === at || b.removal?.leafIndex === at || b.edits.some((e) => e.leafIndex === at),
        );
  const targetIndex = target?.message.leafIndex;

  // A link to one message (from a search result) brings it into view once it is loaded.
  useEffect(() => {
    if (targetIndex === undefined) return;
    const element = document.getElementById(`m-${targetIndex}`);
    element?.scrollIntoView({ block: 'center' });
    element?.focus({ preventScroll: true });
  }, [targetIndex]);

  if (first.error instanceof ApiError && first.error.status === 404) {
    return (
      <>
        <PageHeading title="Conversation not found" />
        <p>There is no conversation with this id that you may see.</p>
      </>
    );
  }
  const conversation = loaded?.conversation;
  const title = conversation?.title ?? conversationId;
  return (
    <>
      <PageHeading title={title} />
      {conversation !== undefined && (
        <p className="conversation-meta">
          <span className="tag">{conversation.platform}</span>{' '}
          <span className="handle">{conversation.conversationId}</span>
          {conversation.desks.length > 0 && <> · Desks: {conversation.desks.join(', ')}</>}
        </p>
      )}
      <StatusLine>
        {first.busy
          ? 'Loading the conversation…'
          : messages !== undefined &&
            `${formatNumber(messages.length)} records shown${loaded?.more ? ', earlier ones not yet' : ''}.`}
      </StatusLine>
      <ErrorMessage error={first.error} />
      {loaded !== null && (
        <>
          {loaded.more ? (
            <button type="button" className="earlier" onClick={loadEarlier} disabled={earlier.busy}>
              {earlier.busy ? 'Loading…' : 'Earlier messages'}
            </button>
          ) : (
            <p className="end">Start of the conversation.</p>
          )}
          <ErrorMessage error={earlier.error} />
          <ol className="chat" aria-label="Messages">
            {bubbles.map((b) => (
              <Bubble key={b.message.leafIndex} bubble={b} isTarget={b.message.leafIndex === targetIndex} />
            ))}
          </ol>
        </>
      )}
    </>
  );
}
