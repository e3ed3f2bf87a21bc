/** The firm both browser suites start from: two desks, a client on each, and a security master. */

export const STAFF = `employee_id,name,desk,supervisor_id,handles
E1,Wong Ka Ho,HK Equities,,whatsapp:+85298765432
E2,Lam Mei Ling,US Equities,,whatsapp:+85297770000
`;
export const CLIENTS = `client_id,name,accounts,handles,verified_at,verified_by,verification_method,acknowledgement,im_instructed
C1,Chan Tai Man,ACC-001,whatsapp:+85291234567,2026-03-01,E1,video call,ack-C1.pdf,true
C2,Ho Siu Ling,ACC-002,whatsapp:+85290001111,2026-03-02,E2,in branch,ack-C2.pdf,true
`;
export const INSTRUMENTS = `symbol,name,aliases,lot_size,currency,exchange
0005.HK,HSBC Holdings,HSBC|匯豐|汇丰,400,HKD,XHKG
0700.HK,Tencent Holdings,Tencent|騰訊|腾讯,100,HKD,XHKG
`;

/** The Hong Kong desk's client and relationship manager, and the US desk's. */
export const CLIENT = '+85291234567';
export const RM = '+85298765432';
export const US_CLIENT = '+85290001111';
export const US_RM = '+85297770000';
