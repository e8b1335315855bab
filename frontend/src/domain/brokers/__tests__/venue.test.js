import { describe, expect, it } from 'vitest'
import { venueLabel, venuesSummary } from '../venue.js'

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
})
