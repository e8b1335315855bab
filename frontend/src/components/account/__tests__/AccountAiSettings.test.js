import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { jsonResponse, requestBody, stubFetch } from '../../../../tests/helpers/fetch.js'
import { useAuthStore } from '../../../stores/auth.js'
import AccountAiSettings from '../AccountAiSettings.vue'

const USER = { id: 1, username: 'dac', ai_provider: 'none', ai_api_key_hint: '', openrouter_model: 'openai/gpt-4o-mini', ollama_url: 'http://localhost:11434', ollama_model: 'llama3.1' }

describe('AccountAiSettings', () => {
  let pinia

  beforeEach(() => {
    pinia = createPinia()
    setActivePinia(pinia)
    useAuthStore().user = { ...USER }
  })

  const mountCard = () => mount(AccountAiSettings, { global: { plugins: [pinia] } })
  const switches = (w) => ({
    openrouter: w.find('[data-testid="ai-openrouter"] [role="switch"]'),
    ollama: w.find('[data-testid="ai-ollama"] [role="switch"]'),
  })
  const states = (w) => Object.values(switches(w)).map((s) => s.attributes('aria-checked'))

  it('un seul interrupteur allumé à la fois ; les deux éteints = assistant désactivé', async () => {
    const wrapper = mountCard()
    expect(states(wrapper)).toEqual(['false', 'false'])
    expect(wrapper.find('[data-testid="ai-status"]').text()).toMatch(/désactivé/)

    await switches(wrapper).openrouter.trigger('click')
    expect(states(wrapper)).toEqual(['true', 'false'])
    await switches(wrapper).ollama.trigger('click')
    expect(states(wrapper)).toEqual(['false', 'true'])
    expect(wrapper.find('[data-testid="ai-state"]').text()).toBe('Actif')
    await switches(wrapper).ollama.trigger('click')
    expect(states(wrapper)).toEqual(['false', 'false'])
    expect(wrapper.find('[data-testid="ai-state"]').text()).toBe('Désactivé')
  })

  it('enregistre via PATCH /api/auth/me/ (clé seulement si saisie)', async () => {
    const fetchMock = stubFetch({ 'PATCH /api/auth/me/': jsonResponse(200, { authenticated: true, user: { ...USER, ai_provider: 'openrouter', ai_api_key_hint: '****1234' } }) })
    const wrapper = mountCard()
    await switches(wrapper).openrouter.trigger('click')
    await wrapper.find('[name="ai_api_key"]').setValue('sk-or-1234')
    await wrapper.find('[data-testid="ai-save"]').trigger('click')
    await flushPromises()
    expect(requestBody(fetchMock, 0)).toEqual({
      ai_provider: 'openrouter', ai_api_key: 'sk-or-1234', openrouter_model: 'openai/gpt-4o-mini', ollama_url: 'http://localhost:11434', ollama_model: 'llama3.1',
    })
    expect(useAuthStore().user.ai_provider).toBe('openrouter')
    expect(wrapper.find('[name="ai_api_key"]').element.value).toBe('')
  })

  it('OpenRouter sans clé : erreur en ligne, aucun appel', async () => {
    const fetchMock = stubFetch({})
    const wrapper = mountCard()
    await switches(wrapper).openrouter.trigger('click')
    await wrapper.find('[data-testid="ai-save"]').trigger('click')
    await flushPromises()
    expect(fetchMock).not.toHaveBeenCalled()
    expect(wrapper.text()).toContain('Une clé API OpenRouter est nécessaire.')
  })

  it('« Tester » affiche le détail français quand la route n’existe pas encore', async () => {
    stubFetch({})
    const wrapper = mountCard()
    await switches(wrapper).ollama.trigger('click')
    await wrapper.find('[data-testid="ai-test"]').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid="ai-test-result"]').text()).toBe('Route inconnue du test : POST /api/ai/test/')
  })
})
