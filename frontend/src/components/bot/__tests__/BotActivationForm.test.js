import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeWebSocket } from '../../../../tests/helpers/fakeWebSocket.js'
import { jsonResponse, requestBody, stubFetch } from '../../../../tests/helpers/fetch.js'
import { useAuthStore } from '../../../stores/auth.js'
import { useBotStore } from '../../../stores/bot.js'
import { useBrokersStore } from '../../../stores/brokers.js'
import { resetSockets } from '../../../websocket/index.js'
import BotActivationForm from '../BotActivationForm.vue'

const BROKERS = [
  { id: 5, name: 'Principal', exchange: 'binance', is_default: true, is_testnet: false },
  { id: 7, name: 'Kraken', exchange: 'kraken', is_default: false, is_testnet: false },
]
const LIMIT = 'Limite atteinte : au maximum 20 stratégies actives simultanément. Arrêtez ou suspendez une stratégie avant d’en activer une autre.'

describe('BotActivationForm', () => {
  let pinia
  let fetchMock

  beforeEach(() => {
    vi.stubGlobal('WebSocket', FakeWebSocket)
    resetSockets()
    pinia = createPinia()
    setActivePinia(pinia)
    useAuthStore().user = { id: 1, username: 'dac', display_timezone: 'UTC' }
    Object.assign(useBrokersStore(), { brokers: BROKERS, loaded: true })
    Object.assign(useBotStore(), { strategies: [{ id: 3, name: 'Achat', timeframe: '1m' }], strategiesLoaded: true })
    fetchMock = stubFetch({
      'GET /api/market-symbols/': (url) =>
        jsonResponse(200, new URL(url, 'http://t').searchParams.get('exchange') === 'kraken'
          ? { count: 0, results: [] }
          : { count: 1, results: [{ id: 1, symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT' }] }),
      'POST /api/active-strategies/': jsonResponse(409, { detail: LIMIT }),
    })
  })

  afterEach(() => resetSockets())

  const mountForm = async () => {
    const wrapper = mount(BotActivationForm, { global: { plugins: [pinia], stubs: { RouterLink: { template: '<a><slot /></a>' } } } })
    await flushPromises()
    return wrapper
  }
  const posts = () => fetchMock.mock.calls.filter(([, init]) => init?.method === 'POST')

  it('pré-choisit le broker par défaut et l’unique stratégie, dont l’unité de temps est affichée', async () => {
    const wrapper = await mountForm()
    expect(wrapper.find('[data-testid="bot-broker-select"]').element.value).toBe('5')
    expect(wrapper.find('[data-testid="bot-strategy-timeframe"]').text()).toBe('1m')
    expect(wrapper.find('[data-testid="bot-symbol-BTC/USDT"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="bot-start"]').element.value).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/)
  })

  it('sans symbole ou avec une fin avant le début : erreurs en français, rien n’est envoyé', async () => {
    const wrapper = await mountForm()
    await wrapper.find('[data-testid="bot-end"]').setValue('2000-01-01T00:00')
    await wrapper.find('form').trigger('submit')
    expect(wrapper.text()).toContain('Choisissez un symbole dans la liste.')
    expect(wrapper.find('[data-testid="bot-end-error"]').text()).toBe('La date de fin doit être postérieure à la date de début.')
    expect(posts()).toHaveLength(0)
  })

  it('refus 409 (limite de 20) : le message du serveur s’affiche dans le formulaire', async () => {
    const wrapper = await mountForm()
    await wrapper.find('[data-testid="bot-symbol-BTC/USDT"]').trigger('click')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(requestBody(fetchMock, fetchMock.mock.calls.indexOf(posts()[0]))).toMatchObject({ strategy: 3, broker: 5, symbol: 'BTC/USDT', is_active: true })
    expect(wrapper.find('[data-testid="bot-activation-error"]').text()).toBe(LIMIT)
    expect(wrapper.emitted('activated')).toBeUndefined()
  })

  it('fuseau « heure locale » : libellés qui le disent, instants exacts envoyés ; passage en UTC = mêmes instants', async () => {
    useAuthStore().user = { id: 1, username: 'dac', display_timezone: 'local' }
    const wrapper = await mountForm()
    const labels = () => wrapper.findAll('.bot-form__dates .field__label').map((l) => l.text())
    expect(labels()).toEqual(['Début (heure locale)', 'Fin (heure locale)'])
    await wrapper.find('[data-testid="bot-symbol-BTC/USDT"]').trigger('click')
    await wrapper.find('[data-testid="bot-start"]').setValue('2099-07-01T14:00') // Paris l'été : UTC+2
    await wrapper.find('[data-testid="bot-end"]').setValue('2099-12-01T14:00') // l'hiver : UTC+1
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(requestBody(fetchMock, fetchMock.mock.calls.indexOf(posts()[0]))).toMatchObject({
      start_date: '2099-07-01T12:00:00.000Z', end_date: '2099-12-01T13:00:00.000Z',
    })
    useAuthStore().user = { ...useAuthStore().user, display_timezone: 'UTC' }
    await flushPromises()
    expect(labels()).toEqual(['Début (UTC)', 'Fin (UTC)'])
    expect(wrapper.find('[data-testid="bot-start"]').element.value).toBe('2099-07-01T12:00')
  })

  it('exchange sans paires chargées : « Charger les paires » sur place, puis la liste se recharge', async () => {
    let loaded = false
    fetchMock = stubFetch({
      'GET /api/market-symbols/': () => jsonResponse(200, loaded
        ? { count: 1, results: [{ id: 2, symbol: 'XBT/EUR', base: 'XBT', quote: 'EUR' }] }
        : { count: 0, results: [] }),
      'POST /api/brokers/7/update-pairs/': () => {
        loaded = true
        return jsonResponse(202, { job_id: 4, started: true, job: { id: 4, exchange: 'kraken', status: 'done', total: 1 } })
      },
    })
    const wrapper = await mountForm()
    await wrapper.find('[data-testid="bot-broker-select"]').setValue('7')
    await flushPromises()
    expect(wrapper.find('[data-testid="bot-symbols-empty-hint"]').text()).toContain('Aucune paire enregistrée pour')
    await wrapper.find('[data-testid="pairs-missing-load"]').trigger('click')
    await flushPromises()
    await new Promise((resolve) => setTimeout(resolve, 400)) // recherche temporisée
    await flushPromises()
    expect(wrapper.find('[data-testid="bot-symbol-XBT/EUR"]').exists()).toBe(true)
  })

  it('stratégie au code invalide : signalée avant l’envoi', async () => {
    Object.assign(useBotStore(), {
      strategies: [{ id: 3, name: 'Cassée', timeframe: '1m', validation: { ok: false, line: 4, error: 'ZeroDivisionError' } }],
    })
    const wrapper = await mountForm()
    expect(wrapper.find('[data-testid="bot-strategy-select"]').text()).toContain('code invalide')
    expect(wrapper.find('[data-testid="bot-strategy-invalid"]').text()).toContain('Code invalide (ligne 4) : ZeroDivisionError')
  })
})
