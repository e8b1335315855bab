import { ref } from 'vue'
import { isActive } from '../domain/backtest/run.js'
import { ANY_MESSAGE, getSocket } from '../websocket/index.js'

/** Sans message WebSocket depuis ce délai, la ligne est relue par HTTP (secours, redémarrage). */
export const SILENCE_MS = 3000
export const POLL_MS = 1000
/** Fermetures sans reconnexion : session absente (4401/4403), tâche introuvable (4404). */
const TERMINAL_CLOSE_CODES = [4401, 4403, 4404]

/**
 * Suivi d'une tâche longue du serveur (backtest, optimisation) : état de progression dans `run`,
 * mis à jour par les messages du WebSocket de la tâche, et relu par HTTP si le flux se tait plus
 * de SILENCE_MS ; `onFinish(state, row)` dès qu'elle n'est plus active (terminée, en erreur,
 * annulée, introuvable).
 *
 * @param {object} options
 * @param {import('vue').Ref} options.run état suivi (`{ id, status, download, compute, … }`)
 * @param {(id: number) => string} options.socketPath chemin WebSocket de la tâche
 * @param {string} options.idKey clé de l'identifiant dans les messages (`backtest_id`…)
 * @param {(row: object) => object} options.fromRow ligne de l'API → état
 * @param {(state: object, message: object) => object} options.applyMessage message → nouvel état
 * @param {(id: number) => Promise<object>} options.fetchRow relecture HTTP de la ligne
 * @param {(fresh: object, previous: object) => object} options.keepProgress les barres ne reculent pas
 * @param {string} options.notFound message quand la ligne a disparu (404)
 * @param {(state: object, row: object|null) => unknown} options.onFinish
 * @param {(id: number) => Promise<object>} options.cancelRow demande d'annulation (POST …/cancel/)
 * @param {string} options.cancelledType type du message « annulé » de cette tâche
 */
export function useJobFollower({ run, socketPath, idKey, fromRow, applyMessage, fetchRow, keepProgress, notFound, onFinish, cancelRow, cancelledType }) {
  const cancelling = ref(false)
  let unsubscribe = null
  let pollTimer = null
  let lastMessageAt = 0

  function stop() {
    unsubscribe?.()
    unsubscribe = null
    clearInterval(pollTimer)
    pollTimer = null
  }

  function follow(row) {
    stop()
    run.value = fromRow(row)
    if (!isActive(row.status)) return
    const socket = getSocket(socketPath(row.id), { terminalCloseCodes: TERMINAL_CLOSE_CODES })
    unsubscribe = socket.subscribe(ANY_MESSAGE, onMessage)
    lastMessageAt = Date.now()
    pollTimer = setInterval(pollIfSilent, POLL_MS)
  }

  function onMessage(message) {
    if (!run.value || message?.[idKey] !== run.value.id) return
    lastMessageAt = Date.now()
    const next = applyMessage(run.value, message)
    if (next === run.value) return
    run.value = next
    if (!isActive(next.status)) finish(next)
  }

  async function pollIfSilent() {
    const previous = run.value
    if (!previous || Date.now() - lastMessageAt < SILENCE_MS) return
    lastMessageAt = Date.now()
    try {
      const row = await fetchRow(previous.id)
      if (run.value?.id !== row.id) return
      run.value = keepProgress(fromRow(row), previous)
      if (!isActive(row.status)) finish(run.value, row)
    } catch (err) {
      if (err?.status === 404) finish({ ...previous, status: 'error', error: notFound })
    }
  }

  async function finish(state, row = null) {
    stop()
    await onFinish(state, row)
  }

  /** « Annuler » (téléchargement ou calcul) : la tâche passe « annulée » ; la ligne rendue. */
  async function cancel() {
    if (!run.value) return null
    cancelling.value = true
    try {
      const row = await cancelRow(run.value.id)
      run.value = applyMessage(run.value, { type: cancelledType, [idKey]: row.id, phase: run.value.phase })
      await finish(run.value, row)
      return row
    } finally {
      cancelling.value = false
    }
  }

  return { follow, stop, finish, cancel, cancelling }
}
