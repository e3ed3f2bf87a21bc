import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CUE_KINDS, CUE_LEXICON_VERSION, type Cue, type CueKind, findCues, findCuesExhaustively } from './cues.js';

/** A message and the phrase in it that must be the one cue; the phrase occurs once in the message. */
type Positive = readonly [text: string, phrase: string];
type Language = 'en' | 'zh-Hant' | 'zh-Hans' | 'yue';

function expectOnly(kind: CueKind, text: string, phrase: string): void {
  const start = text.indexOf(phrase);
  expect(start, `"${phrase}" is in "${text}"`).toBeGreaterThanOrEqual(0);
  expect(text.indexOf(phrase, start + 1), `"${phrase}" is in "${text}" once`).toBe(-1);
  const language = /[\u3400-\u9fff]/.test(phrase) ? 'zh' : 'en';
  expect(findCues(text)).toEqual([{ kind, start, end: start + phrase.length, phrase, language }]);
}

function table(kind: CueKind, positives: Record<Language, readonly Positive[]>, negatives: readonly string[]): void {
  describe(kind, () => {
    for (const [language, rows] of Object.entries(positives)) {
      for (const [text, phrase] of rows) {
        it(`fires (${language}): ${text}`, () => expectOnly(kind, text, phrase));
      }
    }
    for (const text of negatives) {
      it(`stays quiet: ${text}`, () => expect(findCues(text)).toEqual([]));
    }
  });
}

table(
  'off_channel',
  {
    en: [
      ['call my cell', 'call my cell'],
      ['Can you call me on my mobile instead?', 'call me on my mobile'],
      ['call me on my personal phone tonight', 'call me on my personal phone'],
      ['text me on my personal', 'text me on my personal'],
      ['my personal number is 9123 4567', 'my personal number'],
      ['my other number is 6123 4567', 'my other number'],
      ['my WhatsApp is +852 9123 4567', 'my WhatsApp'],
      ['move to WhatsApp pls', 'move to WhatsApp'],
      ['ok move to Signal', 'move to Signal'],
      ['can we move to Telegram', 'move to Telegram'],
      ['move to WeChat?', 'move to WeChat'],
      ["let's take this to Signal", 'take this to Signal'],
      ['switch to my private email', 'switch to my private email'],
      ['message me on my own phone', 'message me on my own phone'],
      ['use my other phone', 'use my other phone'],
      ['add me on WeChat', 'add me on WeChat'],
      ['WhatsApp me when you can', 'WhatsApp me'],
      ["let's take this offline", 'take this offline'],
      ["I'll call you from my personal mobile", 'call you from my personal mobile'],
      ['send it to my gmail', 'send it to my gmail'],
    ],
    'zh-Hant': [
      ['加我微信', '加我微信'],
      ['請打我私人電話', '打我私人電話'],
      ['用私人手機聯絡', '用私人手機聯絡'],
      ['用另一部電話', '用另一部電話'],
      ['你微信幾多號？', '你微信幾多號'],
    ],
    'zh-Hans': [
      ['加我wechat', '加我wechat'],
      ['打我私人电话', '打我私人电话'],
      ['用我私人手机联系', '用我私人手机联系'],
      ['改用微信聊', '改用微信聊'],
      ['私信我', '私信我'],
      ['我的私人号码是 13800138000', '我的私人号码'],
    ],
    yue: [
      ['加我whatsapp', '加我whatsapp'],
      ['打我手提啦', '打我手提'],
      ['轉去Signal傾', '轉去Signal傾'],
      ['私訊我', '私訊我'],
      ['我私人號碼係 9123 4567', '我私人號碼'],
      ['俾個WhatsApp我', '俾個WhatsApp我'],
      ['唔該加個微信', '加個微信'],
    ],
  },
  [
    'buy 10k 700 @352',
    'call option on HSBC',
    "I'll call you back",
    'call me when it fills',
    'call the desk',
    'cell 3 in the spreadsheet',
    'our Signal research report',
    'WhatsApp is down again',
    'the chat was recorded',
    'please call our hotline',
    'email compliance@firm.com',
    'message us on our WhatsApp',
    'reach us on WhatsApp at 2888 8888',
    'use my personal account to buy 700',
    'use my mobile app to log in',
    'Sent from my mobile',
    "don't call my cell",
    'my mobile number has changed',
    'the signal is strong',
    '打電話俾我哋熱線',
    '唔該加倉騰訊',
    '我哋公司用WhatsApp記錄',
    '加我哋微信',
    '我想用個人戶口買',
    '唔好打我私人電話',
    '用手機app落單',
    '微信支付',
  ],
);

table(
  'return_guarantee',
  {
    en: [
      ['guaranteed return', 'guaranteed return'],
      ['I guarantee you 10%', 'guarantee you 10%'],
      ["you can't lose", "can't lose"],
      ['trust me, you can’t lose with this one', 'can’t lose'],
      ['risk-free profit', 'risk-free profit'],
      ["it's 100% safe", '100% safe'],
      ['sure win', 'sure win'],
      ["it's a sure thing", 'a sure thing'],
      ["I promise you'll make money", "promise you'll make money"],
      ['this stock is guaranteed to double', 'guaranteed to double'],
      ['8% p.a. guaranteed', '8% p.a. guaranteed'],
      ["you're guaranteed a 20% return", 'guaranteed a 20% return'],
      ['zero risk', 'zero risk'],
      ['I swear it will go up', 'swear it will go up'],
      ["don't worry, guaranteed 10% return", 'guaranteed 10% return'],
      ["No, it's free money", 'free money'],
    ],
    'zh-Hant': [
      ['保證賺', '保證賺'],
      ['穩賺不賠', '穩賺不賠'],
      ['保本保息', '保本保息'],
      ['零風險', '零風險'],
      ['保證10%回報', '保證10%回報'],
      ['十拿九穩', '十拿九穩'],
    ],
    'zh-Hans': [
      ['稳赚', '稳赚'],
      ['保证赚钱', '保证赚钱'],
      ['稳赚不赔', '稳赚不赔'],
      ['这只股票没有风险', '没有风险'],
      ['一定会升', '一定会升'],
      ['百分百安全', '百分百安全'],
    ],
    yue: [
      ['包賺', '包賺'],
      ['一定升', '一定升'],
      ['包你發', '包你發'],
      ['冇得輸', '冇得輸'],
      ['唔會蝕㗎', '唔會蝕'],
      ['贏硬', '贏硬'],
      ['實賺', '實賺'],
      ['唔使驚，保證賺', '保證賺'],
      ['保證賺，有冇興趣?', '保證賺'],
    ],
  },
  [
    'guaranteed by the government',
    'HK government bonds are guaranteed',
    'no guarantee',
    'is there a guarantee?',
    'not risk-free',
    'the stock is a sure thing?',
    'guaranteed return?',
    'is it a guaranteed return',
    "there's no guaranteed return",
    "we can't guarantee returns",
    'returns are not guaranteed',
    'past performance is no guarantee of future returns',
    "I can't lose more than 10k",
    "I can't lose my job",
    'Sure thing, will do',
    'the risk-free rate is 4%',
    'we guarantee best execution',
    'totally safe to ignore',
    'whether returns are guaranteed',
    "can't lose?",
    '唔保證',
    '不保证',
    '冇得保證',
    '唔保證賺',
    '不保证赚',
    '保證賺嗎？',
    '一定升咩?',
    '唔一定升',
    '不一定升',
    '未必一定升',
    '係咪保證賺',
    '穩唔穩賺',
    '会不会亏',
    '有冇風險',
    '無風險利率係4%',
    '保證金不足',
    '包括回報',
    '麵包升價',
    '我唔會蝕賣',
  ],
);

table(
  'off_record',
  {
    en: [
      ['delete this', 'delete this'],
      ['delete this message', 'delete this message'],
      ['pls delete this chat', 'delete this chat'],
      ["don't put this in writing", "don't put this in writing"],
      ['off the record', 'off the record'],
      ['keep this between us', 'keep this between us'],
      ["don't tell compliance", "don't tell compliance"],
      ['erase our chat', 'erase our chat'],
      ['pls unsend', 'unsend'],
      ['delete it after reading', 'delete it after reading'],
      ['wipe all the messages', 'wipe all the messages'],
      ['between you and me', 'between you and me'],
      ['compliance doesn’t need to know', 'compliance doesn’t need to know'],
      ["don't let compliance know", "don't let compliance know"],
      ['delete our WhatsApp chat', 'delete our WhatsApp chat'],
    ],
    'zh-Hant': [
      ['請刪除這則訊息', '刪除這則訊息'],
      ['請刪除對話記錄', '刪除對話記錄'],
      ['不要留下記錄', '不要留下記錄'],
      ['撤回訊息', '撤回訊息'],
      ['私下說', '私下說'],
    ],
    'zh-Hans': [
      ['删掉这条', '删掉这条'],
      ['不要留记录', '不要留记录'],
      ['删除聊天记录', '删除聊天记录'],
      ['不要告诉合规', '不要告诉合规'],
      ['阅后即焚', '阅后即焚'],
    ],
    yue: [
      ['刪除呢個訊息', '刪除呢個訊息'],
      ['刪咗佢', '刪咗佢'],
      ['唔好留記錄', '唔好留記錄'],
      ['私下講', '私下講'],
      ['唔好話俾compliance知', '唔好話俾compliance知'],
      ['收回訊息', '收回訊息'],
      ['睇完就刪', '睇完就刪'],
      ['唔好喺度講', '唔好喺度講'],
      ['唔好話俾人知', '唔好話俾人知'],
    ],
  },
  [
    'delete the limit on my order',
    'cancel my order',
    'delete this order',
    'delete it, I placed the wrong order',
    "pls don't delete this message",
    "don't mention it",
    'keep the limit between 350 and 355',
    'the spread between us and the street',
    'delete my email address from the mailing list',
    'clear record of trades',
    'the chat was recorded',
    '刪除指令',
    '刪單',
    '删除订单',
    '張單刪咗佢',
    '刪除呢張單',
    '不同公司有不同規定',
    '唔好刪呢個訊息',
    '記得留底',
    '不記得',
  ],
);

table(
  'third_party_transfer',
  {
    en: [
      ["transfer HKD 500k to my brother's account", "transfer HKD 500k to my brother's account"],
      ['wire the proceeds to this account: 012-345-678', 'wire the proceeds to this account'],
      ['pay 200k to ABC Ltd', 'pay 200k to ABC Ltd'],
      ["send the funds to my friend's HSBC account", "send the funds to my friend's HSBC account"],
      ["move my shares to my wife's account", "move my shares to my wife's account"],
      ['please remit USD 50,000 to the following beneficiary', 'remit USD 50,000 to the following beneficiary'],
      ['pay my brother 100k', 'pay my brother 100k'],
      ['TT 50k to XYZ Trading Ltd', 'TT 50k to XYZ Trading Ltd'],
      ['transfer 1m to Mr Chan', 'transfer 1m to Mr Chan'],
      ['send 500k to my son', 'send 500k to my son'],
      ["wire USD 20k to John's account at Citi", "wire USD 20k to John's account"],
    ],
    'zh-Hant': [
      ['匯款去第三方', '匯款去第三方'],
      ['付款給ABC公司', '付款給ABC公司'],
      ['轉帳到這個戶口', '轉帳到這個戶口'],
      ['轉錢去大華有限公司', '轉錢去大華有限公司'],
    ],
    'zh-Hans': [
      ['把钱转到这个账户', '把钱转到这个账户'],
      ['汇款到以下账户', '汇款到以下账户'],
      ['转账给我朋友', '转账给我朋友'],
      ['汇款到第三方账户', '汇款到第三方账户'],
    ],
    yue: [
      ['幫我轉50萬去我老婆個戶口', '轉50萬去我老婆個戶口'],
      ['轉帳到呢個戶口', '轉帳到呢個戶口'],
      ['付款俾ABC公司', '付款俾ABC公司'],
      ['俾錢我老婆', '俾錢我老婆'],
      ['過戶俾我個仔', '過戶俾我個仔'],
      ['轉晒啲股票去我老公戶口', '轉晒啲股票去我老公戶口'],
    ],
  },
  [
    'transfer 100k from my savings to my securities account',
    'deposit HKD 1m into my account',
    'settle T+2',
    'transfer my shares into my margin account',
    'transfer to my HSBC account',
    'transfer you to my colleague',
    'pay attention to my wife',
    'pay 352 for 700',
    'send the contract note to my wife',
    'wire transfer to my account',
    '轉錢入我自己戶口',
    '入錢',
    '轉倉',
    '轉倉去下個月',
    '唔該幫我轉50萬入我戶口',
    '我轉俾同事跟進',
    '轉去我嘅孖展戶口',
    '入錢去證券公司',
  ],
);

describe('messages with more than one cue', () => {
  it('finds each cue in a message that mixes English and Chinese, in order of start', () => {
    expect(findCues('Please buy 10k 700 @352, then 加我微信 thanks')).toEqual([
      { kind: 'off_channel', start: 30, end: 34, phrase: '加我微信', language: 'zh' },
    ]);
    expect(findCues('轉去Signal傾 and delete this msg')).toEqual([
      { kind: 'off_channel', start: 0, end: 9, phrase: '轉去Signal傾', language: 'zh' },
      { kind: 'off_record', start: 14, end: 29, phrase: 'delete this msg', language: 'en' },
    ]);
    expect(findCues("trust me 保證賺, just wire the proceeds to my brother's account")).toEqual([
      { kind: 'return_guarantee', start: 9, end: 12, phrase: '保證賺', language: 'zh' },
      {
        kind: 'third_party_transfer',
        start: 19,
        end: 60,
        phrase: "wire the proceeds to my brother's account",
        language: 'en',
      },
    ]);
    expect(findCues('唔好話俾compliance知, call my cell')).toEqual([
      { kind: 'off_record', start: 0, end: 15, phrase: '唔好話俾compliance知', language: 'zh' },
      { kind: 'off_channel', start: 17, end: 29, phrase: 'call my cell', language: 'en' },
    ]);
  });

  it('gives every kind in one message, sorted by start', () => {
    const cues = findCues('delete this, call my cell, guaranteed return, pay 200k to ABC Ltd');
    expect(cues.map((c) => [c.kind, c.start, c.end])).toEqual([
      ['off_record', 0, 11],
      ['off_channel', 13, 25],
      ['return_guarantee', 27, 44],
      ['third_party_transfer', 46, 65],
    ]);
  });

  it('gives one cue per kind where its phrases overlap, and separate cues where they do not', () => {
    // "guaranteed return" and "return guaranteed" overlap: one region.
    expect(findCues('guaranteed return guaranteed')).toEqual([
      { kind: 'return_guarantee', start: 0, end: 17, phrase: 'guaranteed return', language: 'en' },
    ]);
    expect(findCues('刪咗條msg，唔好留記錄').map((c) => c.phrase)).toEqual(['刪咗條msg', '唔好留記錄']);
  });

  it('negates only within the clause: a comma or "but" ends what a "no" governs', () => {
    expectOnly('return_guarantee', 'No, guaranteed 10%', 'guaranteed 10%');
    expectOnly('return_guarantee', "It's not cheap but it's a guaranteed return", 'guaranteed return');
    expectOnly('return_guarantee', '不過一定升', '一定升');
    expectOnly('off_channel', '唔該你用私人手機聯絡我', '用私人手機聯絡');
    expect(findCues("I don't think you should call my cell")).toEqual([]);
    expect(findCues('我唔會叫你用私人手機')).toEqual([]);
  });
});

describe('spans', () => {
  it('are UTF-16 offsets into the text as given: emoji and surrogate pairs count two', () => {
    expect(findCues('😀😀 call my cell 🙏')).toEqual([
      { kind: 'off_channel', start: 5, end: 17, phrase: 'call my cell', language: 'en' },
    ]);
    expect(findCues('𠮷加我微信')).toEqual([
      { kind: 'off_channel', start: 2, end: 6, phrase: '加我微信', language: 'zh' },
    ]);
    const text = '👨‍👩‍👧 ok 保證賺 👍🏽 delete this';
    for (const cue of findCues(text)) expect(text.slice(cue.start, cue.end)).toBe(cue.phrase);
    expect(findCues(text).map((c) => c.phrase)).toEqual(['保證賺', 'delete this']);
  });

  it('read full-width forms as ASCII and return the phrase as written', () => {
    expect(findCues('ｃａｌｌ　ｍｙ　ｃｅｌｌ')).toEqual([
      { kind: 'off_channel', start: 0, end: 12, phrase: 'ｃａｌｌ　ｍｙ　ｃｅｌｌ', language: 'en' },
    ]);
    expect(findCues('保證賺嗎？')).toEqual([]);
  });

  it('survive lone surrogates', () => {
    expect(findCues('\ud800 call my cell \udc00')).toEqual([
      { kind: 'off_channel', start: 2, end: 14, phrase: 'call my cell', language: 'en' },
    ]);
  });
});

/** Hostile input. Every pattern repeats within fixed bounds; a catastrophic one would hang past the timeout. */
describe('hostile input', () => {
  const MB = 1 << 20;
  const fill = (unit: string): string => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);

  it('reads 1 MB of near misses without finding anything', { timeout: 30_000 }, () => {
    for (const unit of [
      'a',
      'transfer ',
      'transfer 1 2 3 4 5 6 7 8 9 ',
      'transfer to to to ',
      'guarantee you you you ',
      'delete the the the the the ',
      'call my my my ',
      "transfer to a's b's c's ",
      'pay to a b c d e f g h i j k ',
      '轉',
      '轉50萬去我',
      '保證',
      '刪咗',
      '加我',
      '😀',
      ' ',
    ]) {
      expect(findCues(fill(unit)), unit).toEqual([]);
    }
    expect(findCues(`delete${' '.repeat(MB)}x`)).toEqual([]);
    expect(findCues(`i${' '.repeat(MB)}can't lose`)).toHaveLength(1);
  });

  it('reads 1 MB of cues and keeps every span right', { timeout: 30_000 }, () => {
    const unit = "call my cell, guaranteed return, delete this, transfer 1m to my wife's account. ";
    const text = fill(unit);
    const cues = findCues(text);
    const whole = Math.floor(MB / unit.length);
    expect(cues.length).toBeGreaterThanOrEqual(whole * 4);
    expect(cues.slice(0, 4).map((c) => c.kind)).toEqual([
      'off_channel',
      'return_guarantee',
      'off_record',
      'third_party_transfer',
    ]);
    for (const cue of cues) expect(text.slice(cue.start, cue.end)).toBe(cue.phrase);

    const zh = fill('加我微信，保證賺，刪咗佢，轉50萬去我老婆戶口。');
    const zhCues = findCues(zh);
    expect(zhCues.length).toBeGreaterThan(170_000);
    for (const cue of zhCues) expect(zh.slice(cue.start, cue.end)).toBe(cue.phrase);
  });
});

describe('ordinary chat', () => {
  // Benign vocabulary on purpose: call, cell, Signal, transfer, guarantee, 轉, 加, 保證金, 刪單.
  const templates: readonly ((s: string, n: number) => string)[] = [
    (s, n) => `buy ${n}k ${s} @${n + 300}`,
    (s, n) => `sell ${n} lots ${s} at market`,
    (s) => `cancel my ${s} order pls`,
    (s, n) => `買${s}${n}手 @${n}.5`,
    (s, n) => `沽${s} ${n}000股 市價`,
    (s) => `Good morning, any update on ${s} results?`,
    (s, n) => `filled ${n}00 ${s} @ 61.2`,
    (s, n) => `明天開市幫我掛單買入${s} ${n}00股 限價 12.3`,
    (s, n) => `pls bid ${n} lots ${s} at 60.5 gtc`,
    (s) => `call me when ${s} fills`,
    (s) => `I'll call you back about ${s}`,
    (s, n) => `amend my ${s} limit to ${n}`,
    (s) => `${s} 跌咗好多，你點睇？`,
    (s, n) => `change my ${s} order to ${n}k`,
    (s, n) => `幫我改價 ${s} 改做 ${n}`,
    (s) => `我想加倉${s}`,
    (s) => `transfer my ${s} shares into my margin account`,
    (s) => `our Signal research on ${s} is out`,
    (s) => `${s} call option expiry?`,
    (s) => `${s} bonds are guaranteed by the government`,
    (s) => `no guarantee ${s} holds support`,
    (s, n) => `deposit HKD ${n}m into my account for ${s}`,
    (s) => `刪單 ${s}`,
    (s) => `${s}保證金不足，請入錢`,
    (s) => `轉倉 ${s} 去下個月`,
    (s) => `delete the limit on my ${s} order`,
    (s) => `please call our hotline about ${s}`,
    (s) => `cell B${s.length} in the spreadsheet`,
  ];
  const symbols = ['700', 'HSBC', '5', 'AAPL', '騰訊', '匯豐', '小米', '9988', 'Tencent', 'AIA', '腾讯', '汇丰'];

  it('gives no cue in 50,000 ordinary messages', () => {
    let cues = 0;
    const seen: string[] = [];
    for (let i = 0; i < 50_000; i++) {
      const text = templates[i % templates.length]!(symbols[(i * 7) % symbols.length]!, (i % 97) + 1);
      const found = findCues(text);
      cues += found.length;
      if (found.length > 0 && seen.length < 5) seen.push(text);
    }
    expect(seen).toEqual([]);
    expect(cues).toBe(0);
  });
});

describe('the first look', () => {
  // Fragments of positives, negatives and noise: the anchor scan must never drop a cue the families find.
  const fragments = [
    'call my cell',
    'call me on my ',
    'mobile',
    'personal',
    ' phone',
    'move to WhatsApp',
    'take this to Signal',
    'my personal number is 9123',
    'delete this',
    ' message',
    "don't ",
    'tell compliance',
    'put this in writing',
    'guaranteed',
    ' return',
    ' 10%',
    "can't lose",
    'risk-free profit',
    'sure win',
    'transfer 500k',
    ' to ',
    "my brother's account",
    'ABC Ltd',
    '加我微信',
    '打我',
    '私人電話',
    '刪咗佢',
    '唔好',
    '留記錄',
    '保證賺',
    '一定升',
    '穩賺不賠',
    '轉50萬',
    '去',
    '我老婆戶口',
    '匯款',
    '第三方',
    ' ',
    ', ',
    '? ',
    '。',
    '😀',
    'no ',
    '唔',
    'buy 10k 700 @352',
    '\n',
  ];

  it('finds what a scan of every family finds', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...fragments), { maxLength: 10 }), (parts) => {
        const text = parts.join('');
        expect(findCues(text)).toEqual(findCuesExhaustively(text));
      }),
      { numRuns: 2_000 },
    );
  });

  it('returns cues sorted by start, each phrase its span, one per kind per region', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...fragments), { maxLength: 10 }), (parts) => {
        const text = parts.join('');
        const cues: Cue[] = findCues(text);
        const lastEnd = new Map<CueKind, number>();
        let lastStart = 0;
        for (const cue of cues) {
          expect(cue.start).toBeGreaterThanOrEqual(lastStart);
          expect(text.slice(cue.start, cue.end)).toBe(cue.phrase);
          expect(cue.start).toBeGreaterThanOrEqual(lastEnd.get(cue.kind) ?? 0);
          lastStart = cue.start;
          lastEnd.set(cue.kind, cue.end);
        }
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('the lexicon', () => {
  it('is versioned, and names its kinds', () => {
    expect(CUE_LEXICON_VERSION).toBe(1);
    expect(CUE_KINDS).toEqual(['off_channel', 'return_guarantee', 'off_record', 'third_party_transfer']);
  });
});
