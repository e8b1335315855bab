/**
 * « MAJ Paires de trading » : normalisation de la progression d'un job (réponse HTTP 202, lecture
 * `GET …/update-pairs/` ou message WebSocket `pairs.progress`, qui portent tous `{job: {...}}`).
 */

export const PAIRS_STATUSES = Object.freeze(['pending', 'running', 'done', 'error'])
const FINISHED = new Set(['done', 'error'])

const int = (value) => {
  const n = Number(value)
  return Number.isFinite(n) ? Math.max(0, Math.round(n)) : 0
}

/** Extrait le job d'un message ou d'une réponse (`{job}` ou le job lui-même) ; null sinon. */
export function jobFromPayload(payload) {
  const job = payload && typeof payload === 'object' && 'job' in payload ? payload.job : payload
  if (!job || typeof job !== 'object' || job.id === undefined || job.id === null) return null
  return job
}

/** Forme affichable d'un job. */
export function normalizeJob(job) {
  const status = PAIRS_STATUSES.includes(job.status) ? job.status : 'pending'
  const total = int(job.total)
  const processed = int(job.processed)
  let percent = job.progress !== undefined ? int(job.progress) : total ? Math.round((100 * processed) / total) : 0
  if (status === 'done') percent = 100
  return {
    id: job.id,
    exchange: String(job.exchange ?? ''),
    status,
    percent: Math.min(100, percent),
    total,
    processed,
    created: int(job.created_count),
    updated: int(job.updated_count),
    deactivated: int(job.deactivated_count),
    message: String(job.message ?? ''),
    error: String(job.error ?? ''),
    finished: FINISHED.has(status),
  }
}

/**
 * Applique une nouvelle progression à l'état courant d'un exchange : ignore un autre job plus
 * ancien et un retour en arrière (message WebSocket arrivé après une lecture HTTP plus récente).
 */
export function applyJobUpdate(current, incoming) {
  const next = normalizeJob(incoming)
  if (!current) return next
  if (next.id < current.id) return current
  if (next.id === current.id) {
    if (current.finished && !next.finished) return current
    if (!next.finished && next.percent < current.percent) return current
  }
  return next
}

/** Texte de la barre : « N paires enregistrées » à la fin. */
export function jobLabel(job) {
  if (!job) return ''
  if (job.status === 'done') {
    const count = job.total || job.processed
    return `${count} paire${count > 1 ? 's' : ''} enregistrée${count > 1 ? 's' : ''}`
  }
  if (job.status === 'error') return `Échec : ${job.error || job.message || 'erreur inconnue'}`
  if (job.status === 'pending') return 'En attente…'
  return job.message || `${job.percent} %`
}
