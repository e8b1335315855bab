import { describe, expect, it } from 'vitest'
import {
  CHAT_HELP,
  DEFAULT_SUMMARY_TIME,
  TOKEN_HELP,
  summaryZone,
  summaryZoneLabel,
  telegramFormFromUser,
  telegramPatch,
  telegramStatusText,
  telegramTestPayload,
  telegramTestResult,
  validateTelegramForm,
} from '../settings.js'

const TOKEN = '7000000001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0'
const form = (over = {}) => ({ token: '', tokenHint: '', chatId: '', enabled: false, summaryTime: '20:00', ...over })

describe('formulaire ↔ profil', () => {
  it('le jeton n’est jamais relu : seul son indice masqué', () => {
    expect(telegramFormFromUser({ telegram_bot_token_hint: '****saw0', telegram_chat_id: '42', telegram_enabled: true, telegram_summary_time: '' })).toEqual({
      token: '', tokenHint: '****saw0', chatId: '42', enabled: true, summaryTime: '',
    })
    expect(telegramFormFromUser(null)).toEqual(form({ summaryTime: DEFAULT_SUMMARY_TIME }))
  })

  it('le jeton n’est envoyé que s’il a été saisi ; le fuseau du résumé accompagne toujours', () => {
    expect(telegramPatch(form({ tokenHint: '****saw0', chatId: ' 42 ', enabled: true }), 'Europe/Paris')).toEqual({
      telegram_chat_id: '42', telegram_enabled: true, telegram_summary_time: '20:00', telegram_timezone: 'Europe/Paris',
    })
    expect(telegramPatch(form({ token: ` ${TOKEN} ` }), '')).toMatchObject({ telegram_bot_token: TOKEN, telegram_timezone: 'UTC' })
  })

  it('« Tester » envoie les valeurs saisies, sinon rien (celles du profil)', () => {
    expect(telegramTestPayload(form())).toEqual({})
    expect(telegramTestPayload(form({ token: TOKEN, chatId: '@aristobot_canal' }))).toEqual({ telegram_bot_token: TOKEN, telegram_chat_id: '@aristobot_canal' })
  })
})

describe('fuseau du résumé quotidien', () => {
  it('suit le fuseau d’affichage des dates', () => {
    expect(summaryZone('UTC', 'Europe/Paris')).toBe('UTC')
    expect(summaryZone('local', 'Europe/Paris')).toBe('Europe/Paris')
    expect(summaryZone('local', '')).toBe('UTC')
    expect(summaryZoneLabel('local', 'Europe/Paris')).toBe('heure locale, Europe/Paris')
    expect(summaryZoneLabel('UTC', 'Europe/Paris')).toBe('UTC')
  })
})

describe('validation (mêmes règles que le backend)', () => {
  it('accepte un jeton @BotFather, un chat id entier ou @canal', () => {
    expect(validateTelegramForm(form({ token: TOKEN, chatId: '123456789', enabled: true }))).toEqual({})
    expect(validateTelegramForm(form({ tokenHint: '****saw0', chatId: '-1001234567890', enabled: true }))).toEqual({})
    expect(validateTelegramForm(form({ tokenHint: '****saw0', chatId: '@aristobot_canal', enabled: true }))).toEqual({})
  })

  it('refuse les formats invalides en français', () => {
    const errors = validateTelegramForm(form({ token: '123:abc', chatId: '12ab', summaryTime: '25:00' }))
    expect(errors).toEqual({ token: TOKEN_HELP, chatId: CHAT_HELP, summaryTime: 'Heure du résumé invalide : HH:MM attendu (ex. 20:00), ou vide.' })
    expect(validateTelegramForm(form({ token: `${TOKEN}x` })).token).toBe(TOKEN_HELP)
    expect(validateTelegramForm(form({ chatId: '@a b' })).chatId).toBe(CHAT_HELP)
  })

  it('activer ou tester exige jeton et chat id ; désactivé, rien n’est exigé', () => {
    expect(validateTelegramForm(form())).toEqual({})
    expect(validateTelegramForm(form({ enabled: true }))).toEqual({
      token: 'Indiquez le jeton du bot (donné par @BotFather).', chatId: 'Indiquez le chat id (votre identifiant, ou @canal).',
    })
    expect(Object.keys(validateTelegramForm(form(), { forTest: true }))).toEqual(['token', 'chatId'])
    expect(validateTelegramForm(form({ summaryTime: 'xx' }), { forTest: true })).toMatchObject({ token: expect.any(String) })
    expect(validateTelegramForm(form({ summaryTime: '' }))).toEqual({})
  })
})

describe('résultat de « Tester » et état', () => {
  it('réponse de l’API, ou erreur réseau / 429', () => {
    expect(telegramTestResult({ ok: true, detail: 'Message de test envoyé par @bot au chat 42 : vérifiez Telegram.' })).toEqual({ ok: true, message: 'Message de test envoyé par @bot au chat 42 : vérifiez Telegram.' })
    expect(telegramTestResult({ ok: false, detail: 'Chat introuvable (« Bad Request: chat not found »)' })).toEqual({ ok: false, message: 'Chat introuvable (« Bad Request: chat not found »)' })
    expect(telegramTestResult(null, new Error('Trop de tests Telegram : réessayez dans 42 s.'))).toEqual({ ok: false, message: 'Trop de tests Telegram : réessayez dans 42 s.' })
    expect(telegramTestResult({})).toEqual({ ok: false, message: 'Échec du test Telegram.' })
  })

  it('phrase d’état', () => {
    expect(telegramStatusText(form(), 'UTC')).toMatch(/désactivées/)
    expect(telegramStatusText(form({ enabled: true }), 'UTC')).toBe('Notifications actives : ordres, SL/TP, erreurs de stratégie, heartbeat ; résumé quotidien à 20:00 (UTC).')
    expect(telegramStatusText(form({ enabled: true, summaryTime: '' }), 'UTC')).toMatch(/sans résumé quotidien/)
  })
})
