import { http } from './client.js'

/**
 * « Tester » Telegram : getMe puis un message de test, avec les valeurs saisies (ou celles du profil).
 * Un refus de Telegram n'est pas une erreur HTTP : `{ok: false, detail}` en français.
 * @param {{telegram_bot_token?: string, telegram_chat_id?: string}} payload
 * @returns {Promise<{ok: boolean, detail: string}>}
 */
export const testTelegram = (payload) => http.post('telegram/test/', payload)
