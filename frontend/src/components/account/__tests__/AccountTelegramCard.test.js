import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { jsonResponse, requestBody, stubFetch } from '../../../../tests/helpers/fetch.js'
import { useAuthStore } from '../../../stores/auth.js'
import AccountTelegramCard from '../AccountTelegramCard.vue'

const TOKEN = '7000000001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0'
const USER = { id: 1, username: 'dac', display_timezone: 'UTC', telegram_bot_token_hint: '', telegram_chat_id: '', telegram_enabled: false, telegram_summary_time: '20:00', telegram_timezone: 'UTC' }

describe('AccountTelegramCard', () => {
  let pinia

  beforeEach(() => {
    pinia = createPinia()
    setActivePinia(pinia)
    useAuthStore().user = { ...USER }
  })

  const mountCard = () => mount(AccountTelegramCard, { global: { plugins: [pinia] } })
  const toggle = (w) => w.find('[data-testid="telegram-card"] [role="switch"]')

  it('activer puis enregistrer : PATCH /api/auth/me/ avec le jeton saisi, puis champ vidé et indice masqué', async () => {
    const fetchMock = stubFetch({ 'PATCH /api/auth/me/': jsonResponse(200, { authenticated: true, user: { ...USER, telegram_bot_token_hint: '****saw0', telegram_chat_id: '42', telegram_enabled: true } }) })
    const wrapper = mountCard()
    expect(toggle(wrapper).attributes('aria-checked')).toBe('false')
    expect(wrapper.find('[data-testid="telegram-status"]').text()).toMatch(/désactivées/)
    await toggle(wrapper).trigger('click')
    await wrapper.find('[name="telegram_bot_token"]').setValue(TOKEN)
    await wrapper.find('[name="telegram_chat_id"]').setValue('42')
    await wrapper.find('[data-testid="telegram-save"]').trigger('click')
    await flushPromises()
    expect(requestBody(fetchMock, 0)).toEqual({
      telegram_bot_token: TOKEN, telegram_chat_id: '42', telegram_enabled: true, telegram_summary_time: '20:00', telegram_timezone: 'UTC',
    })
    expect(wrapper.find('[name="telegram_bot_token"]').element.value).toBe('')
    expect(wrapper.find('[name="telegram_bot_token"]').attributes('placeholder')).toBe('Enregistré (****saw0) — laisser vide pour garder')
    expect(wrapper.find('[data-testid="telegram-status"]').text()).toBe('Notifications actives : ordres, SL/TP, erreurs de stratégie, heartbeat ; résumé quotidien à 20:00 (UTC).')
  })

  it('activer sans jeton ni chat id : erreurs en ligne, aucun appel', async () => {
    const fetchMock = stubFetch({})
    const wrapper = mountCard()
    await toggle(wrapper).trigger('click')
    await wrapper.find('[data-testid="telegram-save"]').trigger('click')
    await flushPromises()
    expect(fetchMock).not.toHaveBeenCalled()
    expect(wrapper.text()).toContain('Indiquez le jeton du bot (donné par @BotFather).')
    expect(wrapper.text()).toContain('Indiquez le chat id (votre identifiant, ou @canal).')
  })

  it('refus du serveur : message français et erreur sous le champ', async () => {
    stubFetch({ 'PATCH /api/auth/me/': jsonResponse(400, { detail: 'Données invalides — telegram_chat_id : Chat id invalide.', errors: { telegram_chat_id: ['Chat id invalide.'] } }) })
    const wrapper = mountCard()
    await wrapper.find('[name="telegram_chat_id"]').setValue('@canal_test')
    await wrapper.find('[data-testid="telegram-save"]').trigger('click')
    await flushPromises()
    expect(wrapper.find('[role="alert"]').text()).toBe('Données invalides — telegram_chat_id : Chat id invalide.')
    expect(wrapper.find('.field__error').text()).toBe('Chat id invalide.')
  })

  it('« Tester » : résultat OK, puis erreur Telegram traduite', async () => {
    useAuthStore().user = { ...USER, telegram_bot_token_hint: '****saw0', telegram_chat_id: '42' }
    const answers = [
      { ok: true, detail: 'Message de test envoyé par @aristobot_test_bot au chat 42 : vérifiez Telegram.' },
      { ok: false, detail: 'Jeton du bot refusé par Telegram (« Unauthorized ») : vérifiez le jeton donné par @BotFather.' },
    ]
    const fetchMock = stubFetch({ 'POST /api/telegram/test/': () => jsonResponse(200, answers.shift()) })
    const wrapper = mountCard()
    await wrapper.find('[data-testid="telegram-test"]').trigger('click')
    await flushPromises()
    const result = () => wrapper.find('[data-testid="telegram-test-result"]')
    expect(requestBody(fetchMock, 0)).toEqual({ telegram_chat_id: '42' })
    expect(result().text()).toBe('Message de test envoyé par @aristobot_test_bot au chat 42 : vérifiez Telegram.')
    expect(result().classes()).toContain('telegram-message--ok')
    await wrapper.find('[name="telegram_bot_token"]').setValue(TOKEN)
    await wrapper.find('[data-testid="telegram-test"]').trigger('click')
    await flushPromises()
    expect(requestBody(fetchMock, 1)).toEqual({ telegram_bot_token: TOKEN, telegram_chat_id: '42' })
    expect(result().text()).toMatch(/^Jeton du bot refusé par Telegram \(« Unauthorized »\)/)
    expect(result().classes()).toContain('telegram-message--error')
  })

  it('« Tester » sans jeton : erreur en ligne, aucun appel ; route absente : détail français', async () => {
    const fetchMock = stubFetch({})
    const wrapper = mountCard()
    await wrapper.find('[data-testid="telegram-test"]').trigger('click')
    await flushPromises()
    expect(fetchMock).not.toHaveBeenCalled()
    expect(wrapper.text()).toContain('Indiquez le jeton du bot')
    await wrapper.find('[name="telegram_bot_token"]').setValue(TOKEN)
    await wrapper.find('[name="telegram_chat_id"]').setValue('42')
    await wrapper.find('[data-testid="telegram-test"]').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid="telegram-test-result"]').text()).toBe('Route inconnue du test : POST /api/telegram/test/')
  })

  it('affichage en heure locale : le résumé suit le fuseau du navigateur', async () => {
    useAuthStore().user = { ...USER, display_timezone: 'local' }
    const fetchMock = stubFetch({ 'PATCH /api/auth/me/': jsonResponse(200, { authenticated: true, user: USER }) })
    const wrapper = mountCard()
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone
    expect(wrapper.text()).toContain(zone === 'UTC' ? 'Résumé quotidien (UTC)' : `Résumé quotidien (heure locale, ${zone})`)
    await wrapper.find('[name="telegram_summary_time"]').setValue('07:30')
    await wrapper.find('[data-testid="telegram-save"]').trigger('click')
    await flushPromises()
    expect(requestBody(fetchMock, 0)).toMatchObject({ telegram_summary_time: '07:30', telegram_timezone: zone || 'UTC' })
  })
})
