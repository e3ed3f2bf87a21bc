/**
 * What WhatsApp writes in place of content, in the languages of the exports we have met. Matching is
 * on the text with invisible direction marks removed and surrounding space trimmed.
 */

/** A message deleted for everyone ("This message was deleted") or by the exporter ("You deleted …"). */
export const DELETED = new Set([
  'This message was deleted',
  'This message was deleted.',
  'You deleted this message',
  'You deleted this message.',
  'Diese Nachricht wurde gelöscht.',
  'Du hast diese Nachricht gelöscht.',
  'このメッセージは削除されました。',
  'このメッセージを削除しました。',
  'تم حذف هذه الرسالة.',
  'لقد حذَفت هذه الرسالة.',
  'Данное сообщение удалено',
  'Вы удалили данное сообщение',
  'Tato zpráva byla odstraněna.',
  'Tuto zprávu jste odstranil/a.',
  'Se eliminó este mensaje.',
  'Eliminaste este mensaje.',
  'Mensagem apagada',
  'Você apagou esta mensagem',
  'Ce message a été supprimé',
  'Vous avez supprimé ce message',
  'Questo messaggio è stato eliminato',
  'Hai eliminato questo messaggio',
  '此消息已删除',
  '你删除了此消息',
  '此訊息已被刪除',
  '你已刪除此訊息',
]);

/** Appended to an edited message's text by newer exports. */
export const EDITED_SUFFIXES = [
  '<This message was edited>',
  '<Diese Nachricht wurde bearbeitet>',
  '<Se editó este mensaje.>',
  '<Mensagem editada>',
  '<Ce message a été modifié>',
  '<Questo messaggio è stato modificato>',
  '<Сообщение изменено>',
  '<Tato zpráva byla upravena>',
  '<此消息已编辑>',
  '<此訊息已編輯>',
];

/** Android, exported without media: the whole first line of the message. */
export const MEDIA_OMITTED = new Set([
  '<Media omitted>',
  '<Без медиафайлов>',
  '<Média vynechány>',
  '<Medien ausgeschlossen>',
  '<Multimedia omitido>',
  '<Mídia oculta>',
  '<Médias omis>',
  '<Media omessi>',
  '<媒体已省略>',
  '<省略影音內容>',
]);

/** Android, exported with media: `IMG-…jpg (file attached)`. */
export const FILE_ATTACHED =
  /^(.+?\.[\p{L}\p{N}]{1,10}) \((?:file attached|файл добавлен|soubor byl přiložen|Datei angehängt|archivo adjunto|arquivo anexado|fichier joint|file allegato|已附加文件|檔案已附加)\)$/u;

/** iOS, exported with media: `<attached: 00000035-PHOTO-….jpg>`. */
export const ATTACHED = /^<(?:attached|adjunto|anexado|Anhang|allegato|pièce jointe|вложение|附件)\s?: (.+)>$/u;

/** iOS, exported without media: the placeholder, after an invisible mark (a document's name may precede it). */
export const IOS_OMITTED =
  /(?:omitted|weggelassen|ausgelassen|omitido|omis|omesso|опущено|vynechán[oa]?|含まれていません|を省略|已省略|لم يتم إدراج[^\n]*|تم حذف الملصقات)$/u;

/** A shared location is a message even where iOS marks it like a system line. */
export const LOCATION =
  /^(?:Location|Standort|位置情報|موقع|местоположение|poloha|Ubicación|Localização|Position|Posizione|位置):\s*https?:\/\//iu;

/** System notices some exports write with an author (the chat's name). */
export const SYSTEM_WITH_AUTHOR = [
  /^Messages and calls are end-to-end encrypted/,
  /^Messages (?:you send )?to this (?:group|chat) are now secured with end-to-end encryption/,
];
