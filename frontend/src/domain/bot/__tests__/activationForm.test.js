import { describe, expect, it } from 'vitest'
import { ApiError } from '../../../api/client.js'
import {
  activationErrors,
  activationPayload,
  defaultActivationForm,
  endAfter,
  fromInputValue,
  toInputValue,
  validateActivationForm,
} from '../activationForm.js'

// Les tests tournent en TZ=Europe/Paris (vitest.config.js) : heure locale = UTC+1 en mars.
const NOW = Date.parse('2026-03-10T12:34:56Z')
const form = (over = {}) => ({
  strategy: 3,
  broker: 5,
  symbol: 'BTC/USDT',
  start: '2026-03-10T12:34',
  end: '2026-04-09T12:34',
  isActive: true,
  ...over,
})

describe('dates saisies dans le fuseau de l’utilisateur', () => {
  it('UTC et heure locale', () => {
    expect(toInputValue(new Date(NOW), 'UTC')).toBe('2026-03-10T12:34')
    expect(toInputValue(new Date(NOW), 'local')).toBe('2026-03-10T13:34')
    expect(fromInputValue('2026-03-10T12:34', 'UTC').toISOString()).toBe('2026-03-10T12:34:00.000Z')
    expect(fromInputValue('2026-03-10T13:34', 'local').toISOString()).toBe('2026-03-10T12:34:00.000Z')
  })

  it('refuse le vide, le texte et les dates impossibles', () => {
    expect(fromInputValue('', 'UTC')).toBeNull()
    expect(fromInputValue('demain', 'UTC')).toBeNull()
    expect(fromInputValue('2026-02-31T10:00', 'UTC')).toBeNull()
  })

  it('préréglages de durée', () => {
    expect(endAfter('2026-03-10T12:34', 7, 'UTC')).toBe('2026-03-17T12:34')
    expect(endAfter('x', 7, 'UTC')).toBe('')
  })

  it('changement d’heure en heure locale : préréglage à la même heure murale, heure sautée refusée en français', () => {
    expect(endAfter('2026-03-25T12:00', 7, 'local')).toBe('2026-04-01T12:00') // pas 13:00
    expect(endAfter('2026-02-27T02:30', 30, 'local')).toBe('2026-03-29T03:30') // 02:30 n'existe pas ce jour-là
    const gap = validateActivationForm(form({ start: '2026-03-29T02:30', end: '2026-04-29T02:30' }), { timezone: 'local', now: NOW })
    expect(gap.errors.start).toBe('Date de début inexistante en heure locale (passage à l’heure d’été) : choisissez une autre heure.')
    expect(validateActivationForm(form({ start: '2026-03-29T02:30', end: '2026-04-29T02:30' }), { timezone: 'UTC', now: NOW }).valid).toBe(true)
  })
})

describe('formulaire par défaut', () => {
  it('début maintenant, fin dans 30 jours, active', () => {
    expect(defaultActivationForm({ now: NOW, timezone: 'UTC', strategy: 3, broker: 5 })).toEqual(form({ symbol: '' }))
  })
})

describe('validation', () => {
  it('formulaire complet valide', () => {
    expect(validateActivationForm(form(), { timezone: 'UTC', now: NOW })).toEqual({ valid: true, errors: {} })
  })

  it('champs manquants en français', () => {
    const { valid, errors } = validateActivationForm(form({ strategy: null, broker: null, symbol: '', start: '', end: '' }), { now: NOW })
    expect(valid).toBe(false)
    expect(errors).toEqual({
      strategy: 'Choisissez une stratégie.',
      broker: 'Choisissez un broker.',
      symbol: 'Choisissez un symbole dans la liste.',
      start: 'Date de début invalide.',
      end: 'Date de fin invalide.',
    })
  })

  it('la fin doit suivre le début', () => {
    expect(validateActivationForm(form({ end: '2026-03-10T12:34' }), { now: NOW }).errors.end).toBe('La date de fin doit être postérieure à la date de début.')
    expect(validateActivationForm(form({ end: '2026-03-01T00:00' }), { now: NOW }).errors.end).toMatch(/postérieure/)
  })

  it('une activation dont la fin est déjà passée ne tournerait jamais (acceptée inactive)', () => {
    const past = form({ start: '2026-03-01T00:00', end: '2026-03-05T00:00' })
    expect(validateActivationForm(past, { now: NOW }).errors.end).toMatch(/déjà passée/)
    expect(validateActivationForm({ ...past, isActive: false }, { now: NOW }).valid).toBe(true)
  })

  it('symbole au format CCXT', () => {
    expect(validateActivationForm(form({ symbol: 'BTCUSDT' }), { now: NOW }).errors.symbol).toMatch(/BASE\/COTATION/)
  })
})

describe('requête et erreurs de l’API', () => {
  it('corps de POST /api/active-strategies/ en UTC', () => {
    expect(activationPayload(form({ symbol: ' btc/usdt ' }), { timezone: 'UTC' })).toEqual({
      strategy: 3,
      broker: 5,
      symbol: 'BTC/USDT',
      start_date: '2026-03-10T12:34:00.000Z',
      end_date: '2026-04-09T12:34:00.000Z',
      is_active: true,
    })
    // Heure locale (Paris) : l'instant exact, au travers du passage à l'heure d'été du 29 mars.
    const local = activationPayload(form({ start: '2026-03-10T13:34', end: '2026-04-09T14:34' }), { timezone: 'local' })
    expect([local.start_date, local.end_date]).toEqual(['2026-03-10T12:34:00.000Z', '2026-04-09T12:34:00.000Z'])
  })

  it('erreurs par champ ramenées sur le formulaire', () => {
    const error = new ApiError('Données invalides — end_date : Doit être après la date de début.', {
      status: 400,
      errors: { end_date: ['Doit être après la date de début.'], non_field_errors: ['Autre souci.'] },
    })
    expect(activationErrors(error)).toEqual({ fields: { end: 'Doit être après la date de début.' }, message: 'Autre souci.' })
  })

  it('limite de 20 : message général (409)', () => {
    const error = new ApiError('Limite atteinte : au maximum 20 stratégies actives simultanément.', { status: 409 })
    expect(activationErrors(error)).toEqual({ fields: {}, message: 'Limite atteinte : au maximum 20 stratégies actives simultanément.' })
  })
})
