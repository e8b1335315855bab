/**
 * Configuration de l'assistant IA (spec §4.2) : OpenRouter OU Ollama, jamais les deux.
 * Logique pure : interrupteurs exclusifs, formulaire ↔ profil, validation.
 */

export const AI_PROVIDERS = Object.freeze(['openrouter', 'ollama'])
export const AI_NONE = 'none'
export const DEFAULT_OLLAMA_URL = 'http://localhost:11434'
export const DEFAULT_OPENROUTER_MODEL = 'openai/gpt-4o-mini'

export const AI_LABELS = Object.freeze({ none: 'Désactivé', openrouter: 'OpenRouter', ollama: 'Ollama' })

/**
 * Nouvel état après avoir basculé l'interrupteur de `provider` sur `on` :
 * allumer l'un éteint l'autre ; éteindre le fournisseur actif désactive l'assistant.
 */
export function switchProvider(current, provider, on) {
  if (!AI_PROVIDERS.includes(provider)) throw new Error(`Fournisseur IA inconnu : ${provider}`)
  if (on) return provider
  return current === provider ? AI_NONE : current
}

export const isProviderOn = (current, provider) => current === provider

/** Formulaire initial à partir du profil (la clé API n'est jamais relue : seul l'indice masqué l'est). */
export function aiFormFromUser(user) {
  const provider = AI_PROVIDERS.includes(user?.ai_provider) ? user.ai_provider : AI_NONE
  return {
    provider,
    apiKey: '',
    apiKeyHint: user?.ai_api_key_hint ?? '',
    openrouterModel: user?.openrouter_model || DEFAULT_OPENROUTER_MODEL,
    ollamaUrl: user?.ollama_url || DEFAULT_OLLAMA_URL,
    ollamaModel: user?.ollama_model ?? '',
  }
}

/** Corps de `PATCH /api/auth/me/` ; la clé n'est envoyée que si une nouvelle a été saisie. */
export function aiPatch(form) {
  const patch = {
    ai_provider: form.provider,
    openrouter_model: form.openrouterModel.trim(),
    ollama_url: form.ollamaUrl.trim(),
    ollama_model: form.ollamaModel.trim(),
  }
  if (form.apiKey.trim()) patch.ai_api_key = form.apiKey.trim()
  return patch
}

function isHttpUrl(value) {
  try {
    const url = new URL(value)
    return url.protocol === 'http:' || url.protocol === 'https:'
  } catch {
    return false
  }
}

/** Erreurs par champ (messages français) ; objet vide si tout est correct. */
export function validateAiForm(form) {
  const errors = {}
  if (form.provider === 'openrouter') {
    if (!form.apiKey.trim() && !form.apiKeyHint) errors.apiKey = 'Une clé API OpenRouter est nécessaire.'
    if (!form.openrouterModel.trim()) errors.openrouterModel = 'Indiquez le modèle OpenRouter (ex. openai/gpt-4o-mini).'
  }
  if (form.ollamaUrl.trim() && !isHttpUrl(form.ollamaUrl.trim())) {
    errors.ollamaUrl = 'URL invalide : http://hôte:port attendu (ex. http://localhost:11434).'
  } else if (form.provider === 'ollama' && !form.ollamaUrl.trim()) {
    errors.ollamaUrl = 'Indiquez l’URL du serveur Ollama.'
  }
  if (form.provider === 'ollama' && !form.ollamaModel.trim()) {
    errors.ollamaModel = 'Indiquez le modèle Ollama (ex. llama3.1).'
  }
  return errors
}

/** Phrase d'état affichée sous les interrupteurs. */
export function aiStatusText(provider) {
  if (provider === 'openrouter') return 'Assistant IA actif via OpenRouter.'
  if (provider === 'ollama') return 'Assistant IA actif via Ollama (serveur local).'
  return 'Les deux fournisseurs sont éteints : l’assistant IA de la page Stratégies est désactivé.'
}
