import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { jsonResponse, requestBody, stubFetch } from '../../../tests/helpers/fetch.js'
import { useStrategiesStore } from '../strategies.js'

const TEMPLATE = 'class MaNouvelleStrategie(Strategy):\n    pass\n'
const strategy = (id, name, extra = {}) => ({
  id,
  user: 2,
  name,
  description: '',
  code: TEMPLATE,
  timeframe: '15m',
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  ...extra,
})
const ZETA = strategy(2, 'Zeta')
const ALPHA = strategy(1, 'alpha', { code: 'class Alpha(Strategy):\n    pass\n' })
const AI_CODE = 'import pandas_ta as ta\n\nclass Croisement(Strategy):\n    pass\n'

async function loadedStore(routes = {}) {
  const fetchMock = stubFetch({ 'GET /api/strategies/': jsonResponse(200, [ZETA, ALPHA]), ...routes })
  const store = useStrategiesStore()
  await store.fetchAll()
  return { store, fetchMock }
}

describe('store strategies', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('trie la liste par nom et ouvre la première stratégie', async () => {
    const { store } = await loadedStore()
    expect(store.items.map((s) => s.name)).toEqual(['alpha', 'Zeta'])
    expect(store.selectedId).toBe(1)
    expect(store.draft).toEqual({ name: 'alpha', description: '', code: ALPHA.code, timeframe: '15m' })
    expect(store.isDirty).toBe(false)
  })

  it('suit les modifications et n’envoie que les champs changés à l’enregistrement', async () => {
    const { store, fetchMock } = await loadedStore({
      'PATCH /api/strategies/1/': (url, init) => jsonResponse(200, { ...ALPHA, ...JSON.parse(init.body) }),
    })
    store.draft.code += '# modifié\n'
    store.draft.timeframe = '1h'
    expect(store.isDirty).toBe(true)
    expect(store.changes).toEqual({ code: ALPHA.code + '# modifié\n', timeframe: '1h' })

    await store.save()
    expect(requestBody(fetchMock, 1)).toEqual({ code: ALPHA.code + '# modifié\n', timeframe: '1h' })
    expect(store.isDirty).toBe(false)
    expect(store.items.find((s) => s.id === 1).timeframe).toBe('1h')
  })

  it('refuse d’enregistrer un nom vide, avec un message français', async () => {
    const { store, fetchMock } = await loadedStore()
    store.draft.name = '   '
    await expect(store.save()).rejects.toThrow('Le nom ne peut pas être vide.')
    expect(fetchMock).toHaveBeenCalledTimes(1)
  })

  it('place l’erreur de validation sur sa ligne et la signale périmée après une frappe', async () => {
    const error = { ok: false, error: 'Erreur de syntaxe ligne 5 : invalid syntax', line: 5, kind: 'syntax', logs: '' }
    const { store, fetchMock } = await loadedStore({ 'POST /api/strategies/validate/': jsonResponse(200, error) })
    await store.validate()
    expect(requestBody(fetchMock, 1)).toEqual({ code: ALPHA.code })
    expect(store.markers).toEqual([{ line: 5, message: error.error, severity: 'error' }])
    expect(store.validationStale).toBe(false)
    store.draft.code += '\n'
    expect(store.validationStale).toBe(true)
  })

  it('montre la proposition de l’IA sans toucher au brouillon, puis l’accepte sans enregistrer', async () => {
    const answer = { code: AI_CODE, explanation: 'Croisement EMA.', provider: 'ollama', model: 'llama3.1', validation: { ok: true } }
    const { store, fetchMock } = await loadedStore({ 'POST /api/strategies/assist/': jsonResponse(200, answer) })

    await store.ask('Croisement EMA 10/20')
    expect(requestBody(fetchMock, 1)).toEqual({ prompt: 'Croisement EMA 10/20', code: ALPHA.code })
    expect(store.suggestion).toMatchObject({ code: AI_CODE, baseCode: ALPHA.code, prompt: 'Croisement EMA 10/20' })
    expect(store.proposedCode).toBe(AI_CODE)
    expect(store.draft.code).toBe(ALPHA.code)

    store.proposedCode = AI_CODE.replace('Croisement', 'Retouche') // retouche dans le diff
    expect(store.acceptSuggestion()).toBe(true)
    expect(store.draft.code).toBe(AI_CODE.replace('Croisement', 'Retouche'))
    expect(store.suggestion).toBeNull()
    expect(store.isDirty).toBe(true)
    expect(fetchMock).toHaveBeenCalledTimes(2) // rien n'est enregistré
  })

  it('rejeter la proposition laisse le brouillon intact', async () => {
    const answer = { code: AI_CODE, explanation: '', provider: 'openrouter', model: 'm', validation: null }
    const { store } = await loadedStore({ 'POST /api/strategies/assist/': jsonResponse(200, answer) })
    await store.ask('x')
    store.rejectSuggestion()
    expect(store.suggestion).toBeNull()
    expect(store.draft.code).toBe(ALPHA.code)
    expect(store.acceptSuggestion()).toBe(false)
  })

  it('garde le message français d’une erreur de l’assistant', async () => {
    const detail = 'Assistant IA désactivé : activez OpenRouter ou Ollama dans Mon Compte.'
    const { store } = await loadedStore({ 'POST /api/strategies/assist/': jsonResponse(409, { detail, code: 'ai_disabled' }) })
    expect(await store.ask('x')).toBeNull()
    expect(store.assistError).toBe(detail)
    expect(store.assisting).toBe(false)
  })

  it('crée une stratégie au nom unique, depuis le template du serveur', async () => {
    const created = strategy(3, 'Nouvelle stratégie')
    const { store, fetchMock } = await loadedStore({ 'POST /api/strategies/': jsonResponse(201, created) })
    await store.create()
    expect(requestBody(fetchMock, 1)).toEqual({ name: 'Nouvelle stratégie' })
    expect(store.selectedId).toBe(3)
    expect(store.draft.code).toBe(TEMPLATE)
  })

  it('duplique la version enregistrée, pas le brouillon', async () => {
    const { store, fetchMock } = await loadedStore({
      'POST /api/strategies/': (url, init) => jsonResponse(201, strategy(4, JSON.parse(init.body).name, JSON.parse(init.body))),
    })
    store.draft.code = 'brouillon'
    await store.duplicate(1)
    expect(requestBody(fetchMock, 1)).toEqual({ name: 'alpha (copie)', code: ALPHA.code, timeframe: '15m' })
  })

  it('renommer la stratégie ouverte garde les autres modifications du brouillon', async () => {
    const { store } = await loadedStore({ 'PATCH /api/strategies/1/': jsonResponse(200, { ...ALPHA, name: 'Beta' }) })
    store.draft.code = 'class B(Strategy):\n    pass\n'
    await store.rename(1, ' Beta ')
    expect(store.draft.name).toBe('Beta')
    expect(store.changes).toEqual({ code: 'class B(Strategy):\n    pass\n' })
  })

  it('supprimer la stratégie ouverte ouvre la suivante', async () => {
    const { store } = await loadedStore({ 'DELETE /api/strategies/1/': jsonResponse(204) })
    await store.remove(1)
    expect(store.items.map((s) => s.id)).toEqual([2])
    expect(store.selectedId).toBe(2)
  })

  it('ouvrir une autre stratégie repart de sa version enregistrée', async () => {
    const { store } = await loadedStore()
    store.draft.code = 'modifié'
    const version = store.docVersion
    store.select(2)
    expect(store.draft.code).toBe(TEMPLATE)
    expect(store.isDirty).toBe(false)
    expect(store.docVersion).toBe(version + 1)
  })

  it('garde le brouillon quand la liste est relue', async () => {
    const { store } = await loadedStore()
    store.draft.code = 'en cours'
    await store.fetchAll()
    expect(store.draft.code).toBe('en cours')
    expect(store.isDirty).toBe(true)
  })
})
