/**
 * Notifications Telegram (Mon Compte) : formulaire ↔ profil, validation (mêmes règles que le
 * backend), fuseau du résumé quotidien, texte du résultat de « Tester ». Logique pure.
 */

/** Jeton donné par @BotFather : « <identifiant>:<35 caractères> ». */
export const TOKEN_PATTERN = /^\d{3,20}:[A-Za-z0-9_-]{35}$/
/** Chat id : entier (négatif pour un groupe ou un canal) ou @nom_du_canal. */
export const CHAT_ID_PATTERN = /^(-?[1-9]\d{0,19}|@[A-Za-z][A-Za-z0-9_]{3,31})$/
export const TIME_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/
export const DEFAULT_SUMMARY_TIME = '20:00'

export const TOKEN_HELP = 'Jeton de bot invalide : format « 123456789:ABC… » attendu (chiffres, deux-points, 35 caractères), tel que donné par @BotFather.'
export const CHAT_HELP = 'Chat id invalide : un nombre entier (ex. 123456789, ou -100… pour un groupe) ou @nom_du_canal.'

/** Formulaire initial à partir du profil (le jeton n'est jamais relu : seul son indice masqué l'est). */
export function telegramFormFromUser(user) {
  return {
    token: '',
    tokenHint: user?.telegram_bot_token_hint ?? '',
    chatId: user?.telegram_chat_id ?? '',
    enabled: Boolean(user?.telegram_enabled),
    summaryTime: user?.telegram_summary_time ?? DEFAULT_SUMMARY_TIME,
  }
}

/**
 * Fuseau du résumé quotidien : celui de l'affichage des dates (Mon Compte › Paramètres d'affichage) ;
 * « heure locale » = le fuseau IANA du navigateur.
 */
export function summaryZone(displayTimezone, browserZone) {
  return displayTimezone === 'local' && browserZone ? browserZone : 'UTC'
}

/** Libellé du fuseau à côté de l'heure du résumé. */
export function summaryZoneLabel(displayTimezone, browserZone) {
  const zone = summaryZone(displayTimezone, browserZone)
  return zone === 'UTC' ? 'UTC' : `heure locale, ${zone}`
}

/** Corps de `PATCH /api/auth/me/` ; le jeton n'est envoyé que si un nouveau a été saisi. */
export function telegramPatch(form, zone) {
  const patch = {
    telegram_chat_id: form.chatId.trim(),
    telegram_enabled: form.enabled,
    telegram_summary_time: form.summaryTime.trim(),
    telegram_timezone: zone || 'UTC',
  }
  if (form.token.trim()) patch.telegram_bot_token = form.token.trim()
  return patch
}

/** Corps de `POST /api/telegram/test/` : valeurs saisies (absentes = celles du profil). */
export function telegramTestPayload(form) {
  const payload = {}
  if (form.token.trim()) payload.telegram_bot_token = form.token.trim()
  if (form.chatId.trim()) payload.telegram_chat_id = form.chatId.trim()
  return payload
}

/** Erreurs par champ (messages français) ; `forTest` : seulement ce que « Tester » utilise. */
export function validateTelegramForm(form, { forTest = false } = {}) {
  const errors = {}
  const token = form.token.trim()
  const chatId = form.chatId.trim()
  if (token && !TOKEN_PATTERN.test(token)) errors.token = TOKEN_HELP
  else if (!token && !form.tokenHint && (form.enabled || forTest)) {
    errors.token = 'Indiquez le jeton du bot (donné par @BotFather).'
  }
  if (chatId && !CHAT_ID_PATTERN.test(chatId)) errors.chatId = CHAT_HELP
  else if (!chatId && (form.enabled || forTest)) errors.chatId = 'Indiquez le chat id (votre identifiant, ou @canal).'
  if (!forTest && form.summaryTime.trim() && !TIME_PATTERN.test(form.summaryTime.trim())) {
    errors.summaryTime = 'Heure du résumé invalide : HH:MM attendu (ex. 20:00), ou vide.'
  }
  return errors
}

/** Résultat de « Tester » à afficher : réponse `{ok, detail}` de l'API, ou erreur (réseau, 400, 429). */
export function telegramTestResult(data, error = null) {
  if (error) return { ok: false, message: error.message || 'Échec du test Telegram.' }
  const ok = data?.ok === true
  return { ok, message: data?.detail || (ok ? 'Message de test envoyé.' : 'Échec du test Telegram.') }
}

/** Phrase d'état sous le formulaire. */
export function telegramStatusText(form, zoneLabel) {
  if (!form.enabled) return 'Notifications Telegram désactivées : aucun message n’est envoyé.'
  const summary = form.summaryTime.trim() ? `résumé quotidien à ${form.summaryTime.trim()} (${zoneLabel})` : 'sans résumé quotidien'
  return `Notifications actives : ordres, SL/TP, erreurs de stratégie, heartbeat ; ${summary}.`
}
