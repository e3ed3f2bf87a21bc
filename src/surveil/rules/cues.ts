/**
 * Surveillance cues: the phrases in one chat message that supervision rules alert on, after the SFC
 * circular of 4 May 2018 on receiving client orders through instant messaging (4b: staff and clients
 * moving to channels the firm cannot record; 2c: instructions to pay or transfer to third parties),
 * with the cues every IM lexicon carries besides: promises of returns and requests to keep things off
 * the record. English, Traditional and Simplified Chinese and Cantonese, or a mixture.
 *
 * Lexicons are notorious for false alerts, so each family names what it needs on both sides (a verb
 * and a personal channel, a transfer and a third party) rather than a bare keyword, and a cue is dropped
 * when negated ("don't", 唔, 不…) or, for a guarantee, asked about ("guaranteed?", 保證賺嗎).
 *
 * Pure. The text is hostile (a 1 MB paste, emoji, lone surrogates): every pattern repeats only within
 * fixed bounds, so matching stays linear in the text, and spans are UTF-16 offsets into the text as given.
 */
import { foldWidth } from '../orders/tokens.js';

export type CueKind =
  /** 4b: moving the conversation to a channel the firm cannot record. */
  | 'off_channel'
  /** Promises or guarantees of returns. */
  | 'return_guarantee'
  /** Requests to keep things off the record or to delete messages. */
  | 'off_record'
  /** 2c: instructions to transfer funds or securities to, or pay, a third party. */
  | 'third_party_transfer';

export const CUE_KINDS: readonly CueKind[] = ['off_channel', 'return_guarantee', 'off_record', 'third_party_transfer'];

export interface Cue {
  kind: CueKind;
  /** UTF-16 offsets into the text, end exclusive. */
  start: number;
  end: number;
  /** The text matched. */
  phrase: string;
  language: 'en' | 'zh';
}

/** Raised whenever a phrase family changes, so stored alerts can say which lexicon raised them. */
export const CUE_LEXICON_VERSION = 1;

interface Family {
  kind: CueKind;
  language: 'en' | 'zh';
  /**
   * Literal strings (any case) of which every match holds one: the cheap first look. A leading `=` marks
   * a whole word ("=tt" is not in "settle").
   */
  anchors: readonly string[];
  pattern: string;
  /** Text around the match (±60 characters) that makes it something else, e.g. an order amendment. */
  unless?: RegExp;
}

const alt = (...parts: readonly string[]): string => `(?:${parts.join('|')})`;
const list = (words: string): string => alt(...words.trim().split(/\s+/));
const AP = `['’]`;
/** Ends a Latin word: the next character is not a letter, digit or hyphen. */
const END = String.raw`(?![\w-])`;

// ————— English —————

const DONT = alt(
  `don${AP}?t`,
  String.raw`do\s+not`,
  'never',
  String.raw`let${AP}?s\s+not`,
  String.raw`better\s+not`,
  String.raw`rather\s+not`,
  String.raw`should(?:n${AP}?t|\s+not)`,
  String.raw`must(?:n${AP}?t|\s+not)`,
  String.raw`no\s+need\s+to`,
);

const APPS = alt(
  String.raw`whats\s?app`,
  String.raw`what${AP}s\s?app`,
  'signal',
  'telegram',
  String.raw`we\s?chat`,
  'weixin',
  'viber',
  'i-?message',
  'facetime',
  'skype',
  'snapchat',
  'wickr',
  'threema',
  'kakao(?:talk)?',
  String.raw`(?:facebook\s+)?messenger`,
  String.raw`line\s+app`,
  'instagram',
  'dms?',
  String.raw`(?:private|direct)\s+messages?`,
);
const APP_ANCHORS = [
  'whatsapp',
  'whats app',
  "what's app",
  'what’s app',
  'signal',
  'telegram',
  'wechat',
  'we chat',
  'weixin',
  'viber',
  'imessage',
  'i-message',
  'facetime',
  'skype',
  'snapchat',
  'wickr',
  'threema',
  'kakao',
  'messenger',
  'line app',
  'instagram',
  '=dm',
  'dms',
  'private message',
  'direct message',
];

/** A channel of one's own: named alone it is enough ("call my cell", "text me on my personal"). */
const OWN_CHANNEL = alt(
  'cell',
  'cellphone',
  String.raw`cell\s+phone`,
  'mobile',
  String.raw`mobile\s+phone`,
  'handphone',
  'hp',
  'gmail',
  'hotmail',
  'yahoo',
  'icloud',
  'proton(?:mail)?',
  APPS,
);
/** Needs a device after it: "my other phone", not "my other account". */
const OTHER_CHANNEL = list('own other second 2nd spare backup back-up burner alternate alt secret home');
const DEVICE = alt(
  'phones?',
  'numbers?',
  String.raw`no\.?`,
  'line',
  'cell',
  'cellphone',
  'mobile',
  'handphone',
  'e-?mails?',
  'mail',
  'inbox',
  'address',
  'device',
  'handset',
  'sim',
  'chat',
  APPS,
);
/** "my personal" alone only where the clause ends ("text me on my personal"); else "my personal phone". */
const PERSONAL = String.raw`(?:personal|private)(?:(?:\s+${DEVICE}){1,2}|(?=\s*(?:$|[^\s\w'’]|(?:pls|please|thanks|thx|instead|later|then|now|asap|ok|okay|too|tonight|tomorrow|after|when|if|and|or|so|la|lah|ah)\b)))`;
const CONTACT_VERB = alt(
  'call(?:s|ed|ing)?',
  'ring(?:s|ing)?',
  'phon(?:e|es|ed|ing)',
  'text(?:s|ed|ing)?',
  'txt',
  'sms',
  'messag(?:e|es|ed|ing)',
  'msg',
  String.raw`whats\s?app`,
  'wechat',
  'contact(?:s|ed|ing)?',
  'reach(?:es|ed|ing)?',
  'ping(?:s|ed|ing)?',
  'dm',
  'e-?mail(?:s|ed|ing)?',
  'buzz',
  'use',
  'using',
  'try',
  'send(?:s|ing)?',
  'forward(?:s|ed|ing)?',
  'fwd',
  'reply',
  'respond',
  String.raw`switch\s+to`,
  String.raw`move\s+to`,
  String.raw`go\s+to`,
);
const OFF_CHANNEL_EN: Family[] = [
  {
    // "call my cell", "call me on my mobile", "message me on my own phone", "use my other phone".
    kind: 'off_channel',
    language: 'en',
    anchors: [
      'personal',
      'private',
      'cell',
      'mobile',
      'handphone',
      '=hp',
      'gmail',
      'hotmail',
      'yahoo',
      'icloud',
      'proton',
      '=own',
      'other',
      'second',
      '2nd',
      'spare',
      'backup',
      'back-up',
      'burner',
      'alternate',
      '=alt',
      'secret',
      'home',
      ...APP_ANCHORS,
    ],
    pattern: String.raw`\b${CONTACT_VERB}(?:\s+(?:me|you|u|it|this|that|them|him|her|the\s+\w+|a\s+copy))?(?:\s+back)?(?:\s+(?:on|at|via|through|thru|to|using|with|onto|from))?\s+(?:my\s+(?:${PERSONAL}|${OWN_CHANNEL}(?:\s+${DEVICE}){0,2}|${OTHER_CHANNEL}(?:\s+${DEVICE}){1,2})|your\s+(?:${PERSONAL}|${OTHER_CHANNEL}(?:\s+${DEVICE}){1,2}))${END}(?!\s+(?:accounts?|a/c|acct|trading|securities|margin|cash|portfolio|holdings?|positions?|investments?|funds?|money|savings|capital|loan|details|info|information|data|banking|apps?|opinion|views?|reasons?|orders?|stocks?|shares?|to\s+(?:log|sign|access|check|verify|authenticate|receive))${END})`,
  },
  {
    // "my personal number is", "my private email: …".
    kind: 'off_channel',
    language: 'en',
    anchors: ['personal', 'private'],
    pattern: String.raw`\bmy\s+(?:personal|private)(?:\s+(?:phone|cell|mobile|whats\s?app|wechat|signal|telegram|e-?mail))?\s+(?:number|no\.?|#|line|phone|cell|mobile|e-?mail|address|id|handle|whats\s?app|wechat|signal|telegram)(?=\s*(?:is${END}|[:=]|\+?\d|\())`,
  },
  {
    // "my other number is 9123 4567", "my WhatsApp: +852 …", "my WeChat ID is …".
    kind: 'off_channel',
    language: 'en',
    anchors: ['=own', 'other', 'second', '2nd', 'spare', 'backup', 'burner', 'alternate', 'secret', ...APP_ANCHORS],
    pattern: String.raw`\bmy\s+(?:${OTHER_CHANNEL}\s+(?:phone\s+|cell\s+|mobile\s+)?(?:number|no\.?|phone|cell|mobile|line)(?=\s*(?:is\s*)?[:=]?\s*[+(]?\d)|${APPS}(?:\s+(?:number|no\.?|#|id|handle)(?=\s*(?:is${END}|[:=]))|(?=\s*(?:is\s*)?[:=]?\s*[+(]?\d)))`,
  },
  {
    // "move to WhatsApp", "let's take this to Signal", "switch to my private email", "add me on WeChat";
    // not "message us on our WhatsApp", the firm's own channel.
    kind: 'off_channel',
    language: 'en',
    anchors: [...APP_ANCHORS, 'personal', 'private', 'gmail', 'hotmail', 'yahoo', 'icloud', 'proton'],
    pattern: String.raw`\b(?:mov(?:e|es|ed|ing)|switch(?:es|ed|ing)?|tak(?:e|es|ing)|took|continu(?:e|es|ed|ing)|go|going|shift(?:s|ed|ing)?|talk(?:s|ed|ing)?|chat(?:s|ted|ting)?|discuss(?:es|ed|ing)?|messag(?:e|es|ing)|msg|text(?:s|ing)?|ping|dm|reach|contact|call|add|find|hit|catch|speak(?:ing)?|jump|hop|migrat(?:e|ing))(?:\s+(?:me|you|u|this|it|that|things|(?:the|this|our)\s+(?:chat|conversation|convo|discussion)))?(?:\s+(?:up|over|back))?\s+(?:to|on|onto|over|via|through|thru|in|into|using|with)\s+(?:(?:my|your|a|the)\s+)?(?:(?:(?:personal|private|own|other|secure|encrypted)\s+)?${APPS}|(?:personal|private)\s+(?:e-?mail|mail|inbox|phone|line|number|chat|channel|app|device|cell|mobile)|gmail|hotmail|yahoo(?:\s+mail)?|icloud|proton(?:mail)?)${END}`,
  },
  {
    // "WhatsApp me", "DM me", "take this offline".
    kind: 'off_channel',
    language: 'en',
    anchors: ['whatsapp', 'whats app', 'wechat', 'telegram', 'viber', '=dm', '=pm', 'inbox', 'offline'],
    pattern: String.raw`\b(?:whats\s?app|wechat|telegram|viber|dm|pm|inbox)\s+me\b|\b(?:tak(?:e|ing)|mov(?:e|ing)|continu(?:e|ing)|discuss(?:ing)?|talk(?:ing)?|chat(?:ting)?)\s+(?:(?:this|it|that|things|the\s+\w+)\s+)?offline\b`,
  },
];

const MSG_NOUN = alt(
  'messages?',
  'msgs?',
  'chats?',
  'texts?',
  'conversations?',
  'convos?',
  'threads?',
  'history',
  'logs?',
  'records?',
  'e-?mails?',
  'evidence',
  'trail',
  'screenshots?',
  'sms',
  String.raw`whats\s?apps?`,
  'recordings?',
);
const MSG_MOD = list(
  'all of this that these those the our my your whole entire previous last above earlier old chat whatsapp wechat signal telegram text email sms call paper audit message every any',
);
const AFTER_MSG = String.raw`(?!\s*(?:address|notifications?|alerts?|settings?|subscriptions?|templates?|folders?|signatures?|drafts?)${END})`;
/** Where "delete it" is about an order, it cancels the order: not a cue. */
const ORDER_CONTEXT =
  /\b(?:orders?|limit|bid|offer|buy|sell|shares?|lots?|qty|px|price|trade|position|stop|amend|cancel)\b|@|單|单|盤|盘|指令|買|买|沽|賣|卖|掛|挂|改價|改价/i;
const COMPLIANCE_EN = String.raw`(?:(?:the|your|our|my)\s+)?(?:compliance(?:\s+(?:team|dept|department|officers?|guys|people))?|legal(?:\s+(?:team|dept|department))?|boss|manager|supervisor|team\s+head|regulators?|sfc|hkma|auditors?|audit|risk\s+(?:team|dept|department)|anyone|anybody|firm|company|management|hr)`;
const COMPLIANCE_ANCHORS = [
  'compliance',
  'legal',
  'boss',
  'manager',
  'supervisor',
  'team head',
  'regulator',
  'sfc',
  'hkma',
  'audit',
  'risk',
  'anyone',
  'anybody',
  'firm',
  'company',
  'management',
  '=hr',
];
const OFF_RECORD_EN: Family[] = [
  {
    // "delete this message", "erase our chat", "wipe the WhatsApp history".
    kind: 'off_record',
    language: 'en',
    anchors: ['delet', 'eras', 'wip', 'shred', 'purg', 'destroy', 'scrub', 'clean up'],
    pattern: String.raw`\b(?:delet(?:e|es|ed|ing)|eras(?:e|es|ed|ing)|wip(?:e|es|ed|ing)|shred(?:s|ding)?|purg(?:e|es|ed|ing)|destroy(?:s|ed|ing)?|scrub|clean\s+up)(?:\s+${MSG_MOD}){0,4}\s+${MSG_NOUN}${END}${AFTER_MSG}`,
  },
  {
    kind: 'off_record',
    language: 'en',
    anchors: ['remov', 'clear'],
    pattern: String.raw`\b(?:remov(?:e|es|ed|ing)|clear(?:s|ed|ing)?)\s+(?:this|that|these|those|the|our|my|all(?:\s+(?:of\s+)?(?:the|our|my|this))?)(?:\s+${MSG_MOD}){0,3}\s+${MSG_NOUN}${END}${AFTER_MSG}`,
  },
  {
    // "delete this", "delete it after reading": a bare pronoun, unless the message is about an order.
    kind: 'off_record',
    language: 'en',
    anchors: ['delete', 'erase', 'wipe', 'unsend', 'shred', 'destroy', 'remove'],
    pattern: String.raw`\b(?:delete|erase|wipe|unsend|shred|destroy|remove)\s+(?:this|that|it|these|those|them|everything|all\s+(?:of\s+)?(?:this|that|these|it|them))(?=\s*(?:$|[^\s\w'’]|(?:after|once|when|now|please|pls|plz|asap|immediately|right|later|afterwards|too|also|so|and|ok|okay|thx|thanks|thank|lol|quickly|before|b4|straight|then|for\s+me|first|soon|k|la|lah|ah|bro)\b))`,
    unless: ORDER_CONTEXT,
  },
  {
    // "delete after reading", "unsend", "recall the message".
    kind: 'off_record',
    language: 'en',
    anchors: ['delete', 'erase', 'destroy', 'burn', 'unsend', 'recall', 'retract'],
    pattern: String.raw`\b(?:delete|erase|destroy|burn)\s+(?:(?:it|this|that|them)\s+)?(?:after|once)\s+(?:you\s+)?(?:reading|read|you${AP}ve\s+read|seen|seeing|you${AP}ve\s+seen)${END}|\bunsend(?:ing)?\b|\b(?:recall|retract)\s+(?:this|that|the|my|your)\s+(?:message|msg|e-?mail|text)\b`,
  },
  {
    // "don't put this in writing", "don't write it down", "nothing in writing".
    kind: 'off_record',
    language: 'en',
    anchors: ["n't", 'n’t', 'dont', 'do not', 'never', 'not', 'nothing', 'no need'],
    pattern: String.raw`\b${DONT}\s+(?:to\s+)?(?:put(?:ting)?|writ(?:e|ing)|leav(?:e|ing)|have|keep|record|document|mention|say|type|discuss|spell|send)(?:\s+(?:this|that|it|anything|any\s+of\s+(?:this|that|it)|these|things|details|such\s+things|too\s+much|(?:this|that)\s+stuff))?(?:\s+(?:down|out))?\s+(?:in\s+writing|on\s+(?:paper|(?:the\s+)?record|e-?mail|chat|text|here|whats\s?app|this\s+(?:chat|channel|app))|in\s+(?:an?\s+)?(?:e-?mail|text|chat|message|msg|here|this\s+(?:chat|group|channel))|over\s+(?:the\s+)?(?:chat|text|e-?mail)|by\s+(?:e-?mail|text|message)|here|down|in\s+black\s+and\s+white)${END}|\b(?:nothing|not)\s+(?:in|on)\s+(?:writing|paper)\b`,
  },
  {
    // "off the record", "keep this off the chat".
    kind: 'off_record',
    language: 'en',
    anchors: ['record', 'keep'],
    pattern: String.raw`\boff[-\s]+(?:the[-\s]+)?record\b|\bkeep\s+(?:this|that|it|things)\s+off\s+(?:the\s+)?(?:record|chat|e-?mail|books|paper|system|app|whats\s?app|here)\b`,
  },
  {
    // "keep this between us", "between you and me", "keep it quiet".
    kind: 'off_record',
    language: 'en',
    anchors: ['between', 'yourself', 'quiet', 'hush', 'secret', 'wraps', 'down low', 'downlow'],
    pattern: String.raw`\b(?:keep(?:s|ing)?|kept|stays?|staying|remains?|just|strictly|only|is)\s+(?:(?:this|that|it|things|everything|all\s+this)\s+)?(?:(?:just|strictly|only)\s+)?between\s+(?:us|ourselves|the\s+two\s+of\s+us|you\s+and\s+(?:me|i)|me\s+and\s+you)${END}|\bbetween\s+(?:you\s+and\s+(?:me|i)|me\s+and\s+you)${END}|\bkeep(?:ing)?\s+(?:this|that|it)\s+(?:to\s+yourself|quiet|hush(?:[-\s]hush)?|secret|under\s+wraps|on\s+the\s+(?:down\s?low|dl|quiet|qt))${END}`,
  },
  {
    // "don't tell compliance", "compliance doesn't need to know", "hide it from your boss".
    kind: 'off_record',
    language: 'en',
    anchors: COMPLIANCE_ANCHORS,
    pattern: String.raw`\b(?:${DONT}|without)\s+(?:tell(?:ing)?|inform(?:ing)?|let(?:ting)?|cc(?:ing)?|copy(?:ing)?|loop(?:ing)?\s+in|show(?:ing)?|forward(?:ing)?|report(?:ing)?|mention(?:ing)?|escalat(?:e|ing)|involv(?:e|ing))(?:\s+(?:this|it|that|them)(?:\s+to)?|\s+to)?\s+${COMPLIANCE_EN}${END}(?:\s+(?:know|in|about\s+(?:this|it|that))${END})?|\b${COMPLIANCE_EN}\s+(?:does(?:n${AP}?t|\s+not)|do(?:n${AP}?t|\s+not)|need(?:n${AP}?t|\s+not)|should(?:n${AP}?t|\s+not)|must(?:n${AP}?t|\s+not)|won${AP}?t|will\s+not|never)\s+(?:need\s+to\s+|have\s+to\s+)?(?:know|find\s+out|hear|see|be\s+told)${END}|\b(?:hid(?:e|ing)|keep(?:ing)?)\s+(?:this|it|that|them)\s+(?:away\s+)?from\s+${COMPLIANCE_EN}${END}|\bkeep\s+${COMPLIANCE_EN}\s+out\s+of\s+(?:this|it|the\s+loop)${END}`,
  },
];

const NUMBER = String.raw`\d[\d,]*(?:\.\d+)?`;
const PCT = String.raw`(?:at\s+least\s+|minimum\s+(?:of\s+)?|over\s+|more\s+than\s+)?${NUMBER}\s*(?:%|percent|per\s*cent|pct|x${END}|times${END}|bagger)`;
const PER_PERIOD = String.raw`(?:\s+(?:a|per|each|every|p\.?a\.?)(?:\s*(?:year|yr|month|annum|week))?)?`;
const RETURN_NOUN = alt(
  'returns?',
  'profits?',
  'gains?',
  'income',
  'yields?',
  'payouts?',
  'upside',
  'payoffs?',
  'interest',
);
const RETURN_ADJ = alt(
  'high',
  'higher',
  'fixed',
  'double',
  'positive',
  'steady',
  'stable',
  'big',
  'good',
  'solid',
  'minimum',
  'decent',
  'huge',
  'massive',
  'monthly',
  'annual',
  'yearly',
  'regular',
  'juicy',
  'quick',
  'fast',
  'easy',
  'safe',
  'great',
  'strong',
  PCT,
);
const CERTAINLY = String.raw`(?:\s+(?:definitely|surely|certainly|100\s*%))?`;
const RISE = String.raw`(?:go(?:es)?\s+up|rise|climb|double|triple|rally|surge|pop|moon|recover|rebound|bounce(?:\s+back)?|make\s+(?:you\s+)?money|be\s+profitable|pay\s+off|outperform|beat\s+the\s+market)`;
/** "a 20% return", "you 10%", "fixed income". */
const OBJ_RETURN = String.raw`(?:(?:you|u|ya|clients?|investors?)\s+)?(?:(?:a|an|the)\s+)?(?:${PCT}${PER_PERIOD}(?:\s+(?:${RETURN_ADJ}\s+)?${RETURN_NOUN})?|(?:${RETURN_ADJ}\s+){0,2}${RETURN_NOUN})${END}`;
/** "you'll make money", "you won't lose". */
const OBJ_YOU_GAIN = String.raw`(?:that\s+)?(?:you|u|ya)(?:${AP}ll|\s+will|\s+would|\s+are\s+going\s+to|${AP}re\s+going\s+to|\s+gonna|${AP}re\s+gonna|\s+can|\s+could|\s+should)?${CERTAINLY}\s+(?:(?:make|earn)\s+(?:money|a\s+(?:profit|killing|fortune)|profits?|returns?|gains?|big|${NUMBER}\s*(?:%|k|m|percent)?)|profit|win|double|triple|get\s+rich|(?:get|see)\s+(?:a\s+)?(?:profit|returns?|gains?|${NUMBER}\s*%)|(?:won${AP}?t|will\s+not|will\s+never|can${AP}?t|cannot|wouldn${AP}?t|never)\s+lose(?:\s+money)?)${END}`;
/** "it will go up", "this stock is going to double". */
const OBJ_IT_RISES = String.raw`(?:that\s+)?(?:it|this|the\s+(?:stock|shares?|price|fund|trade|investment|position|market|name)|this\s+(?:stock|one|shares?|fund|trade|investment|name)|(?:the\s+)?stock|shares?|price)(?:${AP}ll|\s+will|\s+is\s+going\s+to|${AP}s\s+going\s+to|\s+gonna|\s+would|\s+must)${CERTAINLY}\s+${RISE}${END}`;
const RETURN_GUARANTEE_EN: Family[] = [
  {
    // "guaranteed return", "guarantee you 10%", "promise you'll make money", "guaranteed to double".
    kind: 'return_guarantee',
    language: 'en',
    anchors: ['guarant', 'promis', 'assur', 'swear'],
    pattern: String.raw`\bguarantee(?:s|d|ing)?\s+(?:${OBJ_RETURN}|${OBJ_YOU_GAIN}|${OBJ_IT_RISES}|to\s+${RISE}${END})|\bpromis(?:e|es|ed|ing)\s+(?:${OBJ_RETURN}|${OBJ_YOU_GAIN}|${OBJ_IT_RISES})|\b(?:assur(?:e|es|ed|ing)|swear)\s+(?:(?:you|u)\s+)?(?:${OBJ_YOU_GAIN}|${OBJ_IT_RISES})`,
  },
  {
    // "returns are guaranteed", "8% p.a. guaranteed" (but not "guaranteed by the government").
    kind: 'return_guarantee',
    language: 'en',
    anchors: ['guarant', 'assured', 'locked in'],
    pattern: String.raw`\b(?:${RETURN_NOUN}|dividends?|(?:principal|capital)\s+and\s+(?:interest|returns?)|${PCT}${PER_PERIOD}(?:\s+${RETURN_NOUN})?)\s+(?:(?:is|are|will\s+be)\s+)?(?:(?:fully|totally|100\s*%|completely|absolutely)\s+)?(?:guaranteed|assured|locked\s+in)${END}(?!\s+by\b)`,
  },
  {
    // "can't lose" (a guarantee, whatever its "not"), but not "I can't lose more than 10k".
    kind: 'return_guarantee',
    language: 'en',
    anchors: ['lose'],
    pattern: String.raw`(?<!\b(?:i|we)\s{1,3}(?:(?:really|just|simply)\s{1,3})?)\b(?:can${AP}?t|cannot|can\s+not|won${AP}?t|will\s+not|will\s+never|impossible\s+to|no\s+way\s+(?:to|you(?:${AP}ll|\s+will|\s+can)?))\s+lose(?:\s+money)?${END}(?=\s*(?:$|[^\s\w'’]|(?:with|on|in|here|if|buying|holding|at|lah|la|ah|bro|either|whatever|no\s+matter|trust|seriously|honestly|guaranteed|mate|man|dude|guys?)\b))`,
  },
  {
    // "risk-free profit", "totally risk-free", "zero risk", "100% safe".
    kind: 'return_guarantee',
    language: 'en',
    anchors: ['risk', 'safe', 'guarant'],
    pattern: String.raw`\brisk[-\s]?free\s+(?:profits?|returns?|gains?|money|trades?|investments?|bets?|deals?|income|plays?|opportunit(?:y|ies)|arb(?:itrage)?)${END}|\briskless\s+(?:profits?|returns?|gains?|money|trades?|investments?)${END}|\b(?:totally|completely|absolutely|entirely|basically|literally|essentially|100\s*%|100\s*percent|(?:a\s+)?hundred\s+percent)\s+(?:risk[-\s]?free|riskless|no[-\s]risk)${END}|\bzero[-\s]risk${END}(?!\s+(?:of|to|appetite|tolerance|weight(?:ing)?|assets?|rate|capital|charge)${END})|\b(?:no\s+risk\s+at\s+all|absolutely\s+no\s+risk|(?:without|with\s+no)\s+(?:any\s+)?risk(?!\s+(?:of|to)${END}))${END}|(?:\b(?:totally|completely|absolutely|perfectly)|\b100\s*%|\b100\s*percent|\b(?:a\s+)?hundred\s+percent)\s+(?:safe|guaranteed)${END}(?!\s+to\b)`,
  },
  {
    // "sure win", "a sure thing" (not "sure thing, will do"), "free money", "will definitely go up".
    kind: 'return_guarantee',
    language: 'en',
    anchors: ['sure', 'free money', 'definitely', 'certainly', '100%', '100 %'],
    pattern: String.raw`\bsure[-\s]?(?:win|winner|bet|profit|money|gains?|fire\s+(?:win|winner|bet|profit|way\s+to\s+(?:make|win|profit)))${END}|\bsurefire${END}|\ba\s+sure\s+(?:thing|bet)${END}|\bfree\s+money${END}|(?:\bwill\s+(?:definitely|surely|certainly|100\s*%)|\b(?:definitely|surely|certainly)\s+will|\b100\s*%\s+will)\s+(?:go\s+up|double|triple|make\s+(?:you\s+)?money|make\s+(?:a\s+)?profit|moon)${END}`,
  },
];

const PERSON_EN = alt(
  'brothers?',
  'bro',
  'sisters?',
  'sis',
  'wife',
  'husband',
  'hubby',
  'spouse',
  'sons?',
  'daughters?',
  'kids?',
  'child',
  'children',
  'mother',
  'mom',
  'mum',
  'mommy',
  'mummy',
  'father',
  'dad',
  'daddy',
  'parents?',
  'friends?',
  'buddy',
  'mate',
  'cousins?',
  'uncle',
  'aunt',
  'auntie',
  'aunty',
  'partner',
  'girlfriend',
  'gf',
  'boyfriend',
  'bf',
  'fianc[eé]e?',
  'colleague',
  'boss',
  'nephew',
  'niece',
  'relatives?',
  String.raw`(?:brother|sister|mother|father|son|daughter)[-\s]in[-\s]law`,
  String.raw`in[-\s]laws?`,
  'grand(?:ma|mother|pa|father|son|daughter)',
  'assistant',
  'secretary',
  'maid',
  'helper',
  'driver',
  'lawyer',
  'accountant',
  'agent',
  'landlord',
  'family',
  String.raw`business\s+partner`,
  'employer',
  'client',
  'customer',
);
const ACCOUNT_TAIL = String.raw`(?:\s+(?:[\w&-]+\s+){0,2}?(?:bank\s+)?(?:accounts?|a/c|acct)${END})?`;
const TARGET_EN = alt(
  String.raw`(?:my|his|her|their|your|a|an)\s+(?:(?:best|old|younger|elder|older|little|big|good|close|late)\s+)?${PERSON_EN}(?:${AP}s|s${AP})?${END}${ACCOUNT_TAIL}`,
  String.raw`(?:someone|somebody)\s+else(?:${AP}s)?${END}${ACCOUNT_TAIL}`,
  String.raw`(?:another\s+person|other\s+people)(?:${AP}s)?${END}${ACCOUNT_TAIL}`,
  String.raw`(?:an?\s+|the\s+)?third[-\s]part(?:y|ies)(?:${AP}s)?${END}${ACCOUNT_TAIL}`,
  String.raw`(?:this|that|the\s+following|following|the\s+below|below|these)\s+(?:bank\s+)?(?:accounts?|a/c|acct|beneficiar(?:y|ies)|payees?|recipients?|bank\s+details|iban|details)${END}`,
  String.raw`(?:the\s+)?(?:beneficiar(?:y|ies)|payees?)${END}`,
  String.raw`(?:mr|mrs|ms|miss|madam|mdm|dr)\.?\s+[a-z]+(?:\s+[a-z]+)?(?:${AP}s)?${END}${ACCOUNT_TAIL}`,
  String.raw`(?!(?:it|today|tomorrow|yesterday|one|everyone|nobody|that|what|who|there|here|let|he|she)${AP}s)[a-z]+${AP}s\s+(?:[\w&-]+\s+){0,2}(?:accounts?|a/c|acct)${END}`,
  String.raw`(?!(?:the|your|our|this|that|my|a|an)\s+(?:[\w&.'-]+\s+)?(?:company|co|corp|corporation|firm|limited|ltd)\b)(?:[\w&.'-]+\s+){1,4}(?:ltd|limited|inc|llc|corp|corporation|company|co|plc|gmbh|pte|llp|(?:sdn\s+)?bhd)${END}\.?`,
  String.raw`(?:accounts?|a/c|acct|acc)\s*(?:no\.?|number|#)?\s*:?\s*\d[\d\s-]{4,24}\d`,
);
const MONEY_VERB_ANCHORS = [
  'transfer',
  'xfer',
  'trf',
  'tfr',
  '=tt',
  'wire',
  'wiring',
  'remit',
  'pay',
  'paid',
  'journal',
  'deposit',
  'transmit',
  'disburse',
];
/** Words up to the next "to": amounts, currencies, "the proceeds", "from my savings". */
const GAP_EN = String.raw`(?:\s+(?!(?:to|into|onto)\b)(?:[^\s!?;.。，！？；]|\.(?=\S))+){0,8}?`;
const PREP_EN = String.raw`(?:to|into|onto|in\s+favou?r\s+of|for\s+the\s+benefit\s+of|in\s+the\s+name\s+of|under\s+the\s+name\s+of)`;
const AMOUNT_EN = String.raw`(?:(?:hkd|usd|rmb|cny|eur|gbp|sgd|jpy|hk\$|us\$|\$)\s*)?${NUMBER}\s*(?:k|m|mm|mn|bn|million|thousand|lots?)?${END}`;
const ASSET_EN = String.raw`(?:(?:the|my|all|all\s+(?:the|my|of\s+my)|these|those|this|that|our|his|her|some|half|part\s+of\s+(?:the|my))\s+)?(?:(?:sales?)\s+)?(?:funds?|money|cash|proceeds|payment|balance|shares?|stocks?|securities|positions?|holdings?|dividends?|${AMOUNT_EN})${END}`;
const MONEY_VERB = String.raw`(?:transfer(?:s|red|ring)?|xfer|trf|tfr|tt|wir(?:e|es|ed|ing)|remit(?:s|ted|ting)?|pay(?:s|ing)?|paid|journal|deposit|transmit|disburse)(?!\s+(?:you|u|him|her|them|me|us|(?:the|your|this|my)\s+(?:call|line|chat|case|ticket|enquiry|inquiry|request|question)|attention|respect|tribute|homage|regards|a\s+(?:visit|call)|my\s+respects)${END})`;
const THIRD_PARTY_EN: Family[] = [
  {
    // "transfer HKD 500k to my brother's account", "pay 200k to ABC Ltd", "remit … to the following beneficiary".
    kind: 'third_party_transfer',
    language: 'en',
    anchors: MONEY_VERB_ANCHORS,
    pattern: String.raw`\b${MONEY_VERB}${GAP_EN}\s+${PREP_EN}\s+${TARGET_EN}`,
  },
  {
    // "send the funds to my friend's HSBC account", "move my shares to my wife's account".
    kind: 'third_party_transfer',
    language: 'en',
    anchors: ['send', 'sent', 'mov', 'giv', 'gave', 'forward', 'fwd', 'put', 'route', 'releas', 'credit'],
    pattern: String.raw`\b(?:send(?:s|ing)?|sent|mov(?:e|es|ed|ing)|giv(?:e|es|ing)|gave|forward|fwd|put|route|releas(?:e|ing)|credit)\s+${ASSET_EN}(?:\s+(?!(?:to|into|onto)\b)(?:[^\s!?;.。，！？；]|\.(?=\S))+){0,3}?\s+${PREP_EN}\s+${TARGET_EN}`,
  },
  {
    // "pay my brother 100k", "give my wife the proceeds".
    kind: 'third_party_transfer',
    language: 'en',
    anchors: ['pay', 'wire', 'remit', 'transfer', 'send', 'give'],
    pattern: String.raw`\b(?:pay|wire|remit|transfer|send|give)\s+(?:my|his|her|our|a|an)\s+${PERSON_EN}(?!${AP}s|s${AP})${END}\s+(?:${AMOUNT_EN}|the\s+(?:funds?|money|cash|proceeds|shares))`,
  },
];

// ————— Chinese (Traditional, Simplified, Cantonese) —————

const APPS_ZH = String.raw`(?:微信|wechat|we\s?chat|weixin|vx|wx|v信|whats\s?app|signal|telegram|tg|line|ig|instagram|facebook|fb|messenger|skype|qq|kakao)${END}`;
const APP_ZH_ANCHORS = [
  '微信',
  'wechat',
  'we chat',
  'weixin',
  '=vx',
  '=wx',
  'v信',
  'whatsapp',
  'whats app',
  'signal',
  'telegram',
  '=tg',
  'line',
  '=ig',
  'instagram',
  'facebook',
  '=fb',
  'messenger',
  'skype',
  '=qq',
  'kakao',
];
const PRIVATE_ZH = '(?:私人|私家|個人|个人|另一部|另外一部|第二部|另一個|另一个|第二個|第二个)';
const PRIVATE_ZH_ANCHORS = [
  '私人',
  '私家',
  '個人',
  '个人',
  '另一部',
  '另外一部',
  '第二部',
  '另一個',
  '另一个',
  '第二個',
  '第二个',
];
const PHONE_ZH =
  '(?:電話|电话|手提|手機|手机|號碼|号码|電郵|电邮|email|e-mail|郵箱|邮箱|微信|whatsapp|wechat|signal|telegram|帳號|账号|line|sim卡)';
const OFF_CHANNEL_ZH: Family[] = [
  {
    // 加我微信, 加個WhatsApp, 加我私人wechat.
    kind: 'off_channel',
    language: 'zh',
    anchors: ['加'],
    pattern: `加(?:我|個|个|下|返|番|一下|多個|多个|埋){0,2}(?:嘅|的)?(?:私人)?${APPS_ZH}`,
  },
  {
    // 打我私人電話, 打我手提, 打俾我第二部電話.
    kind: 'off_channel',
    language: 'zh',
    anchors: [...PRIVATE_ZH_ANCHORS, '手提', '手機', '手机'],
    pattern: `打(?:俾|畀|給|给|去|比|返|番)?(?:我|我哋)?(?:嘅|的)?(?:${PRIVATE_ZH}|手提|手機|手机)(?:電話|电话|手提|手機|手机|號碼|号码|號|号|線|线)?`,
  },
  {
    // 用私人手機聯絡, 用另一部電話, 用你私人email.
    kind: 'off_channel',
    language: 'zh',
    anchors: [...PRIVATE_ZH_ANCHORS, '其他'],
    pattern: `用(?:我|你|佢)?(?:嘅|的)?(?:${PRIVATE_ZH}|其他)(?:嘅|的)?${PHONE_ZH}(?:聯絡|联络|聯繫|联系|傾|倾|搵我|找我|打俾我|打给我|call我|send俾我|發俾我|发给我|通知我)?`,
  },
  {
    // 轉去Signal傾, 过去微信聊, 改用WhatsApp.
    kind: 'off_channel',
    language: 'zh',
    anchors: APP_ZH_ANCHORS,
    pattern: `(?:轉|转|移|搬|去|返|改|換|换)(?:去|到|用|過去|过去|番|返|埋)?(?:我|我哋|我們|我们|你)?(?:嘅|的)?(?:私人|個人|个人)?${APPS_ZH}(?:傾|倾|聊|講|讲|談|谈|說|说|度傾|度倾|度講|度讲|聯絡|联络|聯繫|联系|再講|再讲|先講|先讲)?`,
  },
  {
    // 私訊我, 私信, PM我.
    kind: 'off_channel',
    language: 'zh',
    anchors: ['私訊', '私讯', '私信', '私聊', '私下', '私底下', 'inbox', '=pm', '=dm'],
    pattern: String.raw`私(?:訊|讯|信|聊)(?:我|你)?|私(?:下|底下)(?:聯絡|联络|聯繫|联系|搵|找|call|打俾|打给)|\b(?:pm|dm|inbox)(?:我|你)`,
  },
  {
    // 我私人號碼係…, 我嘅私人WhatsApp係…, 我微信號係….
    kind: 'off_channel',
    language: 'zh',
    anchors: [...PRIVATE_ZH_ANCHORS, ...APP_ZH_ANCHORS],
    pattern: String.raw`我(?:嘅|的)?(?:${PRIVATE_ZH}(?:電話|电话|手提|手機|手机|微信|whatsapp|wechat|signal|telegram)?(?:號碼|号码|號|号|電郵|电邮|email|郵箱|邮箱|id)|${PRIVATE_ZH}(?:電話|电话|手提|手機|手机|微信|whatsapp|wechat|signal|telegram)|(?:微信|whatsapp|wechat|signal|telegram)(?:號碼|号码|號|号|id)?)(?=\s*(?:係|系|是|:|=)\s*\S)`,
  },
  {
    // 你微信幾多號, 俾個WhatsApp我: asking for, or giving, a channel of one's own.
    kind: 'off_channel',
    language: 'zh',
    anchors: APP_ZH_ANCHORS,
    pattern: String.raw`你(?:嘅|的)?(?:私人)?(?:微信|whats\s?app|wechat|signal|telegram)(?:號碼|号码|號|号|id)?(?:係|系|是)?(?:幾多|几多|多少|咩|乜嘢|什麼|什么)(?:號|号)?|(?:俾|畀|給|给|留)(?:個|个|你|我)?(?:嘅|的)?(?:私人)?(?:微信|whats\s?app|wechat|signal|telegram)(?:號碼|号码|號|号|id)?(?:我|你)`,
  },
];

const DELETE_ZH = '(?:刪|删)(?:除|掉|咗|左|了|走|晒|哂|埋|去|佐)?(?:咗|左|了|晒|哂|埋|走|掉)?';
const THIS_ZH =
  '(?:(?:呢|這|这|嗰|那|此)(?:個|个|條|条|則|则|段|啲|些|幾條|几条|堆)?|頭先|头先|剛才|刚才|之前|上面|所有|全部|晒|哂|啲|我哋|我們|我们|我地|條|条|段|個|个)';
const MESSAGE_ZH =
  '(?:訊息|讯息|信息|消息|短訊|短讯|短信|對話記錄|对话记录|對話紀錄|对话纪录|對話|对话|聊天記錄|聊天紀錄|聊天记录|聊天纪录|聊天|記錄|紀錄|记录|纪录|留言|messages?|msgs?|chat|whatsapp|微信|text)';
const NOT_ZH =
  '(?:千祈唔好|千祈咪|千萬唔好|千万不要|千萬不要|千萬別|千万别|唔好|不要|唔使|唔駛|唔洗|不用|無謂|冇謂|切勿|別|别|咪|勿|不)';
/** Without bare 不: 不同公司 is "different companies". */
const DONT_ZH =
  '(?:千祈唔好|千祈咪|千萬唔好|千万不要|千萬不要|千萬別|千万别|唔好|不要|唔使|唔駛|唔洗|不用|無謂|冇謂|切勿|別|别|咪|勿)';
const BOSS_ZH =
  '(?:compliance|合規|合规|監察|监察|法規|法规|法律部|老細|老细|上司|經理|经理|老闆|老板|監管|监管|證監會|证监会|證監|证监|公司|其他人|人哋|人地|任何人|第三者|別人|别人|risk)';
const OFF_RECORD_ZH: Family[] = [
  {
    // 刪除呢個訊息, 删除聊天记录, 刪咗條msg.
    kind: 'off_record',
    language: 'zh',
    anchors: ['刪', '删'],
    pattern: `${DELETE_ZH}${THIS_ZH}{0,2}(?:嘅|的)?${MESSAGE_ZH}`,
  },
  {
    // 刪咗佢, 删掉这条: a bare pronoun, unless the message is about an order (刪除指令, 刪咗張單).
    kind: 'off_record',
    language: 'zh',
    anchors: ['刪', '删'],
    pattern: `${DELETE_ZH}(?:佢哋|佢|它们|它|他|呢個|呢个|這個|这个|呢條|呢条|這條|这条|呢段|這段|这段|呢啲|這些|这些|吧|啦|喇|la|lah)(?!單|单|張|张|指令|盤|盘|訂單|订单|order|買|买|賣|卖|沽|交易|股|手)`,
    unless: ORDER_CONTEXT,
  },
  {
    // 睇完就刪, 阅后即焚; 收回訊息, 撤回消息.
    kind: 'off_record',
    language: 'zh',
    anchors: ['刪', '删', '焚', '銷毀', '销毁', '收回', '撤回', '收返', '收番', '回收'],
    pattern: `(?:睇|看|讀|读|閱|阅)(?:完|後|后|咗|了)(?:就|即|即刻|記得|记得|請|请|要|之後|之后)?(?:刪|删|焚|銷毀|销毁)(?:除|掉|咗|左|了|走|晒|哂|埋)?|(?:收回|撤回|收返|收番|回收)(?:咗|了|左)?${THIS_ZH}{0,2}${MESSAGE_ZH}`,
  },
  {
    // 唔好留記錄, 不要留下记录, 唔好寫低.
    kind: 'off_record',
    language: 'zh',
    anchors: ['留', '寫', '写', '記', '记'],
    pattern: `${NOT_ZH}(?:要|好)?(?:留|寫|写|記|记)(?:低|下|底|落)?(?:任何)?(?:文字|書面|书面)?(?:記錄|紀錄|记录|纪录|底|痕跡|痕迹|證據|证据|字據|字据|文字|書面|书面|字)|${NOT_ZH}(?:寫|写)(?:低|下來|下来|落嚟|落来)`,
  },
  {
    // 唔好喺度講, 不要在微信说.
    kind: 'off_record',
    language: 'zh',
    anchors: ['喺', '在', '响', '響'],
    pattern: `${NOT_ZH}(?:喺|在|响|響)(?:度|呢度|呢到|呢道|這裡|这里|這兒|这儿|此|群|群組|群组|(?:whatsapp|微信|wechat|signal|telegram|email|電郵|电邮|呢個群|呢个群|這個群|这个群)(?:度|入面|上面|裡面|里面)?)(?:講|讲|傾|倾|說|说|聊|談|谈|提|打字|寫|写)`,
  },
  {
    // 私下講, 私底下傾.
    kind: 'off_record',
    language: 'zh',
    anchors: ['私下', '私底下', '私低下'],
    pattern: '私(?:下|底下|低下)(?:先)?(?:講|讲|傾|倾|說|说|聊|談|谈|再講|再讲|再傾|再倾)',
  },
  {
    // 唔好話俾compliance知, 不要告诉合规, 唔好話俾人知, 瞞住老細.
    kind: 'off_record',
    language: 'zh',
    anchors: [
      'compliance',
      '合規',
      '合规',
      '監察',
      '监察',
      '法規',
      '法规',
      '法律部',
      '老細',
      '老细',
      '上司',
      '經理',
      '经理',
      '老闆',
      '老板',
      '監管',
      '监管',
      '證監',
      '证监',
      '公司',
      '其他人',
      '人哋',
      '人地',
      '任何人',
      '第三者',
      '別人',
      '别人',
      'risk',
      '人知',
    ],
    pattern: `${DONT_ZH}(?:話俾|话俾|話畀|话畀|話比|講俾|讲俾|講畀|讲给|说给|說給|告訴|告诉|告知|通知|報告|报告|透露|話|话|講|讲|說|说|同|跟|和|俾|畀|讓|让|提)(?:俾|畀|比|給|给|過|过)?(?:${BOSS_ZH}(?:部|部門|部门|嗰邊|嗰边|那邊|那边|同事)?(?:知道|知|聽|听|睇|看)?|人(?:知道|知))|${BOSS_ZH}(?:部|部門|部门)?(?:唔使|唔駛|唔洗|不用|不需要|不必|毋須|无须|無須)(?:知道|知)|(?:瞞住|瞒住|瞞著|瞒着|瞞|瞒)${BOSS_ZH}`,
  },
];

const RETURN_GUARANTEE_ZH: Family[] = [
  {
    // 保證賺, 保证10%回报, 包你賺, 包升, 實賺.
    kind: 'return_guarantee',
    language: 'zh',
    anchors: ['保證', '保证', '包', '擔保', '担保', '實', '实'],
    pattern: String.raw`(?:保證|保证|擔保|担保|(?<![麵面書书錢钱荷紅红背手錢钱])包)(?:你|您|一定|會|会|實|实)?(?:有錢賺|有钱赚|賺錢|赚钱|賺|赚|升|回報|回报|收益|利潤|利润|獲利|获利|盈利|翻倍|發達|发达|發財|发财|(?:發|发)(?![票行展布佈生現现出送給给貨货放表言])|唔蝕|唔會蝕|不亏|不虧|不会亏|不會虧|冇蝕|冇得蝕|無損|无损|本金|回本|贏|赢|\s*${NUMBER}\s*(?:%|厘|釐|個巴仙|个巴仙|成|倍)(?:回報|回报|收益|利息|息)?)|(?:實|实)(?:賺|赚|升|有錢賺|有钱赚|贏|赢)`,
  },
  {
    // 穩賺不賠, 稳赚, 一定升, 必升, 贏硬, 冇得輸, 唔會蝕, 百分百安全.
    kind: 'return_guarantee',
    language: 'zh',
    anchors: [
      '穩',
      '稳',
      '必',
      '梗',
      '一定',
      '贏硬',
      '赢硬',
      '食定',
      '坐定',
      '十拿九',
      '百分百',
      '百分之一百',
      '100%',
      '100 %',
      '冇得',
      '没得',
      '沒得',
      '包冇',
      '唔會',
      '唔会',
      '不會',
      '不会',
    ],
    pattern: String.raw`穩賺不賠|稳赚不赔|穩賺|稳赚|穩袋|稳袋|穩升|稳升|穩贏|稳赢|穩陣賺|稳阵赚|必賺|必赚|必升|必勝|必胜|梗(?:係|系)?(?:升|賺|赚)|一定(?:會|会)?(?:有錢賺|有钱赚|升|賺|赚|翻倍|回本|發達|发达|贏|赢)|贏硬|赢硬|食定|坐定粒六|十拿九穩|十拿九稳|(?:百分百|百分之一百|100\s*%)(?:會|会)?(?:賺錢|赚钱|賺|赚|升|安全|穩|稳|保本|冇風險|无风险|無風險|没有风险|沒有風險)|(?<![有會会是])(?:冇得|没得|沒得)(?:輸|输|蝕|蚀)|包冇(?:蝕|輸)|(?<![會会])(?:唔會|唔会|不會|不会)(?:蝕|蚀|輸|输|虧|亏)(?:錢|钱|本)?(?=$|[^\u4e00-\u9fff]|[㗎架嘅喎啦喇囉呀吖])`,
  },
  {
    // 保本保息, 保證本金; 零風險, 冇風險 (not 無風險利率, the risk-free rate).
    kind: 'return_guarantee',
    language: 'zh',
    anchors: ['保本', '保息', '風險', '风险'],
    pattern: `保本保息|保本保收益|保本(?!價|价|位|點|点|線|线)|保息|(?:保證|保证)本金|(?:零|(?<![有會会是])(?:冇|沒有|没有|無|无)|毫無|毫无|完全冇|完全沒有|完全没有|無任何|无任何|冇任何|一啲都冇)(?:風險|风险)(?!利率|回報率|回报率|資產|资产|收益率|利息|承受|評估|评估|管理|披露)`,
  },
];

const PERSON_ZH =
  '(?:老婆|老公|太太|丈夫|妻子|爸爸|媽媽|妈妈|老豆|老竇|老窦|阿爸|阿媽|阿妈|爹哋|媽咪|妈咪|哥哥|大佬|家姐|姐姐|細佬|细佬|弟弟|妹妹|細妹|细妹|兒子|儿子|個仔|个仔|女兒|女儿|個女|个女|囡囡|男朋友|女朋友|男友|女友|朋友|老友|好友|親戚|亲戚|同事|老闆|老板|老細|老细|拍檔|拍档|合夥人|合伙人|伙伴|夥伴|表哥|表姐|表弟|表妹|堂兄|堂弟|舅父|舅舅|叔叔|阿叔|姑媽|姑妈|阿姨|姨媽|姨妈|外父|外母|岳父|岳母|家人|親人|亲人|秘書|秘书|助手|助理|司機|司机|工人|父母|爸媽|爸妈|爺爺|爷爷|嫲嫲|奶奶|婆婆|公公|外婆|外公|孫仔|孙子|孫女|孙女|女婿|新抱|媳婦|媳妇|未婚妻|未婚夫|客人|客戶|客户)';
const ACCOUNT_ZH = '(?:戶口|户口|賬戶|账户|帳戶|帐户|戶頭|户头|賬號|账号|帳號|帐号|account|a/c)';
const OWNER_ZH = '(?:我哋|我們|我们|我|你|佢哋|佢|他们|她们|他|她)(?:嘅|的|個|个|啲)?';
/** Someone else, or an account that is not said to be the client's own. */
const TARGET_ZH = alt(
  `(?:${OWNER_ZH})?${PERSON_ZH}(?:嘅|的|個|个)?${ACCOUNT_ZH}?`,
  `${OWNER_ZH}(?:爸|媽|妈|哥|姐|弟|妹|仔|女|囝|先生|太)(?:嘅|的|個|个)?${ACCOUNT_ZH}?`,
  `(?:第三方|第三者|其他人|別人|别人|人哋|人地|另一個人|另一个人)(?:嘅|的|個|个)?${ACCOUNT_ZH}?`,
  `(?:佢哋|佢|他们|她们|他|她)(?:嘅|的|個|个)?${ACCOUNT_ZH}`,
  `(?:(?:呢|這|这|此|嗰|那)(?:個|个|條|条)?|以下|下面|下列|附上|如下)(?:銀行|银行)?(?:${ACCOUNT_ZH}|收款人|受益人|收款帳戶|收款账户|收款方)`,
  '(?:收款人|受益人|收款方)',
  String.raw`[A-Za-z][\w&.-]*(?:\s+[A-Za-z][\w&.-]*){0,3}\s*(?:有限公司|公司|ltd\.?|limited|inc\.?|llc)`,
  String.raw`(?![\u4e00-\u9fff]{0,6}?(?:證券|证券))[\u4e00-\u9fff]{2,8}?有限公司`,
  '(?:第三方|其他|別的|别的|另一間|另一间|另一家)公司',
);
/** The same, where a bare 轉 could be passing a call or a case on (轉俾同事跟進): an account or a payee. */
const ACCOUNT_TARGET_ZH = alt(
  `(?:${OWNER_ZH})?${PERSON_ZH}(?:嘅|的|個|个)?${ACCOUNT_ZH}`,
  `${OWNER_ZH}(?:爸|媽|妈|哥|姐|弟|妹|仔|女|囝|先生|太)(?:嘅|的|個|个)?${ACCOUNT_ZH}`,
  `(?:第三方|第三者|其他人|別人|别人|人哋|人地|另一個人|另一个人)(?:嘅|的|個|个)?${ACCOUNT_ZH}?`,
  `(?:佢哋|佢|他们|她们|他|她)(?:嘅|的|個|个)?${ACCOUNT_ZH}`,
  `(?:(?:呢|這|这|此|嗰|那)(?:個|个|條|条)?|以下|下面|下列|附上|如下)(?:銀行|银行)?(?:${ACCOUNT_ZH}|收款人|受益人|收款帳戶|收款账户|收款方)`,
  '(?:收款人|受益人|收款方)',
  String.raw`[A-Za-z][\w&.-]*(?:\s+[A-Za-z][\w&.-]*){0,3}\s*(?:有限公司|公司|ltd\.?|limited|inc\.?|llc)`,
  String.raw`(?![\u4e00-\u9fff]{0,6}?(?:證券|证券))[\u4e00-\u9fff]{2,8}?有限公司`,
  '(?:第三方|其他|別的|别的|另一間|另一间|另一家)公司',
);
/** Between the verb and where the money goes: an amount, 啲股票, 晒; never another preposition. */
const GAP_CHAR_ZH = '[^，。！？；,!?;\\n去到入俾畀比給给至落向過过往]';
const GAP_ZH = `${GAP_CHAR_ZH}{0,16}`;
const ASSET_ZH = String.raw`(?:錢|钱|萬|万|蚊|元|股|貨|货|款|資金|资金|\d|港幣|港币|美金|美元|人民幣|人民币|倉|仓|hkd|usd|rmb|cny)`;
const PREP_ZH = '(?:過去|过去|去|到|入|俾|畀|比|給|给|至|落|向|往)';
const MONEY_VERB_ZH =
  '(?:轉賬|转账|轉帳|转帐|轉數|转数|轉錢|转钱|轉股|转股|轉貨|转货|轉款|转款|匯款|汇款|匯錢|汇钱|電匯|电汇|過數|过数|過戶|过户|付款|付錢|付钱|支付|入錢|入钱|入數|入数|打錢|打钱|打款|俾錢|畀錢|給錢|给钱|存錢|存钱|撥款|拨款|劃款|划款|劃撥|划拨)';
const BARE_VERB_ZH = '(?:轉|转|匯|汇|撥|拨|劃|划|存|付)';
const THIRD_PARTY_ZH: Family[] = [
  {
    // 匯款去第三方, 付款俾ABC公司, 轉帳到呢個戶口, 過戶俾我個仔; 俾錢我老婆 with no preposition.
    kind: 'third_party_transfer',
    language: 'zh',
    anchors: [
      '轉賬',
      '转账',
      '轉帳',
      '转帐',
      '轉數',
      '转数',
      '轉錢',
      '转钱',
      '轉股',
      '转股',
      '轉貨',
      '转货',
      '轉款',
      '转款',
      '匯款',
      '汇款',
      '匯錢',
      '汇钱',
      '電匯',
      '电汇',
      '過數',
      '过数',
      '過戶',
      '过户',
      '付款',
      '付錢',
      '付钱',
      '支付',
      '入錢',
      '入钱',
      '入數',
      '入数',
      '打錢',
      '打钱',
      '打款',
      '俾錢',
      '畀錢',
      '給錢',
      '给钱',
      '存錢',
      '存钱',
      '撥款',
      '拨款',
      '劃款',
      '划款',
      '劃撥',
      '划拨',
    ],
    pattern: `${MONEY_VERB_ZH}(?:${GAP_ZH}${PREP_ZH})?${TARGET_ZH}`,
  },
  {
    // 幫我轉50萬去我老婆個戶口 (an amount), 轉去我老公戶口 (an account), 把钱转给我朋友 (the money first).
    kind: 'third_party_transfer',
    language: 'zh',
    anchors: ['轉', '转', '匯', '汇', '撥', '拨', '劃', '划', '存', '付'],
    pattern: `${BARE_VERB_ZH}(?:${GAP_CHAR_ZH}{0,12}${ASSET_ZH}${GAP_ZH}${PREP_ZH}${TARGET_ZH}|${GAP_ZH}${PREP_ZH}${ACCOUNT_TARGET_ZH})|(?:把|將|将)(?:啲|D|d|所有|全部)?(?:錢|钱|資金|资金|款|股票|股份|貨|货)(?:全部|都|晒)?(?:轉|转|匯|汇|撥|拨|劃|划|存|付|打)${GAP_ZH}${PREP_ZH}${TARGET_ZH}`,
  },
];

const FAMILIES: readonly Family[] = [
  ...OFF_CHANNEL_EN,
  ...OFF_RECORD_EN,
  ...RETURN_GUARANTEE_EN,
  ...THIRD_PARTY_EN,
  ...OFF_CHANNEL_ZH,
  ...OFF_RECORD_ZH,
  ...RETURN_GUARANTEE_ZH,
  ...THIRD_PARTY_ZH,
];

const COMPILED: readonly RegExp[] = FAMILIES.map((f) => new RegExp(f.pattern, 'gi'));

/** Each anchor, lower-case, and the families it opens. */
const ANCHOR_FAMILIES = new Map<string, number[]>();
const WHOLE_WORDS = new Set<string>();
for (const [i, f] of FAMILIES.entries()) {
  for (const anchor of f.anchors) {
    const whole = anchor.startsWith('=');
    const key = (whole ? anchor.slice(1) : anchor).toLowerCase();
    if (whole) WHOLE_WORDS.add(key);
    const families = ANCHOR_FAMILIES.get(key);
    if (families === undefined) ANCHOR_FAMILIES.set(key, [i]);
    else if (!families.includes(i)) families.push(i);
  }
}
// The scan takes the longest anchor at a place: one that holds another ("delete" holds "delet") opens its families too.
for (const [key, families] of ANCHOR_FAMILIES) {
  for (const [other, more] of ANCHOR_FAMILIES) {
    if (other === key || !key.includes(other)) continue;
    for (const i of more) if (!families.includes(i)) families.push(i);
  }
}
/** The cheap first look: one scan for every anchor. */
const ANCHORS = new RegExp(
  [...ANCHOR_FAMILIES.keys()]
    .sort((a, b) => b.length - a.length)
    .map((a) => (WHOLE_WORDS.has(a) ? `\\b${escapeRegExp(a)}\\b` : escapeRegExp(a)))
    .join('|'),
  'gi',
);

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export function findCues(raw: string): Cue[] {
  // Full-width forms (？, ｗｈａｔｓａｐｐ) read as ASCII; folding keeps every offset.
  const text = foldWidth(raw);
  let open: Uint8Array | null = null;
  ANCHORS.lastIndex = 0;
  for (let m = ANCHORS.exec(text); m !== null; m = ANCHORS.exec(text)) {
    open ??= new Uint8Array(FAMILIES.length);
    for (const i of ANCHOR_FAMILIES.get(m[0].toLowerCase()) ?? []) open[i] = 1;
    // Anchors may overlap ("私人" inside "我私人號碼"): look again one character on.
    ANCHORS.lastIndex = m.index + 1;
  }
  return open === null ? [] : scan(raw, text, open);
}

/** findCues without the first look: every family over the whole text. Tests hold the two equal. */
export function findCuesExhaustively(raw: string): Cue[] {
  return scan(raw, foldWidth(raw), new Uint8Array(FAMILIES.length).fill(1));
}

function scan(raw: string, text: string, open: Uint8Array): Cue[] {
  const found: Cue[] = [];
  for (const [i, family] of FAMILIES.entries()) {
    if (open[i] !== 1) continue;
    const re = COMPILED[i]!;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const start = m.index;
      const end = start + m[0].length;
      if (end === start) {
        re.lastIndex = start + 1;
        continue;
      }
      if (accepted(text, family, start, end)) {
        found.push({ kind: family.kind, start, end, phrase: raw.slice(start, end), language: family.language });
      } else {
        // A rejected match may hide a shorter one inside it that stands.
        re.lastIndex = start + 1;
      }
    }
  }
  return oncePerRegion(found);
}

function accepted(text: string, family: Family, start: number, end: number): boolean {
  const before = clauseBefore(text, start);
  if (negated(before)) return false;
  if (family.kind === 'return_guarantee' && asked(text, before, end)) return false;
  if (family.unless?.test(text.slice(Math.max(0, start - 60), end + 60))) return false;
  return true;
}

/** At most one cue of a kind where its matches overlap: the first, and the longest of those that start there. */
function oncePerRegion(found: Cue[]): Cue[] {
  found.sort((a, b) => a.start - b.start || b.end - a.end || CUE_KINDS.indexOf(a.kind) - CUE_KINDS.indexOf(b.kind));
  const regionEnd = new Map<CueKind, number>();
  const cues: Cue[] = [];
  for (const cue of found) {
    const end = regionEnd.get(cue.kind) ?? -1;
    if (cue.start >= end) cues.push(cue);
    regionEnd.set(cue.kind, Math.max(end, cue.end));
  }
  return cues;
}

/** How far back (UTF-16 units) a negation or question word still governs a phrase. */
const WINDOW = 48;
const BREAKS = new Set(['.', ',', '!', '?', ';', ':', '\n', '。', '，', '、', '！', '？', '；', '：', '…']);

function isBreak(text: string, i: number): boolean {
  const ch = text[i]!;
  if (!BREAKS.has(ch)) return false;
  // "HKD 1,000,000" and "1.5m" go on.
  return !((ch === ',' || ch === '.') && isDigit(text.charCodeAt(i - 1)) && isDigit(text.charCodeAt(i + 1)));
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** The clause before a phrase, from its last "but" or 不過 on, and no more than WINDOW long. */
function clauseBefore(text: string, start: number): string {
  let i = start;
  const stop = Math.max(0, start - WINDOW);
  while (i > stop && !isBreak(text, i - 1)) i--;
  return text.slice(i, start).replace(BUT, '');
}
const BUT = /^[\s\S]*(?:\bbut\b|\bhowever\b|\bthough\b|\balthough\b|但係|但是|不過|不过|可是|但)/i;

/** Said to reassure, not to deny: "don't worry, guaranteed 10%", 唔使驚保證賺. */
const REASSURANCE =
  /\b(?:don['’]?t\s+worry|do\s+not\s+worry|no\s+worries|not\s+to\s+worry|no\s+problem|no\s+prob|no\s+doubt|no\s+kidding|not\s+kidding|no\s+joke|no\s+lie|no\s+cap|not\s+only|no\s+matter|never\s+mind|believe\s+it\s+or\s+not)\b|唔使驚|唔駛驚|唔洗驚|唔好驚|唔使擔心|唔使担心|唔駛擔心|不用怕|不用擔心|不用担心|別擔心|别担心|不要擔心|不要担心|冇問題|冇问题|沒問題|没问题|無問題|无问题|唔好意思|不好意思|冇錯|没错|沒錯|無錯/gi;
const NEGATION_EN =
  /\b(?:no|not|never|don['’]?t|dont|doesn['’]?t|didn['’]?t|won['’]?t|wont|can['’]?t|cant|cannot|isn['’]?t|aren['’]?t|wasn['’]?t|weren['’]?t|shouldn['’]?t|wouldn['’]?t|couldn['’]?t|mustn['’]?t|hardly|without|nor|neither|nothing|nobody|none)\b/i;
// 唔該 is "please", 不過 "but", 不錯 "not bad", 未來 "future", 無論 "whatever", 非常 "very", 別人 "someone else".
const NEGATION_ZH =
  /唔(?![該该])|不(?![過过如少同錯错然斷断停但僅仅只])|冇|沒|没|未(?![來来])|無(?!論)|无(?!论)|非(?!常)|別(?!人)|别(?!人)|莫|勿/;

/** A negation among the last four words, or the last four characters of Chinese, before the phrase. */
function negated(before: string): boolean {
  if (before.length === 0) return false;
  const plain = before.replace(REASSURANCE, ' ');
  const words = plain.trim().split(/\s+/);
  if (NEGATION_EN.test(words.slice(-4).join(' '))) return true;
  return NEGATION_ZH.test(plain.replace(/\s+/g, '').slice(-4));
}

const QUESTION_OPENER =
  /^\s*(?:is|are|was|were|do|does|did|can|could|will|would|shall|should|isn['’]?t|aren['’]?t|any|how|what|why|whether|if|has|have)\b/i;
const QUESTION_ZH =
  /係咪|系咪|是否|是不是|有冇|有沒有|有没有|會唔會|会不会|可唔可以|可不可以|能不能|能否|點會|点会|怎會|怎会|怎麼會|怎么会|邊有|边有|哪有|如果|假如|若果|若然|萬一|万一/;

/** A guarantee asked about, or supposed, is not given: "guaranteed?", "is it risk-free", 保證賺嗎, 如果保本. */
function asked(text: string, before: string, end: number): boolean {
  if (QUESTION_OPENER.test(before) || QUESTION_ZH.test(before)) return true;
  const stop = Math.min(text.length, end + WINDOW);
  for (let i = end; i < stop; i++) {
    const ch = text[i]!;
    if (ch === '?' || ch === '嗎' || ch === '吗' || ch === '咩') return true;
    if (isBreak(text, i)) return false;
  }
  return false;
}
