import { http } from './client.js'

/**
 * Stratégies de l'utilisateur (`/api/strategies/`), validation dans le bac à sable et assistant IA.
 * @typedef {{id: number, user: number, name: string, description: string, code: string,
 *   timeframe: string, created_at: string, updated_at: string}} Strategy
 * @typedef {{ok: true, class_name: string, results: Record<string, boolean|number>, logs: string, duration_ms: number}
 *   | {ok: false, error: string, line: number|null, kind: string|null, logs: string}} ValidationResult
 * @typedef {{level: 'complet'|'partiel'|'aucun', message: string, platform: string, seccomp: boolean,
 *   landlock_abi: number, dedicated_uid: boolean, verified: boolean,
 *   problems: Record<string, string>}} SandboxStatus
 * @typedef {{code: string|null, explanation: string, provider: 'openrouter'|'ollama', model: string,
 *   validation: ValidationResult|null}} AssistResult
 */

/** @returns {Promise<Strategy[]>} */
export const listStrategies = () => http.get('strategies/')

/** Sans `code`, le serveur part du template de base. @returns {Promise<Strategy>} */
export const createStrategy = (data) => http.post('strategies/', data)

/** Mise à jour partielle (seuls les champs modifiés). @returns {Promise<Strategy>} */
export const updateStrategy = (id, patch) => http.patch(`strategies/${id}/`, patch)

export const deleteStrategy = (id) => http.delete(`strategies/${id}/`)

/** @returns {Promise<{template: string, example_ema_cross: string}>} */
export const fetchTemplate = () => http.get('strategies/template/')

/** Confinement du code des stratégies sur le serveur. @returns {Promise<SandboxStatus>} */
export const fetchSandboxStatus = () => http.get('strategies/sandbox/')

/** Compile, charge et exécute une fois le code (300 bougies synthétiques). @returns {Promise<ValidationResult>} */
export const validateCode = (code) => http.post('strategies/validate/', { code })

/**
 * Demande du code à l'assistant IA configuré dans Mon Compte.
 * @param {{prompt: string, code: string}} payload
 * @param {{signal?: AbortSignal}} [options]
 * @returns {Promise<AssistResult>}
 */
export const assistStrategy = ({ prompt, code }, { signal } = {}) =>
  http.post('strategies/assist/', { prompt, code }, { signal })
