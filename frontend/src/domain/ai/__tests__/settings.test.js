import { describe, expect, it } from 'vitest'
import {
  DEFAULT_OLLAMA_URL,
  aiFormFromUser,
  aiPatch,
  aiStatusText,
  isProviderOn,
  switchProvider,
  validateAiForm,
} from '../settings.js'

describe('interrupteurs exclusifs OpenRouter / Ollama', () => {
  it('allumer l’un éteint l’autre', () => {
    expect(switchProvider('none', 'openrouter', true)).toBe('openrouter')
    expect(switchProvider('openrouter', 'ollama', true)).toBe('ollama')
    expect(switchProvider('ollama', 'openrouter', true)).toBe('openrouter')
  })

  it('éteindre le fournisseur actif désactive l’assistant ; éteindre l’autre ne change rien', () => {
    expect(switchProvider('ollama', 'ollama', false)).toBe('none')
    expect(switchProvider('ollama', 'openrouter', false)).toBe('ollama')
    expect(switchProvider('none', 'openrouter', false)).toBe('none')
  })

  it('jamais les deux à la fois', () => {
    let provider = 'none'
    for (const [name, on] of [['openrouter', true], ['ollama', true], ['openrouter', true], ['openrouter', false]]) {
      provider = switchProvider(provider, name, on)
      expect(isProviderOn(provider, 'openrouter') && isProviderOn(provider, 'ollama')).toBe(false)
    }
    expect(provider).toBe('none')
  })

  it('refuse un fournisseur inconnu', () => {
    expect(() => switchProvider('none', 'chatgpt', true)).toThrow(/inconnu/)
  })

  it('explique l’état, y compris « assistant désactivé »', () => {
    expect(aiStatusText('none')).toMatch(/désactivé/)
    expect(aiStatusText('openrouter')).toMatch(/OpenRouter/)
    expect(aiStatusText('ollama')).toMatch(/Ollama/)
  })
})

describe('formulaire IA', () => {
  it('part du profil, URL Ollama par défaut, clé jamais relue', () => {
    const form = aiFormFromUser({ ai_provider: 'openrouter', ai_api_key_hint: '****abcd', openrouter_model: 'x/y', ollama_url: '', ollama_model: '' })
    expect(form).toMatchObject({ provider: 'openrouter', apiKey: '', apiKeyHint: '****abcd', openrouterModel: 'x/y', ollamaUrl: DEFAULT_OLLAMA_URL })
    expect(aiFormFromUser(null).provider).toBe('none')
  })

  it('n’envoie la clé que si une nouvelle est saisie', () => {
    const form = aiFormFromUser({ ai_provider: 'none' })
    expect(aiPatch(form)).not.toHaveProperty('ai_api_key')
    expect(aiPatch({ ...form, provider: 'openrouter', apiKey: ' sk-or-1 ' })).toMatchObject({ ai_provider: 'openrouter', ai_api_key: 'sk-or-1' })
  })

  it('valide selon le fournisseur actif', () => {
    const base = aiFormFromUser({})
    expect(validateAiForm(base)).toEqual({})
    expect(validateAiForm({ ...base, provider: 'openrouter' })).toHaveProperty('apiKey')
    expect(validateAiForm({ ...base, provider: 'openrouter', apiKeyHint: '****' })).toEqual({})
    expect(validateAiForm({ ...base, provider: 'ollama', ollamaModel: '' })).toHaveProperty('ollamaModel')
    expect(validateAiForm({ ...base, ollamaUrl: 'localhost:11434' }).ollamaUrl).toMatch(/URL invalide/)
  })
})
