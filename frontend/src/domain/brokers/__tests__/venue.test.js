import { describe, expect, it } from 'vitest'
import { brokerModeSuffix, brokerOptionLabel, hasPaperVenue, venueLabel, venuesSummary } from '../venue.js'

describe('venue', () => {
  it('ne dit « Comptes réels » que pour des comptes réels', () => {
    expect(venuesSummary(['simulator'])).toBe('Simulateur local (aucun ordre réel)')
    expect(venuesSummary(['real'])).toBe('Comptes réels')
    expect(venuesSummary(['real', 'testnet'])).toBe('Comptes réels + Testnet')
  })

  it('aucun broker, valeur inconnue', () => {
    expect(venuesSummary([])).toBe('Aucun broker')
    expect(venuesSummary(undefined)).toBe('Aucun broker')
    expect(venueLabel('autre')).toBe('autre')
  })

  it('papier : pastille, mention et libellé des menus', () => {
    expect(venuesSummary(['paper', 'real'])).toBe('Papier (ordres simulés) + Comptes réels')
    expect(hasPaperVenue(['real', 'paper'])).toBe(true)
    expect(hasPaperVenue(['real'])).toBe(false)
    expect(hasPaperVenue(undefined)).toBe(false)
    expect(brokerModeSuffix({ is_paper: true, is_testnet: true })).toBe(' (papier)')
    expect(brokerModeSuffix({ is_testnet: true })).toBe(' (testnet)')
    expect(brokerOptionLabel({ name: 'Essai', is_paper: true, is_default: true }, 'Binance')).toBe('Essai · Binance ★ (papier)')
    expect(brokerOptionLabel({ name: 'Réel', is_default: true }, '', { star: false })).toBe('Réel')
  })
})
