/** The project's own message fixtures: realistic trading chat in English and Chinese. */
export function message(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    platform: 'whatsapp',
    conversationId: 'conv-hk-001',
    sender: '+85291234567',
    senderName: 'Client Chan',
    recipients: ['+85298765432'],
    sentAt: '2026-05-04T09:30:00+08:00',
    kind: 'message',
    platformMessageId: 'wamid.0001',
    text: 'Buy 2000 HSBC at market please',
    direction: 'inbound',
    account: '+85298765432',
    ...overrides,
  };
}

export const CHAT: Record<string, unknown>[] = [
  message({ platformMessageId: 'm1', text: 'Buy 2000 HSBC at market please' }),
  message({
    platformMessageId: 'm2',
    sender: '+85298765432',
    senderName: 'RM Wong',
    recipients: ['+85291234567'],
    direction: 'outbound',
    text: 'Noted: buy 2,000 HSBC (0005.HK) at market',
    sentAt: '2026-05-04T09:31:00+08:00',
  }),
  message({ platformMessageId: 'm3', text: '幫我買騰訊 100手 @ 380', sentAt: '2026-05-04T10:02:00+08:00' }),
  message({ platformMessageId: 'm4', text: '沽出 0700 五百股', sentAt: '2026-05-04T10:05:00+08:00' }),
  message({
    platformMessageId: 'm5',
    kind: 'edit',
    refersTo: 'm4',
    text: '沽出 0700 一千股',
    sentAt: '2026-05-04T10:06:00+08:00',
  }),
  message({
    platformMessageId: 'm6',
    kind: 'delete',
    refersTo: 'm1',
    text: undefined,
    sentAt: '2026-05-04T10:07:00+08:00',
  }),
  message({
    platform: 'wechat',
    conversationId: 'wx-group-9',
    platformMessageId: 'w1',
    sender: 'wxid_lee',
    senderName: 'Mr Lee',
    recipients: ['wxid_rm'],
    text: '騰訊控股今日點睇？',
    sentAt: '2026-05-05T11:00:00+08:00',
  }),
  message({
    platform: 'slack',
    conversationId: 'C123',
    platformMessageId: '1714800000.000100',
    sender: 'U01',
    recipients: [],
    text: '<script>alert("x")</script> & sell 5 lots',
    sentAt: '2026-05-06T01:00:00Z',
  }),
];
