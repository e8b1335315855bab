import { ApiError, http, request } from './client.js'

/**
 * Webhooks : configuration du point d'entrée TradingView, journal des requêtes reçues, alerte de test.
 *
 * @typedef {{token: string, url: string, secret: string, ip_allowlist_enabled: boolean,
 *   allowed_ips?: string[], example_message: string}} WebhookConfig
 * @typedef {'pending'|'processing'|'done'|'error'|'rejected'|'duplicate'} WebhookStatus
 * @typedef {{id: number, source: string, payload: object|null, raw_body: string, content_type: string,
 *   source_ip: string|null, dedup_key: string|null, status: WebhookStatus, http_status: number,
 *   processed: boolean, error_message: string, received_at: string, processed_at: string|null,
 *   trade_id: number|null}} WebhookRow
 * @typedef {{count: number, next: string|null, previous: string|null, results: WebhookRow[]}} WebhookPage
 */

/** @returns {Promise<WebhookConfig>} */
export const fetchWebhookConfig = () => http.get('webhooks/config/')

/**
 * `{regenerate_token?, regenerate_secret?, ip_allowlist_enabled?}`.
 * @returns {Promise<WebhookConfig>}
 */
export const updateWebhookConfig = (payload) => http.post('webhooks/config/', payload)

/** @param {{page?: number, page_size?: number, status?: string, q?: string}} query @returns {Promise<WebhookPage>} */
export const listWebhooks = (query, options) => http.get('webhooks/', { ...options, query })

/** @returns {Promise<WebhookRow>} */
export const fetchWebhook = (id) => http.get(`webhooks/${id}/`)

/**
 * Poste une alerte sur le point d'entrée public (comme TradingView) et renvoie la réponse telle quelle,
 * y compris en cas de refus (401, 400…). Le chemin de l'URL est appelé sur l'origine de la page.
 * @returns {Promise<{ok: boolean, status: number, body: unknown}>}
 */
export async function postTestAlert(url, body) {
  const path = new URL(url, globalThis.location?.origin ?? 'http://localhost').pathname
  try {
    const data = await request('POST', path, { body })
    return { ok: true, status: data?.status === 'duplicate' ? 200 : 202, body: data }
  } catch (error) {
    if (!(error instanceof ApiError)) throw error
    return { ok: false, status: error.status, body: error.data ?? { detail: error.message } }
  }
}
