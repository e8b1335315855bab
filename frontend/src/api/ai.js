import { http } from './client.js'

/**
 * Teste la connexion à l'assistant IA avec la configuration saisie (ou enregistrée).
 * @param {{ai_provider: string, ai_api_key?: string, openrouter_model?: string, ollama_url?: string, ollama_model?: string}} payload
 * @returns {Promise<{ok: boolean, detail?: string}>}
 */
export const testAi = (payload) => http.post('ai/test/', payload)
