import { describe, expect, it } from 'vitest'
import { applyJobUpdate, jobFromPayload, jobLabel, normalizeJob } from '../pairsProgress.js'

const job = (fields) => ({ id: 7, exchange: 'binance', status: 'running', progress: 20, total: 0, processed: 0, ...fields })

describe('progression « MAJ Paires de trading »', () => {
  it('lit le job d’une réponse 202, d’une lecture ou d’un message WebSocket', () => {
    expect(jobFromPayload({ job_id: 7, started: true, job: job() }).id).toBe(7)
    expect(jobFromPayload({ type: 'pairs.progress', job: job() }).id).toBe(7)
    expect(jobFromPayload({ job: null })).toBeNull()
    expect(jobFromPayload(null)).toBeNull()
  })

  it('normalise pourcentage et compteurs ; 100 % une fois terminé', () => {
    expect(normalizeJob(job({ progress: 45.6 }))).toMatchObject({ percent: 46, finished: false })
    expect(normalizeJob(job({ progress: undefined, total: 200, processed: 50 })).percent).toBe(25)
    expect(normalizeJob(job({ status: 'done', progress: 95, total: 1234 }))).toMatchObject({ percent: 100, finished: true })
    expect(normalizeJob(job({ status: 'bizarre' })).status).toBe('pending')
  })

  it('ignore un message en retard (recul) et un job plus ancien', () => {
    let state = applyJobUpdate(null, job({ progress: 60 }))
    state = applyJobUpdate(state, job({ progress: 40 }))
    expect(state.percent).toBe(60)
    state = applyJobUpdate(state, job({ id: 6, status: 'done' }))
    expect(state.id).toBe(7)
    state = applyJobUpdate(state, job({ status: 'done', total: 16 }))
    expect(state.finished).toBe(true)
    expect(applyJobUpdate(state, job({ progress: 90 }))).toBe(state) // terminé : on ne revient pas en arrière
    expect(applyJobUpdate(state, job({ id: 8, status: 'pending', progress: 0 })).id).toBe(8) // nouveau lancement
  })

  it('se termine par « N paires enregistrées » (ou l’erreur en français)', () => {
    expect(jobLabel(normalizeJob(job({ status: 'done', total: 1234 })))).toBe('1234 paires enregistrées')
    expect(jobLabel(normalizeJob(job({ status: 'done', total: 1 })))).toBe('1 paire enregistrée')
    expect(jobLabel(normalizeJob(job({ status: 'error', error: 'Erreur de connexion à Binance : délai' })))).toBe('Échec : Erreur de connexion à Binance : délai')
    expect(jobLabel(normalizeJob(job({ message: '500/1234 paires écrites' })))).toBe('500/1234 paires écrites')
    expect(jobLabel(null)).toBe('')
  })
})
