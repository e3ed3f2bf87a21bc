/**
 * The words of order-taking in English trader shorthand, Traditional and Simplified Chinese and
 * Cantonese, each with the part it plays. Phrases are matched longest first; Latin ones as whole words
 * and regardless of case, Chinese ones wherever they occur.
 */

export type Side = 'buy' | 'sell';
export type TimeInForce = 'day' | 'gtc' | 'ioc' | 'fok';

export type Term =
  /** `verb`: an instruction (buy, 沽); `noun`: names an order's side (bid, 賣單); `letter`: b / s. */
  | { kind: 'side'; side: Side; form: 'verb' | 'noun' | 'letter' }
  | { kind: 'cancel' }
  | { kind: 'amend' }
  | { kind: 'market' }
  /** Announces a limit price: @, at, lmt, limit, 限價, price. */
  | { kind: 'price' }
  /** Marks an order as limit without a price of its own (掛單). */
  | { kind: 'limit' }
  | { kind: 'orBetter' }
  | { kind: 'tif'; tif: TimeInForce }
  /** Announces a quantity (qty, size). */
  | { kind: 'quantity' }
  /** `to` in "change the price to 74.6". */
  | { kind: 'to' }
  | { kind: 'order' }
  /** A stop or trigger price: read, but not a limit price. */
  | { kind: 'stop' }
  /** Splits clauses when the next one carries its own instruction (and, then, 同時). */
  | { kind: 'join' };

const side = (s: Side, form: 'verb' | 'noun' | 'letter' = 'verb'): Term => ({ kind: 'side', side: s, form });

/** Each phrase and its term. Latin phrases are lower-case here and match any case. */
export const PHRASES: readonly (readonly [string, Term])[] = [
  // Buy.
  ...['buy', 'buying', 'pick up', 'get me', 'purchase', 'add', 'pay', 'accumulate', 'lift', 'lift the offer'].map(
    (w) => [w, side('buy')] as const,
  ),
  ...['bid', 'bidding', 'bid for'].map((w) => [w, side('buy', 'noun')] as const),
  ['b', side('buy', 'letter')],
  ...['買', '买', '入', '掃', '扫', '買入', '买入', '吸', '吸納', '吸纳', '追', '補', '补', '加注'].map(
    (w) => [w, side('buy')] as const,
  ),
  ...['買單', '买单', '買盤', '买盘', '入單', '入单'].map((w) => [w, side('buy', 'noun')] as const),
  // Sell.
  ...['sell', 'selling', 'hit', 'hit the bid', 'hit bid', 'dump', 'unload', 'short', 'get rid of', 'offload'].map(
    (w) => [w, side('sell')] as const,
  ),
  ...['offer', 'offering', 'offered'].map((w) => [w, side('sell', 'noun')] as const),
  ['s', side('sell', 'letter')],
  ...['沽', '賣', '卖', '放', '拋', '抛', '沽出', '賣出', '卖出', '出貨', '出货', '減持', '减持', '清倉', '清仓'].map(
    (w) => [w, side('sell')] as const,
  ),
  ...['沽單', '沽单', '賣單', '卖单', '賣盤', '卖盘'].map((w) => [w, side('sell', 'noun')] as const),
  // Cancel.
  ...['cancel', 'cancelled', 'canceled', 'cxl', 'canx', 'cxld', 'pull', 'kill', 'withdraw', 'scrap', 'revoke'].map(
    (w) => [w, { kind: 'cancel' }] as const,
  ),
  ...['取消', '撤銷', '撤销', '撤單', '撤单', '撤回', '撤', '唔要', '不要', '刪單', '删单', '抽單', '抽单'].map(
    (w) => [w, { kind: 'cancel' }] as const,
  ),
  // Amend.
  ...['amend', 'change', 'modify', 'revise', 'adjust', 'switch', 'update', 'make my', 'make it', 'instead'].map(
    (w) => [w, { kind: 'amend' }] as const,
  ),
  ...['reduce', 'increase', 'raise', 'lower', 'cut', 'bump', 'move', 'lift my', 'top up'].map(
    (w) => [w, { kind: 'amend' }] as const,
  ),
  ...['改', '改價', '改价', '改單', '改单', '改成', '改為', '改为', '修改', '改做'].map(
    (w) => [w, { kind: 'amend' }] as const,
  ),
  // Market.
  ...['mkt', 'market', 'at market', 'at mkt', 'at the market', 'market order', 'mkt order', 'at best'].map(
    (w) => [w, { kind: 'market' }] as const,
  ),
  ...['市價', '市价', '市價盤', '市价盘', '市價單', '市价单', '隨市', '随市', '開市價', '开市价'].map(
    (w) => [w, { kind: 'market' }] as const,
  ),
  // Limit price.
  ...['@', 'at', 'lmt', 'limit', 'limit at', 'limit price', 'price', 'px', 'for', 'at a limit of'].map(
    (w) => [w, { kind: 'price' }] as const,
  ),
  ...['限價', '限价', '限價盤', '限价盘', '價', '价', '價位', '价位'].map((w) => [w, { kind: 'price' }] as const),
  ...['掛單', '挂单', '掛', '挂'].map((w) => [w, { kind: 'limit' }] as const),
  ...['or better', 'or lower', 'or higher', 'or below', 'or above'].map((w) => [w, { kind: 'orBetter' }] as const),
  ['或更好', { kind: 'orBetter' }],
  // Time in force.
  ...['gtc', 'good till cancel', 'good till cancelled', 'good til cancelled', 'good till canceled'].map(
    (w) => [w, { kind: 'tif', tif: 'gtc' }] as const,
  ),
  ...['day', 'day order', 'gfd', 'good for day', 'good for the day', 'today only'].map(
    (w) => [w, { kind: 'tif', tif: 'day' }] as const,
  ),
  ['ioc', { kind: 'tif', tif: 'ioc' }],
  ['fok', { kind: 'tif', tif: 'fok' }],
  ...['即日', '當日有效', '当日有效', '今日有效'].map((w) => [w, { kind: 'tif', tif: 'day' }] as const),
  ...['長期有效', '长期有效', '取消前有效'].map((w) => [w, { kind: 'tif', tif: 'gtc' }] as const),
  // Quantity, order, joins.
  ...['qty', 'quantity', 'size', 'amount', '數量', '数量', '股數', '股数'].map(
    (w) => [w, { kind: 'quantity' }] as const,
  ),
  ...[
    'stop',
    'stop loss',
    'stop at',
    'sl',
    'trigger',
    'trigger at',
    'stop limit',
    '止蝕',
    '止蚀',
    '止損',
    '止损',
    '觸發',
    '触发',
  ].map((w) => [w, { kind: 'stop' }] as const),
  ['to', { kind: 'to' }],
  ['成', { kind: 'to' }],
  ['為', { kind: 'to' }],
  ['为', { kind: 'to' }],
  ...['order', 'orders', 'ticket', '單', '单', '張單', '张单', '嗰張單', '嗰张单'].map(
    (w) => [w, { kind: 'order' }] as const,
  ),
  ...['and', 'then', 'also', 'plus', '同時', '同时', '然後', '然后', '跟住', '再', '及', '和', '另外'].map(
    (w) => [w, { kind: 'join' }] as const,
  ),
];

/** Shares and lots after a number: `10 lots`, `3手`, `500股`, `120 sh`. */
export const SHARE_UNITS: readonly (readonly [string, 'shares' | 'lots'])[] = [
  ['shares', 'shares'],
  ['share', 'shares'],
  ['shs', 'shares'],
  ['sh', 'shares'],
  ['股', 'shares'],
  ['board lots', 'lots'],
  ['board lot', 'lots'],
  ['lots', 'lots'],
  ['lot', 'lots'],
  ['手', 'lots'],
];

/**
 * Clauses that give no instruction, whatever verbs they hold. Each is tested on the clause's text;
 * Latin ones are whole words.
 */
export const NOT_AN_INSTRUCTION = {
  /** Conditionals: "if 700 drops to 580 I might buy". */
  conditional: /\b(?:if|unless|in case|once it|when it|should it)\b|如果|假如|若果|若然|萬一|万一|一旦|如若/i,
  /** Advice, views, hedges: "suggest you buy", "we like 700", "maybe trim later". */
  opinion:
    /\b(?:suggest(?:s|ed)?|recommend(?:s|ed)?|advise|you should|you might|you may want|we like|top picks?|tp|target|maybe|might|perhaps|thinking of|thinking about|considering|wondering|watchlist|watch list|worth)\b|建議|建议|推介|推薦|推荐|目標價|目标价|睇好|看好|可能|或者|考慮|考虑|諗住|谂住|觀察|观察/i,
  /** Reports of what was done: "done 10k 700 @618", "已成交", "filled". */
  report:
    /^\W*(?:done|filled|executed|traded|fill|confirmed)\b|\b(?:got filled|was filled|been filled|yesterday|last (?:week|month|year)|earlier today)\b|已成交|成交咗|成交了|成交左|已經|已经|已買|已买|已賣|已卖|已沽|昨天|昨日|琴日|尋日|寻日|上個|上个|上星期|上周/i,
  /** Everything else a broker's client changes that is not an order. */
  administrative:
    /\b(?:address|mailing|email|e-mail|password|phone|statement|deposit|transfer|remit|wire|dividend)\b|地址|密碼|密码|電話|电话|入金|出金|轉賬|转账|轉帳|派息|孖展/i,
};

/** Questions: a question mark, an interrogative opening, or a Chinese question word. */
export const QUESTION =
  /[?？]|^\W*(?:what|what's|whats|where|where's|when|why|how|which|who|is|are|am|do|does|did|should|shall|any|has|have)\b|幾多|几多|幾錢|几钱|多少|幾時|几时|點樣|怎樣|怎样|怎麼|怎么|點解|为什么|為什麼|嗎|吗|未呀|未啊|成交未|定唔定|好唔好|應唔應|应唔应|可唔可以買|值唔值/i;

/** A request phrased as a question: "could you buy 2 lots of AIA for me?", "幫我買…". */
export const POLITE_REQUEST =
  /^\W*(?:\w+\W+){0,3}(?:can|could|would|will|can't|cannot)\s+(?:you|u|ya)\s+(?:please\s+|pls\s+|kindly\s+)?(?:buy|sell|get|pick|bid|offer|pay|hit|cancel|cxl|pull|amend|change|switch|make|add|dump|unload|put)\b|幫我|帮我|幫手|帮手|唔該|唔该|麻煩|麻烦|請幫|请帮/i;
